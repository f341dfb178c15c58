// A Translate for unit tests: the messages of _locales/<lang>/messages.json, with placeholders applied
// the way Chrome's i18n.getMessage does, so tests assert the very texts users read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Translate } from '../../../src/core/i18n';

export const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '_locales');

export interface MessageEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

export function readMessages(locale: string): Record<string, MessageEntry> {
  return JSON.parse(readFileSync(path.join(LOCALES_DIR, locale, 'messages.json'), 'utf8'));
}

/**
 * Chrome's two steps: named placeholders `$name$` (case-insensitive) become their `content` when the
 * extension loads; getMessage then replaces `$1`…`$9` with the substitutions (missing ones: empty) and `$$` with `$`.
 */
export function formatMessage(entry: MessageEntry, substitutions?: string | string[]): string {
  const placeholders = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
  const resolved = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name: string) => {
    const content = placeholders[name.toLowerCase()];
    if (content === undefined) throw new Error(`placeholder $${name}$ is not defined`);
    return content;
  });
  const subs = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
  if (subs.length > 9) throw new Error('getMessage takes at most 9 substitutions');
  return resolved.replace(/\$(\$|[1-9])/g, (_, d: string) => (d === '$' ? '$' : (subs[Number(d) - 1] ?? '')));
}

/** A Translate over one locale's messages; an unknown key throws (a test should never show one). */
export function localeTranslate(locale: string): Translate {
  const messages = readMessages(locale);
  return (key, substitutions) => {
    const entry = messages[key];
    if (!entry) throw new Error(`no message ${key} in _locales/${locale}/messages.json`);
    return formatMessage(entry, substitutions);
  };
}

export const englishTranslate: Translate = localeTranslate('en');
