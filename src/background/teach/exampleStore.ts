// The examples of Teach projects, in the extension's IndexedDB (shared by the service worker, which
// writes, and the Teach page, which reads): per example a small thumbnail of what the model sees and
// where it came from ('examples'), and its views' pooled features, computed once when it was added
// ('features', kept apart so that listing thumbnails never reads megabytes of features).
import type { TeachProjectId } from '../../core/teach/project';

const DB_NAME = 'cam-lens-teach';
const DB_VERSION = 1;
const EXAMPLES = 'examples';
const FEATURES = 'features';

export interface StoredExample {
  id: string;
  project: TeachProjectId;
  classId: string;
  /** JPEG data URL of the central square, small. */
  thumb: string;
  /** The picture's address or file name. */
  origin: string;
  addedAt: number;
}

export interface StoredFeatures {
  id: string;
  /** Which backbone (and views) computed them: features of another one are not comparable. */
  backbone: string;
  /** views × dim pooled features. */
  features: Float32Array;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(EXAMPLES)) db.createObjectStore(EXAMPLES, { keyPath: 'id' }).createIndex('project', 'project');
      if (!db.objectStoreNames.contains(FEATURES)) db.createObjectStore(FEATURES, { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another open connection'));
  });
}

/** One transaction over both stores; resolves with `work`'s value once it has committed. */
async function transaction<T>(mode: IDBTransactionMode, work: (examples: IDBObjectStore, features: IDBObjectStore) => Promise<T> | T): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction([EXAMPLES, FEATURES], mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    const value = await work(tx.objectStore(EXAMPLES), tx.objectStore(FEATURES));
    await done;
    return value;
  } finally {
    db.close();
  }
}

const request = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });

export const exampleStore = {
  add: (example: StoredExample, features: StoredFeatures) =>
    transaction('readwrite', (examples, stored) => {
      examples.put(example);
      stored.put(features);
    }),
  /** A project's examples, oldest first. */
  list: (project: TeachProjectId) =>
    transaction('readonly', (examples) => request(examples.index('project').getAll(project) as IDBRequest<StoredExample[]>)).then((list) => list.sort((a, b) => a.addedAt - b.addedAt || a.id.localeCompare(b.id))),
  features: (ids: readonly string[]) =>
    transaction('readonly', (_, stored) => Promise.all(ids.map((id) => request(stored.get(id) as IDBRequest<StoredFeatures | undefined>)))),
  remove: (ids: readonly string[]) =>
    transaction('readwrite', (examples, stored) => {
      for (const id of ids) {
        examples.delete(id);
        stored.delete(id);
      }
    }),
};
export type ExampleStore = typeof exampleStore;
