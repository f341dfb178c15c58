// The yardstick for issue #12: the leanest honest MV3 extension doing CAM Lens's right-click → map with
// the same model on the same backend (WASM, single-threaded SIMD). No cache, no panel, no checks.
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const SIZE = 224;
const FEATURES = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/MobilenetV2/Conv_1/Relu6';
const SOFTMAX = 'StatefulPartitionedCall/sequential/prediction/Softmax';
const DENSE = 'Func/StatefulPartitionedCall/input/_262'; // [1792, 5]
const now = () => performance.timeOrigin + performance.now();

// A service worker has no URL.createObjectURL, which the threaded build needs (the product does the same).
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setWasmPaths(chrome.runtime.getURL('wasm/'));

const ready = (async () => {
  await tf.setBackend('wasm');
  const model = await loadGraphModel(chrome.runtime.getURL('models/nsfw-mobilenet-v2-mid/model.json'));
  // Warm-up, as the product warms its model up before the first map.
  tf.tidy(() => model.execute(tf.zeros([1, SIZE, SIZE, 3]), [FEATURES, SOFTMAX]).forEach((t) => t.dataSync()));
  return { model, dense: model.weights[DENSE][0] };
})();

chrome.runtime.onInstalled.addListener(() => chrome.contextMenus.create({ id: 'map', title: 'Map this image', contexts: ['image'] }));
chrome.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab).catch(() => undefined));

async function pixels(url) {
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  const ctx = new OffscreenCanvas(SIZE, SIZE).getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0, SIZE, SIZE);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, SIZE, SIZE).data;
  const rgb = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4) {
    rgb[j++] = rgba[i] / 255;
    rgb[j++] = rgba[i + 1] / 255;
    rgb[j++] = rgba[i + 2] / 255;
  }
  return rgb;
}

/** CAM of the top class, min-max scaled to [0, 1]: 49 numbers, row-major 7×7. */
async function camMap(rgb) {
  const { model, dense } = await ready;
  const [maps, probs] = tf.tidy(() => {
    const [features, softmax] = model.execute(tf.tensor4d(rgb, [1, SIZE, SIZE, 3]), [FEATURES, SOFTMAX]);
    const [, h, w, k] = features.shape;
    // Σ_k w_k^c A_k for every class at once: one [49, 1792] × [1792, 5] product.
    return [tf.matMul(tf.reshape(features, [h * w, k]), dense), softmax];
  });
  const [all, p] = await Promise.all([maps.data(), probs.data()]);
  maps.dispose();
  probs.dispose();
  const classes = p.length;
  const top = p.indexOf(Math.max(...p));
  const cam = Array.from({ length: all.length / classes }, (_, i) => all[i * classes + top]);
  const lo = Math.min(...cam);
  const span = Math.max(...cam) - lo || 1;
  return cam.map((v) => (v - lo) / span);
}

/** The menu handler, and the benchmark's seam: resolves once the content script has painted the map. */
async function onMenuClick(info, tab) {
  const menu = now();
  const rgb = await pixels(info.srcUrl);
  const image = now() - menu;
  const map = await camMap(rgb);
  const workerTotal = now() - menu;
  const reply = await chrome.tabs.sendMessage(tab.id, { src: info.srcUrl, map }, { frameId: info.frameId ?? 0 });
  if (!reply?.painted) throw new Error(reply?.error ?? 'no reply from the page');
  return { menu, painted: reply.painted, workerTotal, image };
}

globalThis.minimal = { onMenuClick, ready };
