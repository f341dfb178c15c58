import { describe, expect, it } from 'vitest';
import {
  browserIdentity, decisionIsCurrent, describeMeasurements, isSoftwareRenderer, pickFastest, preferenceFor, skipsMeasuring, type BackendDecision,
} from '../../src/core/backendChoice';
import { englishTranslate } from './helpers/englishTranslate';

describe('pickFastest', () => {
  it('picks the lowest median among the backends that ran', () => {
    expect(pickFastest([{ backend: 'webgl', ms: 61 }, { backend: 'wasm', ms: 9 }, { backend: 'webgpu', ms: null, error: 'no adapter' }])).toBe('wasm');
    expect(pickFastest([{ backend: 'webgl', ms: 3 }, { backend: 'wasm', ms: 9 }])).toBe('webgl');
  });

  it('breaks ties in favour of the GPU backends, and falls back to CPU when nothing ran', () => {
    expect(pickFastest([{ backend: 'wasm', ms: 5 }, { backend: 'webgl', ms: 5 }])).toBe('webgl');
    expect(pickFastest([{ backend: 'webgl', ms: null }, { backend: 'wasm', ms: Number.NaN }])).toBe('cpu');
    expect(pickFastest([])).toBe('cpu');
  });
});

describe('decisions', () => {
  const decision: BackendDecision = { browser: 'Chrome/156.0.8078.73', choice: 'wasm', measurements: [], measuredAt: 1 };

  it('is current only for the same browser version and a known backend', () => {
    expect(decisionIsCurrent(decision, 'Chrome/156.0.8078.73')).toBe(true);
    expect(decisionIsCurrent(decision, 'Chrome/157.0.1.1')).toBe(false);
    expect(decisionIsCurrent({ ...decision, choice: 'metal' as never }, 'Chrome/156.0.8078.73')).toBe(false);
    expect(decisionIsCurrent(undefined, 'Chrome/156.0.8078.73')).toBe(false);
  });

  it('reads the browser version from a user agent', () => {
    expect(browserIdentity('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36')).toBe('Chrome/156.0.8078.73');
    expect(browserIdentity('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox/128.0');
  });

  it('tries the chosen backend first, then the usual fallbacks without repeating it', () => {
    expect(preferenceFor('wasm')).toEqual(['wasm', 'webgl', 'cpu']);
    expect(preferenceFor('webgpu')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(preferenceFor('cpu')).toEqual(['cpu', 'webgl', 'wasm']);
  });
});

describe('describing measurements', () => {
  it('recognises software renderers', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)')).toBe(false);
    expect(isSoftwareRenderer(null)).toBe(false);
  });

  it('lists the backends fastest first, with the renderer and unavailable ones last', () => {
    const text = describeMeasurements([
      { backend: 'webgpu', ms: null, error: 'no adapter' },
      { backend: 'webgl', ms: 61.4, renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)' },
      { backend: 'wasm', ms: 9.2 },
    ], englishTranslate);
    expect(text).toBe('WebAssembly 9 ms · WebGL (SwiftShader, software) 61 ms · WebGPU unavailable');
  });
});

describe('software GPU backends', () => {
  const swiftShader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)';
  const nvidia = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)';
  const wasmRan = [{ backend: 'wasm' as const, ms: 12 }];

  it('are not measured while WebAssembly runs; a real GPU, or no WebAssembly, is', () => {
    expect(skipsMeasuring('webgl', swiftShader, wasmRan)).toBe(true);
    expect(skipsMeasuring('webgpu', 'SwiftShader Device', wasmRan)).toBe(true);
    expect(skipsMeasuring('webgl', nvidia, wasmRan)).toBe(false);
    expect(skipsMeasuring('webgl', swiftShader, [{ backend: 'wasm', ms: null, error: 'no WebAssembly' }])).toBe(false);
    expect(skipsMeasuring('webgl', swiftShader, [])).toBe(false);
    expect(skipsMeasuring('cpu', swiftShader, wasmRan)).toBe(false);
  });

  it('are described as not measured, never picked', () => {
    const measurements = [{ backend: 'wasm' as const, ms: 12 }, { backend: 'webgl' as const, ms: null, renderer: swiftShader, skipped: 'software' as const }];
    expect(describeMeasurements(measurements, englishTranslate)).toBe('WebAssembly 12 ms · WebGL (SwiftShader, software) not measured (software rendering: WebAssembly is faster)');
    expect(pickFastest(measurements)).toBe('wasm');
  });
});
