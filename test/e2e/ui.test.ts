// The overlay and popup as people use them: keyboard shortcut, screen-reader words, colours and
// class count from the settings.
import { describe, expect, test } from 'vitest';
import type { ExplanationSuccess } from '../../src/core/messages';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { clickByName, closeOverlays, contentBoxOf, explain, grab, meanDiff, overlayRect, ROOT, setSettings, useHarness, waitForOverlayIn } from './harness';

const h = useHarness();

async function shortcut(): Promise<ExplanationSuccess> {
  return h.worker.evaluate(async (pageUrl) => {
    const [tab] = await chrome.tabs.query({ url: pageUrl });
    return (globalThis as any).camLens.explainUnderPointer(tab);
  }, h.page.url());
}

/** Names in the page's accessibility tree (Chromium's, which includes closed shadow roots). */
async function accessibleNames(): Promise<string[]> {
  const cdp = await h.context.newCDPSession(h.page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { name?: { value?: string } }[] };
  await cdp.detach();
  return nodes.map((n) => n.name?.value ?? '').filter(Boolean);
}

describe('keyboard and accessibility', () => {
  test('Alt+Shift+E is registered', async () => {
    const commands = await h.worker.evaluate(() => chrome.commands.getAll());
    expect(commands.find((c) => c.name === 'explain-under-pointer')).toMatchObject({ shortcut: 'Alt+Shift+E' });
  });

  test('the shortcut explains the image under the pointer, or the focused one', async () => {
    await h.page.locator('#coffee').scrollIntoViewIfNeeded();
    const box = await contentBoxOf(h, '#coffee');
    await h.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const underPointer = await shortcut();
    expect(underPointer.ok && underPointer.image).toEqual({ width: 600, height: 400 });
    const overlay = await overlayRect(h);
    expect(Math.abs(overlay.x - box.x)).toBeLessThanOrEqual(1);
    await closeOverlays(h);

    await h.page.locator('#logo').evaluate((img: HTMLImageElement) => {
      img.tabIndex = 0;
      img.focus();
    });
    const focused = await shortcut();
    expect(focused.ok && focused.image).toEqual({ width: 500, height: 500 });
  });

  test('the result is announced in words, and class chips are named buttons', async () => {
    const result = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(result.ok).toBe(true);
    await h.page.waitForTimeout(100);
    const names = await accessibleNames();
    const top = result.classes[0];
    const pct = `${(top.probability * 100).toFixed(1)} %`;
    expect(names).toContain(`Top class ${top.label}, ${pct}. CAM heat map for ${result.target.label} shown.`);
    expect(names).toContain(`Explain class '${top.label}', ${pct}`);
    expect(names).toContain('Close CAM Lens overlay');
  });
});

describe('export', () => {
  test('Save writes a PNG of the image at natural size with the heat map and a footer', async () => {
    const result = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(result.ok).toBe(true);
    const download = h.page.waitForEvent('download');
    await clickByName(h, 'Save image with heat map');
    const file = await download;
    expect(file.suggestedFilename()).toBe(`chelsea-${result.target.label}-cam.png`);
    const png = PNG.sync.read(readFileSync(await file.path()));
    expect({ width: png.width, height: png.height }).toEqual({ width: 451, height: 300 + 44 });
    // The photo part differs from the original photo (the map is blended in) but keeps its structure.
    const original = PNG.sync.read(readFileSync(path.join(ROOT, 'test/fixtures/chelsea.png')));
    let diff = 0;
    for (let i = 0; i < 451 * 300 * 4; i += 4) diff += Math.abs(png.data[i] - original.data[i]);
    expect(diff / (451 * 300)).toBeGreaterThan(10);
    expect(diff / (451 * 300)).toBeLessThan(160);
  });
});

describe('popup', () => {
  test('a first-run view says what to do until it is dismissed', async () => {
    const open = async () => {
      const popup = await h.context.newPage();
      await popup.goto(`chrome-extension://${h.extensionId}/popup.html`);
      return popup;
    };
    const first = await open();
    await expect.poll(() => first.locator('#welcome').isVisible()).toBe(true);
    expect(await first.locator('#welcome p').textContent()).toMatch(/Right-click any picture.*Explain this image.*Esc closes/);
    await first.getByRole('button', { name: 'Got it' }).click();
    expect(await first.locator('#welcome').isVisible()).toBe(false);
    // The dismissal is written asynchronously: closing before it lands would race it.
    await expect.poll(() => first.evaluate(async () => (await chrome.storage.local.get('welcomed')).welcomed)).toBe(true);
    await first.close();
    const again = await open();
    // Hidden in the markup until the popup has read storage. A read issued after the popup's own
    // (which starts before the load event) is answered after it: then the popup has decided.
    await again.evaluate(() => chrome.storage.local.get('welcomed'));
    expect(await again.locator('#welcome').isVisible()).toBe(false);
    await again.close();
  });
});

describe('another class', () => {
  const FIELD = 'Explain another class: type or pick its name';

  test('typed by name into the panel: explained without the page seeing the keys; an unknown name is said', async () => {
    await setSettings(h, { topK: 2 });
    try {
      const first = (await explain(h, '#cat')) as ExplanationSuccess;
      expect(first.classes).toHaveLength(2);
      expect(first.classCount).toBe(5);
      const other = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'].find((l) => !first.classes.some((c) => c.label === l))!;
      await h.page.evaluate(() => {
        (window as any).pageKeys = 0;
        window.addEventListener('keydown', () => (window as any).pageKeys++);
      });
      await clickByName(h, FIELD);
      await h.page.keyboard.type(other.toLowerCase());
      await h.page.keyboard.press('Enter');
      await expect.poll(async () => ((await h.worker.evaluate(() => (globalThis as any).camLens.lastResult())) as ExplanationSuccess).target?.label).toBe(other);
      const picked = (await h.worker.evaluate(() => (globalThis as any).camLens.lastResult())) as ExplanationSuccess;
      expect(picked.classes).toEqual(first.classes);
      expect(picked.map.values).not.toEqual(first.map.values);
      expect(await h.page.evaluate(() => (window as any).pageKeys)).toBe(0);

      await waitForOverlayIn(h, 'done');
      await clickByName(h, FIELD);
      await h.page.keyboard.type('Giraffe');
      await h.page.keyboard.press('Enter');
      await expect.poll(accessibleNames).toContain('No class named “Giraffe”');
    } finally {
      await setSettings(h, { topK: 5 });
    }
  });

  test('not offered when every class is listed', async () => {
    await explain(h, '#cat');
    expect(await accessibleNames()).not.toContain(FIELD);
  });
});

describe('display settings', () => {
  test('the colormap applies live to an open overlay', async () => {
    await explain(h, '#cat');
    const box = await contentBoxOf(h, '#cat');
    const turbo = await grab(h, box);
    await setSettings(h, { colormap: 'viridis' });
    await expect.poll(async () => meanDiff(turbo, await grab(h, box))).toBeGreaterThan(5);
    await setSettings(h, { colormap: 'turbo' });
  });

  test('the number of classes listed follows the setting', async () => {
    await setSettings(h, { topK: 3 });
    const three = (await explain(h, '#rocket')) as ExplanationSuccess;
    expect(three.classes).toHaveLength(3);
    await setSettings(h, { topK: 5 });
  });
});
