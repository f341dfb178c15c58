// The Lab page's calls to the worker, with validated answers (a worker that does not answer becomes a
// readable failure, never a rejection).
import browser from 'webextension-polyfill';
import { t } from '../core/i18nBrowser';
import { LabHandoff } from '../core/labMessages';
import { ClassLabelsReply, ExplanationResult, LayersReply, Status, type Message } from '../core/messages';

async function send(message: Message): Promise<unknown> {
  try {
    return await browser.runtime.sendMessage(message);
  } catch {
    // The worker was stopped mid-way: asking again starts it.
    return browser.runtime.sendMessage(message).catch(() => undefined);
  }
}

export async function status(): Promise<Status | null> {
  const reply = Status.safeParse(await send({ type: 'get-status' }));
  return reply.success ? reply.data : null;
}

export async function layers(modelId: string): Promise<LayersReply> {
  const reply = LayersReply.safeParse(await send({ type: 'lab-layers', modelId }));
  return reply.success ? reply.data : { ok: false, error: t('errExtensionNoAnswer') };
}

export async function labels(modelId: string): Promise<string[]> {
  const reply = ClassLabelsReply.safeParse(await send({ type: 'class-labels', modelId }));
  return reply.success ? reply.data.labels : [];
}

export async function explain(message: Extract<Message, { type: 'lab-explain' }>): Promise<ExplanationResult> {
  const reply = ExplanationResult.safeParse(await send(message));
  return reply.success ? reply.data : { ok: false, error: t('errExtensionNoAnswer') };
}

/** The picture and settings an overlay handed over (once). */
export async function handoff(id: string): Promise<LabHandoff> {
  const reply = LabHandoff.safeParse(await send({ type: 'lab-handoff', id }));
  return reply.success ? reply.data : { ok: false };
}
