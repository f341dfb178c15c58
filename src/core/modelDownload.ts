// Downloading a user's model: model.json first (it says how much the weights are, before any is
// fetched), then the weights with progress and limits, and Teachable Machine's metadata.json. Each
// failure says in words what the host answered (modelHosts.ts). Pure: the network is an injected fetch.
import { concatBytes } from './bytes';
import type { Translate } from './i18n';
import { describeHttpFailure, hostLabel, isSecureModelUrl, isSignedLinkRefusal, ModelSourceError } from './modelHosts';
import {
  checkImageInput, checkInputDtype, checkModelSize, checkWeightSizes, declaredInputShape, fileName, formatBytes, groupByteLengths, MAX_MODEL_BYTES, modelFormat,
  parseModelJson, parseTeachableMetadata, splitByGroup, weightUrls, type ModelFiles, type ModelJson, type ResolvedSource, type TeachableMetadata,
} from './modelSource';

/** The part of fetch's Response used here. */
export interface ResponseLike {
  ok: boolean;
  status: number;
  statusText: string;
  /** Where the answer came from in the end (after redirects); '' when unknown. */
  url?: string;
  redirected?: boolean;
  headers: { get(name: string): string | null };
  body?: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}
export type FetchLike = (url: string, init?: { signal?: AbortSignal; credentials?: 'omit'; cache?: 'no-store' }) => Promise<ResponseLike>;

export interface DownloadOptions {
  fetch: FetchLike;
  t: Translate;
  /** Bytes of weights received so far, of the total the manifest announces. */
  onProgress?(received: number, total: number): void;
  signal?: AbortSignal;
  limitBytes?: number;
}

/** A download failure: "could not download the model: <what the host did>". */
const failed = (t: Translate, detail: string) => new ModelSourceError(t('modelErrDownload', detail), detail);

async function get(url: string, opts: DownloadOptions): Promise<ResponseLike> {
  const { t } = opts;
  let response: ResponseLike;
  try {
    response = await opts.fetch(url, { signal: opts.signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw failed(t, t('modelHostUnreachable', hostLabel(url, t)));
  }
  // An https address may redirect to http: the file would travel unencrypted all the same.
  if (response.url && !isSecureModelUrl(new URL(response.url))) throw failed(t, t('modelHostInsecureRedirect', [hostLabel(url, t), response.url]));
  return response;
}

/** The start of an error answer's text (a refused signed link says why in it). */
const errorBody = async (response: ResponseLike) => (await response.text().catch(() => '')).slice(0, 4096);

export interface ModelDescription {
  modelJson: ModelJson;
  format: 'graph' | 'layers';
  sizeBytes: number;
  metadata?: TeachableMetadata;
}

/** The small metadata that says how much there is to download: model.json (and TM's metadata.json). */
export async function fetchModelDescription(source: ResolvedSource, opts: DownloadOptions): Promise<ModelDescription> {
  const { t } = opts;
  const response = await get(source.modelUrl, opts);
  if (!response.ok) throw failed(t, describeHttpFailure(source.modelUrl, response, await errorBody(response), t));
  const modelJson = parseModelJson(await response.text(), source.modelUrl, t);
  const format = modelFormat(modelJson, source.modelUrl, t);
  const sizeBytes = groupByteLengths(modelJson.weightsManifest, source.modelUrl, t).reduce((a, b) => a + b, 0);
  checkModelSize(sizeBytes, t, opts.limitBytes);
  let metadata: TeachableMetadata | undefined;
  if (source.metadataUrl) {
    const meta = await get(source.metadataUrl, opts);
    if (!meta.ok) throw new ModelSourceError(t('modelErrTmMetadataMissing', `${meta.status}${meta.statusText ? ` ${meta.statusText}` : ''}`));
    metadata = parseTeachableMetadata(await meta.text(), t);
  }
  return { modelJson, format, sizeBytes, metadata };
}

/** Downloads model.json, the weights (with progress, within the size limit) and TM's metadata.json; checks what the files alone can show. */
export async function downloadModel(source: ResolvedSource, opts: DownloadOptions): Promise<ModelFiles> {
  const { t } = opts;
  const limit = opts.limitBytes ?? MAX_MODEL_BYTES;
  const { modelJson, format, sizeBytes, metadata } = await fetchModelDescription(source, opts);
  checkImageInput(declaredInputShape(modelJson), t);
  checkInputDtype(modelJson, t);
  const urls = weightUrls(source.modelUrl, modelJson.weightsManifest);
  const parts: Uint8Array[] = [];
  let received = 0;
  opts.onProgress?.(0, sizeBytes);
  for (const url of urls) {
    const response = await get(url, opts);
    if (!response.ok) {
      const body = await errorBody(response);
      // A signed link refused for a weights file is the host's doing, not a missing file.
      if (isSignedLinkRefusal(response.status, body)) throw failed(t, describeHttpFailure(url, response, body, t));
      throw new ModelSourceError(t('modelErrWeightsMissing', [fileName(url), `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`]));
    }
    const part = await readBody(response, (n) => {
      received += n;
      // The manifest said how much to expect; a server sending more is cut off at the limit.
      if (received > limit) throw new ModelSourceError(t('modelErrTooLarge', [formatBytes(received), formatBytes(limit)]));
      opts.onProgress?.(received, sizeBytes);
    });
    parts.push(part);
  }
  const lengths = splitByGroup(modelJson.weightsManifest, parts.map((p) => p.length));
  checkWeightSizes(modelJson.weightsManifest, lengths, source.modelUrl, t);
  return { modelJson, format, weightData: concatBytes(parts).buffer, sizeBytes, metadata, origin: source.url };
}

async function readBody(response: ResponseLike, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      onChunk(value.length);
    }
  } catch (e) {
    void reader.cancel().catch(() => undefined); // not awaited: stop the download, report now
    throw e;
  }
  return concatBytes(chunks);
}
