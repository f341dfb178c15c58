// Teach in the worker: the context menu's "Add to class" items (the picture comes from the content
// script of the frame right-clicked, which resolves its last trusted right-click as the explain path
// does; the worker reads the pixels itself), and the Teach page's messages.
import browser, { type Menus, type Tabs } from 'webextension-polyfill';
import type { Translate } from '../../core/i18n';
import type { ShownIn } from '../../core/fetchPolicy';
import { ImageSource, type Message } from '../../core/messages';
import { loadProject } from '../../core/teach/project';
import type { TeachReply } from '../../core/teachMessages';
import { teachMenuTarget } from '../../core/teach/menuItems';
import { readablePixels } from '../explanations';
import type { TeachService } from './teachService';
import * as z from 'zod/mini';

export type TeachMessage = Extract<Message, { type: `teach-${string}` }>;
export type TeachMenuOutcome = { ok: true; added: number; skipped: { origin: string; error: string }[] } | { ok: false; error: string };

const PickReply = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), source: ImageSource }), z.object({ ok: z.literal(false), error: z.string() })]);
// Addresses of pictures the page could not load: shown in the note, never fetched (bounded: they come from the page).
const ListReply = z.object({ sources: z.array(ImageSource), unloaded: z.array(z.string().check(z.maxLength(2048))).check(z.maxLength(1000)) });

/** Pictures added at once by "Add all images": their downloads overlap, their features are computed one at a time. */
const ADD_ALL_CONCURRENCY = 2;

export function isTeachMessage(message: Message): message is TeachMessage {
  return message.type.startsWith('teach-');
}

export class TeachRoutes {
  constructor(
    private readonly service: TeachService,
    private readonly t: Translate,
    private readonly teachPageUrl: string,
  ) {}

  /** A Teach menu item was clicked; null when the item is not Teach's. */
  onMenuClick(info: Menus.OnClickData, tab: Tabs.Tab): Promise<TeachMenuOutcome> | null {
    const target = teachMenuTarget(info.menuItemId);
    if (!target) return null;
    if (target.kind === 'open') return browser.tabs.create({ url: this.teachPageUrl }).then(() => ({ ok: true as const, added: 0, skipped: [] }));
    // Where the pictures are shown, as the browser reports it: the fetch policy decides from it (as for explanations).
    const frameId = info.frameId ?? 0;
    const pageUrl = tab.url ?? info.pageUrl;
    const frame = { tabId: tab.id!, frameId, shownIn: { frameUrl: frameId === 0 ? pageUrl : info.frameUrl, pageUrl } };
    return target.kind === 'add' ? this.addPicked(frame, target.classId, info.srcUrl) : this.addAll(frame, target.classId);
  }

  private async className(classId: string): Promise<string | null> {
    return (await loadProject(browser.storage.local, 'main')).classes.find((c) => c.id === classId)?.name ?? null;
  }

  private async addPicked(frame: Frame, classId: string, srcUrl: string | undefined): Promise<TeachMenuOutcome> {
    const name = await this.className(classId);
    if (name === null) return this.fail(frame, this.t('teachErrNoClass'));
    const parsed = PickReply.safeParse(await ask(frame, { type: 'teach-pick', srcUrl }));
    if (!parsed.success) return this.fail(frame, this.t('errPageNoAnswer'));
    if (!parsed.data.ok) return this.fail(frame, parsed.data.error);
    const source = parsed.data.source;
    if (source.kind === 'screenshot') return this.fail(frame, this.t('teachErrUnreadable'));
    const readable = readablePixels(source, frame.shownIn);
    if (!readable.ok) return this.fail(frame, this.t('teachNotAdded', readable.error));
    void toast(frame, this.t('teachAdding', name), 'busy');
    const reply = await this.service.addExample('main', classId, readable.pixels, originOf(source));
    if (!reply.ok) return this.fail(frame, this.t('teachNotAdded', reply.error));
    void toast(frame, this.t('teachAdded', [name, String(await this.count(classId))]), 'ok');
    return { ok: true, added: 1, skipped: [] };
  }

  private async addAll(frame: Frame, classId: string): Promise<TeachMenuOutcome> {
    const name = await this.className(classId);
    if (name === null) return this.fail(frame, this.t('teachErrNoClass'));
    const parsed = ListReply.safeParse(await ask(frame, { type: 'teach-list' }));
    if (!parsed.success) return this.fail(frame, this.t('errPageNoAnswer'));
    const { sources, unloaded } = parsed.data;
    if (sources.length === 0 && unloaded.length === 0) return this.fail(frame, this.t('teachNoImages'));
    let added = 0;
    const skipped = unloaded.map((origin) => ({ origin, error: this.t('teachErrNotLoaded') }));
    let next = 0;
    const worker = async () => {
      while (next < sources.length) {
        const source = sources[next++];
        void toast(frame, this.t('teachAddingMany', [String(added + skipped.length + 1), String(sources.length), name]), 'busy');
        const origin = source.kind === 'screenshot' ? '' : originOf(source);
        const readable = source.kind === 'screenshot' ? { ok: false as const, error: this.t('teachErrUnreadable') } : readablePixels(source, frame.shownIn);
        const reply: TeachReply = readable.ok ? await this.service.addExample('main', classId, readable.pixels, origin) : readable;
        if (reply.ok) added++;
        else skipped.push({ origin, error: reply.error });
      }
    };
    await Promise.all(Array.from({ length: ADD_ALL_CONCURRENCY }, worker));
    const summary = skipped.length === 0
      ? this.t('teachAddedMany', [String(added), name])
      : this.t('teachAddedSkipped', [String(added), name, String(skipped.length), `${shortOrigin(skipped[0].origin)}: ${skipped[0].error}`]);
    void toast(frame, summary, added > 0 ? 'ok' : 'error');
    return { ok: true, added, skipped };
  }

  private async count(classId: string): Promise<number> {
    return (await this.service.examples('main')).filter((e) => e.classId === classId).length;
  }

  private fail(frame: Frame, error: string): TeachMenuOutcome {
    void toast(frame, error, 'error');
    return { ok: false, error };
  }

  /** The Teach page's requests (the caller checked that an extension page sent them). */
  handle(message: TeachMessage): Promise<unknown> | undefined {
    const s = this.service;
    switch (message.type) {
      case 'teach-add-class':
        return s.addClass(message.project, message.name);
      case 'teach-rename-class':
        return s.renameClass(message.project, message.classId, message.name);
      case 'teach-remove-class':
        return s.removeClass(message.project, message.classId);
      case 'teach-remove-examples':
        return s.removeExamples(message.project, message.ids);
      case 'teach-clear':
        return s.clear(message.project);
      case 'teach-add-example':
        return s.addExample(message.project, message.classId, { kind: 'dataUrl', dataUrl: message.dataUrl, originalUrl: message.origin }, message.origin);
      case 'teach-train':
        return s.train(message.project, message);
      case 'teach-progress':
        return Promise.resolve(s.progress);
      case 'teach-cancel':
        s.cancel();
        return Promise.resolve(true);
      default:
        // teach-explain is answered by the worker's explainer; teach-pick/list/toast go to content scripts.
        return undefined;
    }
  }
}

interface Frame {
  tabId: number;
  frameId: number;
  shownIn: ShownIn;
}

/** Asks the frame's content script (injecting it first if the page predates the extension). */
async function ask(frame: Frame, message: Message): Promise<unknown> {
  try {
    return await browser.tabs.sendMessage(frame.tabId, message, { frameId: frame.frameId });
  } catch {
    try {
      await browser.scripting.executeScript({ target: { tabId: frame.tabId, frameIds: [frame.frameId] }, files: ['content.js'] });
      return await browser.tabs.sendMessage(frame.tabId, message, { frameId: frame.frameId });
    } catch {
      return undefined;
    }
  }
}

function toast(frame: Frame, text: string, tone: 'busy' | 'ok' | 'error'): Promise<unknown> {
  // Through ask(): a frame's content script listens from its first use on (e.g. an error before any pick).
  return ask(frame, { type: 'teach-toast', text, tone });
}

const originOf = (source: Exclude<ImageSource, { kind: 'screenshot' }>) => (source.kind === 'url' ? source.url : source.originalUrl);
/** A picture's file name for a note (its address's last part). */
function shortOrigin(origin: string): string {
  if (origin.startsWith('data:')) return 'data:';
  const path = origin.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last) || origin;
  } catch {
    return last || origin;
  }
}
