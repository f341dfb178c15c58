// The panel of a drawn map: title and score, export buttons, class chips, a field for any other class,
// the colour legend, the value under the pointer, notes, and the panel features' sections (map checks).
// Builds elements and wires trusted clicks; the overlay decides when, and does what they ask.
import { colormapLut } from '../core/colormap';
import { t } from '../core/i18nBrowser';
import type { ExplanationSuccess } from '../core/messages';
import { METHODS } from '../core/methods';
import type { DisplayMap } from '../core/postprocess';
import { formatProbability } from '../core/scores';
import { el, onTrustedClick, setWords } from './dom';
import { pageImageData } from './heatCanvas';
import type { OverlayDisplay } from './overlay';

/** What the panel needs from its overlay. */
export interface ResultPanelOwner {
  readonly id: string;
  readonly panel: HTMLElement;
  readonly look: OverlayDisplay;
  /** One of "explain all"'s overlays: its result is not announced (the popup tells the progress). */
  readonly bulk: boolean;
  /** Replaces the panel's content (and places it again). */
  render(...content: (Node | null)[]): void;
  /** The panel's first row: a title, buttons, and the close button. */
  head(title: HTMLElement, ...buttons: HTMLElement[]): HTMLElement;
  /** The class whose map is shown now. */
  shownClass(): number | undefined;
  /** The user chose another class (the overlay turns busy and asks). */
  requestClass(index: number): void;
  exportAs(mode: 'save' | 'copy' | 'json' | 'lab'): void;
  classLabels(modelId: string): Promise<string[]>;
  /** A panel feature's section below the classes, if any. */
  section(result: ExplanationSuccess): Node | null;
  /** Follow's button and line, on a video's overlay (the same elements at every rebuild). */
  followControls(): { button: HTMLElement; line: HTMLElement } | null;
  notify(text: string): void;
  announce(text: string): void;
}

export function renderResultPanel(owner: ResultPanelOwner, result: ExplanationSuccess, display: DisplayMap | null): void {
  const { panel } = owner;
  const button = (name: 'save' | 'copy' | 'json' | 'lab', label: string, tooltip: string, text: string) => {
    const b = el('button', { class: `${name} icon`, type: 'button', 'aria-label': label, title: tooltip }, text);
    onTrustedClick(b, () => owner.exportAs(name));
    return b;
  };
  const follow = owner.followControls();
  owner.render(
    owner.head(
      el('span', { class: 'title' }),
      button('save', t('overlaySaveLabel'), t('overlaySaveTitle'), t('overlaySave')),
      button('copy', t('overlayCopyLabel'), t('overlayCopyTitle'), t('overlayCopy')),
      button('json', t('overlayJsonLabel'), t('overlayJsonTitle'), t('overlayJson')),
      button('lab', t('overlayLabLabel'), t('overlayLabTitle'), t('overlayLab')),
    ),
    // Its own row: among the head's buttons it left the title a few letters on a video's overlay.
    follow ? el('div', { class: 'follow-row' }, follow.button, follow.line) : null,
    el('div', { class: 'chips' }),
    result.classCount > result.classes.length ? otherClassField(owner, result) : null,
    el('div', { class: 'legend' }, el('span', {}, t('overlayLegendLow')), el('canvas', { width: '128', height: '8', 'aria-hidden': 'true' }), el('span', {}, t('overlayLegendHigh'))),
    el('div', { class: 'legend-note' }),
    el('div', { class: 'hover', 'aria-hidden': 'true' }),
    el('div', { class: 'note', hidden: true }),
    owner.section(result),
  );
  drawLegend(owner, result);
  // Each of "explain all"'s results is not read out: the popup tells the progress, once.
  if (!owner.bulk) owner.announce(
    t('overlayAnnounce', [
      result.classes[0]?.label ?? result.target.label,
      formatProbability(result.classes[0]?.probability ?? result.target.probability),
      METHODS[result.method].name,
      result.target.label,
    ]),
  );
  const title = panel.querySelector('.title')!;
  title.append(el('span', { class: 'score' }));
  title.setAttribute('title', t('overlayModelLayer', [result.modelName, result.layer]));
  const chips = panel.querySelector('.chips')!;
  chips.append(...result.classes.map(() => classChip(owner)));
  updateResultPanel(owner, result, display);
}

/** A class chip, filled in by updateResultPanel; its class is read when clicked (a followed video's frames change the chips' classes). */
function classChip(owner: ResultPanelOwner): HTMLElement {
  const chip = el('button', { class: 'chip', type: 'button' }, el('span', { class: 'label' }), el('span', { class: 'pct' }), el('span', { class: 'bar' }));
  onTrustedClick(chip, () => {
    const index = Number(chip.dataset.classIndex);
    if (index !== owner.shownClass()) owner.requestClass(index);
  });
  return chip;
}

/**
 * What changes from one map to the next on the same picture — title, score, the chips' classes and
 * the map's note — set in place: a followed video's panel is not rebuilt for each frame, so its
 * controls keep the focus and the pointer.
 */
export function updateResultPanel(owner: ResultPanelOwner, result: ExplanationSuccess, display: DisplayMap | null): void {
  const { panel } = owner;
  const title = panel.querySelector('.title')!;
  setWords(title, `${METHODS[result.method].name} · ${result.target.label}`);
  setWords(title.querySelector('.score')!, ` ${formatProbability(result.target.probability)}`);
  const chips = panel.querySelectorAll<HTMLElement>('.chip');
  result.classes.forEach((c, i) => {
    const chip = chips[i];
    if (!chip) return;
    chip.dataset.classIndex = String(c.index);
    chip.setAttribute('aria-pressed', String(c.index === result.target.index));
    chip.setAttribute('aria-label', t('overlayChipLabel', [c.label, formatProbability(c.probability)]));
    setWords(chip.querySelector('.label')!, c.label);
    setWords(chip.querySelector('.pct')!, formatProbability(c.probability));
    (chip.querySelector('.bar') as HTMLElement).style.width = `${Math.max(0, Math.min(1, c.probability)) * 100}%`;
  });
  const note = panel.querySelector('.note') as HTMLElement;
  note.hidden = true;
  note.replaceChildren();
  setWords(note, '');
  if (display?.noPositiveEvidence) {
    note.hidden = false;
    setWords(note, t('overlayNoPositiveEvidence', result.target.label));
  } else if (display?.flat) {
    note.hidden = false;
    setWords(note, t('overlayFlatMap', result.target.label));
  }
  // Notes from the worker (e.g. only the first frame of an animated GIF was explained), one line each.
  for (const text of result.notes ?? []) {
    note.append(el('div', {}, text));
    note.hidden = false;
  }
}

/**
 * A field for any class the chips do not list (a 1000-class ImageNet model lists 5): type or pick
 * its name (or its number, for unlabelled classes). The names are fetched when the field is first used.
 */
function otherClassField(owner: ResultPanelOwner, result: ExplanationSuccess): HTMLElement {
  const listId = `${owner.id}-classes`;
  const field = el('input', {
    class: 'pick', type: 'search', list: listId, placeholder: t('overlayOtherClass'), 'aria-label': t('overlayOtherClassLabel'), autocomplete: 'off', spellcheck: 'false',
  });
  const options = el('datalist', { id: listId });
  let labels: Promise<string[]> | null = null;
  const names = () => (labels ??= owner.classLabels(result.modelId).then((known) => {
    const all = Array.from({ length: result.classCount }, (_, i) => known[i] ?? t('classFallback', String(i)));
    options.replaceChildren(...all.map((label) => el('option', { value: label })));
    return all;
  }));
  field.addEventListener('focus', () => void names());
  field.addEventListener('change', async () => {
    const wanted = field.value.trim();
    if (!wanted) return;
    const all = await names();
    const byName = all.findIndex((label) => label.toLowerCase() === wanted.toLowerCase());
    const index = byName >= 0 ? byName : /^\d+$/.test(wanted) && Number(wanted) < result.classCount ? Number(wanted) : -1;
    if (index < 0) owner.notify(t('overlayNoSuchClass', wanted));
    else if (index !== owner.shownClass()) owner.requestClass(index);
  });
  // Typing here is not for the page: its keyboard shortcuts must not see these keys.
  for (const type of ['keydown', 'keyup', 'keypress']) field.addEventListener(type, (e) => e.stopPropagation());
  return el('div', { class: 'other-class' }, field, options);
}

/** The colour bar under the classes: the colormap from low to high, and what the scale means. */
function drawLegend(owner: ResultPanelOwner, result: ExplanationSuccess): void {
  const canvas = owner.panel.querySelector<HTMLCanvasElement>('.legend canvas')!;
  const lut = colormapLut(owner.look.colormap);
  const row = new Uint8ClampedArray(canvas.width * canvas.height * 4);
  for (let x = 0; x < canvas.width; x++) {
    const i = Math.round((x / (canvas.width - 1)) * 255) * 4;
    for (let y = 0; y < canvas.height; y++) row.set(lut.subarray(i, i + 4), (y * canvas.width + x) * 4);
  }
  canvas.getContext('2d')!.putImageData(pageImageData(row, canvas.width, canvas.height), 0, 0);
  const model = result.modelName.split(' (')[0];
  setWords(owner.panel.querySelector('.legend-note')!, owner.look.hideNegative ? t('overlayLegendPositive', model) : t('overlayLegendSigned', model));
}

export interface PanelReport {
  /** The title shows whole: nothing of it is clipped (scrollWidth ≤ clientWidth). */
  titleFits: boolean;
  titleRect: Rect | null;
  /** Every button of the panel, in order, with its viewport rect (zero when not displayed). */
  buttons: { name: string; title: string; rect: Rect; disabled: boolean }[];
}

interface Rect { x: number; y: number; width: number; height: number }

/** How the panel is laid out, for the automation seam (the page cannot see into the closed shadow root). */
export function describePanel(panel: HTMLElement): PanelReport {
  const rectOf = (e: Element): Rect => {
    const r = e.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  };
  const title = panel.querySelector<HTMLElement>('.head .title');
  return {
    titleFits: !title || title.scrollWidth <= title.clientWidth,
    titleRect: title && rectOf(title),
    buttons: [...panel.querySelectorAll('button')].map((b) => ({
      name: b.getAttribute('aria-label') ?? [b, ...b.querySelectorAll('[data-text]')].map((e) => e.getAttribute('data-text') ?? '').join(''),
      title: b.title,
      rect: rectOf(b),
      disabled: b.disabled || b.getAttribute('aria-disabled') === 'true',
    })),
  };
}
