// The Lab in the worker: its cells are explanations like the overlay's (the same Explainer, the same
// cache), asked by the Lab page for any model, layer, method and class. Only extension pages reach
// this (the caller checks the sender): a web page cannot make the worker fetch through the Lab.
import { findModel, type ModelEntry } from '../core/catalog';
import { t } from '../core/i18nBrowser';
import type { LabHandoff, LabImage } from '../core/labMessages';
import { LruMap } from '../core/lru';
import { randomId } from '../core/randomId';
import type { ExplanationResult, LayersReply, Message } from '../core/messages';
import type { Explainer } from './explainer';
import type { ModelHost } from './modelHost';
import type { Models } from './models';
import type { Pixels } from './pixels';

export type LabMessage = Extract<Message, { type: `lab-${string}` }>;

export function isLabMessage(message: Message): message is LabMessage {
  return message.type.startsWith('lab-');
}

/** The Lab's own owner name: its kept activations are never handed to an overlay, nor an overlay's to it. */
const LAB_OWNER = 'lab-page';

/** The Lab's picture: bytes its page read (the worker decodes them with its own checks). */
const labPixels = (image: LabImage): Pixels => ({ kind: 'dataUrl', dataUrl: image.dataUrl, originalUrl: 'lab' });

/** A person clicks "Lab" once; more than one Lab a tab in this time is not a person. */
export const LAB_OPEN_COOLDOWN_MS = 2000;

/** What an overlay hands the Lab it opens (see stash). */
export type Handoff = Omit<Extract<LabHandoff, { ok: true }>, 'ok'>;

export class LabRoutes {
  /** Pictures and settings overlays handed over, until the Lab tab opened for each reads its own (once). */
  private readonly handoffs = new LruMap<string, Handoff>(4);
  /** When each tab last opened a Lab (few entries: the last 32 tabs). */
  private readonly openedFrom = new LruMap<number, number>(32);
  /** Each model's own layer, learnt once (asking would otherwise load the model without the override between cells). */
  private readonly automatic = new Map<string, string>();

  constructor(
    private readonly explainer: Explainer,
    private readonly models: Models,
    private readonly host: ModelHost,
  ) {}

  handle(message: LabMessage): Promise<unknown> {
    switch (message.type) {
      case 'lab-layers':
        return this.layers(message.modelId);
      case 'lab-handoff':
        return Promise.resolve(this.take(message.id));
      case 'lab-explain':
        return this.explain(message);
    }
  }

  /**
   * Whether a tab may open a Lab now: one every LAB_OPEN_COOLDOWN_MS. The message comes from a content
   * script, which a compromised page renderer can send as often as it likes (a tab storm otherwise).
   */
  mayOpenFrom(tabId: number, now = Date.now()): boolean {
    const last = this.openedFrom.get(tabId);
    if (last !== undefined && now - last < LAB_OPEN_COOLDOWN_MS) return false;
    this.openedFrom.set(tabId, now);
    return true;
  }

  /** Keeps an overlay's picture and settings for the Lab tab about to open; returns the unguessable id it asks with. */
  stash(handoff: Handoff): string {
    const id = randomId();
    this.handoffs.set(id, handoff);
    return id;
  }

  private take(id: string): LabHandoff {
    const handoff = this.handoffs.take(id);
    return handoff ? { ok: true, ...handoff } : { ok: false };
  }

  private async entry(modelId: string) {
    return findModel(modelId, await this.models.known()) ?? null;
  }

  private async layers(modelId: string): Promise<LayersReply> {
    const entry = await this.entry(modelId);
    if (!entry) return { ok: false, error: t('modelErrFilesGone', modelId) };
    try {
      const choices = (await this.host.get(entry)).model.layerChoices();
      this.automatic.set(entry.id, choices.automatic);
      return { ok: true, modelId: entry.id, ...choices };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  private async explain(message: Extract<LabMessage, { type: 'lab-explain' }>): Promise<ExplanationResult> {
    const entry = await this.entry(message.modelId);
    if (!entry) return { ok: false, error: t('modelErrFilesGone', message.modelId) };
    // The model's own layer is asked for without an override, so the Lab and the overlay share one load and one cache.
    const automatic = message.layer === undefined ? undefined : await this.automaticLayer(entry);
    const layer = message.layer === automatic ? undefined : message.layer;
    return this.explainer.explain(labPixels(message.image), {
      entry,
      method: message.method,
      layer,
      classIndex: message.classIndex,
      contrastIndex: message.contrastIndex,
      // The Lab shows maps, not the overlay's shortcut alarm: its extra passes would only slow the grid and live maps.
      shortcut: false,
      owner: LAB_OWNER,
    });
  }

  private async automaticLayer(entry: ModelEntry): Promise<string | undefined> {
    if (!this.automatic.has(entry.id)) await this.layers(entry.id);
    return this.automatic.get(entry.id);
  }
}
