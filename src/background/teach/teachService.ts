// The worker's side of Teach: the projects' classes and examples (each example's features computed
// once, when it is added), and training: checks, the head's training with progress and cancel, the
// trained model as Teachable Machine's files through the model installer, made active. One training
// at a time; nothing is stored unless it finished (a cancel during saving removes what was saved).
import type { Translate } from '../../core/i18n';
import type { ModelJson, PickedFile } from '../../core/modelSource';
import type { StorageAreaLike } from '../../core/settingsStore';
import { checkTrainable, DatasetError } from '../../core/teach/dataset';
import { ClassNameError, loadProject, newClassId, saveProject, withClass, withRenamed, type TeachProject, type TeachProjectId } from '../../core/teach/project';
import { teachableFileList, teachableFiles } from '../../core/teach/tmExport';
import { VIEW_COUNT } from '../../core/teach/views';
import { IDLE_PROGRESS, type TeachProgress, type TeachReply } from '../../core/teachMessages';
import type { ExplainableModel } from '../explainable';
import { CancelledError } from '../methods/types';
import type { Pixels } from '../pixels';
import type { ExampleStore } from './exampleStore';
import { FEATURE_DIM, FEATURES_KEY, thumbnail, viewFeatures } from './features';
import { TRAIN_DEFAULTS, trainHead, type TeachExample } from './trainer';

/** Examples a project may hold (each keeps VIEW_COUNT × 1792 floats: 43 kB). */
export const MAX_EXAMPLES = 1000;

export interface TeachDeps {
  t: Translate;
  /** storage.local: the projects. */
  area: StorageAreaLike;
  store: ExampleStore;
  /** Runs model work one at a time with explanations, the backbone loaded. */
  withBackbone<T>(work: (model: ExplainableModel) => Promise<T>): Promise<T>;
  /** Reads and decodes the picture (within the worker's decode budget) for `use`; the bitmap is closed after it. */
  withPicture<T>(source: Pixels, use: (bitmap: ImageBitmap) => Promise<T>): Promise<T>;
  /** The bundled backbone's model.json and its weights, concatenated. */
  backboneFiles(): Promise<{ modelJson: ModelJson; weights: ArrayBuffer }>;
  /** Installs picked files through the model installer. */
  install(files: PickedFile[], name: string): Promise<{ ok: true; modelId: string } | { ok: false; error: string }>;
  deleteModel(id: string): Promise<void>;
  /** Makes the model the one right-clicks explain with. */
  activate(id: string): Promise<void>;
  versions: { tfjs: string; extension: string };
  now?(): number;
}

export interface TrainRequest {
  name: string;
  augment: boolean;
  seed: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class TeachService {
  progress: TeachProgress = IDLE_PROGRESS;
  private running: AbortController | null = null;
  /** Project records are read, changed and written one change at a time. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: TeachDeps) {}

  private change<T>(project: TeachProjectId, edit: (p: TeachProject) => Promise<{ next: TeachProject; value: T }> | { next: TeachProject; value: T }): Promise<T> {
    const run = this.writes.then(async () => {
      const { next, value } = await edit(await loadProject(this.deps.area, project));
      await saveProject(this.deps.area, project, next);
      return value;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async edit(work: () => Promise<string | undefined>): Promise<TeachReply> {
    try {
      const id = await work();
      return id === undefined ? { ok: true } : { ok: true, id };
    } catch (e) {
      if (e instanceof ClassNameError || e instanceof DatasetError) return { ok: false, error: e.message };
      return { ok: false, error: this.deps.t('teachErrStorage', message(e)) };
    }
  }

  addClass(project: TeachProjectId, name: string): Promise<TeachReply> {
    return this.edit(() => this.change(project, (p) => {
      const id = newClassId();
      return { next: withClass(p, name, id, this.deps.t), value: id };
    }));
  }

  renameClass(project: TeachProjectId, classId: string, name: string): Promise<TeachReply> {
    return this.edit(() => this.change(project, (p) => ({ next: withRenamed(p, classId, name, this.deps.t), value: undefined })));
  }

  /** Removes the class and its examples. */
  removeClass(project: TeachProjectId, classId: string): Promise<TeachReply> {
    return this.edit(() => this.change(project, async (p) => {
      const ids = (await this.deps.store.list(project)).filter((e) => e.classId === classId).map((e) => e.id);
      await this.deps.store.remove(ids);
      return { next: { ...p, classes: p.classes.filter((c) => c.id !== classId), revision: p.revision + 1 }, value: undefined };
    }));
  }

  removeExamples(project: TeachProjectId, ids: readonly string[]): Promise<TeachReply> {
    return this.edit(() => this.change(project, async (p) => {
      await this.deps.store.remove(ids);
      return { next: { ...p, revision: p.revision + 1 }, value: undefined };
    }));
  }

  /** Every class and example of the project (the model trained from it stays). */
  clear(project: TeachProjectId): Promise<TeachReply> {
    return this.edit(() => this.change(project, async (p) => {
      await this.deps.store.remove((await this.deps.store.list(project)).map((e) => e.id));
      return { next: { classes: [], revision: p.revision + 1, ...(p.modelId ? { modelId: p.modelId } : {}) }, value: undefined };
    }));
  }

  /** Reads the picture, computes its views' features and stores it as an example of the class. */
  async addExample(project: TeachProjectId, classId: string, source: Pixels, origin: string): Promise<TeachReply> {
    const { t, store } = this.deps;
    const before = await loadProject(this.deps.area, project);
    if (!before.classes.some((c) => c.id === classId)) return { ok: false, error: t('teachErrNoClass') };
    if ((await store.list(project)).length >= MAX_EXAMPLES) return { ok: false, error: t('teachErrTooManyExamples', String(MAX_EXAMPLES)) };
    let features: Float32Array;
    let thumb: string;
    try {
      ({ features, thumb } = await this.deps.withPicture(source, async (bitmap) => {
        try {
          return { features: await this.deps.withBackbone((model) => viewFeatures(model, bitmap)), thumb: await thumbnail(bitmap) };
        } catch (e) {
          throw new Error(t('teachErrFeatures', message(e)));
        }
      }));
    } catch (e) {
      return { ok: false, error: message(e) };
    }
    const id = `e${(this.deps.now?.() ?? Date.now()).toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    return this.edit(() => this.change(project, async (p) => {
      // The class may have been removed while the picture was read.
      if (!p.classes.some((c) => c.id === classId)) throw new DatasetError(t('teachErrNoClass'));
      await store.add({ id, project, classId, thumb, origin: origin.slice(0, 300), addedAt: this.deps.now?.() ?? Date.now() }, { id, backbone: FEATURES_KEY, features });
      return { next: { ...p, revision: p.revision + 1 }, value: id };
    }));
  }

  examples(project: TeachProjectId) {
    return this.deps.store.list(project);
  }

  cancel(): void {
    this.running?.abort();
  }

  /** Checks the project and starts training; progress tells how it goes. */
  async train(project: TeachProjectId, request: TrainRequest): Promise<TeachReply> {
    const { t } = this.deps;
    if (this.running) return { ok: false, error: t('teachErrBusy') };
    const controller = new AbortController();
    this.running = controller;
    try {
      const p = await loadProject(this.deps.area, project);
      const examples = await this.deps.store.list(project);
      const usable = await this.usableFeatures(examples.map((e) => e.id));
      const members = p.classes.map((c) => examples.filter((e) => e.classId === c.id && usable.has(e.id)));
      checkTrainable(p.classes.map((c, i) => ({ name: c.name, count: members[i].length })), t);
      const data: TeachExample[] = members.flatMap((list, label) => list.map((e) => ({ label, features: usable.get(e.id)! })));
      const labels = p.classes.map((c) => c.name);
      this.progress = { ...IDLE_PROGRESS, phase: 'training', project, maxEpochs: TRAIN_DEFAULTS.maxEpochs };
      void this.run(project, p, data, labels, request, controller);
      return { ok: true };
    } catch (e) {
      this.running = null;
      return { ok: false, error: e instanceof DatasetError ? e.message : t('teachErrStorage', message(e)) };
    }
  }

  /** Features of the examples computed by this backbone with these views (others cannot be used). */
  private async usableFeatures(ids: string[]): Promise<Map<string, Float32Array>> {
    const stored = await this.deps.store.features(ids);
    return new Map(stored.flatMap((s) => (s && s.backbone === FEATURES_KEY && s.features.length === VIEW_COUNT * FEATURE_DIM ? [[s.id, s.features] as const] : [])));
  }

  private async run(project: TeachProjectId, p: TeachProject, data: TeachExample[], labels: string[], request: TrainRequest, controller: AbortController): Promise<void> {
    const { t } = this.deps;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let saved: string | null = null;
    try {
      const head = await trainHead(data, {
        classCount: labels.length,
        dim: FEATURE_DIM,
        views: VIEW_COUNT,
        seed: request.seed,
        augment: request.augment,
        signal: controller.signal,
        onEpoch: (stats) => (this.progress = { ...this.progress, history: [...this.progress.history, stats], seconds: seconds() }),
      });
      const counts = { trainCount: head.trainCount, heldOutCount: head.heldOutCount, heldOutAccuracy: head.heldOutAccuracy };
      this.progress = { ...this.progress, ...counts, phase: 'saving', seconds: seconds(), trainingSeconds: seconds() };
      const name = request.name.trim() || t('teachModelName', labels.join(', '));
      const files = teachableFiles(await this.deps.backboneFiles(), head, {
        name,
        labels,
        packageVersion: this.deps.versions.extension,
        tfjsVersion: this.deps.versions.tfjs,
        timeStamp: new Date(this.deps.now?.() ?? Date.now()).toISOString(),
        userMetadata: { backbone: FEATURES_KEY, seed: request.seed, augment: request.augment, epochs: head.history.length, keptEpoch: head.bestEpoch, ...counts },
      });
      const installed = await this.deps.install(teachableFileList(files), name);
      if (!installed.ok) throw new Error(installed.error);
      saved = installed.modelId;
      if (controller.signal.aborted) throw new CancelledError();
      const previous = p.modelId;
      await this.change(project, (current) => ({ next: { ...current, modelId: installed.modelId }, value: undefined }));
      // The demo's model is rebuilt each run; the user's models are kept (each training is a new one) and the newest is used.
      if (project === 'demo' && previous && previous !== installed.modelId) await this.deps.deleteModel(previous).catch(() => undefined);
      if (project === 'main') await this.deps.activate(installed.modelId);
      this.progress = { ...this.progress, phase: 'done', modelId: installed.modelId, modelName: name, seconds: seconds() };
    } catch (e) {
      if (saved) await this.deps.deleteModel(saved).catch(() => undefined);
      const cancelled = e instanceof CancelledError || controller.signal.aborted;
      this.progress = { ...this.progress, phase: cancelled ? 'cancelled' : 'failed', seconds: seconds(), ...(cancelled ? {} : { error: t('teachErrTraining', message(e)) }) };
    } finally {
      this.running = null;
    }
  }
}
