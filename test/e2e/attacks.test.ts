// What a hostile page (or a compromised renderer) can make the extension do: each attack of issue 11,
// carried out as the attacker would — synthetic events, forged postMessage, hidden images, guessed
// ids after a worker stop, forged messages from the content script's own world — and what it must
// not get. The "victim" is the image origin reached as http://localhost:<port> (another site than the
// page at 127.0.0.1), whose /victim/ routes log every request and whether the session cookie came.
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ExplanationSuccess } from '../../src/core/messages';
import {
  clickByName, explain, nextWorker, overlaysOf, overlayState, stopWorker, useHarness, waitForOverlayIn, waitForOverlays, type Harness,
} from './harness';

const h = useHarness();
let victim = '';

beforeAll(async () => {
  victim = h.imageOrigin.replace('127.0.0.1', 'localhost');
  // The user is signed in at the victim site: a SameSite=Strict cookie only its own pages send.
  await h.context.addCookies([{ name: 'session', value: 'secret', domain: 'localhost', path: '/', sameSite: 'Strict', httpOnly: true }]);
});

beforeEach(() => {
  h.victimLog.length = 0;
});

/** The attacker's page (test/fixtures/attack.html), optionally under a CSP. */
async function openAttackPage(page: Page = h.page, csp?: string): Promise<void> {
  await page.goto(`${h.pageOrigin}/attack/attack.html${csp ? `?csp=${encodeURIComponent(csp)}` : ''}`);
  await page.waitForLoadState('load');
}

const tabIdOf = (page: Page) => h.worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0].id!, page.url());

/** Runs the menu's own handler for the frame's last right-click (as Chrome does after the user picks the item). */
function menuClick(page: Page, info: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return h.worker.evaluate(
    async ({ url, info, overrides }) => {
      const [tab] = await chrome.tabs.query({ url });
      return (globalThis as any).camLens.onMenuClick({ frameId: 0, pageUrl: url, editable: false, ...info }, tab, overrides);
    },
    { url: page.url(), info, overrides },
  );
}

/** Evaluates in the extension's content-script world of the page's top frame: what a compromised renderer controls. */
async function inContentScript<T>(page: Page, expression: string): Promise<T> {
  const cdp = await h.context.newCDPSession(page);
  try {
    const contexts: { id: number; name: string; auxData?: { frameId?: string } }[] = [];
    cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
    await cdp.send('Runtime.enable');
    const { frameTree } = await cdp.send('Page.getFrameTree');
    await expect.poll(() => contexts.some((c) => c.name === 'CAM Lens' && c.auxData?.frameId === frameTree.frame.id)).toBe(true);
    const context = contexts.find((c) => c.name === 'CAM Lens' && c.auxData?.frameId === frameTree.frame.id)!;
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId: context.id, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value as T;
  } finally {
    await cdp.detach();
  }
}

/** A message sent from the content script's world, as our own content script would send it. */
const forged = <T = unknown>(page: Page, message: unknown) =>
  inContentScript<T>(page, `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((r) => r ?? null, (e) => ({ rejected: String(e) }))`);

const cookieRequests = () => h.victimLog.filter((r) => r.cookie);

describe('ids and state bound to the tab that made them', () => {
  test('explanation ids are random; after a worker stop, a class switch in one tab never shows another tab\'s picture', async () => {
    const cat = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(cat.ok).toBe(true);
    await stopWorker(h);
    // Another tab explains a different photo in the new worker.
    const other = await h.context.newPage();
    await other.goto(`${h.pageOrigin}/?second-tab`);
    await other.waitForLoadState('load');
    await other.locator('#coffee').click({ button: 'right' });
    const srcUrl = await other.locator('#coffee').evaluate((img: HTMLImageElement) => img.currentSrc);
    const popup = await h.context.newPage();
    await nextWorker(h, () => popup.goto(`chrome-extension://${h.extensionId}/popup.html`));
    await popup.close();
    const coffee = (await menuClick(other, { menuItemId: 'explain-image', srcUrl })) as ExplanationSuccess;
    expect(coffee.ok).toBe(true);
    expect(coffee.explanationId).not.toBe(cat.explanationId);
    for (const id of [cat.explanationId, coffee.explanationId]) expect(id).toMatch(/^[0-9a-f]{32}$/);
    // Back in the first tab, the user picks its second class.
    await h.page.bringToFront();
    const second = cat.classes[1];
    await clickByName(h, `Explain class '${second.label}', ${(second.probability * 100).toFixed(1)} %`);
    await waitForOverlays(h, ['done'], { timeout: 30_000 });
    const switched = (await h.worker.evaluate(() => (globalThis as any).camLens.lastResult())) as ExplanationSuccess;
    expect(switched.ok).toBe(true);
    expect(switched.image).toEqual(cat.image);
    expect(switched.classes).toEqual(cat.classes);
    expect(switched.target.index).toBe(second.index);
    await other.close();
  });
});

describe('only trusted input chooses the picture', () => {
  test('a synthetic right-click cannot redirect the explanation to a hidden image, and the page cannot read how it went', async () => {
    await openAttackPage();
    // After the user's real right-click, the page fires its own at a hidden lazy image of the victim site.
    await h.page.evaluate((probe) => {
      const hidden = Object.assign(document.createElement('img'), { className: 'hidden', width: 200, height: 200 });
      hidden.src = 'data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';
      hidden.setAttribute('data-src', probe);
      // Not rendered, so the page itself never loads its background.
      const div = document.createElement('div');
      div.style.cssText = `display: none; width: 200px; height: 200px; background-image: url("${probe}&bg")`;
      document.body.append(hidden, div);
      window.addEventListener('contextmenu', (e) => {
        if (!e.isTrusted) return;
        setTimeout(() => {
          for (const target of [hidden, div]) target.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, composed: true, clientX: 10, clientY: 10 }));
        });
      }, true);
    }, `${victim}/victim/needs-cookie/rocket.jpg?probe`);
    await h.page.locator('#photo').click({ button: 'right' });
    await h.page.waitForTimeout(50);
    const photo = (await menuClick(h.page, { menuItemId: 'explain-image', srcUrl: `${h.pageOrigin}/fixtures/chelsea.png` })) as ExplanationSuccess;
    expect(photo.ok && photo.image).toEqual({ width: 451, height: 300 });
    // On a canvas (no URL from the menu), the element under the real click.
    await h.page.locator('#drawing').click({ button: 'right', force: true });
    await h.page.waitForTimeout(50);
    const drawing = (await menuClick(h.page, { menuItemId: 'explain-here' })) as ExplanationSuccess;
    expect(drawing.ok && drawing.source).toBe('page');
    expect(drawing.image).toEqual({ width: 200, height: 120 });
    expect(h.victimLog).toEqual([]);
    // The page watched every attribute it could: the overlays' hosts say nothing of loading, done or failed.
    const seen = await h.page.evaluate(() => (window as any).seen.attributes as string[]);
    expect(seen.filter((a) => /loading|done|error/.test(a))).toEqual([]);
    expect(seen).toContain('data-cam-lens=');
    expect(await overlayState(h)).toEqual(['done', 'done']);
  });

  test('cookies go only where the page could send them: not to another site the page names, under a CSP or not', async () => {
    // The page may not even load images from elsewhere (CSP img-src 'self'): it made no request itself.
    await openAttackPage(h.page, "img-src 'self'");
    const guarded = `${victim}/victim/needs-cookie/rocket.jpg?csp`;
    await h.page.evaluate((src) => {
      const img = Object.assign(document.createElement('img'), { id: 'guarded', width: 200, height: 150, alt: 'guarded' });
      img.src = src;
      document.getElementById('slots')!.append(img);
    }, guarded);
    await h.page.waitForTimeout(200);
    expect(h.victimLog).toEqual([]);
    await h.page.locator('#guarded').click({ button: 'right' });
    const result = await menuClick(h.page, { menuItemId: 'explain-image', srcUrl: guarded });
    // Without the cookie the victim refuses; the page never showed the picture, so nothing is explained.
    expect(result).toMatchObject({ ok: false, error: 'could not load image: HTTP 403 Forbidden' });
    expect(cookieRequests()).toEqual([]);
  });

  test('a synthetic Esc closes nothing; a real one closes every overlay', async () => {
    await openAttackPage();
    await h.page.locator('#photo').click({ button: 'right' });
    expect((await menuClick(h.page, { menuItemId: 'explain-image', srcUrl: `${h.pageOrigin}/fixtures/chelsea.png` })).ok).toBe(true);
    await h.page.evaluate(() => {
      for (const target of [window, document, document.body]) target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    await h.page.waitForTimeout(200);
    expect(await overlayState(h)).toEqual(['done']);
    await h.page.keyboard.press('Escape');
    await expect.poll(() => h.page.locator('[data-cam-lens]').count()).toBe(0);
  });
});

describe('the page cannot read the results', () => {
  test('window.find, selections and DOM APIs find no word of the panel; the accessibility tree has them all', async () => {
    await openAttackPage();
    await h.page.locator('#photo').click({ button: 'right' });
    const result = (await menuClick(h.page, { menuItemId: 'explain-image', srcUrl: `${h.pageOrigin}/fixtures/chelsea.png` })) as ExplanationSuccess;
    expect(result.ok).toBe(true);
    const pct = `${(result.target.probability * 100).toFixed(1)}`;
    const words = [...result.classes.map((c) => c.label), pct, 'CAM', 'Save'];
    const found = await h.page.evaluate((words) => {
      const out: Record<string, unknown> = {};
      for (const w of words) {
        getSelection()!.removeAllRanges();
        out[w] = (window as any).find(w, false, false, true);
      }
      document.execCommand('selectAll');
      out.selection = getSelection()!.toString();
      out.text = document.documentElement.innerText + document.documentElement.textContent;
      return out;
    }, words);
    for (const w of words) expect(found[w], w).toBe(false);
    for (const w of words) expect(found.selection as string, w).not.toContain(w);
    for (const w of result.classes.map((c) => c.label)) expect(found.text as string).not.toContain(w);
    // What a screen reader reads: the chips by name, the announcement, the title.
    const cdp = await h.context.newCDPSession(h.page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { name?: { value?: string } }[] };
    await cdp.detach();
    const names = nodes.map((n) => n.name?.value ?? '');
    for (const c of result.classes) expect(names).toContain(`Explain class '${c.label}', ${(c.probability * 100).toFixed(1)} %`);
    expect(names.some((n) => n.includes(`CAM · ${result.target.label}`))).toBe(true);
    expect((await overlaysOf(h))[0].text).toContain(result.target.label);
  });
});

describe('frame geometry comes from the extension, not from the pages', () => {
  test('a frame that asks its parent where it is gets no answer', async () => {
    await openAttackPage();
    await h.page.evaluate((src) => {
      const frame = Object.assign(document.createElement('iframe'), { id: 'probe', src, width: 200, height: 80 });
      document.getElementById('frames')!.append(frame);
    }, `${h.imageOrigin}/fixtures/probe-frame.html`);
    const frame = (await (await h.page.$('#probe'))!.contentFrame())!;
    await frame.waitForLoadState('load');
    await h.page.waitForTimeout(1500);
    const replies = await frame.evaluate(() => (window as any).replies as unknown[]);
    expect(replies).toEqual([]);
  });

  test('a parent page answering for the extension cannot move the screenshot crop onto its own secrets', async () => {
    await openAttackPage();
    await h.page.evaluate((src) => {
      // Whoever asks where a frame is gets told: "on the TOP SECRET box".
      window.addEventListener('message', (e) => {
        const data = e.data as { type?: string; token?: string };
        if (data?.type !== 'cam-lens:frame-offset?') return;
        const r = document.getElementById('secret')!.getBoundingClientRect();
        (e.source as Window).postMessage({ type: 'cam-lens:frame-offset!', token: data.token, x: r.left, y: r.top - 60 }, '*');
      });
      const frame = Object.assign(document.createElement('iframe'), { id: 'child', src, width: 320, height: 400 });
      frame.style.border = '0';
      document.getElementById('frames')!.append(frame);
    }, `${h.imageOrigin}/fixtures/frame.html`);
    const frame = (await (await h.page.$('#child'))!.contentFrame())!;
    await frame.waitForLoadState('load');
    await frame.locator('#framed-webgl').scrollIntoViewIfNeeded();
    await frame.locator('#framed-webgl').click({ button: 'right', position: { x: 30, y: 30 } });
    const frameId = await h.worker.evaluate(async ({ url, frameUrl }) => {
      const [tab] = await chrome.tabs.query({ url });
      const results = await chrome.scripting.executeScript({ target: { tabId: tab.id!, allFrames: true }, func: () => location.href });
      return results.find((r) => r.result === frameUrl)!.frameId;
    }, { url: h.page.url(), frameUrl: frame.url() });
    const result = (await menuClick(h.page, { menuItemId: 'explain-here', frameId, frameUrl: frame.url() })) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as any).error);
    expect(result.source).toBe('screenshot');
    const dataUrl = await h.worker.evaluate((id) => (globalThis as any).camLens.capturedPixels(id), result.explanationId);
    const crop = PNG.sync.read(Buffer.from(dataUrl.split(',')[1], 'base64'));
    // The WebGL canvas is cleared to rgb(51, 128, 217); the secret box is red.
    for (const [x, y] of [[5, 5], [150, 30], [290, 54]]) {
      const i = (y * crop.width + x) * 4;
      expect([crop.data[i], crop.data[i + 1], crop.data[i + 2]], `${x},${y}`).toEqual([51, 128, 217]);
    }
    // Nothing was posted to the pages for it.
    const messages = await h.page.evaluate(() => (window as any).seen.messages as unknown[]);
    expect(messages).toEqual([]);
    await h.page.keyboard.press('Escape');
  });
});

describe('explain all explains what the page shows, in every frame, within a decode budget', () => {
  test('no lazy source the page never loaded; every frame counted and waited for; at most 64 MP decoding at once', async () => {
    await openAttackPage();
    const lazy = `${victim}/victim/lazy.png?never-shown`;
    await h.page.evaluate(({ lazy, frameUrl }) => {
      const img = Object.assign(document.createElement('img'), { width: 200, height: 200, alt: 'lazy' });
      img.src = 'data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';
      img.setAttribute('data-src', lazy);
      document.getElementById('slots')!.append(img);
      for (let f = 0; f < 4; f++) {
        const frame = Object.assign(document.createElement('iframe'), { src: `${frameUrl}?w=4000&h=4000&f=${f}`, width: 220, height: 120 });
        document.getElementById('frames')!.append(frame);
      }
    }, { lazy, frameUrl: `${h.imageOrigin}/fixtures/big-frame.html` });
    await expect.poll(() => h.victimLog.filter((r) => r.path.startsWith('/victim/flat.png')).length, { timeout: 20_000 }).toBe(8);
    for (const frame of h.page.frames()) await frame.waitForFunction(() => [...document.images].every((i) => i.complete)).catch(() => undefined);
    h.victimLog.length = 0;
    // Watch the worker's decoder: how many pixels it decodes at once (PNG sizes from their headers).
    await h.worker.evaluate(() => {
      const g = globalThis as any;
      const original = g.__originalDecode ?? g.createImageBitmap.bind(g);
      g.__originalDecode = original;
      g.__decoding = { now: 0, most: 0, count: 0 };
      g.createImageBitmap = async (blob: Blob, ...rest: unknown[]) => {
        const head = new DataView(await blob.slice(0, 24).arrayBuffer());
        const pixels = head.byteLength >= 24 ? head.getUint32(16) * head.getUint32(20) : 0;
        g.__decoding.now += pixels;
        g.__decoding.most = Math.max(g.__decoding.most, g.__decoding.now);
        try {
          return await original(blob, ...rest);
        } finally {
          g.__decoding.now -= pixels;
          g.__decoding.count++;
        }
      };
    });
    const tabId = await tabIdOf(h.page);
    const progress = await h.worker.evaluate((id) => (globalThis as any).camLens.explainAll(id), tabId);
    // The photo at the top and two pictures in each of the four frames (not the lazy placeholder).
    expect.soft(progress).toEqual({ done: 9, failed: 0, total: 9, cancelled: false, finished: true });
    await expect.poll(() => h.worker.evaluate(() => (globalThis as any).__decoding.count), { timeout: 60_000 }).toBeGreaterThanOrEqual(8);
    const decoding = await h.worker.evaluate(() => (globalThis as any).__decoding);
    expect.soft(decoding.most).toBeLessThanOrEqual(64_000_000);
    expect.soft(h.victimLog.filter((r) => r.path.includes('lazy'))).toEqual([]);
    await h.worker.evaluate(() => ((globalThis as any).createImageBitmap = (globalThis as any).__originalDecode));
    await h.page.keyboard.press('Escape');
  }, 120_000);

  test('an image of exactly 100 MP is refused from its header, before decoding', async () => {
    await h.page.goto(`${h.pageOrigin}/`);
    const src = `${h.imageOrigin}/hostile/exact-limit.png`;
    await h.page.evaluate((src) => {
      const img = Object.assign(document.createElement('img'), { id: 'limit', src, width: 200, height: 150, alt: 'limit' });
      document.body.prepend(img);
    }, src);
    await h.page.locator('#limit').click({ button: 'right' });
    const result = await menuClick(h.page, { menuItemId: 'explain-image', srcUrl: src });
    expect(result).toEqual({ ok: false, error: 'image is too large to explain (10000×10000 pixels; the limit is 100 MP)' });
  });
});

describe('content-script messages carry no authority', () => {
  test('forged from a content script: no cross-site cookies, no other tab\'s explanation, screenshot or explain-all', async () => {
    // Tab A: an explanation from a screenshot (the image answers 403 to the extension).
    await h.page.goto(`${h.pageOrigin}/`);
    await h.page.evaluate((src) => {
      const img = Object.assign(document.createElement('img'), { id: 'only-page', src, width: 200, height: 150, alt: 'page only' });
      document.body.prepend(img);
    }, `${h.imageOrigin}/hostile/page-only/chelsea.png`);
    await h.page.locator('#only-page').click({ button: 'right' });
    const shot = (await menuClick(h.page, { menuItemId: 'explain-image', srcUrl: `${h.imageOrigin}/hostile/page-only/chelsea.png` })) as ExplanationSuccess;
    expect(shot.ok && shot.source).toBe('screenshot');
    const aOverlays = await inContentScript<string[]>(h.page, '(window.__camLensOverlays?.() ?? []).map((o) => o.id ?? "")');
    const tabA = await tabIdOf(h.page);

    // Tab B: the attacker's page, whose renderer is compromised.
    const b = await h.context.newPage();
    await openAttackPage(b);
    const look = { opacity: 0.5, colormap: 'turbo', hideNegative: true };
    const cookieUrl = `${victim}/victim/needs-cookie/rocket.jpg?forged`;
    const replies = [
      // Export of a cross-site, cookie-protected image, with a made-up result.
      await forged(b, { type: 'export', source: { kind: 'url', url: cookieUrl }, result: shot, look }),
      // Tab A's screenshot, by its explanation id; and by its overlay id.
      await forged(b, { type: 'export', source: { kind: 'screenshot' }, result: shot, look }),
      ...(await Promise.all(aOverlays.map((overlayId) => forged(b, { type: 'export', overlayId, look })))),
      ...(await Promise.all(aOverlays.map((overlayId) => forged(b, { type: 'explain-class', overlayId, explanationId: shot.explanationId, source: { kind: 'screenshot' }, classIndex: 1, method: 'cam' })))),
    ];
    for (const reply of replies) expect(JSON.stringify(reply ?? null)).not.toMatch(/data:image\/png|"ok":true/);
    // Explain a URL it names: fetched without the cookie (the page could not send it).
    const named = await forged<{ ok: boolean }>(b, { type: 'explain', overlayId: 'forged-1', source: { kind: 'url', url: cookieUrl } });
    expect(named?.ok).not.toBe(true);
    expect(h.victimLog.length).toBeGreaterThan(0);
    expect(cookieRequests()).toEqual([]);
    // Other tabs' explain-all and status: ignored.
    expect(await forged(b, { type: 'get-status', tabId: tabA })).toBeNull();
    await forged(b, { type: 'start-explain-all', tabId: tabA });
    await h.page.waitForTimeout(1500);
    expect(await h.page.locator('[data-cam-lens]').count()).toBe(1);
    await b.close();
  });

  test('a screenshot is only ever of the tab that asked, while it is shown', async () => {
    await h.page.goto(`${h.pageOrigin}/`);
    const src = `${h.imageOrigin}/victim/slow-page-only/chelsea.png?ms=2500`;
    await h.page.evaluate((src) => {
      const img = Object.assign(document.createElement('img'), { id: 'slow-only', src, width: 200, height: 150, alt: 'slow' });
      document.body.prepend(img);
    }, src);
    await h.page.waitForFunction(() => (document.getElementById('slow-only') as HTMLImageElement).complete, null, { timeout: 10_000 });
    await h.page.locator('#slow-only').click({ button: 'right' });
    await h.worker.evaluate(
      async ({ url, src }) => {
        const [tab] = await chrome.tabs.query({ url });
        (globalThis as any).pendingShot = (globalThis as any).camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl: src, frameId: 0, pageUrl: url, editable: false }, tab);
      },
      { url: h.page.url(), src },
    );
    // While the worker waits for the image, the user switches to another tab.
    await waitForOverlayIn(h, 'loading');
    const other = await h.context.newPage();
    await other.goto(`${h.pageOrigin}/attack/attack.html`);
    await other.bringToFront();
    const result = await h.worker.evaluate(() => (globalThis as any).pendingShot);
    expect(result).toMatchObject({ ok: false });
    expect(result.error).toMatch(/not the one shown|HTTP 403/);
    await other.close();
    await h.page.bringToFront();
  });
});

describe('the seam', () => {
  test('memory() answers before any backend has started', async () => {
    await h.page.goto(`${h.pageOrigin}/`);
    await stopWorker(h);
    // Woken by a message that starts no model (the popup would load one).
    await nextWorker(h, () => forged(h.page, { type: 'class-labels', modelId: 'none' }));
    const memory = await h.worker.evaluate(() => {
      try {
        return (globalThis as any).camLens.memory();
      } catch (e) {
        return { threw: String(e) };
      }
    });
    expect(memory).toMatchObject({ numTensors: expect.any(Number), numBytes: expect.any(Number) });
  });
});

export type { Harness };
