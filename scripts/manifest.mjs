// Per-browser manifests from the one manifest.json (pure: no file system, used by build.mjs and the unit test).
//
// Chrome gets manifest.json as written, with the version from package.json.
// Firefox (MV3) differs in three places:
//   - background: an event page (`background.scripts`, a DOM document, suspended when idle) instead of a
//     service worker, which Firefox does not run for extensions. `type: "module"` keeps the same ES-module
//     bundle working (supported since Firefox 112).
//   - browser_specific_settings.gecko: the add-on id (needed for storage and AMO) and the oldest Firefox it
//     runs on; `data_collection_permissions` declares that nothing is collected (AMO asks for it).
//   - minimum_chrome_version is Chrome's own key: left out.
// host_permissions stay: Firefox shows them at install and grants them (since Firefox 127), but the user
// can withdraw them in about:addons at any time, so the popup offers to ask again when they are missing.

export const GECKO_ID = 'cam-lens@example.org';
/**
 * Oldest Firefox supported: ESR 140, the first to know `data_collection_permissions` (AMO asks for it);
 * the end-to-end tests were run on ESR 140 and 153. ESR 128 was never run here.
 * Firefox for Android is not a target: it has no context menus.
 */
export const FIREFOX_MIN_VERSION = '140.0';
export const TARGETS = /** @type {const} */ (['chrome', 'firefox']);

/**
 * @param {'chrome' | 'firefox'} target
 * @param {Record<string, any>} base the parsed manifest.json (Chrome's MV3 manifest)
 * @param {string} version package.json's version
 * @returns {Record<string, any>} a new manifest object; `base` is not modified
 */
export function manifestFor(target, base, version) {
  const manifest = structuredClone(base);
  manifest.version = version;
  if (target === 'chrome') return manifest;
  if (target !== 'firefox') throw new Error(`unknown target ${target}: expected one of ${TARGETS.join(', ')}`);

  const worker = base.background?.service_worker;
  if (typeof worker !== 'string') throw new Error('manifest.json has no background.service_worker to turn into an event page');
  delete manifest.minimum_chrome_version;
  manifest.background = { scripts: [worker], ...(base.background.type ? { type: base.background.type } : {}) };
  manifest.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: FIREFOX_MIN_VERSION,
      data_collection_permissions: { required: ['none'] },
    },
  };
  return manifest;
}
