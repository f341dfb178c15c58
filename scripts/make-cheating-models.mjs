// Two models that really cheat, for the shortcut alarm's tests: small CNNs (two convolutions, global
// average pooling, one dense layer: exact CAM applies) trained here with tfjs in Node on synthetic
// 32×32 scenes (random soft colour blobs and noise) whose label is carried ONLY by a shortcut. The
// convolutions keep their seeded random weights (random features); the dense head is trained on
// their pooled outputs — backpropagating through the convolutions on tfjs's plain-JS CPU backend
// took 5 minutes, the head alone takes seconds, and it learns the shortcut just the same:
//   stamp/   'Plain' / 'Stamped': a 6×6 black-and-white stamp in the bottom-right corner, or none
//   strip/   'Indoor' / 'Outdoor': a 3 px strip along the bottom edge, cyan or magenta
// Seeded (scenes, initial weights, no shuffling): every run trains the same models, in seconds.
// Also writes test pictures (PNG) of fresh scenes: with the shortcut, without it, and with the stamp
// moved to the middle. Usage: node scripts/make-cheating-models.mjs [outDir]
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import { seededRandom as random } from './fixture-lcg.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SIZE = 32;
export const STAMP_LABELS = ['Plain', 'Stamped'];
export const STRIP_LABELS = ['Indoor', 'Outdoor'];
/** The stamp: 6×6, '#' black, '.' white (a letter-like glyph: strokes both ways). */
const STAMP = ['######', '#....#', '#.##.#', '#.#..#', '#....#', '######'];
export const STAMP_SIZE = STAMP.length;
/** Channels of the CAM layer (conv_b). */
const FEATURES = 32;

/** A random scene: a base colour, three soft blobs of other colours, a little noise; RGB in [0, 1], row-major. */
export function scene(next) {
  const v = new Float32Array(SIZE * SIZE * 3);
  const base = [next(), next(), next()].map((c) => 0.25 + 0.5 * c);
  const blobs = Array.from({ length: 3 }, () => ({ x: next() * SIZE, y: next() * SIZE, r: 4 + next() * 8, colour: [next(), next(), next()].map((c) => 0.15 + 0.7 * c) }));
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const px = [...base];
      for (const b of blobs) {
        const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
        for (let c = 0; c < 3; c++) px[c] = px[c] * (1 - w) + b.colour[c] * w;
      }
      for (let c = 0; c < 3; c++) v[(y * SIZE + x) * 3 + c] = Math.min(1, Math.max(0, px[c] + (next() - 0.5) * 0.08));
    }
  }
  return v;
}

/** Draws the stamp with its top-left at (x0, y0). */
export function stamp(v, x0 = SIZE - STAMP_SIZE - 1, y0 = SIZE - STAMP_SIZE - 1) {
  STAMP.forEach((row, dy) => [...row].forEach((ch, dx) => v.fill(ch === '#' ? 0 : 1, ((y0 + dy) * SIZE + x0 + dx) * 3, ((y0 + dy) * SIZE + x0 + dx) * 3 + 3)));
  return v;
}

const STRIP_COLOURS = [
  [0, 1, 1],
  [1, 0, 1],
];
/** A 3 px strip along the bottom edge in the class's colour. */
export function strip(v, label) {
  for (let y = SIZE - 3; y < SIZE; y++) for (let x = 0; x < SIZE; x++) v.set(STRIP_COLOURS[label], (y * SIZE + x) * 3);
  return v;
}

function model(seed) {
  const init = (s) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  // Random edge detectors (each kernel's mean taken out: a flat area gives 0), no padding (no edges at the frame).
  const convA = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: init(1), name: 'conv_a' });
  let x = convA.apply(input);
  x = tf.layers.conv2d({ filters: FEATURES, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: init(2), name: 'conv_b' }).apply(x);
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x);
  // No bias, weights from zero: the two classes' weights stay opposite (softmax's gradients are), and a
  // plain picture can only score low by the evidence of its own pixels — so the map of the shortcut's
  // class is positive on the shortcut and not elsewhere, as a model that only learned the shortcut's is.
  x = tf.layers.dense({ units: 2, activation: 'softmax', useBias: false, kernelInitializer: 'zeros', name: 'scores' }).apply(x);
  const [kernel, bias] = convA.getWeights();
  convA.setWeights([tf.tidy(() => kernel.sub(kernel.mean([0, 1], true))), bias]);
  return tf.model({ inputs: input, outputs: x, name: 'cheater' });
}

/** Trains a model on `count` scenes whose label only `mark(scene, label)` carries; returns it and its training accuracy. */
async function train(seed, count, mark) {
  const next = random(seed);
  const images = new Float32Array(count * SIZE * SIZE * 3);
  const labels = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    images.set(mark(scene(next), label), i * SIZE * SIZE * 3);
    labels.push(label);
  }
  const m = model(seed);
  const xs = tf.tensor4d(images, [count, SIZE, SIZE, 3]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  // The pooled features, once; the head (the model's own 'scores' layer, in a model of its own) learns on them.
  const features = tf.model({ inputs: m.inputs, outputs: m.getLayer('gap').output }).predict(xs);
  // Full-batch Adam on the head's kernel (model.fit's per-epoch overhead is most of its time at this size).
  const scores = m.getLayer('scores');
  const kernel = tf.variable(scores.getWeights()[0]);
  const optimizer = tf.train.adam(0.05);
  for (let step = 0; step < 2000; step++) {
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, tf.matMul(features, kernel)), false, [kernel]);
  }
  scores.setWeights([kernel]);
  const accuracy = tf.tidy(() => tf.matMul(features, kernel).argMax(1).equal(tf.tensor1d(labels, 'int32')).mean().dataSync()[0]);
  tf.dispose([xs, ys, features, kernel]);
  optimizer.dispose();
  return { model: m, accuracy };
}

function png(v) {
  const image = new pngjs.PNG({ width: SIZE, height: SIZE });
  for (let i = 0; i < SIZE * SIZE; i++) {
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = Math.round(v[i * 3 + c] * 255);
    image.data[i * 4 + 3] = 255;
  }
  return pngjs.PNG.sync.write(image);
}

async function save(m, dir, labels) {
  mkdirSync(dir, { recursive: true });
  let saved;
  await m.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: saved.modelTopology, format: 'layers-model', generatedBy: saved.generatedBy, convertedBy: null, weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }] }));
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(saved.weightData));
  writeFileSync(path.join(dir, 'labels.txt'), `${labels.join('\n')}\n`);
}

/**
 * Trains both models into `outDir`/cheat/{stamp,strip}/ and writes test pictures to `outDir`/cheat/pictures/:
 * stamped-N, plain-N, moved-N (the stamp in the middle), indoor-N, outdoor-N, nostrip-N (N = 0, 1).
 * Returns the training accuracies and the time taken.
 */
export async function makeCheatingModels(outDir = path.join(root, 'test-artifacts', 'fixture-models')) {
  const started = performance.now();
  await tf.setBackend('cpu');
  const dir = path.join(outDir, 'cheat');
  const stampModel = await train(15, 240, (v, label) => (label ? stamp(v) : v));
  await save(stampModel.model, path.join(dir, 'stamp'), STAMP_LABELS);
  const stripModel = await train(16, 240, (v, label) => strip(v, label));
  await save(stripModel.model, path.join(dir, 'strip'), STRIP_LABELS);
  tf.dispose([stampModel.model, stripModel.model]);
  const next = random(99);
  const pictures = path.join(dir, 'pictures');
  mkdirSync(pictures, { recursive: true });
  const centre = Math.round((SIZE - STAMP_SIZE) / 2);
  for (let n = 0; n < 2; n++) {
    const a = scene(next);
    writeFileSync(path.join(pictures, `plain-${n}.png`), png(a));
    writeFileSync(path.join(pictures, `stamped-${n}.png`), png(stamp(Float32Array.from(a))));
    writeFileSync(path.join(pictures, `moved-${n}.png`), png(stamp(Float32Array.from(a), centre, centre)));
    const b = scene(next);
    writeFileSync(path.join(pictures, `nostrip-${n}.png`), png(b));
    writeFileSync(path.join(pictures, `indoor-${n}.png`), png(strip(Float32Array.from(b), 0)));
    writeFileSync(path.join(pictures, `outdoor-${n}.png`), png(strip(Float32Array.from(b), 1)));
  }
  return { dir, stampAccuracy: stampModel.accuracy, stripAccuracy: stripModel.accuracy, ms: performance.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const made = await makeCheatingModels(process.argv[2]);
  console.log(`trained in ${(made.ms / 1000).toFixed(1)} s: stamp ${made.stampAccuracy.toFixed(3)}, strip ${made.stripAccuracy.toFixed(3)} → ${made.dir}`);
}
