// Installs a user's model: get the files (download with progress — from the first of a catalog
// download's sources that works —, or staged picked files), check them, load them with tfjs and run
// them once on a blank image to learn what the files do not say (output count, whether the outputs
// are class scores, whether there is a 4-D activation to explain), then store files and description.
// Nothing is stored unless every check passed; a model installed again from the same address replaces
// the earlier copy. Network requests happen only here, when the user asks.
import * as tf from '@tensorflow/tfjs';
import { CamHeadError } from '../core/camHead';
import { findDownload, type DownloadSource, type ModelEntry, type PixelScaling } from '../core/catalog';
import type { Translate } from '../core/i18n';
import { KerasTopologyError } from '../core/kerasFlatten';
import { downloadModel, fetchModelDescription, type FetchLike } from '../core/modelDownload';
import { fallbackNote, tryInOrder } from '../core/modelHosts';
import {
  assembleFiles, checkImageInput, checkLabelCount, chooseInputSize, declaredInputShape, fileName, MAX_MODEL_BYTES, ModelSourceError,
  resolveSource, type InstallForm, type ModelFiles, type PickedFile, type SourceKindChoice,
} from '../core/modelSource';
import { addUserModel, entryFor, imagenetLabelsFor, loadUserModels, removeUserModel, sameSource, uniqueName, userModelId, type UserModel } from '../core/userModels';
import type { StorageAreaLike } from '../core/settingsStore';
import { ModelError } from './explainable';
import { artifactsFrom, explainableFrom } from './modelLoad';
import type { StoredArtifacts } from './modelStore';

export type InstallSource = { kind: SourceKindChoice; url: string } | { kind: 'files'; stagingId: string; names: string[] } | { kind: 'download'; id: string };

export interface InstallProgress {
  phase: 'download' | 'check' | 'done' | 'failed';
  received: number;
  total: number;
  name?: string;
  error?: string;
  modelId?: string;
  note?: string;
}

export type InstallOutcome = { ok: true; model: UserModel; note?: string } | { ok: false; error: string };
export type DescribeOutcome = { ok: true; sizeBytes: number; format: 'graph' | 'layers'; url: string; note?: string } | { ok: false; error: string };

export interface InstallerDeps {
  fetch: FetchLike;
  t: Translate;
  records: StorageAreaLike;
  store: { put(a: StoredArtifacts): Promise<void>; delete(id: string): Promise<void>; takeStaged(id: string): Promise<PickedFile[] | undefined> };
  /** Starts the tfjs backend the checks run on. */
  ready(): Promise<void>;
  /** An installed model was replaced by a new copy (same address): the worker forgets the old one and moves the user's choices over. */
  replaced?(oldId: string, newId: string): Promise<void>;
  /** Names already in the model menu that are not the user's (the bundled models'). */
  reservedNames?: readonly string[];
  limitBytes?: number;
  now?(): number;
}

/** Why a model cannot be explained, in the user's words. */
function explainError(e: unknown, t: Translate): Error {
  if (e instanceof ModelSourceError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  if (e instanceof CamHeadError || (e instanceof ModelError && /4-D|pooling|score rows/.test(reason))) return new ModelSourceError(t('modelErrNoConv', reason));
  return new ModelSourceError(t('modelErrLoad', reason));
}

/** tfjs's own words for a model fed floats where it wants integers ("… must be int32, but was float32"). */
const INTEGER_INPUT = /must be (u?int\d+)/;

/**
 * Loads the files with tfjs and probes them: the user model record they make (not yet stored).
 * Throws ModelSourceError with the reason when the model cannot be explained.
 */
export async function checkModel(files: ModelFiles, sourceKind: UserModel['source'], form: InstallForm, deps: Pick<InstallerDeps, 't' | 'now'>): Promise<UserModel> {
  const { t } = deps;
  const teachable = files.metadata;
  const declared = declaredInputShape(files.modelJson);
  checkImageInput(declared, t);
  if (teachable?.grayscale) throw new ModelSourceError(t('modelErrNotImage', '[?, ?, ?, 1]'));
  const wanted = form.inputSize ?? (teachable?.imageSize ? { width: teachable.imageSize, height: teachable.imageSize } : undefined);
  const inputSize = chooseInputSize(declared, wanted);
  // Teachable Machine scales pixels to [-1, 1] (x / 127 − 1).
  const pixelScaling: PixelScaling = form.pixelScaling ?? (teachable ? 'symmetric' : 'unit');

  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = artifactsFrom(files.modelJson, files.weightData, files.format);
  } catch (e) {
    throw new ModelSourceError(t('modelErrLoad', e instanceof KerasTopologyError || e instanceof Error ? e.message : String(e)));
  }

  // 1. Run the plain model on a blank image: does it take an RGB image of this size, how many outputs?
  let outputs: number;
  let inputName: string;
  {
    let model: tf.GraphModel | tf.LayersModel;
    try {
      model = files.format === 'graph' ? await tf.loadGraphModel(tf.io.fromMemory(artifacts)) : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (e) {
      throw explainError(e, t);
    }
    inputName = model instanceof tf.GraphModel ? model.inputs[0]?.name ?? '' : model.inputs[0]?.sourceLayer.name ?? '';
    try {
      const out = tf.tidy(() => {
        const result = model.predict(tf.zeros([1, inputSize.height, inputSize.width, 3])) as tf.Tensor | tf.Tensor[];
        if (Array.isArray(result)) throw new ModelSourceError(t('modelErrOutputs', String(result.length)));
        return result;
      });
      outputs = out.size;
      out.dispose();
    } catch (e) {
      if (e instanceof ModelSourceError) throw e;
      const reason = e instanceof Error ? e.message : String(e);
      const integer = INTEGER_INPUT.exec(reason);
      if (integer) throw new ModelSourceError(t('modelErrIntegerInput', integer[1]));
      throw new ModelSourceError(t('modelErrProbe', [`${inputSize.width}×${inputSize.height}`, reason]));
    } finally {
      model.dispose();
    }
  }

  // 2. Labels: the user's file, else TM's metadata, else a picked labels file, else ImageNet's when the count says so.
  const given = form.labels ?? teachable?.labels ?? files.labels;
  if (given) checkLabelCount(given, outputs, t);
  const labels = given ?? imagenetLabelsFor(outputs);

  const name = form.displayName?.trim() || (teachable?.modelName && teachable.modelName !== 'untitled' ? teachable.modelName : undefined) || defaultNames(sourceKind, t)[0];
  const now = deps.now?.() ?? Date.now();
  const record: UserModel = {
    id: userModelId(name, now),
    displayName: name,
    source: sourceKind,
    format: files.format,
    inputSize,
    pixelScaling,
    ...(pixelScaling === 'meanStd' && form.normalization ? { normalization: form.normalization } : {}),
    labels,
    outputs,
    softmaxScores: true,
    // Teachable Machine shows its models the central square of each picture: so do we, unless told otherwise.
    ...((form.framing ?? (teachable ? 'center' : 'whole')) === 'center' ? { inputCrop: 'center' as const } : {}),
    sizeBytes: files.sizeBytes,
    installedAt: now,
  };

  // 3. Find what to explain and run it as the explainer will (on the model's own outputs, no softmax added).
  const entry: ModelEntry = { ...entryFor(record, t), softmaxScores: false };
  let explainable;
  try {
    explainable = await explainableFrom(entry, artifacts);
  } catch (e) {
    throw explainError(e, t);
  }
  try {
    // Class scores end in a softmax or sigmoid, or are the logits of a pooled linear classifier (TF Hub's);
    // anything else (a landmark regressor, an embedding) would be explained as meaningless "classes".
    const scores = explainable.outputActivation !== 'none' || explainable.camWeights !== null;
    if (!scores && !form.classifier) throw new ModelSourceError(t('modelErrNotClassifier'));
    if (!scores) record.rawScores = true;
    const shapes = tf.tidy(() => {
      const { features, logits } = explainable.forward(tf.zeros([1, inputSize.height, inputSize.width, 3]));
      return [features.shape, logits.shape];
    });
    // A head that pools the input itself has no convolutional activation: there would be nothing but pixels to show.
    if (shapes[0].length !== 4 || explainable.layer === inputName) throw new ModelSourceError(t('modelErrNoConv', explainable.layer));
  } catch (e) {
    throw explainError(e, t);
  } finally {
    explainable.dispose();
  }
  return record;
}

/**
 * Names for a model the user did not name, best first: a model.json's folder (`…/mobilenet_v1_1.0_224/
 * model.json`), but a file's own name when it has one (`…/human/liveness.json` → "liveness": files of
 * one folder must not all be called after it); the other one when the first is taken.
 */
export function defaultNames(source: UserModel['source'], t: Translate): string[] {
  switch (source.kind) {
    case 'teachable':
      return [t('modelNameTeachable')];
    case 'tfhub':
      return [source.url.replace(/^https?:\/\/[^/]+\//, '').replace(/\/(default\/)?\d+$/, '').split('/').slice(-3).join('/') || source.url];
    case 'files':
      return [source.names.find((n) => /\.json$/i.test(n) && !/^metadata\.json$/i.test(n))?.replace(/\.json$/i, '') ?? t('modelNameFiles')];
    default: {
      const url = new URL(source.url);
      const folder = url.pathname.split('/').filter(Boolean).slice(-2, -1)[0] ?? url.host;
      const file = fileName(url.pathname).replace(/\.json$/i, '');
      return /^model$/i.test(file) || !file ? [folder] : [file, folder];
    }
  }
}

/** One install at a time; its progress is kept for the popup to show (even after it was closed and opened again). */
export class ModelInstaller {
  progress: InstallProgress | null = null;
  private running: AbortController | null = null;

  constructor(private readonly deps: InstallerDeps) {}

  /** How much one of the catalog's downloads will download: its sources' model.json, in order, until one answers (nothing else is fetched). */
  async describeDownload(id: string): Promise<DescribeOutcome> {
    const { t } = this.deps;
    try {
      const download = findDownload(id);
      if (!download) throw new ModelSourceError(t('modelErrUnknownDownload', id));
      const tried = await tryInOrder(download.displayName, download.sources.map((source) => ({ source, url: source.url })), (source) =>
        fetchModelDescription(resolveSource(source.url, source.kind, t), { fetch: this.deps.fetch, t, limitBytes: this.deps.limitBytes ?? MAX_MODEL_BYTES }), t);
      const note = fallbackNote(tried, t);
      return { ok: true, sizeBytes: tried.value.sizeBytes, format: tried.value.format, url: tried.url, ...(note ? { note } : {}) };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  cancel(): void {
    this.running?.abort();
  }

  async install(source: InstallSource, form: InstallForm): Promise<InstallOutcome> {
    const { t } = this.deps;
    if (this.running) return { ok: false, error: t('modelErrBusy') };
    const controller = new AbortController();
    this.running = controller;
    this.progress = { phase: 'download', received: 0, total: 0 };
    try {
      const got = await this.files(source, form, controller.signal);
      const { files, kind } = got;
      this.progress = { phase: 'check', received: files.sizeBytes, total: files.sizeBytes };
      await this.deps.ready();
      const record = await checkModel(files, kind, got.form, this.deps);
      // The same address installed before: this copy replaces it (one copy).
      const installed = await loadUserModels(this.deps.records);
      const previous = installed.filter((m) => sameSource(m.source, record.source));
      const others = installed.filter((m) => !previous.includes(m)).map((m) => m.displayName);
      record.displayName = uniqueName(this.nameCandidates(record, got.form, files, previous), [...others, ...(this.deps.reservedNames ?? [])]);
      try {
        await this.deps.store.put({ id: record.id, modelJson: files.modelJson, weightData: files.weightData });
        await addUserModel(this.deps.records, record);
      } catch (e) {
        await this.deps.store.delete(record.id).catch(() => undefined);
        throw new ModelSourceError(t('modelErrStorage', e instanceof Error ? e.message : String(e)));
      }
      for (const old of previous) {
        await removeUserModel(this.deps.records, old.id);
        await this.deps.store.delete(old.id).catch(() => undefined);
        await this.deps.replaced?.(old.id, record.id);
      }
      const { note } = got;
      this.progress = { phase: 'done', received: files.sizeBytes, total: files.sizeBytes, name: record.displayName, modelId: record.id, ...(note ? { note } : {}) };
      return { ok: true, model: record, ...(note ? { note } : {}) };
    } catch (e) {
      const error = controller.signal.aborted ? t('modelInstallCancelled') : e instanceof Error ? e.message : String(e);
      this.progress = { phase: 'failed', received: 0, total: 0, error };
      return { ok: false, error };
    } finally {
      this.running = null;
      if (source.kind === 'files') await this.deps.store.takeStaged(source.stagingId).catch(() => undefined);
    }
  }

  /**
   * The names to give a new model, best first: the form's or Teachable Machine's, else the replaced
   * copy's, else its address's (file, then folder).
   */
  private nameCandidates(record: UserModel, form: InstallForm, files: ModelFiles, previous: UserModel[]): string[] {
    if (form.displayName?.trim() || files.metadata) return [record.displayName];
    if (previous.length > 0) return [previous[0].displayName];
    return defaultNames(record.source, this.deps.t);
  }

  /** The files (downloaded or picked), where they came from, the form completed by a catalog download's source, and which source worked after others failed. */
  private async files(source: InstallSource, form: InstallForm, signal: AbortSignal): Promise<{ files: ModelFiles; kind: UserModel['source']; form: InstallForm; note?: string }> {
    const { t } = this.deps;
    const limitBytes = this.deps.limitBytes ?? MAX_MODEL_BYTES;
    if (source.kind === 'files') {
      const picked = await this.deps.store.takeStaged(source.stagingId);
      if (!picked || picked.length === 0) throw new ModelSourceError(t('modelErrNoModelJson'));
      const files = assembleFiles(picked, t, limitBytes);
      return { files, kind: { kind: 'files', names: picked.map((f) => f.name) }, form };
    }
    const download = (kind: SourceKindChoice, url: string) => {
      const resolved = resolveSource(url, kind, t);
      return downloadModel(resolved, {
        fetch: this.deps.fetch,
        t,
        signal,
        limitBytes,
        onProgress: (received, total) => (this.progress = { phase: 'download', received, total }),
      }).then((files) => ({ files, kind: { kind: resolved.kind, url: resolved.url } as UserModel['source'] }));
    };
    if (source.kind !== 'download') return { ...(await download(source.kind, source.url)), form };
    // A catalog download: its sources in order; what the files do not say comes with each source.
    const entry = findDownload(source.id);
    if (!entry) throw new ModelSourceError(t('modelErrUnknownDownload', source.id));
    const tried = await tryInOrder<DownloadSource, Awaited<ReturnType<typeof download>>>(entry.displayName, entry.sources.map((s) => ({ source: s, url: s.url })), (s) => download(s.kind, s.url), t, signal);
    const chosen = tried.source;
    return { ...tried.value, form: { ...form, displayName: form.displayName ?? chosen.displayName ?? entry.displayName, pixelScaling: chosen.pixelScaling }, note: fallbackNote(tried, t) ?? undefined };
  }
}
