// @vitest-environment happy-dom
// The popup's wiring, against its real markup and a fake browser API: what it shows from the
// worker's answers, and what it stores when the user changes something.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LayersReply, Message, Status } from '../../src/core/messages';
import { fakeBrowser, type FakeBrowser } from './helpers/fakeBrowser';

let fake: FakeBrowser;
vi.mock('webextension-polyfill', () => ({ default: new Proxy({}, { get: (_, key) => fake[key as keyof FakeBrowser] }) }));

// happy-dom has no legacy Option() factory; the popup builds its menus with it, as browsers allow.
if (typeof globalThis.Option !== 'function') {
  (globalThis as { Option?: unknown }).Option = function Option(text = '', value?: string, defaultSelected = false, selected = false) {
    const option = document.createElement('option');
    option.text = text;
    if (value !== undefined) option.value = value;
    option.defaultSelected = defaultSelected;
    option.selected = selected;
    return option;
  };
}

const BODY = readFileSync('src/popup/popup.html', 'utf8').match(/<body>([\s\S]*)<\/body>/)![1].replace(/<script[\s\S]*?<\/script>/g, '');
const SCOPE = 'StatefulPartitionedCall/MobilenetV2/';
const DEEP = `${SCOPE}Conv_1/Relu6`;
const INNER = `${SCOPE}expanded_conv_12/expand/Relu6`;

function status(patch: Partial<Status['models'][number]> = {}, layer = DEEP): Status {
  return {
    modelId: 'mid',
    modelName: 'Content classifier',
    modelLoaded: true,
    modelLoadMs: 90,
    modelWarmupMs: 12,
    models: [{ id: 'mid', name: 'Content classifier', format: 'graph', layer, camApplies: true, camUnavailable: null, ...patch }],
    backend: 'wasm',
    backendSetting: 'auto',
    backendMeasurements: 'WebAssembly 7 ms',
    backendNote: null,
    renderer: null,
    lastTimingsMs: { total: 58, inference: 31 },
  };
}

const LAYERS: LayersReply = {
  ok: true,
  modelId: 'mid',
  automatic: DEEP,
  layers: [
    { name: DEEP, shape: [7, 7, 1792] },
    { name: INNER, shape: [14, 14, 816] },
  ],
};

/** A worker that knows one model and answers with the layer the settings ask for. */
function worker(overrides: { status?: () => Status; layers?: () => unknown } = {}) {
  return (message: Message) => {
    if (message.type === 'get-status') {
      const chosen = (fake.storage.sync.data.settings as { layers?: Record<string, string> } | undefined)?.layers?.mid;
      return overrides.status?.() ?? status({}, chosen ?? DEEP);
    }
    if (message.type === 'list-layers') return overrides.layers?.() ?? LAYERS;
    return undefined;
  };
}

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

afterEach(() => {
  document.body.innerHTML = '';
});

describe('popup', () => {
  it("shows the worker's status: model, layer, backend, measurements, timings", async () => {
    await openPopup(worker());
    await vi.waitFor(() => expect($('layer').textContent).toBe('MobilenetV2/Conv_1/Relu6'));
    expect($('layer').title).toBe(DEEP);
    expect($('model').textContent).toBe('Content classifier');
    expect($('backend').textContent).toBe('WebAssembly');
    expect($('measurements').textContent).toBe('WebAssembly 7 ms');
    expect($('timings').textContent).toBe('58 ms (inference 31)');
    expect($('model-load').textContent).toBe('90 ms, then 12 ms warm-up (first run, kernel compilation)');
  });

  it('lists the layers, Automatic first, and stores a choice for the active model only', async () => {
    await openPopup(worker());
    const select = $<HTMLSelectElement>('layer-select');
    await vi.waitFor(() => expect(select.options.length).toBe(3));
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Automatic: Conv_1/Relu6 · 7×7×1792',
      'Conv_1/Relu6 · 7×7×1792',
      'expanded_conv_12/expand/Relu6 · 14×14×816',
    ]);
    expect(select.value).toBe('');
    fake.storage.sync.data.settings = { layers: { other: 'conv1' } };

    select.value = INNER;
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(savedSettings()?.layers).toEqual({ other: 'conv1', mid: INNER }));
    // The model is reloaded at that layer to learn which methods apply.
    await vi.waitFor(() => expect($('layer').title).toBe(INNER));
    expect(fake.sent.filter((m) => m.type === 'get-status' && m.load).length).toBeGreaterThanOrEqual(2);

    select.value = '';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(savedSettings()?.layers).toEqual({ other: 'conv1' }));
  });

  it('CAM is offered but disabled when the loaded model rules it out, and the note says why', async () => {
    await openPopup(worker({ status: () => status({ camApplies: false, camUnavailable: 'exact CAM applies only to layer Conv_1/Relu6' }, INNER) }));
    await vi.waitFor(() => expect($<HTMLSelectElement>('method-select').options.length).toBeGreaterThan(5));
    const cam = [...$<HTMLSelectElement>('method-select').options].find((o) => o.value === 'cam')!;
    expect(cam.disabled).toBe(true);
    expect($('method-note').hidden).toBe(false);
    expect($('method-note').textContent).toContain('exact CAM applies only to layer Conv_1/Relu6');
  });

  it('the opacity slider shows its value at once and writes storage at most every 400 ms while dragging, and on release', async () => {
    await openPopup(worker());
    const slider = $<HTMLInputElement>('opacity');
    await vi.waitFor(() => expect($('opacity-value').textContent).toBe('50 %'));
    for (const value of ['0.55', '0.6', '0.65', '0.7']) {
      slider.value = value;
      slider.dispatchEvent(new Event('input'));
    }
    expect($('opacity-value').textContent).toBe('70 %');
    await vi.waitFor(() => expect(savedSettings()?.opacity).toBe(0.55));
    expect(fake.storage.sync.writes.length).toBe(1);
    slider.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(savedSettings()?.opacity).toBe(0.7));
  });

  it('"check every map automatically" shows the stored choice and stores a change', async () => {
    await openPopup(worker());
    const box = $<HTMLInputElement>('check-automatically');
    await vi.waitFor(() => expect($('layer').title).toBe(DEEP));
    expect(box.checked).toBe(false);
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(savedSettings()?.checkAutomatically).toBe(true));
    await openPopup(worker());
    await vi.waitFor(() => expect($<HTMLInputElement>('check-automatically').checked).toBe(false)); // a new fake storage
  });

  it('the first-run view shows until dismissed, and the dismissal is stored', async () => {
    await openPopup(worker());
    await vi.waitFor(() => expect($('welcome').hidden).toBe(false));
    $('welcome-dismiss').click();
    expect($('welcome').hidden).toBe(true);
    await vi.waitFor(() => expect(fake.storage.local.data.welcomed).toBe(true));

    await openPopup(worker(), { welcomed: true });
    await vi.waitFor(() => expect($('layer').title).toBe(DEEP));
    expect($('welcome').hidden).toBe(true);
  });

  it('a worker that does not answer: the popup says so, and the layer menu is disabled with the reason', async () => {
    await openPopup(() => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    });
    await vi.waitFor(() => expect($<HTMLSelectElement>('layer-select').disabled).toBe(true));
    expect($('model').textContent).toBe('the extension did not answer');
    expect($<HTMLSelectElement>('layer-select').options[0].textContent).toBe('the extension did not answer');
  });

  it('a model that cannot list its layers: the menu shows the worker’s reason', async () => {
    await openPopup(worker({ layers: () => ({ ok: false, error: 'no 4-D convolutional activation before the head' }) }));
    await vi.waitFor(() => expect($<HTMLSelectElement>('layer-select').disabled).toBe(true));
    expect($<HTMLSelectElement>('layer-select').options[0].textContent).toBe('no 4-D convolutional activation before the head');
  });
});
