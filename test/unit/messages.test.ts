import { describe, expect, it } from 'vitest';
import { BeginExplainReply, ExplanationResult, MAX_PREPARED_URL, parseMessage, Status } from '../../src/core/messages';

function success(): Record<string, unknown> {
  return {
    ok: true,
    explanationId: 'e1',
    modelId: 'mobilenet',
    modelName: 'MobileNet',
    method: 'cam',
    layer: 'conv_last',
    backend: 'webgl',
    classes: [
      { index: 3, label: 'cat', probability: 0.7 },
      { index: 0, label: 'dog', probability: 0.2 },
    ],
    classCount: 10,
    target: { index: 3, label: 'cat', probability: 0.7 },
    image: { width: 640, height: 480 },
    source: 'fetch',
    map: { width: 2, height: 2, values: [0.1, -0.2, 0.3, 0.4] },
    timingsMs: { total: 12.5, infer: 8 },
  };
}

function explainClass(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'explain-class', overlayId: 'ov1', classIndex: 2, method: 'gradcam', ...overrides };
}

/** An overlay asking for its explanation, naming where its pixels are. */
function explain(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'explain', overlayId: 'ov1', source: { kind: 'url', url: 'https://example.com/a.png' }, ...overrides };
}

describe('parseMessage: valid variants', () => {
  it('accepts begin-explain with a srcUrl', () => {
    expect(parseMessage({ type: 'begin-explain', srcUrl: 'https://x/y.jpg' })).toEqual({
      type: 'begin-explain',
      srcUrl: 'https://x/y.jpg',
    });
  });

  it('accepts begin-explain without a srcUrl', () => {
    const m = parseMessage({ type: 'begin-explain' });
    expect(m).not.toBeNull();
    expect(m!.type).toBe('begin-explain');
    expect(m).not.toHaveProperty('srcUrl');
  });

  it('accepts show-result carrying a success result', () => {
    const raw = { type: 'show-result', overlayId: 'ov1', result: success() };
    expect(parseMessage(raw)).toEqual(raw);
  });

  it('accepts show-result carrying a failure result', () => {
    const raw = { type: 'show-result', overlayId: 'ov1', result: { ok: false, error: 'boom' } };
    expect(parseMessage(raw)).toEqual(raw);
  });

  it('accepts explain-class, with or without page-read pixels', () => {
    expect(parseMessage(explainClass())).toEqual(explainClass());
    const raw = explainClass({ pixels: 'data:image/png;base64,AAAA', classIndex: 0 });
    expect(parseMessage(raw)).toEqual(raw);
  });

  it('explain-class carries no source or explanation id: the worker holds those (extra fields are dropped)', () => {
    const parsed = parseMessage(explainClass({ explanationId: 'x1', source: { kind: 'url', url: 'https://bank.example/me.png' } }));
    expect(parsed).toEqual(explainClass());
  });

  it('accepts explain with a url, dataUrl or screenshot source', () => {
    for (const source of [
      { kind: 'url', url: 'https://example.com/a.png' },
      { kind: 'dataUrl', dataUrl: 'data:image/png;base64,AAAA', originalUrl: 'blob:https://x/1' },
      { kind: 'screenshot' },
    ]) {
      const raw = explain({ source });
      expect(parseMessage(raw)).toEqual(raw);
    }
  });

  it('accepts export naming an overlay, and frame-box', () => {
    const raw = { type: 'export', overlayId: 'ov1', look: { opacity: 0.5, colormap: 'turbo', hideNegative: true } };
    expect(parseMessage(raw)).toEqual(raw);
    expect(parseMessage({ type: 'frame-box', path: [0, 2], index: 1 })).toEqual({ type: 'frame-box', path: [0, 2], index: 1 });
    expect(parseMessage({ type: 'frame-box', path: [-1], index: 1 })).toBeNull();
  });

  it('accepts get-status', () => {
    expect(parseMessage({ type: 'get-status' })).toEqual({ type: 'get-status' });
  });

  it('accepts warm-up, with the http(s) address of the picture to prepare or without', () => {
    expect(parseMessage({ type: 'warm-up' })).toEqual({ type: 'warm-up' });
    expect(parseMessage({ type: 'warm-up', srcUrl: 'https://x/y.jpg' })).toEqual({ type: 'warm-up', srcUrl: 'https://x/y.jpg' });
  });
});

describe('parseMessage: a warm-up names only an http(s) address of bounded length', () => {
  it.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd', 'blob:https://x/1', '', `https://x/${'a'.repeat(MAX_PREPARED_URL)}`, 42])('refuses %s', (srcUrl) => {
    expect(parseMessage({ type: 'warm-up', srcUrl })).toBeNull();
  });
});

describe('parseMessage: rejections', () => {
  it('returns null for an unknown type', () => {
    expect(parseMessage({ type: 'explode' })).toBeNull();
    expect(parseMessage({ type: 'GET-STATUS' })).toBeNull();
  });

  it('returns null when type is missing', () => {
    expect(parseMessage({ overlayId: 'ov1' })).toBeNull();
  });

  it('returns null when a required field is missing', () => {
    expect(parseMessage({ type: 'show-result', result: { ok: false, error: 'x' } })).toBeNull();
    expect(parseMessage({ type: 'show-result', overlayId: 'ov1' })).toBeNull();
    for (const field of ['overlayId', 'classIndex', 'method']) {
      const raw = explainClass();
      delete raw[field];
      expect(parseMessage(raw), `missing ${field}`).toBeNull();
    }
    for (const field of ['overlayId', 'source']) {
      const raw = explain();
      delete raw[field];
      expect(parseMessage(raw), `missing ${field}`).toBeNull();
    }
  });

  it('returns null for wrong field types', () => {
    expect(parseMessage({ type: 'begin-explain', srcUrl: 42 })).toBeNull();
    expect(parseMessage(explainClass({ overlayId: 7 }))).toBeNull();
    expect(parseMessage(explainClass({ classIndex: '2' }))).toBeNull();
    expect(parseMessage(explain({ source: 'https://example.com/a.png' }))).toBeNull();
    expect(parseMessage(explainClass({ pixels: 'https://example.com/a.png' }))).toBeNull();
    expect(parseMessage({ type: 'show-result', overlayId: 'ov1', result: { ok: 'false', error: 'x' } })).toBeNull();
  });

  it('returns null for a negative or fractional classIndex', () => {
    expect(parseMessage(explainClass({ classIndex: -1 }))).toBeNull();
    expect(parseMessage(explainClass({ classIndex: 1.5 }))).toBeNull();
  });

  it('returns null for a dataUrl source whose dataUrl does not start with "data:"', () => {
    const src = (dataUrl: string) => ({ kind: 'dataUrl', dataUrl, originalUrl: 'blob:x' });
    expect(parseMessage(explain({ source: src('https://example.com/a.png') }))).toBeNull();
    expect(parseMessage(explain({ source: src(' data:image/png;base64,AA') }))).toBeNull();
    expect(parseMessage(explain({ source: src('') }))).toBeNull();
  });

  it('returns null for a dataUrl source missing originalUrl', () => {
    expect(parseMessage(explain({ source: { kind: 'dataUrl', dataUrl: 'data:,' } }))).toBeNull();
  });

  it('returns null for an empty url source', () => {
    expect(parseMessage(explain({ source: { kind: 'url', url: '' } }))).toBeNull();
  });

  it('returns null for an unknown source kind', () => {
    expect(parseMessage(explain({ source: { kind: 'file', url: 'x' } }))).toBeNull();
  });

  it('returns null for non-objects', () => {
    for (const raw of [null, undefined, 'get-status', 42, true, [], [{ type: 'get-status' }]]) {
      expect(parseMessage(raw), JSON.stringify(raw)).toBeNull();
    }
  });

  it('returns null for show-result whose success result is malformed', () => {
    const bad: Record<string, unknown> = success();
    bad.method = 'no-such-method';
    expect(parseMessage({ type: 'show-result', overlayId: 'ov1', result: bad })).toBeNull();
  });
});

describe('ExplanationResult', () => {
  it('accepts a well-formed success and failure', () => {
    expect(ExplanationResult.safeParse(success()).success).toBe(true);
    expect(ExplanationResult.safeParse({ ok: false, error: 'x' }).success).toBe(true);
  });

  it('rejects a success whose map width is 0', () => {
    const r = success();
    r.map = { width: 0, height: 2, values: [] };
    expect(ExplanationResult.safeParse(r).success).toBe(false);
  });

  it('rejects a success whose map width is not an integer', () => {
    const r = success();
    r.map = { width: 1.5, height: 2, values: [1, 2, 3] };
    expect(ExplanationResult.safeParse(r).success).toBe(false);
  });

  it('rejects a success whose map height is 0 or negative', () => {
    const r = success();
    r.map = { width: 2, height: 0, values: [] };
    expect(ExplanationResult.safeParse(r).success).toBe(false);
    r.map = { width: 2, height: -1, values: [] };
    expect(ExplanationResult.safeParse(r).success).toBe(false);
  });

  it('rejects a success with a negative class index in target', () => {
    const r = success();
    r.target = { index: -1, label: 'cat', probability: 0.7 };
    expect(ExplanationResult.safeParse(r).success).toBe(false);
  });

  it('rejects a failure without an error string', () => {
    expect(ExplanationResult.safeParse({ ok: false }).success).toBe(false);
  });
});

describe('BeginExplainReply', () => {
  it('accepts ok: true with an overlay id and source', () => {
    const raw = { ok: true, overlayId: 'ov1', source: { kind: 'url', url: 'https://x/a.png' } };
    const r = BeginExplainReply.safeParse(raw);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(raw);
  });

  it('accepts ok: false with an error', () => {
    const r = BeginExplainReply.safeParse({ ok: false, error: 'no image here' });
    expect(r.success).toBe(true);
    expect(r.data).toEqual({ ok: false, error: 'no image here' });
  });

  it('rejects ok: true without a source', () => {
    expect(BeginExplainReply.safeParse({ ok: true, overlayId: 'ov1' }).success).toBe(false);
  });
});

describe('Status', () => {
  const full = {
    modelId: 'm',
    modelName: 'Model',
    modelLoaded: false,
    modelLoadMs: null,
    modelWarmupMs: null,
    models: [{ id: 'm', name: 'Model', format: 'graph', layer: null, camApplies: null, camUnavailable: null }],
    backend: null,
    backendSetting: 'auto',
    backendMeasurements: null,
    backendNote: null,
    renderer: null,
    lastTimingsMs: null,
  };

  it('accepts nulls and concrete values for the nullable fields', () => {
    expect(Status.safeParse(full).success).toBe(true);
    const loaded = { ...full, modelLoaded: true, modelLoadMs: 94.2, modelWarmupMs: 13, backend: 'webgl', backendNote: 'n', renderer: 'ANGLE', lastTimingsMs: { total: 3 } };
    expect(Status.safeParse(loaded).success).toBe(true);
  });

  it('requires each nullable field to be present', () => {
    for (const field of ['backend', 'backendNote', 'renderer', 'lastTimingsMs'] as const) {
      const raw: Record<string, unknown> = { ...full };
      delete raw[field];
      expect(Status.safeParse(raw).success, `missing ${field}`).toBe(false);
      expect(Status.safeParse({ ...full, [field]: undefined }).success, `undefined ${field}`).toBe(false);
    }
  });
});

describe('class names', () => {
  it('class-labels asks by model id; a result must say how many classes the model has', () => {
    expect(parseMessage({ type: 'class-labels', modelId: 'imagenet' })).toEqual({ type: 'class-labels', modelId: 'imagenet' });
    expect(parseMessage({ type: 'class-labels' })).toBeNull();
    const { classCount: _count, ...withoutCount } = success();
    expect(ExplanationResult.safeParse(withoutCount).success).toBe(false);
    expect(ExplanationResult.safeParse({ ...success(), classCount: 0 }).success).toBe(false);
  });
});

describe('map shape is validated on receipt', () => {
  it('rejects a map whose values do not fill width × height', () => {
    const base = {
      ok: true, explanationId: 'x1', modelId: 'm', modelName: 'M', method: 'cam', layer: 'l', backend: 'cpu',
      classes: [], classCount: 1, target: { index: 0, label: 'a', probability: 1 }, image: { width: 1, height: 1 }, source: 'page', timingsMs: {},
    };
    expect(ExplanationResult.safeParse({ ...base, map: { width: 7, height: 7, values: [1] } }).success).toBe(false);
    expect(ExplanationResult.safeParse({ ...base, map: { width: 2, height: 1, values: [1, 2] } }).success).toBe(true);
  });
});

describe('sources and routes', () => {
  it('accepts a screenshot source and the three routes; rejects an unknown route', () => {
    expect(parseMessage({ type: 'explain', overlayId: 'o1', source: { kind: 'screenshot' } })).not.toBeNull();
    for (const source of ['fetch', 'page', 'screenshot']) expect(ExplanationResult.safeParse({ ...success(), source }).success, source).toBe(true);
    expect(ExplanationResult.safeParse({ ...success(), source: 'telepathy' }).success).toBe(false);
    expect(ExplanationResult.safeParse({ ...success(), source: undefined }).success).toBe(false);
  });
});
