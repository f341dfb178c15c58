// The popup and the options page in real Chromium, in English and in German (Chromium started with
// --lang=de, which sets the extension's UI language): no label, button or menu text is cut off at the
// popup's width (menus: every option's text measured in the menu's own font against its text area),
// both follow the dark colour scheme, focus rings show and every control is reached with Tab, and the
// popup's Settings button opens the options page in a tab.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness';

/** Elements whose content is wider than their box, and menus whose option texts are wider than their text area. */
async function overflows(page: Page, extraMenuTexts: Record<string, string[]> = {}): Promise<string[]> {
  return page.evaluate((extra) => {
    const found: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    for (const el of document.body.querySelectorAll<HTMLElement>('*')) {
      if (el.closest('[hidden]') || el.getClientRects().length === 0 || el.tagName === 'OPTION') continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) found.push(`${name(el)}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) found.push(`page: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    const context = document.createElement('canvas').getContext('2d')!;
    for (const select of document.querySelectorAll<HTMLSelectElement>('select')) {
      if (select.closest('[hidden]') || select.getClientRects().length === 0) continue;
      const style = getComputedStyle(select);
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const texts = [...[...select.options].map((o) => o.text), ...(extra[select.id] ?? [])];
      for (const text of texts) {
        const width = context.measureText(text).width;
        if (width > room) found.push(`select#${select.id} option "${text}": ${Math.ceil(width)} > ${Math.floor(room)}`);
      }
    }
    return found;
  }, extraMenuTexts);
}

/** Every text the method menu can show (its Automatic entry has three wordings), in the page's language. */
const methodTexts = (page: Page) =>
  page.evaluate(() => [
    ...['methodAutoNoCam', 'methodAutoCam', 'methodAutoUnknown'].map((key) => chrome.i18n.getMessage(key)),
    chrome.i18n.getMessage('methodSlow', 'Ablation-CAM'),
    chrome.i18n.getMessage('popupModelsLoading'),
  ]);

async function openExtensionPage(h: Harness, file: string, width: number): Promise<Page> {
  const page = await h.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`chrome-extension://${h.extensionId}/${file}`);
  // Filled from the worker's status: the menus hold their real options.
  await page.waitForFunction(() => !(document.getElementById('model-select') as HTMLSelectElement).disabled, undefined, { timeout: 60_000 });
  return page;
}

/** The ids (or texts) of the elements Tab reaches, in order, from the top of the page (its heading). */
async function tabOrder(page: Page, steps: number): Promise<{ id: string; outline: string }[]> {
  await page.locator('h1').click(); // Tab then starts from there
  const seen: { id: string; outline: string }[] = [];
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    seen.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return { id: el.id || (el.textContent ?? '').trim(), outline: `${style.outlineStyle} ${style.outlineWidth}` };
      }),
    );
  }
  return seen;
}

describe.each([
  ['en', [], { model: 'Model', settings: 'Settings' }],
  ['de', ['--lang=de'], { model: 'Modell', settings: 'Einstellungen' }],
] as const)('extension pages in %s', (lang, extraArgs, words) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extraArgs: [...extraArgs] });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the popup: its language, no text cut off at its width, model load does not leave empty menus', async () => {
    const popup = await openExtensionPage(h, 'popup.html', 400);
    expect(await popup.evaluate(() => document.documentElement.lang)).toBe(lang);
    expect(await popup.locator('label[for="model-select"]').textContent()).toBe(words.model);
    expect(await popup.locator('#open-options').textContent()).toBe(words.settings);
    // The first-run note, shown on a first start, must fit as well.
    expect(await popup.locator('#welcome').isVisible()).toBe(true);
    expect(await popup.evaluate(() => document.body.getBoundingClientRect().width)).toBe(400);
    expect(await overflows(popup, { 'method-select': await methodTexts(popup) })).toEqual([]);
    expect(await popup.locator('#method-description').textContent()).not.toBe('');
    for (const id of ['model-select', 'method-select']) expect(await popup.locator(`#${id} option`).count()).toBeGreaterThan(1);
    await popup.close();
  });

  test('the options page: no text cut off in a wide and in a half-screen tab; the layer menu is filled once the model is loaded', async () => {
    for (const width of [1280, 800]) {
      const options = await openExtensionPage(h, 'options.html', width);
      await options.waitForFunction(() => !(document.getElementById('layer-select') as HTMLSelectElement).disabled, undefined, { timeout: 60_000 });
      expect(await options.locator('#layer-select option').count()).toBeGreaterThan(5);
      await options.locator('#add-model summary').click(); // the install form, open
      expect(await overflows(options), `at ${width} px`).toEqual([]);
      await options.close();
    }
  });

  test('dark colour scheme: both pages turn dark', async () => {
    for (const file of ['popup.html', 'options.html']) {
      const page = await openExtensionPage(h, file, 800);
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.emulateMedia({ colorScheme: 'light' });
      expect(await background()).toBe('rgb(255, 255, 255)');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await background()).toBe('rgb(29, 32, 38)');
      expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(230, 233, 238)');
      await page.close();
    }
  });

  test('keyboard: Tab reaches every popup control in order, each with a visible focus ring', async () => {
    const popup = await openExtensionPage(h, 'popup.html', 400);
    await popup.evaluate(() => (document.getElementById('welcome')!.hidden = true));
    const order = await tabOrder(popup, 6);
    expect(order.map((o) => o.id)).toEqual(['model-select', 'method-select', 'explain-all', 'open-options', 'open-teach', 'open-lab']);
    for (const { id, outline } of order) expect(outline, id).toBe('solid 2px');
    await popup.close();
  });

  test('keyboard: Tab reaches every control of the options page, each with a visible focus ring', async () => {
    const options = await openExtensionPage(h, 'options.html', 1280);
    await options.waitForFunction(() => !(document.getElementById('layer-select') as HTMLSelectElement).disabled, undefined, { timeout: 60_000 });
    await options.locator('#add-model summary').click();
    const controls = await options.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('select, input, button, summary')].filter((el) => el.getClientRects().length > 0 && !el.closest('[hidden]')).map((el) => el.id || (el.textContent ?? '').trim()),
    );
    const order = await tabOrder(options, controls.length);
    expect(order.map((o) => o.id)).toEqual(controls);
    for (const { id, outline } of order) expect(outline, id).toBe('solid 2px');
    await options.close();
  });

  test('Settings in the popup opens the options page in a tab', async () => {
    const popup = await openExtensionPage(h, 'popup.html', 400);
    const optionsTabs = () => h.context.pages().filter((p) => p.url().endsWith('/options.html'));
    for (const left of optionsTabs()) await left.close(); // by a test that failed before closing it
    await popup.locator('#open-options').click();
    // The page event comes before the tab has its address: wait for the address.
    await expect.poll(() => optionsTabs().length, { timeout: 20_000 }).toBe(1);
    const [options] = optionsTabs();
    await options.waitForLoadState('load');
    expect(await options.locator('h1').textContent()).toBe(`CAM Lens · ${words.settings}`);
    await options.close();
    await popup.close().catch(() => undefined); // the popup closes itself
  });
});
