// Build-time model extraction: turns a catalog entry into tfjs model.json + binary weight shards.
// The nsfwjs package ships its models as UMD JS modules (the graph as an object, each weight
// shard as a base64 string); we decode them here so the extension never parses base64 at run time.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const BYTES_PER_DTYPE = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1 };

/** @returns {{ defaultModelId: string, models: any[] }} */
export function readCatalog() {
  return JSON.parse(readFileSync(path.join(projectRoot, 'models', 'catalog.json'), 'utf8'));
}

/** Bytes the manifest says a weight occupies (quantized weights are stored in their quantized dtype). */
function weightByteLength(weight) {
  const count = weight.shape.reduce((a, b) => a * b, 1);
  const dtype = weight.quantization ? weight.quantization.dtype : weight.dtype;
  const size = BYTES_PER_DTYPE[dtype];
  if (!size) throw new Error(`unsupported weight dtype ${dtype} for ${weight.name}`);
  return count * size;
}

/**
 * Extracts one nsfwjs model folder.
 * @returns {{ modelJson: any, shards: { fileName: string, bytes: Uint8Array }[] }}
 */
export function extractNsfwjsModel(folder) {
  // nsfwjs's exports map hides package.json; resolve its entry point and walk up to the package root.
  const pkgRoot = require.resolve('nsfwjs').replace(/([\\/]node_modules[\\/]nsfwjs)[\\/].*$/, '$1');
  const pkgModels = path.join(pkgRoot, 'dist', 'models', folder);
  const graph = require(path.join(pkgModels, 'model.min.js'));
  const modelJson = structuredClone(graph);
  const shards = [];
  for (const group of modelJson.weightsManifest) {
    group.paths = group.paths.map((shardName) => {
      const base64 = require(path.join(pkgModels, `${shardName}.min.js`));
      if (typeof base64 !== 'string') throw new Error(`${folder}/${shardName}: expected a base64 string module`);
      const fileName = `${shardName}.bin`;
      shards.push({ fileName, bytes: new Uint8Array(Buffer.from(base64, 'base64')) });
      return fileName;
    });
  }
  const expected = modelJson.weightsManifest.flatMap((g) => g.weights).reduce((sum, w) => sum + weightByteLength(w), 0);
  const actual = shards.reduce((sum, s) => sum + s.bytes.length, 0);
  if (expected !== actual) {
    throw new Error(`${folder}: weight shards hold ${actual} bytes, manifest expects ${expected}`);
  }
  const known = readdirSync(pkgModels).filter((f) => f.startsWith('group'));
  if (known.length !== shards.length) throw new Error(`${folder}: ${known.length} shard files, manifest names ${shards.length}`);
  return { modelJson, shards };
}

/** Extracts a catalog entry by its source description. */
export function extractModel(entry) {
  if (entry.source.kind === 'nsfwjs') return extractNsfwjsModel(entry.source.folder);
  throw new Error(`model ${entry.id}: unknown source kind ${entry.source.kind}`);
}
