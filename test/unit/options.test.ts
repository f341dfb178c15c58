// @vitest-environment happy-dom
// The options page's wiring, against its real markup and a fake browser API: the status it shows, the
// layer menu, the display settings with their previews, the model library, and changes made elsewhere.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message, Status } from '../../src/core/messages';
import { colormapLut } from '../../src/core/colormap';
import { colormapGradient, previewPixels } from '../../src/options/preview';
import { applyStyles, bodyOf } from './helpers/extensionPage';
import { fakeBrowser, type FakeBrowser } from './helpers/fakeBrowser';
import { DEEP, INNER, status, worker as workerOf } from './helpers/statusFixtures';

let fake: FakeBrowser;
vi.mock('webextension-polyfill', () => ({ default: new Proxy({}, { get: (_, key) => fake[key as keyof FakeBrowser] }) }));

const BODY = bodyOf('src/options/options.html');
const worker = (overrides?: Parameters<typeof workerOf>[1]) => workerOf(() => fake, overrides);

async function openOptions(answer: (message: Message) => unknown): Promise<void> {
  fake = fakeBrowser(answer);
  (globalThis as { browser?: unknown }).browser = fake; // the i18n lookup
  document.body.innerHTML = BODY;
  vi.resetModules();
  await import('../../src/options/options');
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const savedSettings = () => fake.storage.sync.data.settings as Record<string, unknown> | undefined;
const change = (id: string, apply: (el: HTMLInputElement & HTMLSelectElement) => void) => {
  const element = $<HTMLInputElement & HTMLSelectElement>(id);
  apply(element);
  element.dispatchEvent(new Event('change'));
};

afterEach(() => {
  document.body.innerHTML = '';
  document.head.replaceChildren();
});

describe('options page', () => {
  it("shows the worker's status: model, layer, backend, renderer, measurements, load and last timings", async () => {
    await openOptions(worker());
    await vi.waitFor(() => expect($('layer').textContent).toBe('MobilenetV2/Conv_1/Relu6'));
    expect($('layer').title).toBe(DEEP);
    expect($('model').textContent).toBe('Content classifier');
    expect($('backend').textContent).toBe('WebAssembly');
    expect($('renderer').textContent).toBe('—');
    expect($('measurements').textContent).toBe('WebAssembly 7 ms');
    expect($('timings').textContent).toBe('58 ms (inference 31)');
    expect($('model-load').textContent).toBe('90 ms, then 12 ms warm-up (first run, kernel compilation)');
  });

  it('the layer menu says it waits while the model loads, then lists the layers, Automatic first, and stores a choice for the active model only', async () => {
    let listLayers!: () => void;
    const listed = new Promise<void>((resolve) => (listLayers = resolve));
    await openOptions(worker({ layers: () => listed.then(() => LAYERS_REPLY) }));
    const select = $<HTMLSelectElement>('layer-select');
    await vi.waitFor(() => expect(fake.sent.some((m) => m.type === 'list-layers')).toBe(true));
    expect(select.disabled).toBe(true);
    expect([...select.options].map((o) => o.textContent)).toEqual(['Loading the model to list its layers …']);
    listLayers();
    await vi.waitFor(() => expect(select.options.length).toBe(3));
    expect(select.disabled).toBe(false);
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Automatic: Conv_1/Relu6 · 7×7×1792',
      'Conv_1/Relu6 · 7×7×1792',
      'expanded_conv_12/expand/Relu6 · 14×14×816',
    ]);
    expect(select.value).toBe('');
    fake.storage.sync.data.settings = { layers: { other: 'conv1' } };

    change('layer-select', (el) => (el.value = INNER));
    await vi.waitFor(() => expect(savedSettings()?.layers).toEqual({ other: 'conv1', mid: INNER }));
    // The model is reloaded at that layer: the status names it.
    await vi.waitFor(() => expect($('layer').title).toBe(INNER));
    change('layer-select', (el) => (el.value = ''));
    await vi.waitFor(() => expect(savedSettings()?.layers).toEqual({ other: 'conv1' }));
  });

  it('a worker that does not answer: the page says so, and the layer menu is disabled with the reason', async () => {
    await openOptions(() => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    });
    await vi.waitFor(() => expect($<HTMLSelectElement>('layer-select').options[0].textContent).toBe('the extension did not answer'));
    expect($<HTMLSelectElement>('layer-select').disabled).toBe(true);
    expect($('model').textContent).toBe('the extension did not answer');
  });

  it('a model that cannot list its layers: the menu shows the worker’s reason', async () => {
    await openOptions(worker({ layers: () => ({ ok: false, error: 'no 4-D convolutional activation before the head' }) }));
    await vi.waitFor(() => expect($<HTMLSelectElement>('layer-select').options[0].textContent).toBe('no 4-D convolutional activation before the head'));
    expect($<HTMLSelectElement>('layer-select').disabled).toBe(true);
  });

  it('the opacity slider shows its value and the preview follows at once; storage is written at most every 400 ms while dragging, and on release', async () => {
    await openOptions(worker());
    const slider = $<HTMLInputElement>('opacity');
    await vi.waitFor(() => expect($('opacity-value').textContent).toBe('50 %'));
    expect($('preview-map').style.opacity).toBe('0.5');
    for (const value of ['0.55', '0.6', '0.65', '0.7']) {
      slider.value = value;
      slider.dispatchEvent(new Event('input'));
    }
    expect($('opacity-value').textContent).toBe('70 %');
    expect($('preview-map').style.opacity).toBe('0.7');
    await vi.waitFor(() => expect(savedSettings()?.opacity).toBe(0.55));
    expect(fake.storage.sync.writes.length).toBe(1);
    slider.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(savedSettings()?.opacity).toBe(0.7));
  });

  it('colours, positive only, box, classes listed and automatic checks are stored, and the previews follow', async () => {
    await openOptions(worker());
    await vi.waitFor(() => expect($('colormap-strip').style.background).toContain('linear-gradient'));
    expect($<HTMLSelectElement>('colormap-select').value).toBe('turbo');
    expect($('preview-map').dataset.look).toBe('turbo positive');
    change('colormap-select', (el) => (el.value = 'inferno'));
    await vi.waitFor(() => expect(savedSettings()?.colormap).toBe('inferno'));
    expect($('colormap-strip').style.background).toBe(colormapGradient('inferno'));
    change('hide-negative', (el) => (el.checked = false));
    await vi.waitFor(() => expect(savedSettings()?.hideNegative).toBe(false));
    expect($('preview-map').dataset.look).toBe('inferno signed');
    change('show-box', (el) => (el.checked = true));
    await vi.waitFor(() => expect(savedSettings()?.showBox).toBe(true));
    change('check-automatically', (el) => (el.checked = true));
    await vi.waitFor(() => expect(savedSettings()?.checkAutomatically).toBe(true));
    change('shortcut-alarm', (el) => (el.checked = false));
    await vi.waitFor(() => expect(savedSettings()?.shortcutAlarm).toBe(false));
    expect($<HTMLInputElement>('prepare-on-right-click').checked).toBe(true);
    change('prepare-on-right-click', (el) => (el.checked = false));
    await vi.waitFor(() => expect(savedSettings()?.prepareOnRightClick).toBe(false));
    change('top-k', (el) => (el.value = '3'));
    await vi.waitFor(() => expect(savedSettings()?.topK).toBe(3));
    // Out of range: not stored, the field shows the stored value again.
    change('top-k', (el) => (el.value = '40'));
    expect($<HTMLInputElement>('top-k').value).toBe('3');
    expect(savedSettings()?.topK).toBe(3);
  });

  it('a backend choice is stored and the model is loaded again on it', async () => {
    await openOptions(worker());
    await vi.waitFor(() => expect($<HTMLSelectElement>('layer-select').disabled).toBe(false));
    const loads = () => fake.sent.filter((m) => m.type === 'get-status' && m.load).length;
    const before = loads();
    change('backend-select', (el) => (el.value = 'webgl'));
    await vi.waitFor(() => expect(savedSettings()?.backend).toBe('webgl'));
    await vi.waitFor(() => expect(loads()).toBe(before + 1));
  });

  it('a change made in the popup (another page) shows here', async () => {
    await openOptions(worker());
    await vi.waitFor(() => expect($('opacity-value').textContent).toBe('50 %'));
    // Another page writes storage: this page hears of it through storage.onChanged.
    await fake.storage.sync.set({ settings: { ...(savedSettings() ?? {}), opacity: 0.8, colormap: 'jet', hideNegative: false } });
    expect($<HTMLInputElement>('opacity').value).toBe('0.8');
    expect($('opacity-value').textContent).toBe('80 %');
    expect($<HTMLSelectElement>('colormap-select').value).toBe('jet');
    expect($<HTMLInputElement>('hide-negative').checked).toBe(false);
    expect($('preview-map').dataset.look).toBe('jet signed');
    // Another model chosen in the popup: the page asks for the status with that model loaded.
    const loads = () => fake.sent.filter((m) => m.type === 'get-status' && m.load).length;
    await vi.waitFor(() => expect(loads()).toBe(1));
    await fake.storage.sync.set({ settings: { ...(savedSettings() ?? {}), modelId: 'other' } });
    await vi.waitFor(() => expect(loads()).toBe(2));
  });

  it('the model library lists installed models with Delete; Delete asks the worker and shows the new list', async () => {
    const installedModel = { id: 'user-1', name: 'My birds', format: 'layers' as const, layer: 'conv', camApplies: null, camUnavailable: null, installed: { installedAt: Date.UTC(2026, 0, 2), sizeBytes: 2_000_000, source: 'https://example.org/birds/model.json' } };
    let deleted = false;
    const withInstalled = (): Status => {
      const s = status();
      return deleted ? s : { ...s, models: [...s.models, installedModel as unknown as Status['models'][number]] };
    };
    await openOptions(worker({ status: withInstalled, other: (m) => (m.type === 'delete-model' ? ((deleted = true), { ok: true }) : undefined) }));
    await vi.waitFor(() => expect(document.querySelectorAll('#installed-models li').length).toBe(1));
    expect(document.querySelector('#installed-models .model-name')!.textContent).toBe('My birds');
    expect($('installed-none').hidden).toBe(true);
    expect([...$<HTMLSelectElement>('model-select').options].map((o) => o.textContent)).toEqual(['Content classifier', 'My birds']);
    (document.querySelector('#installed-models .delete-model') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(fake.sent).toContainEqual({ type: 'delete-model', id: 'user-1' }));
    await vi.waitFor(() => expect(document.querySelectorAll('#installed-models li').length).toBe(0));
    expect($('installed-none').hidden).toBe(false);
  });

  it.each([
    ['light', '#1c1f24', '#5b636e'],
    ['dark', '#e6e9ee', '#a3abb7'],
  ] as const)('follows the %s colour scheme (theme.css variables)', async (scheme, text, muted) => {
    applyStyles(['src/ui/theme.css', 'src/options/options.css'], scheme);
    await openOptions(worker());
    expect(getComputedStyle(document.body).getPropertyValue('color')).toBe(text);
    expect(getComputedStyle(document.querySelector('.intro')!).getPropertyValue('color')).toBe(muted);
  });
});

describe('previews', () => {
  it('the strip runs from the colour table’s first to its last colour', () => {
    const lut = colormapLut('viridis');
    const gradient = colormapGradient('viridis', 3);
    expect(gradient).toBe(`linear-gradient(to right, rgb(${lut[0]}, ${lut[1]}, ${lut[2]}) 0%, rgb(${lut[512]}, ${lut[513]}, ${lut[514]}) 50%, rgb(${lut[1020]}, ${lut[1021]}, ${lut[1022]}) 100%)`);
  });

  it('positive only colours the negative evidence as no evidence; without it, the map’s floor is the negative spot', () => {
    const lut = colormapLut('turbo');
    const low = [lut[0], lut[1], lut[2], 255];
    const positive = previewPixels({ colormap: 'turbo', hideNegative: true }, 24, 16);
    const signed = previewPixels({ colormap: 'turbo', hideNegative: false }, 24, 16);
    const at = (pixels: Uint8ClampedArray, x: number, y: number) => [...pixels.slice((y * 24 + x) * 4, (y * 24 + x) * 4 + 4)];
    // The negative spot at the lower right, and a neutral corner at the top right.
    expect(at(positive, 20, 13)).toEqual(low);
    expect(at(positive, 23, 0)).toEqual(low);
    expect(at(signed, 23, 0)).not.toEqual(low);
    expect(at(signed, 20, 13)).not.toEqual(at(signed, 23, 0));
    // The evidence (the cat's head) is coloured in both.
    expect(at(positive, 10, 6)).not.toEqual(low);
    expect(at(signed, 10, 6)).not.toEqual(at(signed, 23, 0));
  });
});

const LAYERS_REPLY = {
  ok: true,
  modelId: 'mid',
  automatic: DEEP,
  layers: [
    { name: DEEP, shape: [7, 7, 1792] },
    { name: INNER, shape: [14, 14, 816] },
  ],
};
