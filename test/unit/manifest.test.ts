// Per-browser manifests generated at build time from manifest.json (scripts/manifest.mjs).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIREFOX_MIN_VERSION, GECKO_ID, manifestFor } from '../../scripts/manifest.mjs';

const root = path.resolve(__dirname, '../..');
const base = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Keys both browsers need, with the same values. */
const SHARED = ['manifest_version', 'name', 'description', 'icons', 'action', 'options_ui', 'content_scripts', 'permissions', 'host_permissions', 'content_security_policy'];

describe('manifestFor', () => {
  test('chrome: manifest.json itself, with the package version', () => {
    const chrome = manifestFor('chrome', base, version);
    expect(chrome).toEqual({ ...base, version });
    expect(Object.keys(chrome)).toEqual(Object.keys(base)); // same order: dist/manifest.json is unchanged
    expect(chrome.manifest_version).toBe(3);
    expect(chrome.background).toEqual({ service_worker: 'background.js', type: 'module' });
    expect(chrome.minimum_chrome_version).toBeDefined();
    expect(chrome.browser_specific_settings).toBeUndefined();
    // Settings open in a tab of their own in both browsers (options_ui is the key both know).
    expect(chrome.options_ui).toEqual({ page: 'options.html', open_in_tab: true });
  });

  test('firefox: an event page, a gecko id and minimum version, no Chrome-only keys', () => {
    const firefox = manifestFor('firefox', base, version);
    expect(firefox.version).toBe(version);
    for (const key of SHARED) expect(firefox[key], key).toEqual(base[key]);
    expect(firefox.background).toEqual({ scripts: ['background.js'], type: 'module' });
    expect(firefox.background.service_worker).toBeUndefined();
    expect(firefox.minimum_chrome_version).toBeUndefined();
    expect(firefox.browser_specific_settings.gecko).toMatchObject({ id: GECKO_ID, strict_min_version: FIREFOX_MIN_VERSION });
    expect(GECKO_ID).toMatch(/^[a-z0-9.-]+@[a-z0-9.-]+$/);
    expect(Number.parseInt(FIREFOX_MIN_VERSION, 10)).toBeGreaterThanOrEqual(140); // the first Firefox to know data_collection_permissions
    expect(firefox.browser_specific_settings.gecko.data_collection_permissions).toEqual({ required: ['none'] });
    // Firefox grants <all_urls> at install but treats it as revocable: the popup offers to ask again.
    expect(firefox.host_permissions).toContain('<all_urls>');
    expect(firefox.content_security_policy.extension_pages).toContain("'wasm-unsafe-eval'");
  });

  test('the input is left alone, and unknown targets are refused', () => {
    const copy = structuredClone(base);
    manifestFor('firefox', base, '9.9.9');
    manifestFor('chrome', base, '9.9.9');
    expect(base).toEqual(copy);
    expect(() => manifestFor('safari' as 'chrome', base, version)).toThrow(/unknown target/);
    expect(() => manifestFor('firefox', { ...base, background: { scripts: ['x.js'] } }, version)).toThrow(/service_worker/);
  });
});
