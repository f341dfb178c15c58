// Which TensorFlow.js backends to try, best first: a benchmark's override, else the user's setting,
// else the fastest measured here (measured once, ~1 s, and again after a browser update).
import browser from 'webextension-polyfill';
import {
  browserIdentity, decisionIsCurrent, pickFastest, preferenceFor, type BackendDecision, type BackendName,
} from '../core/backendChoice';
import { loadSettings } from '../core/settingsStore';
import { probeBackends } from './backend';

const DECISION_KEY = 'backendDecision';

export class BackendChooser {
  /** Set through the seam (benchmarks): exactly this backend, no fallback. */
  override: BackendName | null = null;
  private inFlight: Promise<BackendDecision> | null = null;

  /** Backends to try, best first. */
  async order(): Promise<BackendName[]> {
    if (this.override) return [this.override];
    const settings = await loadSettings(browser.storage.sync);
    if (settings.backend !== 'auto') return preferenceFor(settings.backend);
    return preferenceFor((await this.decision()).choice);
  }

  /** The measured choice, cached per browser version in storage.local. */
  decision(): Promise<BackendDecision> {
    this.inFlight ??= (async () => {
      const browserId = browserIdentity(navigator.userAgent);
      const stored = await this.stored();
      if (decisionIsCurrent(stored, browserId)) return stored;
      const measurements = await probeBackends();
      const decision: BackendDecision = { browser: browserId, choice: pickFastest(measurements), measurements, measuredAt: Date.now() };
      await browser.storage.local.set({ [DECISION_KEY]: decision });
      return decision;
    })().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** The last measured choice, if any (for the popup's status). */
  async stored(): Promise<BackendDecision | undefined> {
    return ((await browser.storage.local.get(DECISION_KEY)) as { [DECISION_KEY]?: BackendDecision })[DECISION_KEY];
  }
}
