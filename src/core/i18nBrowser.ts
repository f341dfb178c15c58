// The translator of every extension context (service worker, content script, popup): the browser's own
// i18n API, looked up when called so that importing this module needs no browser (unit tests, Node).
import { browserTranslate, type GetMessage, type Translate } from './i18n';

interface I18nApi {
  getMessage: GetMessage;
}

function i18nApi(): I18nApi | undefined {
  const g = globalThis as { browser?: { i18n?: I18nApi }; chrome?: { i18n?: I18nApi } };
  return g.browser?.i18n ?? g.chrome?.i18n;
}

const translate = browserTranslate((key, substitutions) => i18nApi()?.getMessage(key, substitutions));
/**
 * Messages without substitutions, once looked up: each lookup crosses into the browser's bindings
 * (in a page's profile ≈ 13 ms of building one overlay's panel), and the UI language does not change
 * while a context lives.
 */
const looked = new Map<string, string>();

/** Translates with the browser's UI language (falling back to English, manifest.json's default_locale). */
export const t: Translate = (key, substitutions) => {
  if (substitutions !== undefined) return translate(key, substitutions);
  let message = looked.get(key);
  if (message === undefined) {
    message = translate(key);
    if (i18nApi()) looked.set(key, message); // without the API (Node), nothing to remember
  }
  return message;
};
