// A Teach project: the user's classes (names and ids) and the last model trained from them, kept in
// storage.local under `teach:<project>` (the examples themselves are in IndexedDB). 'main' is the
// user's; 'demo' is the shortcut demo's, rebuilt each time it runs. Changing a name or adding a class
// goes through the checks here, so both the Teach page and the context menus show valid classes.
import * as z from 'zod/mini';
import type { Translate } from '../i18n';
import type { StorageAreaLike } from '../settingsStore';

export const TEACH_PROJECTS = ['main', 'demo'] as const;
export type TeachProjectId = (typeof TEACH_PROJECTS)[number];
export const TeachProjectId = z.enum(TEACH_PROJECTS);

export const MAX_CLASSES = 20;
export const MAX_CLASS_NAME = 40;

export const TeachClass = z.object({ id: z.string().check(z.regex(/^c[a-z0-9]{1,24}$/)), name: z.string().check(z.minLength(1), z.maxLength(MAX_CLASS_NAME)) });
export type TeachClass = z.infer<typeof TeachClass>;

export const TeachProject = z.object({
  classes: z.array(TeachClass),
  /** Bumped whenever the examples change, so open Teach pages read them again. */
  revision: z.int().check(z.nonnegative()),
  /** The model last trained from this project (it may have been deleted since). */
  modelId: z.optional(z.string()),
});
export type TeachProject = z.infer<typeof TeachProject>;

export const EMPTY_PROJECT: TeachProject = { classes: [], revision: 0 };

export const projectKey = (id: TeachProjectId) => `teach:${id}`;

export async function loadProject(area: StorageAreaLike, id: TeachProjectId): Promise<TeachProject> {
  try {
    const parsed = TeachProject.safeParse((await area.get(projectKey(id)))[projectKey(id)]);
    return parsed.success ? parsed.data : { ...EMPTY_PROJECT };
  } catch {
    return { ...EMPTY_PROJECT };
  }
}

export async function saveProject(area: StorageAreaLike, id: TeachProjectId, project: TeachProject): Promise<void> {
  await area.set({ [projectKey(id)]: project });
}

export class ClassNameError extends Error {}

/** The name as it will be kept (trimmed, inner runs of space made one); throws ClassNameError when it cannot be. */
export function checkClassName(name: string, classes: readonly TeachClass[], t: Translate, renaming?: string): string {
  const clean = name.replace(/\s+/g, ' ').trim();
  if (!clean) throw new ClassNameError(t('teachErrNameEmpty'));
  if (clean.length > MAX_CLASS_NAME) throw new ClassNameError(t('teachErrNameLong', String(MAX_CLASS_NAME)));
  if (classes.some((c) => c.id !== renaming && c.name.toLowerCase() === clean.toLowerCase())) throw new ClassNameError(t('teachErrNameTaken', clean));
  return clean;
}

/** A new class added to the project; throws ClassNameError for a bad name or too many classes. */
export function withClass(project: TeachProject, name: string, id: string, t: Translate): TeachProject {
  if (project.classes.length >= MAX_CLASSES) throw new ClassNameError(t('teachErrTooManyClasses', String(MAX_CLASSES)));
  return { ...project, classes: [...project.classes, { id, name: checkClassName(name, project.classes, t) }] };
}

export function withRenamed(project: TeachProject, id: string, name: string, t: Translate): TeachProject {
  const clean = checkClassName(name, project.classes, t, id);
  return { ...project, classes: project.classes.map((c) => (c.id === id ? { ...c, name: clean } : c)) };
}

/** A fresh class id (random: ids name menu items and IndexedDB keys, never shown). */
export function newClassId(random: () => number = Math.random): string {
  return `c${Math.floor(random() * 36 ** 8).toString(36)}${Date.now().toString(36)}`.slice(0, 25);
}
