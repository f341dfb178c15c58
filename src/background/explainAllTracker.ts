// "Explain all images" per tab: every frame's content script runs its own queue; the worker starts
// them, adds up what each frame reports (the browser says which frame a report comes from), and
// resolves waiters when every frame is done.
import browser from 'webextension-polyfill';
import { listenInFrame } from './frameScripts';
import { t } from '../core/i18nBrowser';
import type { ExplainAllProgress, Message } from '../core/messages';

export type ExplainAllOutcome = ExplainAllProgress | { ok: false; error: string };

interface Run {
  frames: Map<number, ExplainAllProgress>;
  /** Frames are still being asked to start: the run cannot be over yet. */
  starting: boolean;
  waiters: ((p: ExplainAllProgress) => void)[];
  /** hooks.finished was called for this run. */
  announced?: boolean;
}

const idle = (total = 0): ExplainAllProgress => ({ done: 0, failed: 0, total, cancelled: false, finished: total === 0 });

export class ExplainAllTracker {
  private readonly runs = new Map<number, Run>();
  /** What else follows a run: its start, and its end (once per run). */
  hooks: { started(tabId: number): void; finished(tabId: number): void } = { started: () => undefined, finished: () => undefined };

  constructor(private readonly describeError: (e: unknown) => string) {}

  /** Asks every frame of the tab to explain its large images (injecting the content script where it is missing). */
  async start(tabId: number): Promise<{ ok: true; total: number } | { ok: false; error: string }> {
    let frameIds: number[];
    try {
      frameIds = await framesWithContentScript(tabId);
    } catch (e) {
      return { ok: false, error: t('errCannotRunHere', this.describeError(e)) };
    }
    const previous = this.runs.get(tabId);
    const run: Run = { frames: new Map(), starting: true, waiters: previous?.waiters ?? [] };
    this.runs.set(tabId, run);
    this.hooks.started(tabId);
    const message: Message = { type: 'explain-all' };
    await Promise.all(
      frameIds.map(async (frameId) => {
        const reply = (await browser.tabs.sendMessage(tabId, message, { frameId }).catch(() => null)) as { total?: unknown } | null;
        if (typeof reply?.total !== 'number') return; // a frame that went away meanwhile
        // A fast frame may have reported already; its report is newer than this.
        if (!run.frames.has(frameId)) run.frames.set(frameId, idle(reply.total));
      }),
    );
    run.starting = false;
    this.settle(tabId);
    return { ok: true, total: this.get(tabId)?.total ?? 0 };
  }

  /** Runs it and resolves with the final progress of all frames. */
  async run(tabId: number): Promise<ExplainAllOutcome> {
    const started = await this.start(tabId);
    if (!started.ok) return started;
    const current = this.get(tabId)!;
    if (current.finished) return current;
    return new Promise((resolve) => this.runs.get(tabId)!.waiters.push(resolve));
  }

  /** Progress one frame reported (its frame id from the browser). */
  record(tabId: number, frameId: number, progress: ExplainAllProgress): void {
    let run = this.runs.get(tabId);
    if (!run) {
      // The worker restarted during the run: count from the reports that come in.
      run = { frames: new Map(), starting: false, waiters: [] };
      this.runs.set(tabId, run);
    }
    run.frames.set(frameId, progress);
    this.settle(tabId);
  }

  /** The tab closed or left the page: its run ends where it stands. */
  end(tabId: number): void {
    const run = this.runs.get(tabId);
    if (!run) return;
    for (const [frameId, p] of run.frames) if (!p.finished) run.frames.set(frameId, { ...p, cancelled: true, finished: true });
    run.starting = false;
    this.settle(tabId);
    this.runs.delete(tabId);
  }

  /** All frames together. */
  get(tabId: number): ExplainAllProgress | null {
    const run = this.runs.get(tabId);
    if (!run) return null;
    const all = [...run.frames.values()];
    return {
      done: all.reduce((n, p) => n + p.done, 0),
      failed: all.reduce((n, p) => n + p.failed, 0),
      total: all.reduce((n, p) => n + p.total, 0),
      cancelled: all.some((p) => p.cancelled),
      finished: !run.starting && all.every((p) => p.finished),
    };
  }

  private settle(tabId: number): void {
    const run = this.runs.get(tabId);
    const progress = this.get(tabId);
    if (!run || !progress?.finished) return;
    if (!run.announced) {
      run.announced = true;
      this.hooks.finished(tabId);
    }
    for (const resolve of run.waiters.splice(0)) resolve(progress);
  }
}

/** The tab's frames, each with the content script listening (injected into those that lack it, e.g. tabs open before install). */
async function framesWithContentScript(tabId: number): Promise<number[]> {
  const probes = await browser.scripting.executeScript({ target: { tabId, allFrames: true }, func: listenInFrame });
  const missing = probes.filter((p) => p.result !== true).map((p) => p.frameId);
  if (missing.length) await browser.scripting.executeScript({ target: { tabId, frameIds: missing }, files: ['content.js'] }).catch(() => undefined);
  return probes.map((p) => p.frameId);
}
