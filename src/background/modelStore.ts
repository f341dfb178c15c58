// The files of installed models, in the extension's IndexedDB (shared by the service worker and the
// popup): model.json and all weights as one buffer per model, so a model loads offline. The popup
// also leaves picked files here ("staged") for the worker to install: files cannot travel in messages.
import type { ModelJson, PickedFile } from '../core/modelSource';

const DB_NAME = 'cam-lens-models';
const DB_VERSION = 1;
const ARTIFACTS = 'artifacts';
const STAGED = 'staged';

export interface StoredArtifacts {
  id: string;
  modelJson: ModelJson;
  weightData: ArrayBuffer;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(ARTIFACTS)) db.createObjectStore(ARTIFACTS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(STAGED)) db.createObjectStore(STAGED, { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another open connection'));
  });
}

async function run<T>(store: string, mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      let result: T;
      request.onsuccess = () => (result = request.result);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export const modelStore = {
  put: (artifacts: StoredArtifacts) => run(ARTIFACTS, 'readwrite', (s) => s.put(artifacts)).then(() => undefined),
  get: (id: string) => run<StoredArtifacts | undefined>(ARTIFACTS, 'readonly', (s) => s.get(id)),
  delete: (id: string) => run(ARTIFACTS, 'readwrite', (s) => s.delete(id)).then(() => undefined),
  keys: () => run(ARTIFACTS, 'readonly', (s) => s.getAllKeys()).then((keys) => keys.map(String)),
  /** Picked files, left by the popup for the worker. */
  stage: (id: string, files: PickedFile[]) => run(STAGED, 'readwrite', (s) => s.put({ id, files, at: Date.now() })).then(() => undefined),
  /** Takes (reads and removes) staged files. */
  async takeStaged(id: string): Promise<PickedFile[] | undefined> {
    const staged = await run<{ files: PickedFile[] } | undefined>(STAGED, 'readonly', (s) => s.get(id));
    await run(STAGED, 'readwrite', (s) => s.delete(id));
    return staged?.files;
  },
};
export type ModelStore = typeof modelStore;
