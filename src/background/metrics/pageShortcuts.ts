// The page-level line after "Explain all": which alarm place (corner, strip, marks…) fired on each of
// the run's images, per tab, and one line when the same place fired on several ("Shortcut? On 7 of
// 12 images the model relies on the bottom strip."), shown in the tab's top frame.
import browser from 'webextension-polyfill';
import { t } from '../../core/i18nBrowser';
import type { ExplanationResult, Message } from '../../core/messages';
import type { RegionPlace } from '../../core/metrics/shortcut';
import { pageShortcutLine } from '../../core/metrics/shortcutWords';
import type { Owner } from '../heldOverlays';

export class PageShortcuts {
  /** Per tab with a run: each overlay's alarm place (null: explained, no alarm). */
  private readonly runs = new Map<number, Map<string, RegionPlace | null>>();

  begin(tabId: number): void {
    this.runs.set(tabId, new Map());
  }

  /** A result shown in a tab (only counted while an "Explain all" of that tab is on). */
  record(owner: Owner, result: ExplanationResult): void {
    const run = this.runs.get(owner.tabId);
    if (run && result.ok) run.set(`${owner.frameId}:${owner.overlayId}`, result.shortcut?.place ?? null);
  }

  /** The run's line (null when no place fired on two or more images). */
  line(tabId: number): string | null {
    const run = this.runs.get(tabId);
    return run ? pageShortcutLine([...run.values()], t) : null;
  }

  /** The run is over: its line in the tab's top frame, if there is one. */
  async finished(tabId: number): Promise<void> {
    const text = this.line(tabId);
    if (!text) return;
    const message: Message = { type: 'teach-toast', text, tone: 'ok' };
    await browser.tabs.sendMessage(tabId, message, { frameId: 0 }).catch(() => undefined);
  }

  forget(tabId: number): void {
    this.runs.delete(tabId);
  }
}
