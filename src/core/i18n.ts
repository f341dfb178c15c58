// Translation: every text the user sees goes through a Translate function, so pure formatting code
// can be tested with a fake one. In the extension it is the browser's i18n API (_locales/<lang>/messages.json).
import type { MessageKey } from './i18nKeys';

export type { MessageKey } from './i18nKeys';

/** The message for a key, with `$1`… (placeholders in messages.json) replaced by the substitutions. */
export type Translate = (key: MessageKey, substitutions?: string | string[]) => string;

/** The signature of chrome.i18n.getMessage / browser.i18n.getMessage. */
export type GetMessage = (key: string, substitutions?: string | string[]) => string | undefined;

/**
 * A Translate over the browser's getMessage. A message missing in every locale comes back as the key
 * itself: visibly wrong, never blank.
 */
export function browserTranslate(getMessage: GetMessage): Translate {
  return (key, substitutions) => {
    let message: string | undefined;
    try {
      message = getMessage(key, substitutions);
    } catch {
      message = undefined; // e.g. more than 9 substitutions
    }
    return message || key;
  };
}
