// Prints, once per run, which browsers the end-to-end tests drive: a reader of a CI log sees the
// versions the results are about (Debian moves both without notice).
import { chromiumVersion, CHROMIUM } from '../../scripts/browser.mjs';
import { firefoxAvailability, FIREFOX } from '../../scripts/firefox.mjs';

export default function printBrowsers(): void {
  const firefox = firefoxAvailability();
  console.log(`Browsers under test: ${chromiumVersion() ?? `no Chromium at ${CHROMIUM}`} (${CHROMIUM}); ${firefox.ok ? `${firefox.reason} (${FIREFOX})` : `Firefox tests skipped: ${firefox.reason}`}`);
}
