// The settings controls of the popup and the options page, wired to the one settings record in
// storage.sync: each control the page has shows the stored value and writes a change at once (the
// overlays follow storage, so changes apply live). A change made in the other page shows here too.
import browser from 'webextension-polyfill';
import { loadSettings, onSettingsChanged, saveSettings, type Settings } from '../core/settingsStore';
import { describeMethod } from './page';

export interface SettingsSession {
  /** The settings as last read or written. */
  readonly current: Settings;
  save(patch: Partial<Settings>): Promise<void>;
  /** Reads storage again (e.g. after a deleted model handed over to the default). */
  reload(): Promise<Settings>;
}

export interface SettingsHooks {
  /** Show the worker's status again; with `load`, once the active model (re)loaded with the new settings. */
  refresh(load: boolean): Promise<void>;
  /** The settings changed (here or in another page): redraw what depends on them (previews). */
  shown?(settings: Settings): void;
}

const maybe = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

/**
 * The value controls show (a focused control keeps what the user is typing or dragging). The controls
 * come disabled in the markup, so that nothing is changed before its listener is there: enabled here.
 */
function showValues(settings: Settings): void {
  const set = (id: string, apply: (el: HTMLInputElement & HTMLSelectElement) => void) => {
    const element = maybe<HTMLInputElement & HTMLSelectElement>(id);
    if (!element) return;
    element.disabled = false;
    if (document.activeElement !== element) apply(element);
  };
  set('backend-select', (el) => (el.value = settings.backend));
  set('colormap-select', (el) => (el.value = settings.colormap));
  set('top-k', (el) => (el.value = String(settings.topK)));
  set('show-box', (el) => (el.checked = settings.showBox));
  set('hide-negative', (el) => (el.checked = settings.hideNegative));
  set('check-automatically', (el) => (el.checked = settings.checkAutomatically));
  set('shortcut-alarm', (el) => (el.checked = settings.shortcutAlarm));
  set('prepare-on-right-click', (el) => (el.checked = settings.prepareOnRightClick));
  set('opacity', (el) => (el.value = String(settings.opacity)));
  const output = maybe('opacity-value');
  if (output && document.activeElement !== maybe('opacity')) output.textContent = `${Math.round(settings.opacity * 100)} %`;
}

export async function wireSettings(hooks: SettingsHooks): Promise<SettingsSession> {
  let settings = await loadSettings(browser.storage.sync);
  /** Writes under way: the change events they cause are our own, not news from another page. */
  let writing = 0;
  const session: SettingsSession = {
    get current() {
      return settings;
    },
    async save(patch) {
      writing++;
      try {
        settings = await saveSettings(browser.storage.sync, patch);
      } finally {
        writing--;
      }
      hooks.shown?.(settings);
    },
    async reload() {
      settings = await loadSettings(browser.storage.sync);
      return settings;
    },
  };
  const on = <T extends HTMLElement>(id: string, event: string, handler: (el: T) => void | Promise<void>) => {
    const element = maybe<T>(id);
    element?.addEventListener(event, () => void handler(element));
  };

  on<HTMLSelectElement>('model-select', 'change', async (select) => {
    await session.save({ modelId: select.value });
    await hooks.refresh(false);
    await hooks.refresh(true);
  });
  on<HTMLSelectElement>('method-select', 'change', async (select) => {
    describeMethod(select.value as Settings['method']);
    await session.save({ method: select.value as Settings['method'] });
  });
  on<HTMLSelectElement>('layer-select', 'change', async (select) => {
    // For the model the menu lists (the worker's active one), over what is stored now.
    const modelId = select.dataset.modelId;
    if (!modelId) return;
    const { [modelId]: _previous, ...others } = (await session.reload()).layers;
    await session.save({ layers: select.value ? { ...others, [modelId]: select.value } : others });
    // Another layer may change which methods apply (exact CAM only at the pooled layer).
    await hooks.refresh(true);
  });
  on<HTMLSelectElement>('backend-select', 'change', async (select) => {
    await session.save({ backend: select.value as Settings['backend'] });
    await hooks.refresh(true);
  });
  on<HTMLSelectElement>('colormap-select', 'change', (select) => session.save({ colormap: select.value as Settings['colormap'] }));
  on<HTMLInputElement>('top-k', 'change', (input) => {
    const value = Math.round(Number(input.value));
    if (value >= 1 && value <= 10) return session.save({ topK: value });
    input.value = String(settings.topK);
  });
  on<HTMLInputElement>('show-box', 'change', (box) => session.save({ showBox: box.checked }));
  on<HTMLInputElement>('hide-negative', 'change', (box) => session.save({ hideNegative: box.checked }));
  on<HTMLInputElement>('check-automatically', 'change', (box) => session.save({ checkAutomatically: box.checked }));
  on<HTMLInputElement>('shortcut-alarm', 'change', (box) => session.save({ shortcutAlarm: box.checked }));
  on<HTMLInputElement>('prepare-on-right-click', 'change', (box) => session.save({ prepareOnRightClick: box.checked }));

  const opacity = maybe<HTMLInputElement>('opacity');
  if (opacity) {
    const output = maybe('opacity-value');
    // storage.sync allows ~2 writes a second: while dragging, save at most every 400 ms (overlays follow live), and on release.
    let lastSave = -Infinity;
    opacity.addEventListener('input', () => {
      const value = Number(opacity.value);
      if (output) output.textContent = `${Math.round(value * 100)} %`;
      hooks.shown?.({ ...settings, opacity: value });
      if (performance.now() - lastSave < 400) return;
      lastSave = performance.now();
      void session.save({ opacity: value });
    });
    opacity.addEventListener('change', () => void session.save({ opacity: Number(opacity.value) }));
  }

  showValues(settings);
  hooks.shown?.(settings);
  onSettingsChanged(browser.storage, (next) => {
    if (writing > 0 || JSON.stringify(next) === JSON.stringify(settings)) return;
    const previous = settings;
    settings = next;
    showValues(next);
    hooks.shown?.(next);
    // Another model, backend, layer or method: the menus and the status follow (the model loads anew).
    const key = (s: Settings) => JSON.stringify([s.modelId, s.backend, s.layers, s.method]);
    if (key(previous) !== key(next)) void hooks.refresh(true);
  });
  return session;
}
