import { describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  loadSettings,
  onSettingsChanged,
  parseSettings,
  saveSettings,
  type Settings,
  type StorageAreaLike,
} from '../../src/core/settingsStore';

/** In-memory stand-in for chrome.storage.local. */
class FakeArea implements StorageAreaLike {
  data: Record<string, unknown> = {};
  setCalls: Record<string, unknown>[] = [];
  constructor(initial: Record<string, unknown> = {}) {
    this.data = { ...initial };
  }
  async get(key: string): Promise<Record<string, unknown>> {
    return key in this.data ? { [key]: structuredClone(this.data[key]) } : {};
  }
  async set(items: Record<string, unknown>): Promise<void> {
    this.setCalls.push(structuredClone(items));
    Object.assign(this.data, structuredClone(items));
  }
}

/** Expected settings: the documented defaults (written out here, not imported) with overrides. */
const defaults = { opacity: 0.5, modelId: 'nsfw-mobilenet-v2-mid', method: 'auto', showBox: false, hideNegative: true, backend: 'auto', colormap: 'turbo', topK: 5, layers: {}, checkAutomatically: false, shortcutAlarm: true, prepareOnRightClick: true };
const withDefaults = (patch: Partial<Settings> = {}) => ({ ...defaults, ...patch });

describe('parseSettings', () => {
  it('returns opacity 0.5 for undefined, null and garbage', () => {
    for (const raw of [undefined, null, 'opacity', 7, true, [], [0.9], { colour: 'red' }]) {
      expect(parseSettings(raw), JSON.stringify(raw)).toEqual(withDefaults({ opacity: 0.5 }));
    }
  });

  it('keeps a valid opacity, including the bounds', () => {
    expect(parseSettings({ opacity: 0.8 })).toEqual(withDefaults({ opacity: 0.8 }));
    expect(parseSettings({ opacity: 0 })).toEqual(withDefaults({ opacity: 0 }));
    expect(parseSettings({ opacity: 1 })).toEqual(withDefaults({ opacity: 1 }));
  });

  it('replaces an out-of-range opacity with 0.5', () => {
    expect(parseSettings({ opacity: -0.1 })).toEqual(withDefaults({ opacity: 0.5 }));
    expect(parseSettings({ opacity: 1.5 })).toEqual(withDefaults({ opacity: 0.5 }));
  });

  it('replaces a non-number opacity with 0.5', () => {
    for (const opacity of ['0.8', null, true, {}, Number.NaN]) {
      expect(parseSettings({ opacity }), String(opacity)).toEqual(withDefaults({ opacity: 0.5 }));
    }
  });

  it('drops unknown keys', () => {
    expect(parseSettings({ opacity: 0.3, extra: 1 })).toEqual(withDefaults({ opacity: 0.3 }));
  });

  it('returns a fresh object, not the shared default', () => {
    const a = parseSettings(undefined);
    a.opacity = 0.9;
    expect(parseSettings(undefined)).toEqual(withDefaults({ opacity: 0.5 }));
    expect(DEFAULT_SETTINGS).toEqual(withDefaults({ opacity: 0.5 }));
  });
});

describe('loadSettings', () => {
  it('returns defaults from an empty area', async () => {
    expect(await loadSettings(new FakeArea())).toEqual(withDefaults({ opacity: 0.5 }));
  });

  it('returns stored settings', async () => {
    expect(await loadSettings(new FakeArea({ settings: withDefaults({ opacity: 0.25 }) }))).toEqual(withDefaults({ opacity: 0.25 }));
  });

  it('validates stored settings', async () => {
    expect(await loadSettings(new FakeArea({ settings: withDefaults({ opacity: 3 }) }))).toEqual(withDefaults({ opacity: 0.5 }));
  });

  it('ignores other keys in the area', async () => {
    expect(await loadSettings(new FakeArea({ opacity: 0.1 }))).toEqual(withDefaults({ opacity: 0.5 }));
  });

  it('returns defaults when get rejects', async () => {
    const area: StorageAreaLike = {
      get: () => Promise.reject(new Error('storage unavailable')),
      set: () => Promise.resolve(),
    };
    expect(await loadSettings(area)).toEqual(withDefaults({ opacity: 0.5 }));
  });

  it('asks the area for the "settings" key', async () => {
    const area = new FakeArea({ settings: withDefaults({ opacity: 0.4 }) });
    const get = vi.spyOn(area, 'get');
    await loadSettings(area);
    expect(get).toHaveBeenCalledWith('settings');
  });
});

describe('saveSettings', () => {
  it('persists and returns the patch applied over defaults', async () => {
    const area = new FakeArea();
    expect(await saveSettings(area, { opacity: 0.7 })).toEqual(withDefaults({ opacity: 0.7 }));
    expect(area.setCalls).toEqual([{ settings: withDefaults({ opacity: 0.7 }) }]);
    expect(await loadSettings(area)).toEqual(withDefaults({ opacity: 0.7 }));
  });

  it('merges the patch over stored settings (empty patch keeps stored value)', async () => {
    const area = new FakeArea({ settings: withDefaults({ opacity: 0.2 }) });
    expect(await saveSettings(area, {})).toEqual(withDefaults({ opacity: 0.2 }));
    expect(area.data.settings).toEqual(withDefaults({ opacity: 0.2 }));
  });

  it('persists the validated value, not the raw patch', async () => {
    const area = new FakeArea({ settings: withDefaults({ opacity: 0.2 }) });
    const result = await saveSettings(area, { opacity: 2 } as Partial<Settings>);
    expect(result).toEqual(withDefaults({ opacity: 0.5 }));
    expect(area.setCalls).toEqual([{ settings: withDefaults({ opacity: 0.5 }) }]);
  });

  it('still saves when get rejects', async () => {
    const saved: Record<string, unknown>[] = [];
    const area: StorageAreaLike = {
      get: () => Promise.reject(new Error('nope')),
      set: async (items) => void saved.push(items),
    };
    expect(await saveSettings(area, { opacity: 0.9 })).toEqual(withDefaults({ opacity: 0.9 }));
    expect(saved).toEqual([{ settings: withDefaults({ opacity: 0.9 }) }]);
  });
});

describe('onSettingsChanged', () => {
  type Cb = (changes: Record<string, { newValue?: unknown; oldValue?: unknown }>, areaName: string) => void;
  function fakeStorage() {
    const listeners: Cb[] = [];
    return {
      storage: { onChanged: { addListener: (cb: Cb) => void listeners.push(cb) } },
      fire: (changes: Record<string, { newValue?: unknown; oldValue?: unknown }>, areaName: string) => listeners.forEach((l) => l(changes, areaName)),
      listeners,
    };
  }

  it('registers exactly one listener', () => {
    const f = fakeStorage();
    onSettingsChanged(f.storage, () => {});
    expect(f.listeners).toHaveLength(1);
  });

  it('calls the listener with parsed settings for a sync "settings" change', () => {
    const f = fakeStorage();
    const listener = vi.fn();
    onSettingsChanged(f.storage, listener);
    f.fire({ settings: { newValue: { opacity: 0.3 } } }, 'sync');
    f.fire({ settings: { newValue: { opacity: 9 } } }, 'sync');
    f.fire({ settings: {} }, 'sync');
    expect(listener.mock.calls.map((call) => call[0])).toEqual([withDefaults({ opacity: 0.3 }), withDefaults({ opacity: 0.5 }), withDefaults({ opacity: 0.5 })]);
  });

  it('passes the previous settings too, so listeners can react to one field changing', () => {
    const f = fakeStorage();
    const listener = vi.fn();
    onSettingsChanged(f.storage, listener);
    f.fire({ settings: { oldValue: { backend: 'auto' }, newValue: { backend: 'wasm' } } }, 'sync');
    expect(listener).toHaveBeenCalledWith(withDefaults({ backend: 'wasm' }), withDefaults());
  });

  it('ignores other storage areas', () => {
    const f = fakeStorage();
    const listener = vi.fn();
    onSettingsChanged(f.storage, listener);
    f.fire({ settings: { newValue: { opacity: 0.3 } } }, 'local');
    f.fire({ settings: { newValue: { opacity: 0.3 } } }, 'session');
    expect(listener).not.toHaveBeenCalled();
  });

  it('ignores changes to other keys', () => {
    const f = fakeStorage();
    const listener = vi.fn();
    onSettingsChanged(f.storage, listener);
    f.fire({ other: { newValue: { opacity: 0.3 } } }, 'sync');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('model, method and display settings', () => {
  it('keeps valid choices', () => {
    const raw = { modelId: 'nsfw-mobilenet-v2', method: 'scorecam', showBox: true, hideNegative: false };
    expect(parseSettings(raw)).toEqual(withDefaults(raw as Partial<Settings>));
  });

  it('replaces an unknown method, an empty model id and non-boolean flags with defaults', () => {
    expect(parseSettings({ method: 'grad-cam', modelId: '', showBox: 'yes', hideNegative: 0 })).toEqual(withDefaults());
  });

  it('saving one field leaves the others as stored', async () => {
    const area = new FakeArea({ settings: { method: 'layercam', opacity: 0.3 } });
    expect(await saveSettings(area, { showBox: true })).toEqual(withDefaults({ method: 'layercam', opacity: 0.3, showBox: true }));
  });
});

describe('colormap and class count', () => {
  it('keeps a known colormap and a class count from 1 to 10', () => {
    expect(parseSettings({ colormap: 'jet', topK: 10 })).toEqual(withDefaults({ colormap: 'jet', topK: 10 }));
    expect(parseSettings({ colormap: 'inferno', topK: 1 })).toEqual(withDefaults({ colormap: 'inferno', topK: 1 }));
  });

  it('falls back for an unknown colormap or a count out of range or fractional', () => {
    for (const raw of [{ colormap: 'rainbow' }, { topK: 0 }, { topK: 11 }, { topK: 2.5 }, { topK: '3' }]) {
      expect(parseSettings(raw), JSON.stringify(raw)).toEqual(withDefaults());
    }
  });
});

describe('layer choices', () => {
  it('keeps a layer name per model', () => {
    const layers = { 'nsfw-mobilenet-v2-mid': 'block_13_expand_relu', 'user-1': 'conv_pw_11_relu' };
    expect(parseSettings({ layers }).layers).toEqual(layers);
  });

  it('drops a record that is not names by model id', () => {
    for (const layers of [['a'], 'block_13', { m: '' }, { m: 3 }, { m: 'x'.repeat(301) }]) {
      expect(parseSettings({ layers }).layers, JSON.stringify(layers)).toEqual({});
    }
  });

  it('choosing a layer for one model keeps the others', async () => {
    const area = new FakeArea({ settings: { layers: { a: 'conv1' } } });
    const saved = await saveSettings(area, { layers: { ...(await loadSettings(area)).layers, b: 'conv2' } });
    expect(saved.layers).toEqual({ a: 'conv1', b: 'conv2' });
  });
});
