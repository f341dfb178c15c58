// The Teach page (an extension page, opened from the popup): classes and their examples, training,
// and the shortcut demo. The worker does the work; this page shows it.
import type { MessageKey } from '../core/i18n';
import { t } from '../core/i18nBrowser';
import { setupClasses } from './classes';
import { setupDemo } from './demo';
import { setupTraining } from './training';

/** The page's fixed texts: each element with data-i18n gets its message (teach.html keeps the English for reading). */
function translatePage(): void {
  document.documentElement.lang = t('langCode');
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) element.textContent = t(element.dataset.i18n as MessageKey);
  document.title = t('teachTitle');
}

translatePage();
setupClasses();
setupTraining();
setupDemo();
