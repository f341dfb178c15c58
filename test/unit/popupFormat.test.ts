import { describe, expect, it } from 'vitest';
import type { Status } from '../../src/core/messages';
import { describeBackend, describeTimings } from '../../src/popup/format';

function status(overrides: Partial<Status> = {}): Status {
  return {
    modelId: 'm',
    modelName: 'Model',
    modelLoaded: true,
    backend: 'webgl',
    backendNote: null,
    renderer: null,
    lastTimingsMs: null,
    ...overrides,
  };
}

describe('describeBackend', () => {
  it('says the model starts later when it is not loaded', () => {
    expect(describeBackend(status({ modelLoaded: false, backend: null }))).toBe('starts with the first explanation');
    // Not loaded wins even if a backend name is present.
    expect(describeBackend(status({ modelLoaded: false, backend: 'webgl' }))).toBe('starts with the first explanation');
  });

  it('treats a loaded model without a backend as not started', () => {
    expect(describeBackend(status({ modelLoaded: true, backend: null }))).toBe('starts with the first explanation');
  });

  it('names WebGL', () => {
    expect(describeBackend(status({ backend: 'webgl' }))).toBe('WebGL');
  });

  it('names WebAssembly', () => {
    expect(describeBackend(status({ backend: 'wasm' }))).toBe('WebAssembly');
  });

  it('names the CPU backend as slow', () => {
    expect(describeBackend(status({ backend: 'cpu' }))).toBe('CPU (slow)');
  });
});

describe('describeTimings', () => {
  it('says none yet for null', () => {
    expect(describeTimings(null)).toBe('none yet');
  });

  it('says none yet when total is missing', () => {
    expect(describeTimings({})).toBe('none yet');
    expect(describeTimings({ infer: 10, cam: 2 })).toBe('none yet');
  });

  it('rounds the total and lists the other parts in order, rounded', () => {
    expect(describeTimings({ total: 123.6, fetch: 40.4, infer: 70.5, cam: 2.49 })).toBe('124 ms (fetch 40, infer 71, cam 2)');
  });

  it('excludes total from the parts list wherever it appears', () => {
    expect(describeTimings({ decode: 5.2, total: 9.9, render: 4.7 })).toBe('10 ms (decode 5, render 5)');
  });

  it('omits the parentheses when total is the only entry', () => {
    expect(describeTimings({ total: 0.4 })).toBe('0 ms');
  });
});
