// The worker's routes for "Check this map" and "Sanity check": which overlay asks (its tab, frame and
// id, as the browser reports the sender), the figures' progress and outcome sent to that overlay, and
// the seam's checks of the last shown map. The checks themselves are MapChecker's.
import browser from 'webextension-polyfill';
import { t } from '../../core/i18nBrowser';
import type { CheckReply, ExplanationResult, ExplanationSuccess, Message, WatermarkReply } from '../../core/messages';
import type { CheckKind } from '../../core/metrics/results';
import { loadSettings } from '../../core/settingsStore';
import type { Explainer } from '../explainer';
import type { Explanations } from '../explanations';
import type { Owner } from '../heldOverlays';
import { MapChecker, type CheckOptions, type CheckTarget } from './checker';

export type { CheckOptions, CheckTarget };

/** The seam's and the menu's request to check what was just explained. */
export interface CheckOverrides {
  /** Also check the map (deletion/insertion); the result carries the figures. */
  check?: boolean | CheckOptions;
  /** Also run the sanity check. */
  sanity?: boolean;
}

const keyOf = (o: Owner) => `${o.tabId}:${o.frameId}:${o.overlayId}`;

export class Checks {
  private readonly checker: MapChecker;
  /** The overlays behind the checker's keys, for re-explaining their own images. */
  private readonly owners = new Map<string, Owner>();

  constructor(
    explainer: Explainer,
    private readonly explanations: Explanations,
  ) {
    this.checker = new MapChecker(explainer, (key, result) => {
      const owner = this.owners.get(key);
      return owner ? explanations.again(owner, result) : Promise.resolve({ ok: false, error: t('errCheckNothingShown') });
    });
  }

  /** An overlay now shows this result (every result shown passes here). */
  remember(owner: Owner, result: ExplanationResult): void {
    const key = keyOf(owner);
    this.owners.set(key, owner);
    this.checker.remember(key, result);
  }

  forget(owner: Owner): void {
    this.checker.cancel(keyOf(owner));
    this.owners.delete(keyOf(owner));
  }

  /** After a menu or seam explanation: the checks it asked for; the result with the figures. */
  async after(owner: Owner, result: ExplanationResult, overrides: CheckOverrides): Promise<ExplanationResult> {
    if (!result.ok) return result;
    if (overrides.check) await this.run(owner, 'faithfulness', overrides.check === true ? {} : overrides.check);
    if (overrides.sanity) await this.run(owner, 'sanity');
    return this.checker.result(keyOf(owner)) ?? result;
  }

  /** Runs a check on what an overlay shows, with progress there; `announce`: show the outcome there too (the panel did not ask). */
  async run(owner: Owner, kind: CheckKind, options: CheckOptions = {}, target: CheckTarget | null = null, announce = true): Promise<CheckReply> {
    const positiveOnly = options.positiveOnly ?? (await loadSettings(browser.storage.sync)).hideNegative;
    const reply = await this.checker.run(keyOf(owner), kind, target, { ...options, positiveOnly }, (done, total) =>
      void send(owner, { type: 'check-progress', overlayId: owner.overlayId, kind, done, total }),
    );
    if (announce) await send(owner, { type: 'check-result', overlayId: owner.overlayId, kind, reply });
    return reply;
  }

  cancel(owner: Owner): void {
    this.checker.cancel(keyOf(owner));
  }

  /** "Try a watermark" on what an overlay shows (`target`: the map it names; null: whatever it shows). */
  watermark(owner: Owner, target: CheckTarget | null = null): Promise<WatermarkReply> {
    return this.checker.watermark(keyOf(owner), target);
  }

  /** The seam's "Try a watermark" on the last shown explanation. */
  lastWatermark(): Promise<WatermarkReply> {
    const owner = this.explanations.lastShown;
    return owner ? this.watermark(owner) : Promise.resolve({ ok: false, error: t('errCheckNothingShown') });
  }

  /** The seam: checks the last shown explanation; the overlay shows the outcome too. */
  last(kind: CheckKind, options: CheckOptions = {}): Promise<CheckReply> {
    const owner = this.explanations.lastShown;
    return owner ? this.run(owner, kind, options) : Promise.resolve({ ok: false, error: t('errCheckNothingShown') });
  }

  /** The shown result with the figures checked so far (exports carry them). */
  result(owner: Owner): ExplanationSuccess | null {
    return this.checker.result(keyOf(owner));
  }
}

function send(owner: Owner, message: Message): Promise<unknown> {
  // The tab may have navigated away or closed meanwhile; nothing is left to update then.
  return browser.tabs.sendMessage(owner.tabId, message, { frameId: owner.frameId }).catch(() => undefined);
}
