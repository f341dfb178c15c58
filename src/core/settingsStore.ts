// User settings: one record in extension storage, with defaults and validation on read.
import * as z from 'zod/mini';
import { catalog } from './catalog';
import { BACKEND_NAMES } from './backendChoice';
import { COLORMAP_NAMES } from './colormap';
import { METHOD_IDS } from './methods';

export const DEFAULT_SETTINGS = {
  opacity: 0.5,
  modelId: catalog.defaultModelId,
  method: 'auto',
  showBox: false,
  hideNegative: true,
  backend: 'auto',
  colormap: 'turbo',
  topK: 5,
  layers: {},
  checkAutomatically: false,
  shortcutAlarm: true,
  prepareOnRightClick: true,
} as const;

export const Settings = z.object({
  /** Heat map opacity over the image, 0–1. */
  opacity: z.catch(z.number().check(z.gte(0), z.lte(1)), DEFAULT_SETTINGS.opacity),
  /** Active model (a catalog id; unknown ids fall back to the default where used). */
  modelId: z.catch(z.string().check(z.minLength(1)), DEFAULT_SETTINGS.modelId),
  /** Explanation method; 'auto' = CAM when the head allows it, else Grad-CAM. */
  method: z.catch(z.union([z.enum(METHOD_IDS), z.literal('auto')]), DEFAULT_SETTINGS.method),
  /** Draw the CAM paper's localization box (largest region above 20 % of the map's max). */
  showBox: z.catch(z.boolean(), DEFAULT_SETTINGS.showBox),
  /** Display step: ReLU before normalising, so only positive evidence is coloured. */
  hideNegative: z.catch(z.boolean(), DEFAULT_SETTINGS.hideNegative),
  /** TensorFlow.js backend: 'auto' = the fastest measured here, else the user's choice. */
  backend: z.catch(z.union([z.enum(BACKEND_NAMES), z.literal('auto')]), DEFAULT_SETTINGS.backend),
  /** Heat map colours: turbo (default), jet (the classic of CAM papers), viridis, inferno. */
  colormap: z.catch(z.enum(COLORMAP_NAMES), DEFAULT_SETTINGS.colormap),
  /** How many classes the overlay lists. */
  topK: z.catch(z.int().check(z.gte(1), z.lte(10)), DEFAULT_SETTINGS.topK),
  /** The layer to explain, by model id, where the user chose one (else the model's automatic choice). */
  layers: z.catch(z.record(z.string(), z.string().check(z.minLength(1), z.maxLength(300))), {}),
  /** Check each map (deletion/insertion) as soon as it is shown in a full panel. */
  checkAutomatically: z.catch(z.boolean(), DEFAULT_SETTINGS.checkAutomatically),
  /** Test each map for a shortcut (evidence on a corner mark, a frame, text) and warn (a few passes when suspicious). */
  shortcutAlarm: z.catch(z.boolean(), DEFAULT_SETTINGS.shortcutAlarm),
  /** Compute a right-clicked picture's map while the menu is open (its download and a forward pass even when the menu is not chosen). */
  prepareOnRightClick: z.catch(z.boolean(), DEFAULT_SETTINGS.prepareOnRightClick),
});
export type Settings = z.infer<typeof Settings>;
const KEY = 'settings';
/** Settings follow the user across browsers (storage.sync); what the worker measures stays local. */
export const SETTINGS_AREA = 'sync';

/** The storage area's shape we use; matches browser.storage.sync / chrome.storage.sync. */
export interface StorageAreaLike {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export function parseSettings(raw: unknown): Settings {
  const parsed = Settings.safeParse({ ...DEFAULT_SETTINGS, ...(typeof raw === 'object' && raw ? raw : {}) });
  return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
}

export async function loadSettings(area: StorageAreaLike): Promise<Settings> {
  try {
    return parseSettings((await area.get(KEY))[KEY]);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export async function saveSettings(area: StorageAreaLike, patch: Partial<Settings>): Promise<Settings> {
  // Keys explicitly set to undefined keep their stored value.
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const next = parseSettings({ ...(await loadSettings(area)), ...defined });
  await area.set({ [KEY]: next });
  return next;
}

interface StorageEventsLike {
  onChanged: { addListener(cb: (changes: Record<string, { newValue?: unknown; oldValue?: unknown }>, areaName: string) => void): void };
}

export function onSettingsChanged(storage: StorageEventsLike, listener: (s: Settings, previous: Settings) => void): void {
  storage.onChanged.addListener((changes, areaName) => {
    if (areaName === SETTINGS_AREA && KEY in changes) listener(parseSettings(changes[KEY].newValue), parseSettings((changes[KEY] as { oldValue?: unknown }).oldValue));
  });
}
