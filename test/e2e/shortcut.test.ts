// The shortcut alarm, end to end: two models that really cheat (scripts/make-cheating-models.mjs,
// trained in the set-up: the label is carried only by a corner stamp, or by the colour of a strip
// along the bottom edge), installed through the normal user-model path; a right-click on a picture
// with the shortcut shows the alarm line and the outlined region with the measured drop; the same
// scenes without it stay quiet; a stamp moved to the middle moves the alarm with it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCheatingModels, STAMP_LABELS, STRIP_LABELS } from '../../scripts/make-cheating-models.mjs';
import type { ExplanationSuccess } from '../../src/core/messages';
import { formatProbability } from '../../src/core/scores';
import { clickByName, explain, overlaysOf, setSettings, useHarness, type Harness } from './harness';

let modelsDir: string;
let trained: Awaited<ReturnType<typeof makeCheatingModels>>;

beforeAll(async () => {
  modelsDir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-cheating-'));
  trained = await makeCheatingModels(modelsDir);
  console.log(`cheating models trained in ${(trained.ms / 1000).toFixed(1)} s: stamp accuracy ${trained.stampAccuracy.toFixed(3)}, strip ${trained.stripAccuracy.toFixed(3)}`);
}, 180_000);

const h: Harness = useHarness({ servers: { get modelsDir() { return modelsDir; } } }, async (h) => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

async function install(name: 'stamp' | 'strip'): Promise<void> {
  const url = `${h.imageOrigin}/models/cheat/${name}/model.json`;
  const form = { pixelScaling: 'unit', labels: name === 'stamp' ? STAMP_LABELS : STRIP_LABELS, displayName: `cheating ${name}` };
  const reply = await h.worker.evaluate(({ url, form }) => (globalThis as any).camLens.installModel({ kind: 'auto', url }, form), { url, form });
  expect(reply.ok, reply.error).toBe(true);
  await setSettings(h, { modelId: reply.model.id, method: 'auto' });
}

/** Shows one of the test pictures (32×32), drawn at 192×192, and explains it with a real right-click. */
async function explainPicture(file: string, overrides: Parameters<typeof explain>[2] = {}): Promise<ExplanationSuccess> {
  await h.page.evaluate((src) => {
    const img = document.createElement('img');
    img.id = 'cheat';
    img.src = src;
    img.style.cssText = 'width: 192px; height: 192px; image-rendering: pixelated; display: block; margin: 40px';
    document.querySelector('main')!.replaceChildren(img);
    return img.decode();
  }, `${h.imageOrigin}/models/cheat/pictures/${file}`);
  const result = await explain(h, '#cheat', overrides);
  if (!result.ok) throw new Error(result.error);
  return result;
}

/** The outline of the tested region in the overlay (closed shadow root: read through DevTools), or null when hidden. */
async function outline(): Promise<{ left: number; top: number; width: number; height: number } | null> {
  const cdp = await h.context.newCDPSession(h.page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    type Node = { attributes?: string[]; children?: Node[]; shadowRoots?: Node[] };
    const attrs = (n: Node) => Object.fromEntries(Array.from({ length: (n.attributes ?? []).length / 2 }, (_, i) => [n.attributes![2 * i], n.attributes![2 * i + 1]]));
    const all = (n: Node): Node[] => [n, ...[...(n.shadowRoots ?? []), ...(n.children ?? [])].flatMap(all)];
    const found = all(root as Node).find((n) => attrs(n).class === 'shortcut-region');
    if (!found || 'hidden' in attrs(found)) return null;
    const style = attrs(found).style as string;
    const value = (name: string) => Math.round(Number(new RegExp(`(?:^|;)\\s*${name}:\\s*([\\d.]+)px`).exec(style)?.[1] ?? NaN));
    return { left: value('left'), top: value('top'), width: value('width'), height: value('height') };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

describe('a model keyed to a corner stamp', () => {
  beforeAll(() => install('stamp'));

  test('with the stamp: the alarm fires on the bottom-right corner, with the drop, in the panel and outlined', async () => {
    for (const n of [0, 1]) {
      const r = await explainPicture(`stamped-${n}.png`);
      console.log(`stamped-${n}: ${r.target.label} ${r.target.probability.toFixed(3)}; shortcut ${JSON.stringify(r.shortcut)}; timings ${JSON.stringify(r.timingsMs)}`);
      expect(r.target.label).toBe('Stamped');
      expect(r.shortcut).toBeTruthy();
      const s = r.shortcut!;
      expect(s.region.kind).toBe('corner');
      expect(s.place).toBe('bottom-right');
      expect(s.necessary).toBe(true);
      expect(s.drop.before).toBeCloseTo(r.target.probability, 5);
      expect(s.drop.after).toBeLessThanOrEqual(s.drop.before / 2);
      expect(s.massShare).toBeGreaterThanOrEqual(0.35);
      // The corner (two cells of the 7×7 map: 9 px) in the picture's own 32×32 pixels, over the stamp (x, y 25…30).
      expect(s.region).toEqual({ x: 23, y: 23, width: 9, height: 9, kind: 'corner' });
      const [overlay] = await overlaysOf(h);
      expect(overlay.text).toContain(`Shortcut? ${Math.round(s.massShare * 100)} % of the evidence for Stamped lies in the bottom-right corner (8 % of the image).`);
      expect(overlay.text).toContain('Covering it drops Stamped from');
      // Outlined where the picture shows it: drawn 6× (192 px for 32), so a 54 px square at 138, 138 of the picture.
      expect(await outline()).toEqual({ left: 138, top: 138, width: 54, height: 54 });
    }
  });

  test('switched off in Settings: the same stamped picture gets no alarm and no extra passes', async () => {
    await setSettings(h, { shortcutAlarm: false });
    try {
      // Afresh: the right-click's prepared result carries only the time waited for it.
      const r = await explainPicture('stamped-0.png', { fresh: true });
      expect(r.target.label).toBe('Stamped');
      expect(r.shortcut).toBeUndefined(); // not looked for (null would be: looked for, none found)
      expect(r.timingsMs.shortcut).toBeLessThan(1); // computed afresh (the cache keeps the two apart), without the alarm's passes
    } finally {
      await setSettings(h, { shortcutAlarm: true });
    }
  });

  test('"Try a watermark": the panel button blends a watermark and a corner logo in and says what the model answers then', async () => {
    const r = await explainPicture('stamped-0.png');
    // The panel's buttons show while the pointer is on the picture (compact otherwise).
    await h.page.locator('#cheat').hover({ position: { x: 20, y: 20 } });
    await clickByName(h, 'Try a watermark');
    await expect.poll(async () => (await overlaysOf(h))[0]?.text ?? '', { timeout: 30_000 }).toMatch(/With a watermark the model (says \w+ \([\d.]+ %\) instead of Stamped|still says Stamped)/);
    const [overlay] = await overlaysOf(h);
    console.log(`watermark on stamped-0: ${overlay.text.slice(overlay.text.indexOf('With a watermark'))}`);
    // The seam's probe of the same picture: the same words' figures, the explained class's before as explained.
    const reply = await h.worker.evaluate(() => (globalThis as any).camLens.tryWatermark());
    expect(reply.ok).toBe(true);
    expect(reply.explanationId).toBe(r.explanationId);
    expect(reply.probe.before.top).toEqual({ index: 1, label: 'Stamped', probability: expect.closeTo(r.target.probability, 5) });
    const words = reply.probe.flipped
      ? `With a watermark the model says ${reply.probe.after.top.label} (${formatProbability(reply.probe.after.top.probability)}) instead of Stamped (${formatProbability(r.target.probability)}).`
      : `With a watermark the model still says Stamped: ${formatProbability(r.target.probability)} → ${formatProbability(reply.probe.after.top.probability)}.`;
    expect(overlay.text).toContain(words);
    // The watermark changed what the model saw.
    expect(reply.probe.after.probability).not.toBeCloseTo(reply.probe.before.probability, 3);
  });

  test('"Explain all": one line for the page when the same corner fires on several images', async () => {
    await h.page.evaluate((origin) => {
      const main = document.querySelector('main')!;
      main.replaceChildren(
        ...['stamped-0', 'plain-0', 'stamped-1', 'plain-1'].map((name) => {
          const img = document.createElement('img');
          img.src = `${origin}/models/cheat/pictures/${name}.png`;
          img.style.cssText = 'width: 128px; height: 128px; image-rendering: pixelated; margin: 8px';
          return img;
        }),
      );
      return Promise.all([...main.querySelectorAll('img')].map((img) => img.decode()));
    }, h.imageOrigin);
    const line = await h.worker.evaluate(async (pageUrl) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      const seam = (globalThis as any).camLens;
      const outcome = await seam.explainAll(tab.id);
      return { outcome, line: seam.pageShortcut(tab.id) };
    }, h.page.url());
    expect(line.outcome).toMatchObject({ done: 4, failed: 0, total: 4, finished: true });
    expect(line.line).toBe('Shortcut? On 2 of 4 images the model relies on the bottom-right corner.');
  });

  test('without the stamp: the same scenes are Plain and the alarm stays quiet', async () => {
    for (const n of [0, 1]) {
      const r = await explainPicture(`plain-${n}.png`);
      console.log(`plain-${n}: ${r.target.label} ${r.target.probability.toFixed(3)}; shortcut ${JSON.stringify(r.shortcut)}`);
      expect(r.target.label).toBe('Plain');
      expect(r.shortcut).toBeNull();
      const [overlay] = await overlaysOf(h);
      expect(overlay.text).not.toContain('Shortcut?');
      expect(await outline()).toBeNull();
    }
  });

  test('the stamp moved to the middle: the model no longer sees it (it learned the corner), and the alarm stays quiet', async () => {
    for (const n of [0, 1]) {
      const r = await explainPicture(`moved-${n}.png`);
      console.log(`moved-${n}: ${r.target.label} ${r.target.probability.toFixed(3)}; shortcut ${JSON.stringify(r.shortcut)}`);
      expect(r.target.label).toBe('Plain');
      expect(r.shortcut).toBeNull();
    }
  });
});

describe('a model keyed to the colour of a bottom strip', () => {
  beforeAll(() => install('strip'));

  test('a magenta strip: the alarm names the bottom strip, and the strip alone keeps Outdoor on top', async () => {
    for (const n of [0, 1]) {
      const r = await explainPicture(`outdoor-${n}.png`);
      console.log(`outdoor-${n}: ${r.target.label} ${r.target.probability.toFixed(3)}; shortcut ${JSON.stringify(r.shortcut)}`);
      expect(r.target.label).toBe('Outdoor');
      expect(r.shortcut).toMatchObject({ place: 'bottom', region: { kind: 'border', x: 0, width: 32 }, sufficient: true, keptOnly: { label: 'Outdoor' } });
      expect(r.shortcut!.region.y + r.shortcut!.region.height).toBe(32);
      expect(r.shortcut!.drop.after).toBeLessThan(r.shortcut!.drop.before);
      const [overlay] = await overlaysOf(h);
      expect(overlay.text).toContain('lies in the bottom strip');
      expect(overlay.text).toContain('With only that region left, the model still says Outdoor');
    }
  });

  test('a cyan strip (Indoor), or none: quiet — what the alarm cannot see', async () => {
    // With the strip covered (or gone) this model says Indoor anyway: its "nothing" is Indoor. Covering
    // the strip cannot lower Indoor by half, and the strip alone proves nothing the blank picture does
    // not — so neither test backs the suspicion, and the alarm says nothing (README: what it cannot).
    for (const file of ['indoor-0.png', 'indoor-1.png', 'nostrip-0.png', 'nostrip-1.png']) {
      const r = await explainPicture(file);
      console.log(`${file}: ${r.target.label} ${r.target.probability.toFixed(3)}; shortcut ${JSON.stringify(r.shortcut)}`);
      expect(r.shortcut).toBeNull();
    }
  });
});
