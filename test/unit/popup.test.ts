// @vitest-environment happy-dom
// The popup's wiring, against its real markup and a fake browser API: what it shows from the
// worker's answers, and what it stores when the user changes something. The settings that live on
// the options page are tested in options.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../src/core/messages';
import { applyStyles, bodyOf } from './helpers/extensionPage';
import { fakeBrowser, type FakeBrowser } from './helpers/fakeBrowser';
import { INNER, status, worker as workerOf } from './helpers/statusFixtures';

let fake: FakeBrowser;
vi.mock('webextension-polyfill', () => ({ default: new Proxy({}, { get: (_, key) => fake[key as keyof FakeBrowser] }) }));

const BODY = bodyOf('src/popup/popup.html');
const worker = (overrides?: Parameters<typeof workerOf>[1]) => workerOf(() => fake, overrides);

async function openPopup(answer: (message: Message) => unknown, stored: Record<string, unknown> = {}): Promise<void> {
  fake = fakeBrowser(answer);
  Object.assign(fake.storage.local.data, stored);
  (globalThis as { browser?: unknown }).browser = fake; // the i18n lookup
  document.body.innerHTML = BODY;
  vi.resetModules();
  await import('../../src/popup/popup');
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const savedSettings = () => fake.storage.sync.data.settings as Record<string, unknown> | undefined;
const optionTexts = (id: string) => [...$<HTMLSelectElement>(id).options].map((o) => o.textContent);

afterEach(() => {
  document.body.innerHTML = '';
  document.head.replaceChildren();
});

describe('popup', () => {
  it('holds only the everyday controls: model, method, Explain all, status, Settings and Teach', async () => {
    // A worker that has not answered yet: the menus say so (no empty boxes).
    await openPopup(worker({ status: () => new Promise(() => undefined) as never }));
    const controls = [...document.querySelectorAll('select, input, button')].map((el) => el.id);
    expect(controls.sort()).toEqual(['cancel-all', 'explain-all', 'grant-hosts', 'method-select', 'model-select', 'open-lab', 'open-options', 'open-teach', 'welcome-dismiss']);
    await vi.waitFor(() => expect(fake.sent.some((m) => m.type === 'get-status')).toBe(true));
    for (const id of ['model-select', 'method-select']) {
      expect($<HTMLSelectElement>(id).disabled).toBe(true);
      expect(optionTexts(id)).toEqual(['Asking the extension …']);
    }
  });

  it("shows the worker's status at a glance: model, backend, last timings", async () => {
    await openPopup(worker());
    await vi.waitFor(() => expect($('timings').textContent).toBe('58 ms (inference 31)'));
    expect($('model').textContent).toBe('Content classifier');
    expect($('backend').textContent).toBe('WebAssembly');
    expect($<HTMLSelectElement>('model-select').disabled).toBe(false);
    expect(optionTexts('model-select')).toEqual(['Content classifier']);
  });

  it('the method menu names each method in full, a sentence under it says what the choice does, and a change is stored', async () => {
    await openPopup(worker());
    const select = $<HTMLSelectElement>('method-select');
    await vi.waitFor(() => expect(select.options.length).toBe(10));
    expect(optionTexts('method-select')).toEqual(['Automatic (CAM)', 'CAM', 'Grad-CAM', 'Grad-CAM++', 'XGrad-CAM', 'HiResCAM', 'LayerCAM', 'Eigen-CAM', 'Score-CAM (slow: many passes)', 'Ablation-CAM (slow: many passes)']);
    expect(select.value).toBe('auto');
    expect($('method-description').textContent).toBe('Exact CAM when the model’s head allows it, else Grad-CAM. A good start.');
    expect(select.getAttribute('aria-describedby')).toBe('method-description');

    select.value = 'scorecam';
    select.dispatchEvent(new Event('change'));
    expect($('method-description').textContent).toMatch(/^Scores each map by masking the image with it/);
    await vi.waitFor(() => expect(savedSettings()?.method).toBe('scorecam'));
  });

  it('another model is stored and the status is asked again with the model loaded', async () => {
    await openPopup(worker());
    const select = $<HTMLSelectElement>('model-select');
    await vi.waitFor(() => expect(select.disabled).toBe(false));
    const loads = () => fake.sent.filter((m) => m.type === 'get-status' && m.load).length;
    await vi.waitFor(() => expect(loads()).toBe(1));
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(savedSettings()?.modelId).toBe('mid'));
    await vi.waitFor(() => expect(loads()).toBe(2));
  });

  it('CAM is offered but disabled when the loaded model rules it out, and the note says why', async () => {
    await openPopup(worker({ status: () => status({ camApplies: false, camUnavailable: 'exact CAM applies only to layer Conv_1/Relu6' }, INNER) }));
    await vi.waitFor(() => expect($<HTMLSelectElement>('method-select').options.length).toBeGreaterThan(5));
    const cam = [...$<HTMLSelectElement>('method-select').options].find((o) => o.value === 'cam')!;
    expect(cam.disabled).toBe(true);
    expect($('method-note').hidden).toBe(false);
    expect($('method-note').textContent).toContain('exact CAM applies only to layer Conv_1/Relu6');
  });

  it('Explain all asks the worker for the tab the popup was opened over', async () => {
    await openPopup(worker());
    await vi.waitFor(() => expect($('explain-all').hasAttribute('disabled')).toBe(false));
    $('explain-all').click();
    await vi.waitFor(() => expect(fake.sent).toContainEqual({ type: 'start-explain-all', tabId: 7 }));
  });

  it('Settings opens the options page; Teach and the Lab open their pages in tabs', async () => {
    await openPopup(worker());
    await vi.waitFor(() => expect($('model').textContent).toBe('Content classifier'));
    const close = vi.spyOn(window, 'close').mockImplementation(() => undefined);
    $('open-options').click();
    $('open-teach').click();
    $('open-lab').click();
    await vi.waitFor(() => expect(fake.opened).toEqual(['options', 'chrome-extension://cam-lens-test/teach.html', 'chrome-extension://cam-lens-test/lab.html']));
    await vi.waitFor(() => expect(close).toHaveBeenCalledTimes(3));
    close.mockRestore();
  });

  it('the first-run view shows until dismissed, and the dismissal is stored', async () => {
    await openPopup(worker());
    await vi.waitFor(() => expect($('welcome').hidden).toBe(false));
    $('welcome-dismiss').click();
    expect($('welcome').hidden).toBe(true);
    await vi.waitFor(() => expect(fake.storage.local.data.welcomed).toBe(true));

    await openPopup(worker(), { welcomed: true });
    await vi.waitFor(() => expect($('model').textContent).toBe('Content classifier'));
    expect($('welcome').hidden).toBe(true);
  });

  it('a worker that does not answer: the popup says so', async () => {
    await openPopup(() => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    });
    await vi.waitFor(() => expect($('model').textContent).toBe('the extension did not answer'));
  });

  it.each([
    ['light', '#1c1f24', '#ffffff'],
    ['dark', '#e6e9ee', '#0d1b33'],
  ] as const)('follows the %s colour scheme (theme.css variables)', async (scheme, text, onAccent) => {
    applyStyles(['src/ui/theme.css', 'src/popup/popup.css'], scheme);
    await openPopup(worker());
    expect(getComputedStyle(document.body).getPropertyValue('color')).toBe(text);
    expect(getComputedStyle($('explain-all')).getPropertyValue('color')).toBe(onAccent);
    expect(getComputedStyle(document.querySelector('.status dt')!).getPropertyValue('color')).toBe(scheme === 'dark' ? '#a3abb7' : '#5b636e');
  });
});
