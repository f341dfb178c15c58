// The Lab page: one picture, a grid of maps (rows: methods; columns: layers, classes or models), a
// contrastive choice, the difference of two cells, and exports. Every cell is asked of the worker as
// an overlay's explanation is (same code path, same cache); this page only draws.
import type { MessageKey } from '../core/i18n';
import { t } from '../core/i18nBrowser';
import { canContrast, defaultLayerColumns, DEFAULT_LAB_METHODS, planCells, type Column, type ColumnAxis } from '../core/lab/grid';
import { METHOD_IDS, METHODS, type MethodId } from '../core/methods';
import type { ExplanationSuccess, LayersReply, ModelStatus } from '../core/messages';

type ClassScore = ExplanationSuccess['classes'][number];
import * as api from './api';
import { LabGrid } from './grid';
import { fromAddress, fromDataUrl, fromFile, PictureError, type LabPicture } from './picture';
import { setupDifference } from './difference';
import { setupExports } from './exports';
import { setupLive } from './live';

for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) element.textContent = t(element.dataset.i18n as MessageKey);
document.documentElement.lang = t('langCode');

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modelSelect = $<HTMLSelectElement>('model');
const columnsPick = $<HTMLSelectElement>('columns-pick');
const classSelect = $<HTMLSelectElement>('class');
const contrastSelect = $<HTMLSelectElement>('contrast');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const runStatus = $<HTMLElement>('run-status');

let picture: LabPicture | null = null;
let models: ModelStatus[] = [];
let layers: Extract<LayersReply, { ok: true }> | null = null;
let labels: string[] = [];
let top: ClassScore[] = [];
let running: { stopped: boolean } | null = null;
const grid = new LabGrid($('grid'));

function showError(id: string, message: string | null): void {
  const element = $(id);
  element.textContent = message ?? '';
  element.hidden = message === null;
}

const option = (value: string, text: string, selected = false) => Object.assign(document.createElement('option'), { value, textContent: text, selected });
const percent = (p: number) => `${(p * 100).toFixed(1)} %`;
const axis = (): ColumnAxis => (document.querySelector<HTMLInputElement>('input[name="columns"]:checked')?.value as ColumnAxis) ?? 'layers';

// Methods: the live ones checked; the many-pass ones on request.
for (const id of METHOD_IDS) {
  const info = METHODS[id];
  const label = document.createElement('label');
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: id, checked: DEFAULT_LAB_METHODS.includes(id) });
  label.append(box, ` ${info.name}${info.kind === 'on-demand' ? ` (${t('labSlow')})` : ''}`);
  label.title = info.formula;
  $('methods').append(label);
}
const chosenMethods = (): MethodId[] => [...document.querySelectorAll<HTMLInputElement>('#methods input:checked')].map((b) => b.value as MethodId);

async function loadModels(): Promise<void> {
  const status = await api.status();
  if (!status) showError('run-error', t('errExtensionNoAnswer'));
  models = status?.models ?? [];
  modelSelect.replaceChildren(...models.map((m) => option(m.id, m.name, m.id === status?.modelId)));
  await modelChanged();
}

async function modelChanged(): Promise<void> {
  const modelId = modelSelect.value;
  [layers, labels] = await Promise.all([api.layers(modelId).then((r) => (r.ok ? r : (showError('run-error', r.error), null))), api.labels(modelId)]);
  top = [];
  if (picture) await learnTopClasses();
  fillClasses();
  fillColumns();
}

/** One explanation of the picture at the model's own layer: its top classes head the class menus. */
async function learnTopClasses(): Promise<void> {
  if (!picture) return;
  const result = await api.explain({ type: 'lab-explain', image: { kind: 'dataUrl', dataUrl: picture.dataUrl }, modelId: modelSelect.value, method: 'gradcam' });
  top = result.ok ? result.classes : [];
  if (!result.ok) showError('run-error', result.error);
}

function fillClasses(): void {
  const ranked = [...top.map((c) => option(String(c.index), `${c.label} · ${percent(c.probability)}`))];
  const rest = labels.map((label, index) => ({ label, index })).filter((c) => !top.some((x) => x.index === c.index));
  const others = rest.map((c) => option(String(c.index), c.label));
  classSelect.replaceChildren(option('', t('labTopClass'), true), ...ranked, ...others.map((o) => o.cloneNode(true) as HTMLOptionElement));
  contrastSelect.replaceChildren(option('', t('labNoContrast'), true), ...ranked.map((o) => o.cloneNode(true) as HTMLOptionElement), ...others);
  const perModel = axis() === 'models';
  classSelect.disabled = perModel || axis() === 'classes';
  contrastSelect.disabled = perModel;
}

/** The column choices of the current axis, with the usual ones selected. */
function fillColumns(): void {
  const kind = axis();
  if (kind === 'layers') {
    const chosen = layers ? defaultLayerColumns(layers.layers, layers.automatic) : [];
    columnsPick.replaceChildren(...(layers?.layers ?? []).map((l) => option(l.name, `${shortLayer(l.name)} · ${l.shape.map((d) => d ?? '?').join('×')}`, chosen.includes(l.name))));
  } else if (kind === 'classes') {
    const firstThree = top.slice(0, 3).map((c) => c.index);
    const ordered = [...top.map((c) => c.index), ...labels.map((_, i) => i).filter((i) => !top.some((c) => c.index === i))];
    columnsPick.replaceChildren(...ordered.map((i) => option(String(i), labels[i] ?? String(i), firstThree.includes(i))));
  } else {
    const others = models.filter((m) => m.id !== modelSelect.value).slice(0, 1).map((m) => m.id);
    columnsPick.replaceChildren(...models.map((m) => option(m.id, m.name, m.id === modelSelect.value || others.includes(m.id))));
  }
  fillClasses();
}

/** Converter scopes make layer names long; the last three parts say which layer it is. */
const shortLayer = (name: string) => name.split('/').slice(-3).join('/');

function columns(): Column[] {
  const picked = [...columnsPick.selectedOptions];
  const kind = axis();
  if (kind === 'layers') return picked.map((o) => ({ axis: 'layers', layer: o.value, label: o.textContent ?? o.value }));
  if (kind === 'classes') return picked.map((o) => ({ axis: 'classes', classIndex: Number(o.value), label: o.textContent ?? o.value }));
  return picked.map((o) => ({ axis: 'models', modelId: o.value, label: o.textContent ?? o.value }));
}

const optionalIndex = (select: HTMLSelectElement) => (select.value === '' || select.disabled ? undefined : Number(select.value));

async function run(): Promise<void> {
  showError('run-error', null);
  if (!picture) return showError('run-error', t('labErrNoPicture'));
  const methods = chosenMethods();
  const cols = columns();
  if (methods.length === 0 || cols.length === 0) return showError('run-error', t('labErrNothingChosen'));
  const contrastIndex = optionalIndex(contrastSelect);
  const classIndex = optionalIndex(classSelect);
  if (contrastIndex !== undefined && contrastIndex === (classIndex ?? top[0]?.index)) return showError('run-error', t('labErrSameContrast'));
  const cells = planCells(methods, cols.length);
  grid.start(picture.element, methods, cols);
  const job = (running = { stopped: false });
  runButton.disabled = true;
  stopButton.hidden = false;
  let done = 0;
  const started = performance.now();
  for (const cell of cells) {
    if (job.stopped) break;
    runStatus.textContent = t('labProgress', [String(done + 1), String(cells.length)]);
    const column = cols[cell.column];
    if (contrastIndex !== undefined && !canContrast(cell.method)) {
      grid.fail(cell, t('errNoContrastiveForm', METHODS[cell.method].name));
    } else {
      const result = await api.explain({
        type: 'lab-explain',
        image: { kind: 'dataUrl', dataUrl: picture.dataUrl },
        modelId: column.axis === 'models' ? column.modelId : modelSelect.value,
        method: cell.method,
        ...(column.axis === 'layers' ? { layer: column.layer } : {}),
        ...(column.axis === 'classes' ? { classIndex: column.classIndex } : classIndex !== undefined && column.axis !== 'models' ? { classIndex } : {}),
        ...(contrastIndex !== undefined && column.axis !== 'models' ? { contrastIndex } : {}),
      });
      if (result.ok) grid.show(cell, result);
      else grid.fail(cell, result.error);
    }
    done++;
  }
  runStatus.textContent = job.stopped ? t('labStopped', [String(done), String(cells.length)]) : t('labDone', [String(cells.length), ((performance.now() - started) / 1000).toFixed(1)]);
  running = null;
  runButton.disabled = false;
  stopButton.hidden = true;
  difference.refresh();
}

async function usePicture(load: () => Promise<LabPicture>): Promise<void> {
  showError('picture-error', null);
  try {
    picture = await load();
  } catch (e) {
    return showError('picture-error', e instanceof PictureError ? e.message : t('errUnexpected', (e as Error).message));
  }
  $<HTMLImageElement>('preview').src = picture.dataUrl;
  $('picture-origin').textContent = t('labFrom', [picture.origin, `${picture.element.naturalWidth}×${picture.element.naturalHeight}`]);
  $('picture').hidden = false;
  await learnTopClasses();
  fillColumns();
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void usePicture(() => fromFile(file));
});
$<HTMLFormElement>('url-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void usePicture(() => fromAddress($<HTMLInputElement>('url').value));
});
document.addEventListener('paste', (e) => {
  const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) void usePicture(() => fromFile(file));
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file) void usePicture(() => fromFile(file));
});
modelSelect.addEventListener('change', () => void modelChanged());
for (const radio of document.querySelectorAll('input[name="columns"]')) radio.addEventListener('change', fillColumns);
runButton.addEventListener('click', () => void run());
stopButton.addEventListener('click', () => {
  if (running) running.stopped = true;
});

const difference = setupDifference(grid);
const liveMethod = $<HTMLSelectElement>('live-method');
liveMethod.replaceChildren(...DEFAULT_LAB_METHODS.map((id) => option(id, METHODS[id].name, id === 'cam')));
const live = setupLive({ modelId: () => modelSelect.value });
setupExports(grid, () => picture);
void loadModels().then(openHandoff);

/** Opened from an overlay's panel (lab.html#from=<id>): its picture, model and class, compared at once. */
async function openHandoff(): Promise<void> {
  const id = /^#from=([\w-]{1,64})$/.exec(location.hash)?.[1];
  if (!id) return;
  history.replaceState(null, '', location.pathname);
  const given = await api.handoff(id);
  if (!given.ok) return showError('picture-error', t('labErrHandoffGone'));
  if ([...modelSelect.options].some((o) => o.value === given.modelId) && modelSelect.value !== given.modelId) {
    modelSelect.value = given.modelId;
    await modelChanged();
  }
  await usePicture(() => fromDataUrl(given.dataUrl, given.origin));
  classSelect.value = String(given.classIndex);
  const box = document.querySelector<HTMLInputElement>(`#methods input[value="${given.method}"]`);
  if (box) box.checked = true;
  const model = modelSelect.selectedOptions[0]?.textContent ?? given.modelId;
  $('picture-origin').append(' ', t('labFromOverlay', [model, labels[given.classIndex] ?? String(given.classIndex), METHODS[given.method].name]));
  await run();
}

/** For tests: the cells computed so far. */
(globalThis as { labCells?: () => ExplanationSuccess[] }).labCells = () => grid.results().map((c) => c.result);
/** For tests: the live maps' counters. */
(globalThis as { labLive?: typeof live.stats }).labLive = () => live.stats();
