// Benchmark-only offscreen document (bundled by scripts/bench-offscreen.mjs into a variant build, never
// into dist/): hosts the default model on tfjs's WASM backend with the thread count from its URL
// (?threads=off: the single-threaded SIMD build the worker uses; ?threads=N: the threaded build with N
// threads) and answers the worker's requests. Numbers only; nothing here is product code.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { defaultModel, modelPath } from '../src/core/catalog';
import { scoresFromLogits } from '../src/background/explainable';
import { explainableFrom } from '../src/background/modelLoad';
import { pixelsToInput } from '../src/background/preprocess';

const pageLoadedAt = Date.now();
const threads = new URLSearchParams(location.search).get('threads') ?? 'off';

async function start() {
  if (threads === 'off') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else {
    setThreadsCount(Number(threads));
    // tfjs 4.22 caps the threads at navigator.hardwareConcurrency / 2 (it assumes two hyperthreads per
    // core): 1 on this 2-core machine. To measure N threads, the document reports 2N logical cores.
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: Math.max(navigator.hardwareConcurrency, 2 * Number(threads)) });
  }
  // Read by the patched backend (see scripts/bench-offscreen.mjs): the threads' script, from the extension.
  (globalThis as Record<string, unknown>).THREADED_MAIN_SCRIPT_URL = chrome.runtime.getURL('wasm/tfjs-backend-wasm-threaded-simd.js');
  (globalThis as Record<string, unknown>).THREADED_WORKER_URL = chrome.runtime.getURL('wasm/tfjs-backend-wasm-threaded-simd.worker.js');
  setWasmPaths(chrome.runtime.getURL('wasm/'));
  const t0 = performance.now();
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not start');
  await tf.ready();
  const backendMs = performance.now() - t0;
  const entry = defaultModel();
  const t1 = performance.now();
  const model = await explainableFrom(entry, await tf.io.http(chrome.runtime.getURL(modelPath(entry.id))).load!());
  const loadMs = performance.now() - t1;
  const t2 = performance.now();
  await infer(model, new Uint8Array(entry.inputSize.width * entry.inputSize.height * 4));
  const warmupMs = performance.now() - t2;
  return { model, entry, backendMs, loadMs, warmupMs };
}

type Hosted = Awaited<ReturnType<typeof start>>;

/** As the worker's explainer does: input → forward → scores read back; plus the CAM map (features · class weights). */
async function infer(model: Hosted['model'], rgba: Uint8Array) {
  const { width, height } = model.entry.inputSize;
  const input = pixelsToInput(rgba, width, height, model.entry.pixelScaling, model.entry.normalization);
  const [features, scores] = tf.tidy(() => {
    const out = model.forward(input);
    return [out.features, scoresFromLogits(model, out.logits)] as const;
  });
  const probabilities = Array.from((await scores.data()) as Float32Array);
  const top = probabilities.indexOf(Math.max(...probabilities));
  const weights = model.camWeights;
  const map = weights
    ? await tf.tidy(() => {
        const [, h, w, c] = features.shape;
        return features.reshape([h * w, c]).matMul(weights.gather([top], 1)).reshape([h, w]);
      }).array()
    : null;
  tf.dispose([input, features, scores]);
  return { probabilities, top, map };
}

/** What blocked the threaded build, if anything: CSP violations and uncaught errors seen by this document. */
const problems: string[] = [];
addEventListener('securitypolicyviolation', (e) => problems.push(`CSP ${e.effectiveDirective} blocked ${e.blockedURI}`));
addEventListener('error', (e) => problems.push(`error: ${e.message}`));
addEventListener('unhandledrejection', (e) => problems.push(`rejection: ${String(e.reason?.message ?? e.reason)}`));
let state = 'starting';
const ready = start().then(
  (hosted) => ((state = 'ready'), hosted),
  (e) => {
    state = `failed: ${e?.message ?? e}`;
    throw e;
  },
);
function base64ToBytes(b64: string): Uint8Array {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// The other channel: the worker posts the pixels to this document as a window client (structured clone,
// the buffer transferred) and the answer goes back to the worker that sent them.
navigator.serviceWorker.addEventListener('message', (event) => {
  const source = event.source;
  if (event.origin !== location.origin || !(source instanceof ServiceWorker) || event.data?.target !== 'offscreen-bench') return;
  void (async () => {
    const hosted = await ready;
    const t = performance.now();
    const result = await infer(hosted.model, event.data.rgba);
    source.postMessage({ id: event.data.id, ...result, decodeMs: 0, ms: performance.now() - t });
  })();
});
navigator.serviceWorker.startMessages();

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (message?.target !== 'offscreen-bench' || sender.id !== chrome.runtime.id) return false;
  (async () => {
    if (message.kind === 'status' && state !== 'ready') return { error: `${state}${problems.length ? ` (${problems.join('; ')})` : ''}`, crossOriginIsolated: globalThis.crossOriginIsolated };
    const hosted = await ready;
    if (message.kind === 'status') {
      return {
        pageLoadedAt, threads, crossOriginIsolated: globalThis.crossOriginIsolated, sharedArrayBuffer: typeof SharedArrayBuffer,
        backend: tf.getBackend(), threadsCount: threads === 'off' ? 1 : getThreadsCount(), problems, hardwareConcurrency: navigator.hardwareConcurrency, backendMs: hosted.backendMs, loadMs: hosted.loadMs, warmupMs: hosted.warmupMs,
      };
    }
    if (message.kind === 'infer') {
      const t0 = performance.now();
      const rgba = base64ToBytes(message.rgba);
      const t1 = performance.now();
      const result = await infer(hosted.model, rgba);
      return { ...result, decodeMs: t1 - t0, ms: performance.now() - t1 };
    }
    if (message.kind === 'bench') {
      const rgba = base64ToBytes(message.rgba);
      const times: number[] = [];
      for (let i = 0; i < message.runs; i++) {
        const t = performance.now();
        await infer(hosted.model, rgba);
        times.push(performance.now() - t);
      }
      return { times };
    }
    throw new Error(`unknown request ${message.kind}`);
  })().then(reply, (e: Error) => reply({ error: e.message || String(e) }));
  return true;
});
