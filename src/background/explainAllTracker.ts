// "Explain all images" per tab: the content scripts run the queue; the worker starts them, keeps the
// latest progress for the popup, and resolves waiters when a run ends.
import browser from 'webextension-polyfill';
import { t } from '../core/i18nBrowser';
import type { ExplainAllProgress, Message } from '../core/messages';

export type ExplainAllOutcome = ExplainAllProgress | { ok: false; error: string };

export class ExplainAllTracker {
  private readonly progress = new Map<number, ExplainAllProgress>();
  private readonly waiters = new Map<number, ((p: ExplainAllProgress) => void)[]>();

  constructor(private readonly describeError: (e: unknown) => string) {}

  /** Asks every frame of the tab to explain its large images (injecting the content script if needed). */
  async start(tabId: number): Promise<{ ok: true; total: number } | { ok: false; error: string }> {
    const message: Message = { type: 'explain-all' };
    let reply: unknown;
    try {
      reply = await browser.tabs.sendMessage(tabId, message);
    } catch {
      try {
        await browser.scripting.executeScript({ target: { tabId, allFrames: true }, files: ['content.js'] });
        reply = await browser.tabs.sendMessage(tabId, message);
      } catch (e) {
        return { ok: false, error: t('errCannotRunHere', this.describeError(e)) };
      }
    }
    const total = (reply as { total?: unknown } | undefined)?.total;
    const count = typeof total === 'number' ? total : 0;
    this.progress.set(tabId, { done: 0, failed: 0, total: count, cancelled: false, finished: false });
    return { ok: true, total: count };
  }

  /** Runs it and resolves with the final progress. */
  async run(tabId: number): Promise<ExplainAllOutcome> {
    const finished = new Promise<ExplainAllProgress>((resolve) => this.waiters.set(tabId, [...(this.waiters.get(tabId) ?? []), resolve]));
    const started = await this.start(tabId);
    if (!started.ok) return started;
    if (started.total === 0) return { done: 0, failed: 0, total: 0, cancelled: false, finished: true };
    return finished;
  }

  /** Progress reported by the tab's top frame. */
  record(tabId: number, progress: ExplainAllProgress): void {
    this.progress.set(tabId, progress);
    if (!progress.finished) return;
    for (const resolve of this.waiters.get(tabId) ?? []) resolve(progress);
    this.waiters.delete(tabId);
  }

  get(tabId: number): ExplainAllProgress | null {
    return this.progress.get(tabId) ?? null;
  }
}
