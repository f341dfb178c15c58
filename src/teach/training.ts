// The Teach page's training section: name, seed and augmentation; Train and Cancel; progress with
// the loss and accuracy curve while the worker trains (polled), then what was saved, and Export.
import { t } from '../core/i18nBrowser';
import type { TeachProjectId } from '../core/teach/project';
import type { TeachProgress } from '../core/teachMessages';
import browser from 'webextension-polyfill';
import { loadUserModels } from '../core/userModels';
import { progress, project, request } from './api';
import { picturesAdded } from './classes';
import { renderCurve } from './curve';
import { exportTeachModel } from './exportModel';
import { describeCurve, describeOutcome, describeProgress } from './format';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const POLL_MS = 250;

/** Polls the worker until training ends; `onUpdate` sees every state, the last one is returned. */
export async function followTraining(onUpdate: (p: TeachProgress) => void): Promise<TeachProgress> {
  for (;;) {
    const p = await progress();
    onUpdate(p);
    if (p.phase !== 'training' && p.phase !== 'saving') return p;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Starts training a project; resolves with the final progress, or the reason it could not start. */
export async function train(
  project: TeachProjectId,
  options: { name: string; augment: boolean; seed: number },
  onUpdate: (p: TeachProgress) => void,
): Promise<{ started: true; progress: TeachProgress } | { started: false; error: string }> {
  const reply = await request({ type: 'teach-train', project, ...options });
  if (!reply.ok) return { started: false, error: reply.error };
  return { started: true, progress: await followTraining(onUpdate) };
}

let wasBusy = false;

function show(p: TeachProgress): void {
  const busy = p.phase === 'training' || p.phase === 'saving';
  // The demo's training is shown by the demo.
  if (p.project === 'demo') {
    $('train').toggleAttribute('disabled', busy);
    return;
  }
  // The worker forgot a training it was running (the browser stopped it): say so instead of going blank.
  const interrupted = wasBusy && p.phase === 'idle';
  wasBusy = busy;
  $('train').toggleAttribute('disabled', busy);
  $('cancel-train').hidden = !busy;
  const bar = $<HTMLProgressElement>('train-progress');
  bar.hidden = !busy;
  if (p.phase === 'training') bar.value = p.history.length / Math.max(1, p.maxEpochs);
  else bar.removeAttribute('value');
  $('train-status').textContent = interrupted ? t('teachInterrupted') : describeProgress(p, t);
  const figure = $('curve-figure');
  figure.hidden = p.history.length === 0;
  if (!figure.hidden) {
    renderCurve(document.getElementById('curve') as unknown as SVGSVGElement, p.history);
    $('curve-loss').textContent = t('teachCurveLossScale', Math.max(...p.history.map((h) => h.loss)).toFixed(3));
    $('curve').setAttribute('aria-label', describeCurve(p, t));
    $('curve-held-out').hidden = p.history.every((h) => h.heldOutAccuracy === null);
  }
  const trained = $('trained');
  trained.hidden = p.phase !== 'done';
  $('trained-outcome').textContent = describeOutcome(p, t);
  trained.dataset.modelId = p.modelId ?? '';
}

/** Without a training to show (the worker restarted since), the project's last model can still be exported. */
async function showLastModel(): Promise<void> {
  const trained = $('trained');
  if (!trained.hidden) return;
  const modelId = (await project('main')).modelId;
  const model = modelId ? (await loadUserModels(browser.storage.local)).find((m) => m.id === modelId) : undefined;
  if (!model) return;
  trained.hidden = false;
  trained.dataset.modelId = model.id;
  $('trained-outcome').textContent = t('teachLastModel', model.displayName);
}

export function setupTraining(): void {
  const seed = $<HTMLInputElement>('seed');
  $('train').addEventListener('click', async () => {
    const error = $('train-error');
    error.hidden = true;
    const seedValue = Number(seed.value);
    if (!Number.isInteger(seedValue) || seedValue < 0 || seedValue > 0xffffffff) {
      error.hidden = false;
      error.textContent = t('teachErrSeed');
      seed.focus();
      return;
    }
    // Pictures still being added belong to this training.
    $('train-status').textContent = t('teachWaitingForPictures');
    await picturesAdded();
    $('train-status').textContent = '';
    const outcome = await train('main', { name: $<HTMLInputElement>('model-name').value, augment: $<HTMLInputElement>('augment').checked, seed: seedValue }, show);
    if (!outcome.started) {
      error.hidden = false;
      error.textContent = outcome.error;
    }
  });
  $('cancel-train').addEventListener('click', () => void request({ type: 'teach-cancel' }));
  $('export').addEventListener('click', async () => {
    const status = $('export-status');
    try {
      const { name, bytes } = await exportTeachModel($('trained').dataset.modelId ?? '');
      const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/zip' })), download: name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      status.textContent = t('teachExported', name);
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
    }
  });
  // A training started earlier (this page reloaded, or another Teach tab) is shown as it goes.
  void followTraining(show).then(showLastModel);
}
