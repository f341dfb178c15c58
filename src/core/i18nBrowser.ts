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

/** Translates with the browser's UI language (falling back to English, manifest.json's default_locale). */
export const t: Translate = browserTranslate((key, substitutions) => i18nApi()?.getMessage(key, substitutions));
