// Popup: the few things people do — choose model and method, explain all images on the page, see the
// status at a glance — and the way to Settings (the options page) and Teach. Settings apply live.
import browser from 'webextension-polyfill';
import { t } from '../core/i18nBrowser';
import type { Message, Status } from '../core/messages';
import { describeExplainAll } from '../ui/format';
import { $, fetchStatus, renderMethods, renderModelMenu, renderStatus, translatePage } from '../ui/page';
import { wireSettings, type SettingsSession } from '../ui/settingsControls';

/** The tab the popup was opened over. */
let tabId: number | undefined;
let session: SettingsSession;

function render(status: Status | null): void {
  renderStatus(status);
  if (!status) return;
  renderModelMenu(status);
  renderMethods(status, session.current);
  renderExplainAll(status);
}

async function refresh(load: boolean): Promise<void> {
  render(await fetchStatus(load, tabId));
}

function renderExplainAll(status: Status): void {
  const progress = status.explainAll;
  const running = !!progress && !progress.finished;
  $('explain-all').toggleAttribute('disabled', running || tabId === undefined);
  $('cancel-all').hidden = !running;
  const bar = $<HTMLProgressElement>('all-progress');
  bar.hidden = !progress || progress.total === 0;
  if (progress && progress.total > 0) bar.value = (progress.done + progress.failed) / progress.total;
  $('all-text').textContent = describeExplainAll(progress, t);
}

/** While "explain all" runs, the popup follows its progress. */
async function followExplainAll(): Promise<void> {
  for (;;) {
    const status = await fetchStatus(false, tabId);
    if (status) render(status);
    if (!status?.explainAll || status.explainAll.finished) return;
    await new Promise((r) => setTimeout(r, 400));
  }
}

/** Site access: Firefox treats MV3 host permissions as optional (the user may withdraw them in about:addons, as in Chrome's site access menu). */
const ALL_SITES = { origins: ['<all_urls>'] };

async function renderHostAccess(): Promise<void> {
  $('host-access').hidden = await browser.permissions.contains(ALL_SITES).catch(() => true);
}

/** The first-run view: two sentences on what to do, until the user says they got it. */
async function showWelcome(): Promise<void> {
  const { welcomed } = (await browser.storage.local.get('welcomed').catch(() => ({}))) as { welcomed?: boolean };
  $('welcome').hidden = !!welcomed;
  $('welcome-dismiss').addEventListener('click', () => {
    $('welcome').hidden = true;
    void browser.storage.local.set({ welcomed: true }).catch(() => undefined);
  });
}

async function main(): Promise<void> {
  void showWelcome();
  translatePage();
  void renderHostAccess();
  // permissions.request must be called in the click itself (a user gesture), before anything is awaited.
  $('grant-hosts').addEventListener('click', () => void browser.permissions.request(ALL_SITES).catch(() => false).then(renderHostAccess));
  browser.permissions.onAdded.addListener(() => void renderHostAccess());
  browser.permissions.onRemoved.addListener(() => void renderHostAccess());
  // Settings, Teach and the Lab are pages of their own (a popup closes when it loses focus; training takes longer).
  $('open-options').addEventListener('click', () => void browser.runtime.openOptionsPage().then(() => window.close()));
  for (const [button, page] of [['open-teach', 'teach.html'], ['open-lab', 'lab.html']]) {
    $(button).addEventListener('click', () => void browser.tabs.create({ url: browser.runtime.getURL(page) }).then(() => window.close()));
  }
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  tabId = tab?.id;
  session = await wireSettings({ refresh });

  $('explain-all').addEventListener('click', async () => {
    if (tabId === undefined) return;
    const message: Message = { type: 'start-explain-all', tabId };
    await browser.runtime.sendMessage(message).catch(() => undefined);
    void followExplainAll();
  });
  $('cancel-all').addEventListener('click', () => {
    if (tabId === undefined) return;
    const message: Message = { type: 'cancel-explain-all', tabId };
    void browser.runtime.sendMessage(message).catch(() => undefined);
  });

  // Quick first paint from what the worker knows, then again once the active model has loaded.
  await refresh(false);
  await refresh(true);
  void followExplainAll();
}

void main();
