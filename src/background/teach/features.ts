// An example's features: each Teach view of the picture (src/core/teach/views.ts) through the bundled
// backbone, pooled over the 7×7 map of its last convolution (what the head's global average pooling
// computes), in one batch; plus the thumbnail the Teach page shows (the central square, small).
import * as tf from '@tensorflow/tfjs';
import { findModel, type ModelEntry } from '../../core/catalog';
import { dataUrlOf } from '../../core/bytes';
import { mirrorRgba, teachViews, VIEW_COUNT } from '../../core/teach/views';
import { TEACH_IMAGE_SIZE } from '../../core/teach/tmExport';
import type { ExplainableModel } from '../explainable';
import { resizeToRgba } from '../pixels';
import { pixelsToInput } from '../preprocess';

/** The bundled MobileNetV2 1.4 whose last convolution (7×7×1792) the heads are trained on. */
export const BACKBONE_ID = 'nsfw-mobilenet-v2-mid';
export const FEATURE_DIM = 1792;
/** Stored with the features: features of another backbone, or of other views, cannot be mixed. */
export const FEATURES_KEY = `${BACKBONE_ID}/${FEATURE_DIM}/views-${VIEW_COUNT}`;
const THUMB_SIZE = 96;

export function backboneEntry(): ModelEntry {
  const entry = findModel(BACKBONE_ID);
  if (!entry || entry.installed) throw new Error(`the bundled backbone ${BACKBONE_ID} is missing`);
  return entry;
}

/** VIEW_COUNT × FEATURE_DIM pooled features of a decoded picture. */
export async function viewFeatures(model: ExplainableModel, bitmap: ImageBitmap): Promise<Float32Array> {
  const size = TEACH_IMAGE_SIZE;
  const { pixelScaling, normalization } = model.entry;
  const inputs: tf.Tensor4D[] = [];
  let pooled: tf.Tensor;
  try {
    for (const view of teachViews(bitmap.width, bitmap.height)) {
      const rgba = resizeToRgba(bitmap, size, size, view.crop);
      inputs.push(pixelsToInput(view.flip ? mirrorRgba(rgba, size, size) : rgba, size, size, pixelScaling, normalization));
    }
    pooled = tf.tidy(() => {
      const { features } = model.forward(tf.concat(inputs) as tf.Tensor4D);
      const [, h, w, k] = features.shape;
      if (k !== FEATURE_DIM || h !== 7 || w !== 7) throw new Error(`the backbone gives ${h}×${w}×${k} features, not 7×7×${FEATURE_DIM}`);
      return features.mean([1, 2]);
    });
  } finally {
    tf.dispose(inputs);
  }
  try {
    return Float32Array.from(await pooled.data());
  } finally {
    pooled.dispose();
  }
}

/** The central square as a small JPEG data URL. */
export async function thumbnail(bitmap: ImageBitmap): Promise<string> {
  const square = teachViews(bitmap.width, bitmap.height)[0].crop;
  const canvas = new OffscreenCanvas(THUMB_SIZE, THUMB_SIZE);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, THUMB_SIZE, THUMB_SIZE);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, square.x, square.y, square.width, square.height, 0, 0, THUMB_SIZE, THUMB_SIZE);
  return dataUrlOf(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 }));
}
