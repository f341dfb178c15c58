// The options page (Settings): display (colours, opacity, positive only, classes listed, box) with
// previews, the layer explained and automatic checks, the backend and what it measured, and the model
// library. The same settings record as the popup's; changes apply live.
import browser from 'webextension-polyfill';
import type { Status } from '../core/messages';
import { fetchStatus, renderLayers, renderModelMenu, renderStatus, translatePage } from '../ui/page';
import { wireSettings, type SettingsSession } from '../ui/settingsControls';
import { renderLibrary, setupModels } from './library';
import { drawPreviews } from './preview';

let session: SettingsSession;

function render(status: Status | null): void {
  renderStatus(status);
  if (!status) return;
  renderModelMenu(status);
  renderLibrary(status);
}

/** The status again; with `load`, once the active model is loaded (then its layers are listed too). */
async function refresh(load: boolean): Promise<void> {
  render(await fetchStatus(load));
  if (load) await renderLayers(session.current);
}

async function main(): Promise<void> {
  translatePage();
  session = await wireSettings({ refresh, shown: drawPreviews });
  setupModels({
    installed: async (modelId) => {
      await session.save({ modelId });
      await refresh(false);
      await refresh(true);
    },
    changed: async () => {
      await session.reload(); // a deleted active model hands over to the default
      await refresh(true);
    },
  });
  // Teach is a page of its own: training takes longer than a settings change.
  document.getElementById('open-teach')!.addEventListener('click', () => void browser.tabs.create({ url: browser.runtime.getURL('teach.html') }));
  // Quick first paint from what the worker knows, then again once the active model has loaded.
  await refresh(false);
  await refresh(true);
}

void main();
