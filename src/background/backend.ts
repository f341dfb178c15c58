// Starts a TensorFlow.js backend and measures them: the worker runs on the fastest one that works
// here (see core/backendChoice), falls back in order when one cannot start, and says why.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientFallbacks } from './wasmGradients';
import { FALLBACK_ORDER, skipsMeasuring, type BackendMeasurement, type BackendName } from '../core/backendChoice';

export type { BackendName } from '../core/backendChoice';

export interface BackendInfo {
  backend: BackendName;
  /** Why an earlier backend in the preference list was skipped; null when the first choice works. */
  note: string | null;
  /** GPU renderer / adapter (e.g. "SwiftShader"), null for WASM and CPU. */
  renderer: string | null;
}

export const BACKEND_PREFERENCE: BackendName[] = FALLBACK_ORDER;

/** Where the WASM backend's .wasm files are, as an absolute URL prefix. */
export function configureWasm(wasmDirUrl: string): void {
  // A service worker has no URL.createObjectURL, which the threaded build needs.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(wasmDirUrl);
  registerWasmGradientFallbacks();
}

async function trySetBackend(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error('could not start');
  await tf.ready();
  // Run one op: some backends initialise lazily and fail on first use.
  tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
}

export async function startBackend(preference: BackendName[] = BACKEND_PREFERENCE): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of preference) {
    try {
      await trySetBackend(name);
      return { backend: name, note: skipped.length ? skipped.join('; ') : null, renderer: renderer(name) };
    } catch (e) {
      skipped.push(`${name} ${(e as Error).message || 'failed'}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${skipped.join('; ')})`);
}

function renderer(name: BackendName): string | null {
  try {
    if (name === 'webgl') {
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
      if (!gl) return null;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    }
    if (name === 'webgpu') {
      const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string; description?: string } }).adapterInfo;
      return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || null : null;
    }
  } catch {
    // The renderer string is informative only.
  }
  return null;
}

/**
 * A MobileNet-like block (1×1 expand, 3×3 depthwise, 1×1 project at 56×56×32), run to a readback.
 * Small enough for a first-run probe, shaped like the models' real work.
 */
function microBenchmark(): Promise<unknown> {
  const out = tf.tidy(() => {
    let x = tf.ones([1, 56, 56, 32]).mul(0.5) as tf.Tensor4D;
    const expand = tf.ones([1, 1, 32, 96]).mul(0.01) as tf.Tensor4D;
    const depthwise = tf.ones([3, 3, 96, 1]).mul(0.1) as tf.Tensor4D;
    const project = tf.ones([1, 1, 96, 32]).mul(0.01) as tf.Tensor4D;
    for (let i = 0; i < 3; i++) {
      const y = tf.relu6(tf.conv2d(x, expand, 1, 'same'));
      x = tf.conv2d(tf.relu6(tf.depthwiseConv2d(y, depthwise, 1, 'same')), project, 1, 'same').add(x) as tf.Tensor4D;
    }
    return x.mean();
  });
  return out.data().finally(() => out.dispose());
}

export async function measureBackend(name: BackendName, measured: BackendMeasurement[] = [], runs = 3): Promise<BackendMeasurement> {
  try {
    await trySetBackend(name);
    if (skipsMeasuring(name, renderer(name), measured)) return { backend: name, ms: null, renderer: renderer(name), skipped: 'software' };
    await microBenchmark(); // compile shaders / kernels
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await microBenchmark();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { backend: name, ms: times[Math.floor(times.length / 2)], renderer: renderer(name) };
  } catch (e) {
    return { backend: name, ms: null, error: (e as Error).message || 'failed' };
  }
}

/**
 * Measures every backend that starts here: WebAssembly first (quick to start), so that GPU backends
 * rendering in software need not compile their shaders; CPU only when WASM could not run (it is
 * never faster).
 */
export async function probeBackends(): Promise<BackendMeasurement[]> {
  const measurements: BackendMeasurement[] = [];
  for (const name of ['wasm', 'webgpu', 'webgl', 'cpu'] as const satisfies readonly BackendName[]) {
    if (name === 'cpu' && measurements.some((m) => m.backend === 'wasm' && m.ms !== null)) continue;
    measurements.push(await measureBackend(name, measurements));
  }
  return measurements;
}
