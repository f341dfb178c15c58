// Models from the real world's hosts, on a fake network that behaves like today's internet: Google's
// tfjs-models bucket serves Keras MobileNet V1; TF Hub and Kaggle's model pages redirect to signed
// Kaggle storage links that answer HTTP 403 SignatureDoesNotMatch. Also: http:// refused except on
// this computer; what each host answered, in words; one copy per address; names that never clash;
// non-classifiers refused unless the user says otherwise; integer-input models refused in plain words.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { catalog } from '../../src/core/catalog';
import { downloadModel, type FetchLike } from '../../src/core/modelDownload';
import { describeHttpFailure, hostLabel, isLoopback, isSecureModelUrl, ModelSourceError } from '../../src/core/modelHosts';
import { resolveSource } from '../../src/core/modelSource';
import { entryFor, loadUserModels, uniqueName, withDistinctNames, type UserModel } from '../../src/core/userModels';
import { defaultNames, ModelInstaller } from '../../src/background/modelInstaller';
import { artifactsFrom, explainableFrom } from '../../src/background/modelLoad';
import { parseMessage } from '../../src/core/messages';
import { bucketPath, makeFixtureModels } from '../../scripts/make-fixture-models.mjs';
import { englishTranslate as t } from './helpers/englishTranslate';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-hosts-'));
  await makeFixtureModels(dir);
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIGNED_LINK_REFUSED =
  "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SignatureDoesNotMatch</Code><Message>Access denied.</Message><Details>The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.</Details></Error>";

/** A Response as fetch returns it after following redirects (url and redirected are read-only on real ones). */
function answer(body: BodyInit | null, init: ResponseInit, url: string, redirected: boolean): Response {
  const response = new Response(body, init);
  Object.defineProperty(response, 'url', { value: url });
  Object.defineProperty(response, 'redirected', { value: redirected });
  return response;
}

/**
 * Today's internet: the bucket serves the fixture files; TF Hub redirects to Kaggle, which redirects
 * to a signed storage link that is refused; `down` lists hosts that do not answer at all.
 */
function internet(log: string[] = [], down: string[] = [], overrides: Record<string, () => Response> = {}): FetchLike {
  return async (address) => {
    log.push(address);
    const url = new URL(address);
    if (down.includes(url.hostname)) throw new TypeError('Failed to fetch');
    if (overrides[address]) return overrides[address]();
    if (url.hostname === 'storage.googleapis.com' && url.pathname.startsWith('/tfjs-models/')) {
      try {
        return answer(readFileSync(path.join(dir, 'bucket', decodeURIComponent(url.pathname))), { status: 200 }, address, false);
      } catch {
        return answer('<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>', { status: 404, statusText: 'Not Found' }, address, false);
      }
    }
    if (url.hostname === 'tfhub.dev' || url.hostname === 'www.kaggle.com') {
      const signed = `https://storage.googleapis.com/kagglesdsdata/models/1324/1579/${path.basename(url.pathname)}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=09ae`;
      return answer(SIGNED_LINK_REFUSED, { status: 403, statusText: 'Forbidden', headers: { 'content-type': 'application/xml' } }, signed, true);
    }
    if (url.hostname === 'models.test' || isLoopback(url.hostname)) {
      try {
        return answer(readFileSync(path.join(dir, decodeURIComponent(url.pathname))), { status: 200 }, address, false);
      } catch {
        return answer('not found', { status: 404, statusText: 'Not Found' }, address, false);
      }
    }
    throw new TypeError('Failed to fetch');
  };
}

function memoryArea() {
  const data: Record<string, unknown> = {};
  return { data, get: async (k: string) => ({ [k]: data[k] }), set: async (items: Record<string, unknown>) => void Object.assign(data, items) };
}
function memoryStore() {
  const put = new Map<string, { id: string; modelJson: never; weightData: ArrayBuffer }>();
  return { put, store: { put: async (a: { id: string }) => void put.set(a.id, a as never), delete: async (id: string) => void put.delete(id), takeStaged: async () => undefined } };
}
function installerOn(fetch: FetchLike, extra: Partial<ConstructorParameters<typeof ModelInstaller>[0]> = {}) {
  const records = memoryArea();
  const { put, store } = memoryStore();
  const installer = new ModelInstaller({ fetch, t, records, store, ready: async () => undefined, ...extra });
  return { installer, records, put };
}

describe('addresses: https, or http only on this computer', () => {
  test('loopback hosts', () => {
    for (const host of ['localhost', 'models.localhost', '127.0.0.1', '127.12.0.3', '[::1]']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['example.com', '10.0.0.1', '192.168.1.2', '127.0.0.1.example.com', 'localhost.example.com']) expect(isLoopback(host), host).toBe(false);
    expect(isSecureModelUrl(new URL('https://example.com/m.json'))).toBe(true);
    expect(isSecureModelUrl(new URL('http://127.0.0.1:8080/m.json'))).toBe(true);
    expect(isSecureModelUrl(new URL('http://example.com/m.json'))).toBe(false);
  });

  test('an http:// model address elsewhere is refused, saying why and what to do', () => {
    expect(() => resolveSource('http://example.com/models/model.json', 'auto', t)).toThrow(
      'refused: http://example.com/models/model.json is not encrypted (http://), so the model could be swapped on the way; use its https:// address (http:// only for this computer: localhost, 127.0.0.1)',
    );
    expect(() => resolveSource('http://localhost:8000/model.json', 'auto', t)).not.toThrow();
  });

  test('an https address that redirects to http is refused too', async () => {
    const fetch = internet([], [], { 'https://models.test/layers/model.json': () => answer('{}', { status: 200 }, 'http://mirror.example/layers/model.json', true) });
    await expect(downloadModel(resolveSource('https://models.test/layers/model.json', 'auto', t), { fetch, t })).rejects.toThrow(
      'could not download the model: models.test sent the download on to an unencrypted address (http://mirror.example/layers/model.json)',
    );
  });
});

describe('what a host answered, in words', () => {
  test('host names as people know them', () => {
    expect(hostLabel('https://tfhub.dev/google/x', t)).toBe('TF Hub');
    expect(hostLabel('https://www.kaggle.com/models/google/x', t)).toBe('Kaggle');
    expect(hostLabel('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json', t)).toBe("Google's tfjs-models bucket");
    expect(hostLabel('https://storage.googleapis.com/kagglesdsdata/models/1/2/model.json', t)).toBe('storage.googleapis.com');
  });

  test("TF Hub's redirect to a signed Kaggle link refused with SignatureDoesNotMatch", () => {
    const refused = { status: 403, statusText: 'Forbidden', url: 'https://storage.googleapis.com/kagglesdsdata/models/1/2/model.json?X-Goog-Signature=1', redirected: true };
    expect(describeHttpFailure('https://tfhub.dev/google/tfjs-model/x/1/default/1/model.json?tfjs-format=file', refused, SIGNED_LINK_REFUSED, t)).toBe(
      "TF Hub's download link was refused (HTTP 403: the signed link did not match)",
    );
    expect(describeHttpFailure('https://tfhub.dev/m/model.json', { ...refused, status: 404, statusText: 'Not Found' }, 'nope', t)).toBe(
      'TF Hub sent the download on to storage.googleapis.com, which answered HTTP 404 Not Found',
    );
    expect(describeHttpFailure('https://example.com/m/model.json', { status: 500, statusText: 'Internal Server Error' }, '', t)).toBe(
      'https://example.com/m/model.json answered HTTP 500 Internal Server Error',
    );
  });
});

describe("the catalog's ImageNet downloads", () => {
  test('MobileNet V1 at four widths from the bucket, 224×224 in [−1, 1]; 1.0 falls back to TF Hub, then Kaggle', () => {
    expect(catalog.downloads.map((d) => d.id)).toEqual(['imagenet-mobilenet-v1-1.0', 'imagenet-mobilenet-v1-0.75', 'imagenet-mobilenet-v1-0.50', 'imagenet-mobilenet-v1-0.25']);
    for (const d of catalog.downloads) {
      const width = d.id.replace('imagenet-mobilenet-v1-', '');
      expect(d.sources[0]).toEqual({ kind: 'url', url: `https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${width}_224/model.json`, pixelScaling: 'symmetric' });
    }
    expect(catalog.downloads[0].sources.slice(1).map((s) => [s.kind, new URL(s.url).host, s.pixelScaling])).toEqual([
      ['tfhub', 'tfhub.dev', 'unit'],
      ['tfhub', 'www.kaggle.com', 'unit'],
    ]);
    expect(parseMessage({ type: 'describe-download', id: 'imagenet-mobilenet-v1-1.0' })).not.toBeNull();
    expect(parseMessage({ type: 'install-model', source: { kind: 'download', id: 'imagenet-mobilenet-v1-1.0' }, form: {} })).not.toBeNull();
  });

  test("today's internet: the size comes from the bucket; only model.json is fetched", async () => {
    const log: string[] = [];
    const { installer } = installerOn(internet(log));
    const described = await installer.describeDownload('imagenet-mobilenet-v1-1.0');
    const bytes = readdirBytes(bucketPath('1.0'));
    expect(described).toEqual({ ok: true, sizeBytes: bytes, format: 'layers', url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json' });
    expect(log).toEqual(['https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json']);
  });

  test('installs MobileNet V1 from the bucket (one weights group per layer, as there): ImageNet names, [−1, 1] pixels, exact CAM', async () => {
    const log: string[] = [];
    const { installer, records, put } = installerOn(internet(log));
    const outcome = await installer.install({ kind: 'download', id: 'imagenet-mobilenet-v1-1.0' }, {});
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.note).toBeUndefined();
    const [record] = await loadUserModels(records);
    expect(record).toMatchObject({ displayName: 'ImageNet MobileNet V1 1.0', format: 'layers', pixelScaling: 'symmetric', outputs: 1000, inputSize: { width: 224, height: 224 }, source: { kind: 'url' } });
    expect(record.labels?.[281]).toBe('tabby, tabby cat');
    expect(log.filter((u) => /group\d+-shard1of1$/.test(u)).length).toBe(JSON.parse(readFileSync(path.join(dir, bucketPath('1.0'), 'model.json'), 'utf8')).weightsManifest.length);
    expect(log.some((u) => /tfhub|kaggle/.test(u))).toBe(false);
    const stored = put.get(record.id)!;
    const model = await explainableFrom(entryFor(record, t), artifactsFrom(stored.modelJson, stored.weightData, 'layers'));
    expect(model.layer).toBe('conv_pw_5_relu');
    expect(model.camWeights?.shape).toEqual([64, 1000]);
    expect(model.camUnavailable).toBeNull();
    model.dispose();
  });

  test('the bucket down: each host says what it answered, and nothing is installed', async () => {
    const { installer, records } = installerOn(internet([], ['storage.googleapis.com']));
    const outcome = await installer.install({ kind: 'download', id: 'imagenet-mobilenet-v1-1.0' }, {});
    expect(outcome).toEqual({
      ok: false,
      error:
        "could not download ImageNet MobileNet V1 1.0 from any of its sources: Google's tfjs-models bucket could not be reached (no connection, or the server does not let the file be read from here); " +
        "TF Hub's download link was refused (HTTP 403: the signed link did not match); Kaggle's download link was refused (HTTP 403: the signed link did not match)",
    });
    expect(await loadUserModels(records)).toEqual([]);
    expect(await installer.describeDownload('imagenet-mobilenet-v1-1.0')).toMatchObject({ ok: false, error: outcome.ok ? '' : outcome.error });
  });

  test('the bucket down and TF Hub working again: the alternate installs, and the note says which source worked', async () => {
    const hub = 'https://tfhub.dev/google/tfjs-model/imagenet/mobilenet_v2_100_224/classification/3/default/1';
    const overrides = Object.fromEntries(
      ['model.json', 'group1-shard1of1'].map((f) => [`${hub}/${f}?tfjs-format=file`, () => answer(readFileSync(path.join(dir, 'tfhub/imagenet/mobilenet_v2_fixture/classification/3/default/1', f)), { status: 200 }, `${hub}/${f}?tfjs-format=file`, false)]),
    );
    const { installer, records } = installerOn(internet([], ['storage.googleapis.com'], overrides));
    const note = "Google's tfjs-models bucket could not be reached (no connection, or the server does not let the file be read from here); downloaded from TF Hub instead.";
    expect(await installer.describeDownload('imagenet-mobilenet-v1-1.0')).toMatchObject({ ok: true, url: hub, note });
    const outcome = await installer.install({ kind: 'download', id: 'imagenet-mobilenet-v1-1.0' }, {});
    expect(outcome).toMatchObject({ ok: true, note });
    expect(installer.progress).toMatchObject({ phase: 'done', note });
    expect((await loadUserModels(records))[0]).toMatchObject({ displayName: 'ImageNet MobileNet V2 (TF Hub)', pixelScaling: 'unit', outputs: 1001 });
  });
});

/** Bytes of a fixture folder's weight files. */
function readdirBytes(rel: string): number {
  const json = JSON.parse(readFileSync(path.join(dir, rel, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  return json.weightsManifest.flatMap((g) => g.paths).reduce((sum, p) => sum + readFileSync(path.join(dir, rel, p)).length, 0);
}

describe('one copy per address, and names that never clash', () => {
  const liveness = 'https://models.test/human/liveness.json';
  const antispoof = 'https://models.test/human/antispoof.json';

  test('installing again from the same address replaces the model: one record, one set of files, the choices moved over', async () => {
    const replaced: [string, string][] = [];
    const { installer, records, put } = installerOn(internet(), { replaced: async (a, b) => void replaced.push([a, b]), now: (() => { let n = 1000; return () => n++; })() });
    const first = await installer.install({ kind: 'auto', url: liveness }, {});
    const second = await installer.install({ kind: 'auto', url: liveness }, {});
    if (!first.ok || !second.ok) throw new Error('install failed');
    const models = await loadUserModels(records);
    expect(models.map((m) => m.id)).toEqual([second.model.id]);
    expect([...put.keys()]).toEqual([second.model.id]);
    expect(replaced).toEqual([[first.model.id, second.model.id]]);
    expect(second.model.displayName).toBe('liveness');
  });

  test("two models of one folder are named after their files, not both after the folder (human's antispoof and liveness)", async () => {
    const { installer, records } = installerOn(internet());
    expect((await installer.install({ kind: 'auto', url: antispoof }, {})).ok).toBe(true);
    expect((await installer.install({ kind: 'auto', url: liveness }, {})).ok).toBe(true);
    expect((await loadUserModels(records)).map((m) => m.displayName)).toEqual(['antispoof', 'liveness']);
  });

  test('a name already taken (by another model, or a bundled one) gets the other candidate, then a number', async () => {
    expect(defaultNames({ kind: 'url', url: 'https://h/human/liveness.json' }, t)).toEqual(['liveness', 'human']);
    expect(defaultNames({ kind: 'url', url: 'https://h/mobilenet_v1_1.0_224/model.json' }, t)).toEqual(['mobilenet_v1_1.0_224']);
    expect(uniqueName(['liveness', 'human'], ['liveness'])).toBe('human');
    expect(uniqueName(['liveness', 'human'], ['Liveness', 'human', 'liveness (2)'])).toBe('liveness (3)');
    const { installer, records } = installerOn(internet(), { reservedNames: ['Colours'] });
    expect((await installer.install({ kind: 'auto', url: 'https://models.test/layers/model.json' }, { displayName: 'Colours' })).ok).toBe(true);
    expect((await installer.install({ kind: 'auto', url: liveness }, { displayName: 'Colours' })).ok).toBe(true);
    expect((await loadUserModels(records)).map((m) => m.displayName)).toEqual(['Colours (2)', 'Colours (3)']);
  });

  test('models installed before names were unique are listed apart all the same', () => {
    const model = (id: string, displayName: string, installed = true) => ({ ...catalog.models[0], id, displayName, ...(installed ? { installed: { sizeBytes: 1, installedAt: 1 } } : {}) });
    const listed = withDistinctNames([model('a', 'Content classifier', false), model('b', 'human'), model('c', 'human'), model('d', 'Content classifier')]);
    expect(listed.map((m) => m.displayName)).toEqual(['Content classifier', 'human', 'human (2)', 'Content classifier (2)']);
  });
});

describe('outputs that are not class scores', () => {
  const regressor = 'https://models.test/regressor/model.json';

  test('a landmark regressor (two 1×1 convolutions concatenated, no softmax) is refused in one sentence', async () => {
    const { installer, records } = installerOn(internet());
    expect(await installer.install({ kind: 'auto', url: regressor }, {})).toEqual({
      ok: false,
      error:
        'this model does not output class scores (its outputs end in no softmax or sigmoid and are not a pooled linear classifier: a regression or detection model, say), so its "classes" would mean nothing; if it is a classifier, tick "It is a classifier" and install it again',
    });
    expect(await loadUserModels(records)).toEqual([]);
  });

  test('…unless the form says it is a classifier: installed, its raw scores shown through a softmax and said so', async () => {
    const { installer, records } = installerOn(internet());
    const outcome = await installer.install({ kind: 'auto', url: regressor }, { classifier: true });
    expect(outcome.ok).toBe(true);
    const [record] = await loadUserModels(records);
    expect(record).toMatchObject({ rawScores: true, softmaxScores: true, outputs: 228 });
    expect(entryFor(record, t).rawScores).toBe(true);
    expect(t('noteRawScores')).toMatch(/raw scores, not probabilities/);
  });

  test('classifiers are not asked: softmax (Keras), sigmoid (antispoof), logits of a pooled linear head (TF Hub)', async () => {
    const { installer } = installerOn(internet());
    for (const url of ['https://models.test/human/liveness.json', 'https://models.test/human/antispoof.json', 'https://models.test/tfhub/imagenet/mobilenet_v2_fixture/classification/3/default/1']) {
      const outcome = await installer.install({ kind: url.includes('tfhub') ? 'url' : 'auto', url: url.includes('tfhub') ? `${url}/model.json` : url }, {});
      expect(outcome.ok, url).toBe(true);
      expect(outcome.ok && (outcome.model as UserModel).rawScores, url).toBeUndefined();
    }
  });
});

describe('integer inputs', () => {
  test('a graph whose input is int32 is refused in plain words before its weights are downloaded', async () => {
    const json = JSON.parse(readFileSync(path.join(dir, 'human', 'antispoof.json'), 'utf8'));
    json.modelTopology.node[0].attr.dtype = { type: 'DT_INT32' };
    const log: string[] = [];
    const url = 'https://models.test/int/model.json';
    const fetch = internet(log, [], { [url]: () => answer(JSON.stringify(json), { status: 200 }, url, false) });
    await expect(downloadModel(resolveSource(url, 'auto', t), { fetch, t })).rejects.toThrow(new ModelSourceError('this model expects integer pixels (int32), which CAM Lens does not support'));
    expect(log).toEqual([url]);
  });
});
