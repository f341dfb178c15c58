import { describe, expect, it } from 'vitest';
import type { Status } from '../../src/core/messages';
import { camNote, describeBackend, describeExplainAll, describeModelLoad, describeTimings, layerOptions, methodOptions } from '../../src/ui/format';
import type { ModelStatus } from '../../src/core/messages';
import { englishTranslate as en } from './helpers/englishTranslate';

function status(overrides: Partial<Status> = {}): Status {
  return {
    modelId: 'm',
    modelName: 'Model',
    modelLoaded: true,
    modelLoadMs: 90,
    modelWarmupMs: 12,
    models: [],
    backend: 'webgl',
    backendSetting: 'auto',
    backendMeasurements: null,
    backendNote: null,
    renderer: null,
    lastTimingsMs: null,
    ...overrides,
  };
}

describe('describeBackend', () => {
  it('says the model starts later when it is not loaded', () => {
    expect(describeBackend(status({ modelLoaded: false, backend: null }), en)).toBe('starts with the first explanation');
    // Not loaded wins even if a backend name is present.
    expect(describeBackend(status({ modelLoaded: false, backend: 'webgl' }), en)).toBe('starts with the first explanation');
  });

  it('treats a loaded model without a backend as not started', () => {
    expect(describeBackend(status({ modelLoaded: true, backend: null }), en)).toBe('starts with the first explanation');
  });

  it('names WebGL', () => {
    expect(describeBackend(status({ backend: 'webgl' }), en)).toBe('WebGL');
  });

  it('names WebAssembly', () => {
    expect(describeBackend(status({ backend: 'wasm' }), en)).toBe('WebAssembly');
  });

  it('names the CPU backend as slow', () => {
    expect(describeBackend(status({ backend: 'cpu' }), en)).toBe('CPU (slow)');
  });
});

describe('describeTimings', () => {
  it('says none yet for null', () => {
    expect(describeTimings(null, en)).toBe('none yet');
  });

  it('says none yet when total is missing', () => {
    expect(describeTimings({}, en)).toBe('none yet');
    expect(describeTimings({ infer: 10, cam: 2 }, en)).toBe('none yet');
  });

  it('rounds the total and lists the other parts in order, rounded', () => {
    expect(describeTimings({ total: 123.6, fetch: 40.4, infer: 70.5, cam: 2.49 }, en)).toBe('124 ms (fetch 40, infer 71, cam 2)');
  });

  it('excludes total from the parts list wherever it appears', () => {
    expect(describeTimings({ decode: 5.2, total: 9.9, render: 4.7 }, en)).toBe('10 ms (decode 5, render 5)');
  });

  it('omits the parentheses when total is the only entry', () => {
    expect(describeTimings({ total: 0.4 }, en)).toBe('0 ms');
  });
});

describe('methodOptions and camNote', () => {
  const model = (camApplies: boolean | null): ModelStatus => ({
    id: 'm', name: 'M', format: 'layers', layer: camApplies === null ? null : 'out_relu', camApplies, camUnavailable: camApplies === false ? 'the head has 3 dense layers' : null,
  });

  it('offers automatic plus all nine methods', () => {
    const options = methodOptions(model(true), en);
    expect(options.map((o) => o.value)).toEqual(['auto', 'cam', 'gradcam', 'gradcampp', 'xgradcam', 'hirescam', 'layercam', 'eigencam', 'scorecam', 'ablationcam']);
    expect(options.some((o) => o.disabled)).toBe(false);
  });

  it('disables only CAM when the head is not linear, and says why', () => {
    const options = methodOptions(model(false), en);
    expect(options.filter((o) => o.disabled).map((o) => o.value)).toEqual(['cam']);
    expect(options[0].label).toMatch(/Grad-CAM/);
    expect(camNote(model(false), en)).toMatch(/CAM does not apply.*3 dense layers.*Grad-CAM/);
  });

  it('keeps CAM selectable while the model is not loaded yet, with no note', () => {
    expect(methodOptions(model(null), en).find((o) => o.value === 'cam')!.disabled).toBe(false);
    expect(camNote(model(null), en)).toBeNull();
    expect(camNote(undefined, en)).toBeNull();
  });

  it('marks the many-pass methods as slow', () => {
    const labels = Object.fromEntries(methodOptions(model(true), en).map((o) => [o.value, o.label]));
    expect(labels.scorecam).toMatch(/slow/);
    expect(labels.gradcam).not.toMatch(/slow/);
  });
});

describe('describeExplainAll', () => {
  const p = (done: number, failed: number, total: number, extra: { cancelled?: boolean; finished?: boolean } = {}) => ({
    done, failed, total, cancelled: extra.cancelled ?? false, finished: extra.finished ?? false,
  });

  it('says nothing before a run, and when there is nothing to do', () => {
    expect(describeExplainAll(null, en)).toBe('');
    expect(describeExplainAll(p(0, 0, 0, { finished: true }), en)).toBe('No images large enough to explain on this page.');
  });

  it('counts finished images while running, with failures', () => {
    expect(describeExplainAll(p(3, 0, 8), en)).toBe('Explaining… 3 of 8 images');
    expect(describeExplainAll(p(6, 1, 8), en)).toBe('Explaining… 7 of 8 images (1 could not be explained)');
  });

  it('says how it ended', () => {
    expect(describeExplainAll(p(7, 1, 8, { finished: true }), en)).toBe('Done: 8 of 8 images (1 could not be explained).');
    expect(describeExplainAll(p(2, 0, 8, { cancelled: true, finished: true }), en)).toBe('Cancelled after 2 of 8 images.');
  });
});

describe('layerOptions', () => {
  const scope = 'StatefulPartitionedCall/model/MobilenetV2/';
  const reply = {
    automatic: `${scope}Conv_1/Relu6`,
    layers: [
      { name: `${scope}Conv_1/Relu6`, shape: [7, 7, 1792] },
      { name: `${scope}expanded_conv_12/expand/Relu6`, shape: [14, 14, 816] },
      { name: `${scope}expanded_conv/depthwise/depthwise`, shape: [112, 112, null] },
    ],
  };

  it('automatic first, then each layer without the shared scope, with its shape', () => {
    expect(layerOptions(reply, undefined, en)).toEqual([
      { value: '', label: 'Automatic: Conv_1/Relu6 · 7×7×1792', title: `${scope}Conv_1/Relu6` },
      { value: `${scope}Conv_1/Relu6`, label: 'Conv_1/Relu6 · 7×7×1792', title: `${scope}Conv_1/Relu6` },
      { value: `${scope}expanded_conv_12/expand/Relu6`, label: 'expanded_conv_12/expand/Relu6 · 14×14×816', title: `${scope}expanded_conv_12/expand/Relu6` },
      { value: `${scope}expanded_conv/depthwise/depthwise`, label: 'expanded_conv/depthwise/depthwise · 112×112×?', title: `${scope}expanded_conv/depthwise/depthwise` },
    ]);
  });

  it('a stored choice the model no longer has is listed, and says so', () => {
    const options = layerOptions(reply, `${scope}gone/Relu`, en);
    expect(options[options.length - 1]).toEqual({ value: `${scope}gone/Relu`, label: 'gone/Relu (not in this model)', title: `${scope}gone/Relu` });
  });

  it('Keras layer names have no scope to drop', () => {
    const keras = { automatic: 'out_relu', layers: [{ name: 'out_relu', shape: [7, 7, 1280] }, { name: 'Conv_1', shape: [7, 7, 1280] }] };
    expect(layerOptions(keras, 'Conv_1', en).map((o) => o.label)).toEqual(['Automatic: out_relu · 7×7×1280', 'out_relu · 7×7×1280', 'Conv_1 · 7×7×1280']);
  });
});

describe('describeModelLoad', () => {
  it('load and warm-up in whole milliseconds, or that the model is not loaded', () => {
    expect(describeModelLoad(status({ modelLoadMs: 94.4, modelWarmupMs: 12.6 }), en)).toBe('94 ms, then 13 ms warm-up (first run, kernel compilation)');
    expect(describeModelLoad(status({ modelLoaded: false, modelLoadMs: null, modelWarmupMs: null }), en)).toBe('not loaded yet');
    // Loaded by an explanation, whose forward pass was the first run: no warm-up pass to tell.
    expect(describeModelLoad(status({ modelLoadMs: 94.4, modelWarmupMs: null }), en)).toBe("94 ms; no warm-up pass (the first explanation was the model's first run)");
  });
});
