// Teach's context menu items (src/core/teach/menuItems.ts), rebuilt when the user's classes change.
import browser from 'webextension-polyfill';
import type { Translate } from '../../core/i18n';
import { MENU_TEACH_ADD, MENU_TEACH_ADD_ALL, teachMenuItems } from '../../core/teach/menuItems';
import type { TeachClass } from '../../core/teach/project';

let building: Promise<void> = Promise.resolve();
let built = '';

/** Replaces Teach's items with ones for these classes (one rebuild at a time; nothing to do if they are the same). */
export function rebuildTeachMenus(classes: readonly TeachClass[], t: Translate, force = false): Promise<void> {
  building = building.then(async () => {
    const items = teachMenuItems(classes, t);
    const key = JSON.stringify(items);
    if (!force && key === built) return;
    for (const id of [MENU_TEACH_ADD, MENU_TEACH_ADD_ALL]) await browser.contextMenus.remove(id).catch(() => undefined);
    for (const item of items) {
      await new Promise<void>((resolve) => browser.contextMenus.create(item, () => resolve(void browser.runtime.lastError)));
    }
    built = key;
  });
  return building;
}
