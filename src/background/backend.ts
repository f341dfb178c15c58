// Starts a TensorFlow.js backend: WebGL first (set explicitly), then WASM, then CPU,
// and reports why the preferred one was not used so the popup can say so.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'webgl' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  /** Why an earlier backend in the preference list was skipped; null when the first choice works. */
  note: string | null;
  /** WebGL's unmasked renderer (e.g. "SwiftShader"), null for other backends. */
  renderer: string | null;
}

export const BACKEND_PREFERENCE: BackendName[] = ['webgl', 'wasm', 'cpu'];

/** Where the WASM backend's .wasm files are, as an absolute URL prefix. */
export function configureWasm(wasmDirUrl: string): void {
  // A service worker has no URL.createObjectURL, which the threaded build needs.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(wasmDirUrl);
}

export async function startBackend(preference: BackendName[] = BACKEND_PREFERENCE): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of preference) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        // Run one op: some backends initialise lazily and fail on first use.
        tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
        return { backend: name, note: skipped.length ? skipped.join('; ') : null, renderer: name === 'webgl' ? webglRenderer() : null };
      }
      skipped.push(`${name} could not start`);
    } catch (e) {
      skipped.push(`${name} failed: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${skipped.join('; ')})`);
}

function webglRenderer(): string | null {
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}
