// The worker's Teach service with its browser parts replaced (storage, IndexedDB, installer): class
// edits with their messages, the checks before training, and training's end states — saved and made
// active; cancelled while training or while saving, with nothing left behind; failed — and memory.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { FEATURE_DIM, FEATURES_KEY } from '../../src/background/teach/features';
import type { ExampleStore, StoredExample, StoredFeatures } from '../../src/background/teach/exampleStore';
import { TeachService, type TeachDeps } from '../../src/background/teach/teachService';
import type { ModelJson, PickedFile } from '../../src/core/modelSource';
import { loadProject } from '../../src/core/teach/project';
import { seededRandom } from '../../src/core/random';
import { VIEW_COUNT } from '../../src/core/teach/views';
import type { TeachProgress } from '../../src/core/teachMessages';
import { extractModel } from '../../models/extract.mjs';
import { englishTranslate as t } from './helpers/englishTranslate';
import { concatBytes, defaultEntry } from './helpers/realModel';

function memoryArea() {
  const data: Record<string, unknown> = {};
  return { data, get: async (k: string) => ({ [k]: structuredClone(data[k]) }), set: async (items: Record<string, unknown>) => void Object.assign(data, structuredClone(items)) };
}

function memoryStore() {
  const examples = new Map<string, StoredExample>();
  const features = new Map<string, StoredFeatures>();
  const store: ExampleStore = {
    add: async (e, f) => void (examples.set(e.id, e), features.set(f.id, f)),
    list: async (project) => [...examples.values()].filter((e) => e.project === project),
    features: async (ids) => ids.map((id) => features.get(id)),
    remove: async (ids) => void ids.forEach((id) => (examples.delete(id), features.delete(id))),
  };
  return { examples, features, store };
}

let backbone: { modelJson: ModelJson; weights: ArrayBuffer };

function setUp(overrides: Partial<TeachDeps> = {}) {
  const area = memoryArea();
  const { examples, features, store } = memoryStore();
  const calls = { installed: [] as PickedFile[][], activated: [] as string[], deleted: [] as string[] };
  let next = 0;
  const deps: TeachDeps = {
    t,
    area,
    store,
    withBackbone: async () => {
      throw new Error('no backbone in unit tests');
    },
    withPicture: async () => {
      throw new Error('no pictures in unit tests');
    },
    backboneFiles: async () => backbone,
    install: async (files) => (calls.installed.push(files), { ok: true, modelId: `user-taught-${++next}` }),
    deleteModel: async (id) => void calls.deleted.push(id),
    activate: async (id) => void calls.activated.push(id),
    versions: { tfjs: tf.version.tfjs, extension: '0.1.0' },
    ...overrides,
  };
  const service = new TeachService(deps);
  /** Stores `count` examples of a class directly (features of a class-specific pattern), bypassing the pictures. */
  const seed = (classId: string, count: number, label: number, backboneKey = FEATURES_KEY) => {
    const random = seededRandom(label * 100 + count);
    for (let i = 0; i < count; i++) {
      const id = `e${classId}${i}`;
      examples.set(id, { id, project: 'main', classId, thumb: 'data:,', origin: `${classId}-${i}.png`, addedAt: i });
      const values = new Float32Array(VIEW_COUNT * FEATURE_DIM);
      for (let k = 0; k < values.length; k++) values[k] = (k % FEATURE_DIM) % 7 === label ? 1 + 0.3 * random() : 0.3 * random();
      features.set(id, { id, backbone: backboneKey, features: values });
    }
  };
  return { service, area, calls, seed, examples };
}

async function finished(service: TeachService): Promise<TeachProgress> {
  await expect.poll(() => service.progress.phase, { timeout: 30_000 }).not.toMatch(/^(training|saving)$/);
  return service.progress;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const { modelJson, shards } = extractModel(defaultEntry()) as { modelJson: ModelJson; shards: { bytes: Uint8Array }[] };
  backbone = { modelJson, weights: concatBytes(shards.map((s) => s.bytes)) };
});

describe('classes', () => {
  test('names are checked: empty, taken (in any case), too long; renaming and removing', async () => {
    const { service, area, seed, examples } = setUp();
    const cat = await service.addClass('main', '  cat  ');
    expect(cat.ok && cat.id).toMatch(/^c[a-z0-9]+$/);
    expect(await service.addClass('main', 'CAT')).toEqual({ ok: false, error: 'There is already a class called “CAT”.' });
    expect(await service.addClass('main', '   ')).toEqual({ ok: false, error: 'A class needs a name.' });
    expect(await service.addClass('main', 'x'.repeat(41))).toEqual({ ok: false, error: 'Class names have at most 40 characters.' });
    const dog = await service.addClass('main', 'dog');
    if (!cat.ok || !dog.ok) throw new Error('classes');
    expect(await service.renameClass('main', dog.id!, 'Cat')).toEqual({ ok: false, error: 'There is already a class called “Cat”.' });
    expect(await service.renameClass('main', dog.id!, 'puppy')).toEqual({ ok: true });
    expect((await loadProject(area, 'main')).classes.map((c) => c.name)).toEqual(['cat', 'puppy']);
    seed(cat.id!, 3, 0);
    seed(dog.id!, 2, 1);
    await service.removeClass('main', cat.id!);
    expect([...examples.values()].map((e) => e.classId)).toEqual([dog.id, dog.id]);
    expect((await loadProject(area, 'main')).classes.map((c) => c.name)).toEqual(['puppy']);
  });
});

describe('training', () => {
  test('too few classes or examples: a clear message, nothing starts', async () => {
    const { service, seed, calls } = setUp();
    expect(await service.train('main', { name: '', augment: true, seed: 1 })).toEqual({ ok: false, error: 'Make at least two classes to train (there are 0 now).' });
    const cat = (await service.addClass('main', 'cat')) as { id: string };
    const dog = (await service.addClass('main', 'dog')) as { id: string };
    seed(cat.id, 5, 0);
    seed(dog.id, 1, 1);
    expect(await service.train('main', { name: '', augment: true, seed: 1 })).toEqual({ ok: false, error: 'Each class needs at least two examples: add more to dog (1).' });
    // Features from another backbone cannot be used: they do not count.
    seed(dog.id, 3, 1, 'another-backbone/1000/views-1');
    expect(await service.train('main', { name: '', augment: true, seed: 1 })).toMatchObject({ ok: false });
    expect(service.progress.phase).toBe('idle');
    expect(calls.installed).toEqual([]);
  });

  test("trains, saves Teachable Machine's three files through the installer, makes the model active; memory flat", async () => {
    const { service, seed, calls, area } = setUp();
    const cat = (await service.addClass('main', 'cat')) as { id: string };
    const dog = (await service.addClass('main', 'dog')) as { id: string };
    seed(cat.id, 6, 0);
    seed(dog.id, 5, 1);
    const before = tf.memory().numTensors;
    expect(await service.train('main', { name: '', augment: true, seed: 3 })).toEqual({ ok: true });
    expect(await service.train('main', { name: '', augment: true, seed: 3 })).toEqual({ ok: false, error: 'A training is already running.' });
    const done = await finished(service);
    expect(done).toMatchObject({ phase: 'done', modelId: 'user-taught-1', modelName: 'Taught: cat, dog', trainCount: 9, heldOutCount: 2, heldOutAccuracy: 1 });
    expect(done.history.length).toBeGreaterThan(1);
    expect(calls.installed[0].map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'metadata.json']);
    const metadata = JSON.parse(new TextDecoder().decode(calls.installed[0][2].bytes));
    expect(metadata).toMatchObject({ modelName: 'Taught: cat, dog', labels: ['cat', 'dog'], imageSize: 224, userMetadata: { seed: 3, augment: true } });
    expect(calls.activated).toEqual(['user-taught-1']);
    expect((await loadProject(area, 'main')).modelId).toBe('user-taught-1');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('cancelled while training: nothing is saved', async () => {
    const { service, seed, calls } = setUp();
    const cat = (await service.addClass('main', 'cat')) as { id: string };
    const dog = (await service.addClass('main', 'dog')) as { id: string };
    seed(cat.id, 6, 0);
    seed(dog.id, 6, 1);
    await service.train('main', { name: 'x', augment: false, seed: 1 });
    service.cancel();
    expect(await finished(service)).toMatchObject({ phase: 'cancelled' });
    expect(calls.installed).toEqual([]);
    expect(calls.activated).toEqual([]);
  });

  test('cancelled while saving: the model just stored is deleted again, nothing is made active', async () => {
    let service!: TeachService;
    const deleted: string[] = [];
    const ctx = setUp({
      install: async () => {
        service.cancel(); // the user presses Cancel while the installer checks the files
        return { ok: true, modelId: 'user-late-1' };
      },
      deleteModel: async (id) => void deleted.push(id),
    });
    service = ctx.service;
    const cat = (await service.addClass('main', 'cat')) as { id: string };
    const dog = (await service.addClass('main', 'dog')) as { id: string };
    ctx.seed(cat.id, 3, 0);
    ctx.seed(dog.id, 3, 1);
    await service.train('main', { name: 'x', augment: false, seed: 1 });
    expect(await finished(service)).toMatchObject({ phase: 'cancelled' });
    expect(deleted).toEqual(['user-late-1']);
    expect(ctx.calls.activated).toEqual([]);
    expect((await loadProject(ctx.area, 'main')).modelId).toBeUndefined();
  });

  test("the installer's refusal is the failure's reason", async () => {
    const { service, seed, calls } = setUp({ install: async () => ({ ok: false, error: 'could not store the model in this browser: QUOTA_BYTES quota exceeded' }) });
    const cat = (await service.addClass('main', 'cat')) as { id: string };
    const dog = (await service.addClass('main', 'dog')) as { id: string };
    seed(cat.id, 2, 0);
    seed(dog.id, 2, 1);
    await service.train('main', { name: '', augment: false, seed: 1 });
    expect(await finished(service)).toMatchObject({ phase: 'failed', error: 'Training failed: could not store the model in this browser: QUOTA_BYTES quota exceeded' });
    expect(calls.activated).toEqual([]);
  });
});
