// The models the user installed: their descriptions live in storage.local under 'userModels' (the
// files themselves in IndexedDB, src/background/modelStore.ts). A stored record is a ModelEntry whose
// labels may be missing (the model's outputs are then called "class N" in the user's language).
import * as z from 'zod/mini';
import type { ModelEntry } from './catalog';
import { Normalization } from './normalization';
import type { Translate } from './i18n';
import type { StorageAreaLike } from './settingsStore';
import imagenet from '../../models/imagenet-labels.json';

export const USER_MODELS_KEY = 'userModels';

const Size = z.object({ width: z.int().check(z.positive()), height: z.int().check(z.positive()) });

export const UserModel = z.object({
  id: z.string().check(z.regex(/^user-[a-z0-9-]+$/)),
  displayName: z.string().check(z.minLength(1)),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('url'), url: z.string() }),
    z.object({ kind: z.literal('teachable'), url: z.string() }),
    z.object({ kind: z.literal('tfhub'), url: z.string() }),
    z.object({ kind: z.literal('files'), names: z.array(z.string()) }),
  ]),
  format: z.enum(['graph', 'layers']),
  inputSize: Size,
  pixelScaling: z.enum(['unit', 'symmetric', 'byte', 'meanStd']),
  normalization: z.optional(Normalization),
  /** Null: the model's outputs have no names. */
  labels: z.nullable(z.array(z.string())),
  outputs: z.int().check(z.positive()),
  softmaxScores: z.boolean(),
  /** Installed as a classifier on the user's word although its outputs do not look like class scores. */
  rawScores: z.optional(z.boolean()),
  /** Framed as its maker does (Teachable Machine: the central square). */
  inputCrop: z.optional(z.literal('center')),
  sizeBytes: z.int().check(z.nonnegative()),
  installedAt: z.number(),
});
export type UserModel = z.infer<typeof UserModel>;

/** The installed models, in install order; records that do not parse are skipped. */
export async function loadUserModels(area: StorageAreaLike): Promise<UserModel[]> {
  let raw: unknown;
  try {
    raw = (await area.get(USER_MODELS_KEY))[USER_MODELS_KEY];
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((r) => {
    const parsed = UserModel.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function addUserModel(area: StorageAreaLike, model: UserModel): Promise<void> {
  const models = (await loadUserModels(area)).filter((m) => m.id !== model.id);
  await area.set({ [USER_MODELS_KEY]: [...models, model] });
}

export async function removeUserModel(area: StorageAreaLike, id: string): Promise<boolean> {
  const models = await loadUserModels(area);
  const kept = models.filter((m) => m.id !== id);
  if (kept.length === models.length) return false;
  await area.set({ [USER_MODELS_KEY]: kept });
  return true;
}

/** A fresh id for a model named `name` (its slug and a time stamp). */
export function userModelId(name: string, now = Date.now()): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'model';
  return `user-${slug}-${now.toString(36)}`;
}

/** The record as the explainer sees it: every output labelled ("class N" where the model has no names). */
export function entryFor(model: UserModel, t: Translate): ModelEntry {
  return {
    id: model.id,
    displayName: model.displayName,
    description: '',
    source: model.source,
    format: model.format,
    inputSize: model.inputSize,
    pixelScaling: model.pixelScaling,
    ...(model.normalization ? { normalization: model.normalization } : {}),
    labels: Array.from({ length: model.outputs }, (_, i) => model.labels?.[i] ?? t('classFallback', String(i))),
    softmaxScores: model.softmaxScores,
    ...(model.rawScores ? { rawScores: true } : {}),
    ...(model.inputCrop ? { inputCrop: model.inputCrop } : {}),
    installed: { sizeBytes: model.sizeBytes, installedAt: model.installedAt },
  };
}

/** Two records name the same download address (picked files never do: a new pick is a new model). */
export function sameSource(a: UserModel['source'], b: UserModel['source']): boolean {
  return a.kind !== 'files' && b.kind !== 'files' && a.url === b.url;
}

/**
 * A name no other model in the list has: the first of the candidates that is free, else the first
 * with " (2)", " (3)", … — two models are never listed under one name.
 */
export function uniqueName(candidates: readonly string[], taken: readonly string[]): string {
  const used = new Set(taken.map((n) => n.toLowerCase()));
  const free = candidates.find((c) => !used.has(c.toLowerCase()));
  if (free) return free;
  for (let i = 2; ; i++) if (!used.has(`${candidates[0]} (${i})`.toLowerCase())) return `${candidates[0]} (${i})`;
}

/**
 * The entries as the model menu lists them: an installed model whose name an earlier entry already has
 * (installed before names were made unique) is listed with " (2)", " (3)", ….
 */
export function withDistinctNames(entries: readonly ModelEntry[]): ModelEntry[] {
  const taken: string[] = [];
  return entries.map((entry) => {
    const name = entry.installed ? uniqueName([entry.displayName], taken) : entry.displayName;
    taken.push(name);
    return name === entry.displayName ? entry : { ...entry, displayName: name };
  });
}

const IMAGENET: string[] = (imagenet as { labels: string[] }).labels;

/** ImageNet's class names for a model without a labels file: 1000 outputs, or 1001 with background first (TF Hub). */
export function imagenetLabelsFor(outputs: number): string[] | null {
  if (outputs === 1000) return [...IMAGENET];
  if (outputs === 1001) return ['background', ...IMAGENET];
  return null;
}
