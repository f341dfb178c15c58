// The options page's model library: the installed models with Delete, the install form (address or
// picked files, and what the files do not say), the catalog's ImageNet MobileNets on demand (size first, then Download), and the progress of an install. The
// worker does the work; picked files reach it through IndexedDB (they cannot travel in a message).
import browser from 'webextension-polyfill';
import { modelStore } from '../background/modelStore';
import { catalog, type PixelScaling } from '../core/catalog';
import { IMAGENET_NORMALIZATION, parseNormalization } from '../core/normalization';
import { t } from '../core/i18nBrowser';
import { DescribeReply, InstallProgress, InstallReply, type Message, type Status } from '../core/messages';
import { formatBytes, parseLabels, type InstallForm, type SourceKindChoice } from '../core/modelSource';
import { $ } from '../ui/page';

/** A form value the user must correct (shown as the install message). */
class FormError extends Error {}

type InstallSourceMessage = Extract<Message, { type: 'install-model' }>['source'];

export interface ModelsHooks {
  /** A model was installed: make it the active one and show the new status. */
  installed(modelId: string): Promise<void>;
  /** Something changed (a model was deleted): show the new status. */
  changed(): Promise<void>;
}

/** The list of installed models, from the worker's status (the model menu is page.ts's renderModelMenu). */
export function renderLibrary(status: Status): void {
  const installed = status.models.filter((m) => m.installed);
  $('installed-none').hidden = installed.length > 0;
  const list = $<HTMLUListElement>('installed-models');
  list.replaceChildren(
    ...installed.map((m) => {
      const item = document.createElement('li');
      item.dataset.modelId = m.id;
      item.classList.toggle('active', m.id === status.modelId);
      const name = document.createElement('span');
      name.className = 'model-name';
      name.textContent = m.name;
      const info = document.createElement('span');
      info.className = 'note';
      const date = new Date(m.installed!.installedAt).toLocaleDateString(t('langCode'));
      info.textContent = t('popupInstalledInfo', [formatBytes(m.installed!.sizeBytes), date, m.installed!.source]);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'delete-model';
      remove.textContent = t('popupDelete');
      remove.setAttribute('aria-label', t('popupDeleteLabel', m.name));
      remove.addEventListener('click', () => void deleteModel(m.id));
      item.append(name, remove, info);
      return item;
    }),
  );
}

let hooks: ModelsHooks;

async function deleteModel(id: string): Promise<void> {
  const message: Message = { type: 'delete-model', id };
  await browser.runtime.sendMessage(message).catch(() => undefined);
  await hooks.changed();
}

function say(text: string, error = false): void {
  const status = $('install-status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

function showProgress(progress: InstallProgress | null): void {
  const bar = $<HTMLProgressElement>('install-progress');
  const running = progress?.phase === 'download' || progress?.phase === 'check';
  bar.hidden = !running;
  $('cancel-install').hidden = !running;
  $('install-model').toggleAttribute('disabled', running);
  $('imagenet-download').toggleAttribute('disabled', running);
  $('imagenet-check').toggleAttribute('disabled', running);
  if (!progress || !running) return;
  if (progress.phase === 'download' && progress.total > 0) {
    bar.value = progress.received / progress.total;
    say(t('popupInstallDownloading', [formatBytes(progress.received), formatBytes(progress.total)]));
  } else {
    bar.removeAttribute('value'); // indeterminate
    say(progress.phase === 'check' ? t('popupInstallChecking') : t('popupInstallReading'));
  }
}

async function fetchProgress(): Promise<InstallProgress | null> {
  const message: Message = { type: 'install-progress' };
  const parsed = InstallProgress.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
  return parsed.success ? parsed.data : null;
}

/**
 * Shows the worker's install progress until `until()` (our own install: its reply came), or, with
 * `whileRunning`, until no install runs (one started before the popup was opened).
 */
async function follow(until: () => boolean, whileRunning = false): Promise<void> {
  while (!until()) {
    const progress = await fetchProgress();
    if (until()) return;
    // Our first poll may reach the worker before the install request, or see the previous install's end.
    if (progress?.phase === 'download' || progress?.phase === 'check') showProgress(progress);
    else if (whileRunning) return;
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function install(source: InstallSourceMessage, form: InstallForm): Promise<void> {
  let finished = false;
  showProgress({ phase: 'download', received: 0, total: 0 });
  const following = follow(() => finished);
  const message: Message = { type: 'install-model', source, form };
  const raw = await browser.runtime.sendMessage(message).catch((e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }));
  finished = true;
  await following;
  showProgress(null);
  const reply = InstallReply.safeParse(raw);
  if (!reply.success) {
    say(t('errExtensionNoAnswer'), true);
  } else if (reply.data.ok) {
    $<HTMLFormElement>('install-form').reset();
    say([t('popupInstallDone', reply.data.name), reply.data.note].filter(Boolean).join(' '));
    await hooks.installed(reply.data.modelId);
  } else {
    say(reply.data.error, true);
  }
}

/** The form's optional details: name, input size, pixel scaling, framing, labels file. */
async function readForm(): Promise<InstallForm> {
  const form: InstallForm = {};
  const name = $<HTMLInputElement>('model-name').value.trim();
  if (name) form.displayName = name;
  const size = Math.round(Number($<HTMLInputElement>('model-size').value));
  if ($<HTMLInputElement>('model-size').value && size >= 8 && size <= 4096) form.inputSize = { width: size, height: size };
  const scaling = $<HTMLSelectElement>('model-scaling').value;
  if (scaling) form.pixelScaling = scaling as PixelScaling;
  if (scaling === 'meanStd') {
    // Empty fields mean ImageNet's statistics, the values shown as placeholders.
    const mean = $<HTMLInputElement>('model-mean').value.trim() || IMAGENET_NORMALIZATION.mean.join(', ');
    const std = $<HTMLInputElement>('model-std').value.trim() || IMAGENET_NORMALIZATION.std.join(', ');
    const normalization = parseNormalization(mean, std);
    if (!normalization) throw new FormError(t('popupInstallBadMeanStd'));
    form.normalization = normalization;
  }
  const framing = $<HTMLSelectElement>('model-framing').value;
  if (framing === 'center' || framing === 'whole') form.framing = framing;
  const labels = $<HTMLInputElement>('model-labels').files?.[0];
  if (labels) form.labels = parseLabels(await labels.text());
  if ($<HTMLInputElement>('model-classifier').checked) form.classifier = true;
  return form;
}

async function submit(): Promise<void> {
  const url = $<HTMLInputElement>('model-url').value.trim();
  const picked = [...($<HTMLInputElement>('model-files').files ?? [])];
  if (!url && picked.length === 0) {
    say(t('popupInstallNeedSource'), true);
    return;
  }
  let form: InstallForm;
  try {
    form = await readForm();
  } catch (e) {
    if (!(e instanceof FormError)) throw e;
    say(e.message, true);
    return;
  }
  if (picked.length > 0) {
    say(t('popupInstallReading'));
    const files = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    const stagingId = `staged-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await modelStore.stage(stagingId, files);
    await install({ kind: 'files', stagingId, names: files.map((f) => f.name) }, form);
  } else {
    await install({ kind: $<HTMLSelectElement>('model-kind').value as SourceKindChoice, url }, form);
  }
}

/** The size of the chosen download (its sources' model.json, in order, until one answers), before anything else is fetched. */
async function checkImagenet(): Promise<void> {
  const message: Message = { type: 'describe-download', id: $<HTMLSelectElement>('imagenet-choice').value };
  say(t('popupInstallChecking'));
  const reply = DescribeReply.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
  if (!reply.success) return say(t('errExtensionNoAnswer'), true);
  if (!reply.data.ok) return say(reply.data.error, true);
  say(reply.data.note ?? '');
  const size = $('imagenet-size');
  size.textContent = t('popupImagenetSize', [formatBytes(reply.data.sizeBytes), new URL(reply.data.url).host]);
  size.hidden = false;
  $('imagenet-download').hidden = false;
}

/** Another choice: its size is not known yet. */
function forgetImagenetSize(): void {
  $('imagenet-size').hidden = true;
  $('imagenet-download').hidden = true;
}

export function setupModels(h: ModelsHooks): void {
  hooks = h;
  $('install-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  $('cancel-install').addEventListener('click', () => {
    const message: Message = { type: 'cancel-install' };
    void browser.runtime.sendMessage(message).catch(() => undefined);
  });
  // The mean/std fields only matter for that pixel convention.
  const scaling = $<HTMLSelectElement>('model-scaling');
  const showMeanStd = () => document.querySelectorAll<HTMLElement>('.mean-std').forEach((el) => (el.hidden = scaling.value !== 'meanStd'));
  scaling.addEventListener('change', showMeanStd);
  $('install-form').addEventListener('reset', () => setTimeout(showMeanStd));
  const choice = $<HTMLSelectElement>('imagenet-choice');
  choice.replaceChildren(...catalog.downloads.map((d) => new Option(d.displayName, d.id)));
  choice.addEventListener('change', forgetImagenetSize);
  $('imagenet-check').addEventListener('click', () => void checkImagenet());
  // The worker knows each download's sources and what their files do not say (pixel values, name).
  $('imagenet-download').addEventListener('click', () => void install({ kind: 'download', id: choice.value }, {}));
  // An install started before the popup was opened: show where it is.
  void fetchProgress().then(async (progress) => {
    if (progress?.phase !== 'download' && progress?.phase !== 'check') return;
    await follow(() => false, true);
    const last = await fetchProgress();
    showProgress(null);
    if (last?.phase === 'done') say([t('popupInstallDone', last.name ?? ''), last.note].filter(Boolean).join(' '));
    else if (last?.phase === 'failed') say(last.error ?? '', true);
    await hooks.changed();
  });
}
