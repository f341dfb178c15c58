// A trained Teach head as a whole image classifier, in Teachable Machine's file layout: model.json,
// weights.bin and metadata.json. The model is the bundled backbone's own graph with four constants
// replaced, so its topology — and the exact-CAM head the finder recognises in it — stays as it was:
//   - the head's weights [K, C] and bias [C] become the trained ones (C = the user's classes);
//   - the input scaling (the backbone maps 0–1 pixels to −1–1 itself: x · 2 − 1) becomes x · 1 − 0,
//     so the model reads −1–1 pixels, as Teachable Machine's models do; the installer's automatic
//     choices for a Teachable Machine export (−1–1 pixels, central square, labels and image size from
//     metadata.json) are then the right ones, here and wherever the files are opened.
// All other weights are copied byte for byte (quantized as they were). Pure: no tfjs, no browser API.
import { concatBytes } from '../bytes';
import { findCamHead, type GraphNode } from '../camHead';
import type { ModelJson, WeightEntry } from '../modelSource';

export const TEACH_IMAGE_SIZE = 224;
export const WEIGHTS_FILE = 'weights.bin';

export interface TrainedHeadWeights {
  /** [features, classes], row-major. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** What metadata.json says (Teachable Machine's fields, and how the model was made in userMetadata). */
export interface TeachMetadata {
  tfjsVersion: string;
  packageName: string;
  packageVersion: string;
  timeStamp: string;
  modelName: string;
  labels: string[];
  imageSize: number;
  userMetadata: Record<string, unknown>;
}

export interface TeachableFiles {
  modelJson: ModelJson;
  weights: Uint8Array;
  metadata: TeachMetadata;
}

export class TeachExportError extends Error {}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, int8: 1, bool: 1 };

function entryBytes(w: WeightEntry): number {
  const size = BYTES[w.quantization ? w.quantization.dtype : w.dtype];
  if (!size) throw new TeachExportError(`weight ${w.name} has an unknown type ${w.dtype}`);
  return w.shape.reduce((a, b) => a * b, 1) * size;
}

const consumersOf = (nodes: GraphNode[], name: string) => nodes.filter((n) => (n.input ?? []).some((i) => i.replace(/:\d+$/, '') === name));

/** The constants of the head (weights [K, C] and bias [C]) and of the input scaling (x · mul − sub). */
export function backboneConstants(nodes: GraphNode[]): { kernel: string; bias: string; scaleMul: string; scaleSub: string } {
  const head = findCamHead(nodes);
  if (head.weightLayout !== 'KC') throw new TeachExportError(`the backbone's head weights are laid out ${head.weightLayout}, not [K, C]`);
  const dense = nodes.find((n) => n.op === '_FusedMatMul' && n.input?.[1] === head.weightNode);
  const bias = dense?.input?.[2];
  if (!bias) throw new TeachExportError("the backbone's head has no fused bias");
  const input = nodes.find((n) => n.op === 'Placeholder');
  const mul = input && consumersOf(nodes, input.name).find((n) => n.op === 'Mul');
  const sub = mul && consumersOf(nodes, mul.name).find((n) => n.op === 'Sub');
  const mulConst = mul?.input?.find((i) => i !== input?.name);
  const subConst = sub?.input?.[1];
  if (!mulConst || !subConst) throw new TeachExportError("the backbone's input scaling (x · 2 − 1) was not found");
  return { kernel: head.weightNode, bias, scaleMul: mulConst, scaleSub: subConst };
}

/**
 * The backbone with the trained head, as Teachable Machine's three files. `backboneWeights` is all
 * weight files of the backbone's manifest, concatenated in order.
 */
export function teachableFiles(
  backbone: { modelJson: ModelJson; weights: ArrayBuffer },
  head: TrainedHeadWeights,
  info: { name: string; labels: string[]; packageVersion: string; tfjsVersion: string; timeStamp: string; userMetadata: Record<string, unknown> },
): TeachableFiles {
  const nodes = (backbone.modelJson.modelTopology as { node?: GraphNode[] }).node;
  if (!Array.isArray(nodes)) throw new TeachExportError('the backbone is not a graph model');
  const names = backboneConstants(nodes);
  const classes = info.labels.length;
  if (classes < 2 || head.bias.length !== classes || head.kernel.length % classes !== 0) throw new TeachExportError(`the head's shape does not fit ${classes} classes`);
  const features = head.kernel.length / classes;

  const replaced = new Map<string, { shape: number[]; values: Float32Array }>([
    [names.kernel, { shape: [features, classes], values: head.kernel }],
    [names.bias, { shape: [classes], values: head.bias }],
    [names.scaleMul, { shape: [], values: Float32Array.of(1) }],
    [names.scaleSub, { shape: [], values: Float32Array.of(0) }],
  ]);
  const source = new Uint8Array(backbone.weights);
  const parts: Uint8Array[] = [];
  const weights: WeightEntry[] = [];
  let offset = 0;
  for (const entry of backbone.modelJson.weightsManifest.flatMap((g) => g.weights)) {
    const length = entryBytes(entry);
    if (offset + length > source.length) throw new TeachExportError(`the backbone's weights end before ${entry.name}`);
    const swap = replaced.get(entry.name);
    if (swap) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      // The head keeps its input size; only the class count changes.
      if (entry.name === names.kernel && entry.shape[0] !== features) throw new TeachExportError(`the head reads ${entry.shape[0]} features, not ${features}`);
      if (entry.name === names.scaleMul || entry.name === names.scaleSub) if (count !== 1) throw new TeachExportError(`${entry.name} is not a scalar`);
      weights.push({ name: entry.name, shape: swap.shape, dtype: 'float32' });
      parts.push(new Uint8Array(swap.values.buffer.slice(swap.values.byteOffset, swap.values.byteOffset + swap.values.byteLength)));
      replaced.delete(entry.name);
    } else {
      weights.push(structuredClone(entry));
      parts.push(source.subarray(offset, offset + length));
    }
    offset += length;
  }
  if (replaced.size > 0) throw new TeachExportError(`the backbone's weights lack ${[...replaced.keys()].join(', ')}`);
  const metadata: TeachMetadata = {
    tfjsVersion: info.tfjsVersion,
    packageName: 'cam-lens',
    packageVersion: info.packageVersion,
    timeStamp: info.timeStamp,
    modelName: info.name,
    labels: [...info.labels],
    imageSize: TEACH_IMAGE_SIZE,
    userMetadata: info.userMetadata,
  };
  const modelJson: ModelJson = {
    ...structuredClone(backbone.modelJson),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
    // The converter's signature names the output's width: now the user's class count. The metadata
    // rides along, so that an export of the stored model can write metadata.json again.
    userDefinedMetadata: { ...withOutputWidth(backbone.modelJson.userDefinedMetadata, classes), [METADATA_KEY]: metadata },
  };
  return { modelJson, weights: concatBytes(parts), metadata };
}

/** Where model.json keeps the Teach metadata (tfjs's userDefinedMetadata). */
export const METADATA_KEY = 'camLensTeach';

/** The stored model.json's metadata, if it is a Teach model. */
export function teachMetadataOf(modelJson: ModelJson): TeachMetadata | null {
  const meta = (modelJson.userDefinedMetadata as Record<string, unknown> | undefined)?.[METADATA_KEY] as TeachMetadata | undefined;
  return meta && Array.isArray(meta.labels) && typeof meta.modelName === 'string' ? meta : null;
}

function withOutputWidth(userDefined: unknown, classes: number): Record<string, unknown> {
  const copy = structuredClone((userDefined ?? {}) as Record<string, unknown>);
  const outputs = (copy.signature as { outputs?: Record<string, { tensorShape?: { dim?: { size?: string }[] } }> } | undefined)?.outputs;
  for (const output of Object.values(outputs ?? {})) {
    const dims = output.tensorShape?.dim;
    if (dims && dims.length === 2) dims[1] = { ...dims[1], size: String(classes) };
  }
  return copy;
}

/** The three files as picked files (bytes), named as Teachable Machine names them. */
export function teachableFileList(files: TeachableFiles): { name: string; bytes: ArrayBuffer }[] {
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer;
  return [
    { name: 'model.json', bytes: text(files.modelJson) },
    { name: WEIGHTS_FILE, bytes: files.weights.slice().buffer as ArrayBuffer },
    { name: 'metadata.json', bytes: text(files.metadata) },
  ];
}
