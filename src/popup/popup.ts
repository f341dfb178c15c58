// Popup: status from the worker, and the opacity setting (applied live by the content scripts).
import browser from 'webextension-polyfill';
import { Status, type Message } from '../core/messages';
import { loadSettings, saveSettings } from '../core/settingsStore';
import { describeBackend, describeTimings } from './format';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function showStatus(): Promise<void> {
  const message: Message = { type: 'get-status' };
  const parsed = Status.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
  if (!parsed.success) {
    $('model').textContent = 'the extension did not answer';
    return;
  }
  const status = parsed.data;
  $('model').textContent = `${status.modelName}${status.modelLoaded ? '' : ' (not loaded yet)'}`;
  $('backend').textContent = describeBackend(status);
  $('renderer').textContent = status.renderer ?? '—';
  $('timings').textContent = describeTimings(status.lastTimingsMs);
  const note = $('backend-note');
  note.hidden = !status.backendNote;
  note.textContent = status.backendNote ? `WebGL is not in use: ${status.backendNote}` : '';
}

async function bindOpacity(): Promise<void> {
  const input = $<HTMLInputElement>('opacity');
  const output = $<HTMLOutputElement>('opacity-value');
  const show = (v: number) => (output.textContent = `${Math.round(v * 100)} %`);
  const settings = await loadSettings(browser.storage.local);
  input.value = String(settings.opacity);
  show(settings.opacity);
  input.addEventListener('input', () => {
    const opacity = Number(input.value);
    show(opacity);
    void saveSettings(browser.storage.local, { opacity });
  });
}

void showStatus();
void bindOpacity();
