// Every text the user sees comes from _locales: the key list, the English and the German messages agree,
// every key the code asks for exists, and no message is left unused.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { browserTranslate } from '../../src/core/i18n';
import { MESSAGE_KEYS } from '../../src/core/i18nKeys';
import { describeExplainAll, methodOptions } from '../../src/popup/format';
import { englishTranslate, formatMessage, localeTranslate, readMessages, type MessageEntry } from './helpers/englishTranslate';

const root = path.resolve(__dirname, '../..');
const LOCALES = ['en', 'de'];
const messages: Record<string, Record<string, MessageEntry>> = Object.fromEntries(LOCALES.map((l) => [l, readMessages(l)]));

/** Placeholders of an entry as `name=content`, sorted; and the `$name$` references in its message. */
const placeholdersOf = (e: MessageEntry) => Object.entries(e.placeholders ?? {}).map(([name, p]) => `${name.toLowerCase()}=${p.content}`).sort();
const referencesOf = (e: MessageEntry) => [...new Set([...e.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toLowerCase()))].sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : /\.(ts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}
const sources = sourceFiles(path.join(root, 'src')).map((file) => ({ file: path.relative(root, file), text: readFileSync(file, 'utf8') }));
/** Extension pages whose fixed texts are `data-i18n` attributes. */
const PAGES = ['src/popup/popup.html', 'src/teach/teach.html', 'src/lab/lab.html'];
const pages = PAGES.map((file) => ({ file, text: readFileSync(path.join(root, file), 'utf8') }));
const manifestText = readFileSync(path.join(root, 'manifest.json'), 'utf8');

/** Keys asked for in the code (`t('key'…)`, also as `opts.t('key'…)`, `getMessage('key'…)`), the pages (`data-i18n`) and manifest.json (`__MSG_key__`), with where. */
function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const add = (key: string, where: string) => used.set(key, [...(used.get(key) ?? []), where]);
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/(?<![\w$])(?:t|getMessage)\(\s*(['"`])([^'"`]*)\1/g)) add(m[2], file);
  }
  for (const { file, text } of pages) for (const m of text.matchAll(/\bdata-i18n="([^"]*)"/g)) add(m[1], file);
  for (const m of manifestText.matchAll(/__MSG_(\w+)__/g)) add(m[1], 'manifest.json');
  return used;
}

describe('messages.json', () => {
  test('the key list has no duplicates, and each key is a valid message name', () => {
    expect(new Set(MESSAGE_KEYS).size).toBe(MESSAGE_KEYS.length);
    for (const key of MESSAGE_KEYS) expect(key).toMatch(/^[A-Za-z0-9_]+$/);
  });

  test.each(LOCALES)('%s has exactly the keys of i18nKeys.ts, each with a non-empty message', (locale) => {
    expect(Object.keys(messages[locale]).sort()).toEqual([...MESSAGE_KEYS].sort());
    for (const key of MESSAGE_KEYS) {
      const message = messages[locale][key]?.message;
      expect(typeof message, `${locale}: ${key}`).toBe('string');
      expect(message.trim(), `${locale}: ${key}`).not.toBe('');
    }
  });

  test('en and de have the same keys and the same placeholders', () => {
    expect(Object.keys(messages.de).sort()).toEqual(Object.keys(messages.en).sort());
    for (const key of Object.keys(messages.en)) expect(placeholdersOf(messages.de[key]), key).toEqual(placeholdersOf(messages.en[key]));
  });

  test.each(LOCALES)('%s: every placeholder is defined, used in its message, and numbered from 1 (Chrome refuses undefined ones)', (locale) => {
    for (const [key, entry] of Object.entries(messages[locale])) {
      const defined = Object.keys(entry.placeholders ?? {}).map((n) => n.toLowerCase()).sort();
      expect(referencesOf(entry), `${locale}: ${key}`).toEqual(defined);
      const contents = Object.values(entry.placeholders ?? {}).map((p) => p.content).sort();
      expect(contents, `${locale}: ${key}`).toEqual(defined.map((_, i) => `$${i + 1}`));
      // A lone `$` outside a placeholder would be read as one by Chrome.
      expect(entry.message.replace(/\$[A-Za-z0-9_@]+\$/g, ''), `${locale}: ${key}`).not.toMatch(/\$/);
    }
  });

  test('German is a translation, not a copy (names and technical terms aside)', () => {
    const SAME_IN_BOTH = ['extName', 'popupBackend', 'popupRenderer', 'overlayJson'];
    const same = Object.keys(messages.en).filter((key) => messages.en[key].message === messages.de[key].message);
    expect(same.sort()).toEqual(SAME_IN_BOTH.sort());
  });

  test('langCode names the locale it is in', () => {
    for (const locale of LOCALES) expect(messages[locale].langCode.message).toBe(locale);
  });
});

describe('keys used by the code', () => {
  const used = usedKeys();

  test('the scan finds the calls (t with a literal key is the rule)', () => {
    expect(used.get('menuExplainImage')).toEqual(expect.arrayContaining(['src/background/index.ts', 'src/popup/popup.html']));
    expect(used.get('extName')).toContain('manifest.json');
    expect(used.get('teachTrainButton')).toEqual(['src/teach/teach.html']);
    // The only calls without a literal key: the pages' scripts filling their data-i18n elements, scanned in the pages above.
    const dynamic = sources.flatMap(({ file, text }) => [...text.matchAll(/(?<![\w$])t\(\s*[^'"`\s)]/g)].map(() => file));
    expect(dynamic.sort()).toEqual(['src/lab/lab.ts', 'src/popup/popup.ts', 'src/teach/teach.ts']);
  });

  test('every key used exists in every locale', () => {
    for (const [key, where] of used) for (const locale of LOCALES) expect(messages[locale][key], `${key} (used in ${where.join(', ')}) in ${locale}`).toBeDefined();
  });

  test('no message is unused', () => {
    expect(Object.keys(messages.en).filter((key) => !used.has(key))).toEqual([]);
  });

  test('manifest.json names its default locale, and the locale exists', () => {
    const manifest = JSON.parse(manifestText);
    expect(manifest.default_locale).toBe('en');
    expect(LOCALES).toContain(manifest.default_locale);
    expect(manifest.name).toBe('__MSG_extName__');
  });
});

describe('translating', () => {
  test('browserTranslate passes key and substitutions to getMessage', () => {
    const calls: unknown[] = [];
    const t = browserTranslate((key, subs) => {
      calls.push([key, subs]);
      return `<${key}>`;
    });
    expect(t('errHttp', '404 Not Found')).toBe('<errHttp>');
    expect(calls).toEqual([['errHttp', '404 Not Found']]);
  });

  test('a missing message shows its key, never a blank', () => {
    expect(browserTranslate(() => '')('menuExplainImage')).toBe('menuExplainImage');
    expect(browserTranslate(() => undefined)('cancel')).toBe('cancel');
    expect(
      browserTranslate(() => {
        throw new Error('too many substitutions');
      })('cancel'),
    ).toBe('cancel');
  });

  test("placeholders as Chrome applies them: named → $n → substitution; missing ones empty; $$ is $", () => {
    const entry: MessageEntry = { message: 'a $X$ b $Y$ $$', placeholders: { y: { content: '$2' }, X: { content: '[$1]' } } };
    expect(formatMessage(entry, ['one', 'two'])).toBe('a [one] b two $');
    expect(formatMessage(entry, 'one')).toBe('a [one] b  $');
    expect(() => formatMessage({ message: '$NOPE$' })).toThrow(/not defined/);
  });

  test('English keeps the texts the end-to-end tests and users know', () => {
    expect(englishTranslate('errHttp', '404 Not Found')).toBe('could not load image: HTTP 404 Not Found');
    expect(englishTranslate('errMethodNotApplicable', ['CAM', 'M', 'the head has 3 dense layers'])).toBe('CAM does not apply to M: the head has 3 dense layers. Choose Grad-CAM or another method');
    expect(englishTranslate('errTooManyPixels', ['30000', '30000', '100'])).toBe('image is too large to explain (30000×30000 pixels; the limit is 100 MP)');
    expect(englishTranslate('overlayAnnounce', ['cat', '91.2 %', 'CAM', 'cat'])).toBe('Top class cat, 91.2 %. CAM heat map for cat shown.');
    expect(englishTranslate('overlayChipLabel', ['cat', '91.2 %'])).toBe("Explain class 'cat', 91.2 %");
    expect(englishTranslate('noteAnimated', 'GIF')).toBe('animated GIF: the first frame is explained');
  });

  test('German, with the same substitutions', () => {
    const de = localeTranslate('de');
    expect(de('menuExplainImage')).toBe('Dieses Bild erklären');
    expect(de('menuExplainAll')).toBe('Alle Bilder auf dieser Seite erklären');
    expect(de('errHttp', '404 Not Found')).toBe('Bild konnte nicht geladen werden: HTTP 404 Not Found');
    expect(describeExplainAll({ done: 6, failed: 1, total: 8, cancelled: false, finished: true }, de)).toBe('Fertig: 7 von 8 Bildern (1 nicht erklärbar).');
    expect(methodOptions(undefined, de).find((o) => o.value === 'scorecam')!.label).toBe('Score-CAM (langsam: viele Durchläufe)');
  });
});
