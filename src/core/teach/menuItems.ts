// Teach's context menu items, pure: "Add to class" (on images) and "Add all images on this page to" (on
// the page), each with a submenu of the user's classes — or, before there is any class, one item that
// opens Teach. Item ids name the class: `teach-add:<classId>`, `teach-add-all:<classId>`.
import type { Translate } from '../i18n';
import type { TeachClass } from './project';

export const MENU_TEACH_ADD = 'teach-add';
export const MENU_TEACH_ADD_ALL = 'teach-add-all';
export const MENU_TEACH_OPEN = 'teach-open';

export type TeachMenuTarget = { kind: 'add' | 'add-all'; classId: string } | { kind: 'open' };

/** What a menu item id asks for, or null when it is not one of Teach's. */
export function teachMenuTarget(menuItemId: string | number): TeachMenuTarget | null {
  const id = String(menuItemId);
  if (id === MENU_TEACH_OPEN || id.startsWith(`${MENU_TEACH_OPEN}:`)) return { kind: 'open' };
  const match = /^(teach-add|teach-add-all):(c[a-z0-9]+)$/.exec(id);
  if (!match) return null;
  return { kind: match[1] === MENU_TEACH_ADD ? 'add' : 'add-all', classId: match[2] };
}

/** The items to create, parents first (pure: tested without a browser). */
export function teachMenuItems(classes: readonly TeachClass[], t: Translate): { id: string; parentId?: string; title: string; contexts: ('image' | 'page')[] }[] {
  const parents = [
    { id: MENU_TEACH_ADD, title: t('menuTeachAdd'), contexts: ['image'] as ('image' | 'page')[] },
    { id: MENU_TEACH_ADD_ALL, title: t('menuTeachAddAll'), contexts: ['page'] as ('image' | 'page')[] },
  ];
  return parents.flatMap((parent) => [
    parent,
    ...(classes.length === 0
      ? [{ id: `${MENU_TEACH_OPEN}:${parent.id}`, parentId: parent.id, title: t('menuTeachOpen'), contexts: parent.contexts }]
      : classes.map((c) => ({ id: `${parent.id}:${c.id}`, parentId: parent.id, title: c.name.replace(/&/g, '&&'), contexts: parent.contexts }))),
  ]);
}
