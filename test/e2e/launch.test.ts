// The extension loads into Chromium by either route the launcher knows (scripts/browser.mjs), so the
// suite does not hang on one Chromium build's command-line switches: here the DevTools route, which
// the launcher falls back to when a build ignores --load-extension (branded Chrome did in 137).
import { describe, expect, test } from 'vitest';
import { explain, overlayState, useHarness } from './harness';

describe('Chromium with the extension loaded through DevTools (Extensions.loadUnpacked)', () => {
  const h = useHarness({ route: 'devtools' });

  test('the worker runs and a right-click explanation draws its overlay', async () => {
    expect(h.worker.url()).toBe(`chrome-extension://${h.extensionId}/background.js`);
    const result = await explain(h, '#cat');
    if (!result.ok) throw new Error(result.error);
    expect(result.method).toBe('cam');
    expect(result.image).toEqual({ width: 451, height: 300 });
    await expect.poll(() => overlayState(h)).toEqual(['done']);
  });
});
