// The Teach page's calls to the worker (validated answers; a worker that does not answer becomes a
// readable failure), and its reads of what the worker stored: the projects in storage.local, the
// examples' thumbnails in IndexedDB.
import browser from 'webextension-polyfill';
import { t } from '../core/i18nBrowser';
import { ExplanationResult, type Message } from '../core/messages';
import { loadProject, projectKey, type TeachProject, type TeachProjectId } from '../core/teach/project';
import { IDLE_PROGRESS, TeachProgress, TeachReply } from '../core/teachMessages';
import { exampleStore, type StoredExample } from '../background/teach/exampleStore';

type TeachRequest = Extract<Message, { type: `teach-${string}` }>;

async function send(message: TeachRequest): Promise<unknown> {
  try {
    return await browser.runtime.sendMessage(message);
  } catch {
    // The worker was stopped mid-way: asking again starts it.
    return browser.runtime.sendMessage(message).catch(() => undefined);
  }
}

export async function request(message: TeachRequest): Promise<TeachReply> {
  const reply = TeachReply.safeParse(await send(message));
  return reply.success ? reply.data : { ok: false, error: t('errExtensionNoAnswer') };
}

export async function progress(): Promise<TeachProgress> {
  const reply = TeachProgress.safeParse(await send({ type: 'teach-progress' }));
  return reply.success ? reply.data : IDLE_PROGRESS;
}

export async function explainWith(modelId: string, dataUrl: string): Promise<ExplanationResult> {
  const reply = ExplanationResult.safeParse(await send({ type: 'teach-explain', modelId, dataUrl }));
  return reply.success ? reply.data : { ok: false, error: t('errExtensionNoAnswer') };
}

export const project = (id: TeachProjectId): Promise<TeachProject> => loadProject(browser.storage.local, id);

export const examples = (id: TeachProjectId): Promise<StoredExample[]> => exampleStore.list(id);

/** Calls back when the project changes (classes, examples, trained model). */
export function onProjectChanged(id: TeachProjectId, listener: () => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && projectKey(id) in changes) listener();
  });
}
