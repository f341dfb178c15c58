// The Lab's grid in the page: a header row (the columns), a row per method, a figure per cell with
// its map, what made it and its time; pointing at one cell marks the same picture pixel in all.
import { t } from '../core/i18nBrowser';
import type { Cell, Column } from '../core/lab/grid';
import { valueAt } from '../core/lab/sample';
import { maxAbs } from '../core/lab/signedMap';
import { METHODS, type MethodId } from '../core/methods';
import type { ExplanationSuccess } from '../core/messages';
import { drawCell } from './cells';

export interface DoneCell {
  row: number;
  column: number;
  method: MethodId;
  columnLabel: string;
  result: ExplanationSuccess;
  canvas: HTMLCanvasElement;
}

interface CellView {
  figure: HTMLElement;
  canvas: HTMLCanvasElement;
  marker: HTMLElement;
  caption: HTMLElement;
  value: HTMLElement;
  done?: DoneCell;
}

/** Cells are at most this wide (CSS px); narrower when many columns share the page. */
const MAX_CELL_WIDTH = 240;

export class LabGrid {
  private views = new Map<string, CellView>();
  private picture: HTMLImageElement | null = null;
  private columns: Column[] = [];
  private methods: MethodId[] = [];
  private cellWidth = MAX_CELL_WIDTH;

  constructor(private readonly root: HTMLElement) {
    root.addEventListener('pointermove', (e) => this.point(e));
    root.addEventListener('pointerleave', () => this.point(null));
  }

  start(picture: HTMLImageElement, methods: MethodId[], columns: Column[]): void {
    this.picture = picture;
    this.methods = methods;
    this.columns = columns;
    this.views.clear();
    const available = Math.max(320, this.root.clientWidth - 140);
    this.cellWidth = Math.min(MAX_CELL_WIDTH, Math.floor(available / columns.length) - 10);
    this.root.style.gridTemplateColumns = `max-content repeat(${columns.length}, ${this.cellWidth}px)`;
    const head = (text: string, role: string) => Object.assign(document.createElement('div'), { className: 'head', textContent: text, role });
    const cells: HTMLElement[] = [head('', 'columnheader'), ...columns.map((c) => head(c.label, 'columnheader'))];
    methods.forEach((method, row) => {
      const rowHead = head(METHODS[method].name, 'rowheader');
      rowHead.classList.add('row-head');
      cells.push(rowHead);
      columns.forEach((_, column) => cells.push(this.makeCell({ row, column, method }).figure));
    });
    this.root.replaceChildren(...cells);
  }

  private makeCell(cell: Cell): CellView {
    const figure = Object.assign(document.createElement('figure'), { className: 'cell pending' });
    figure.setAttribute('role', 'cell');
    const frame = Object.assign(document.createElement('div'), { className: 'frame' });
    const canvas = drawCell(document.createElement('canvas'), this.picture!, this.cellWidth, null);
    const marker = Object.assign(document.createElement('div'), { className: 'marker', hidden: true });
    frame.append(canvas, marker);
    const caption = Object.assign(document.createElement('figcaption'), { textContent: t('labPending') });
    const value = Object.assign(document.createElement('span'), { className: 'value' });
    figure.append(frame, caption);
    const view = { figure, canvas, marker, caption, value };
    this.views.set(key(cell), view);
    return view;
  }

  show(cell: Cell, result: ExplanationSuccess): void {
    const view = this.views.get(key(cell));
    if (!view || !this.picture) return;
    const signed = result.contrast !== undefined;
    drawCell(view.canvas, this.picture, this.cellWidth, { map: { ...result.map, values: Float32Array.from(result.map.values) }, image: result.image, crop: result.crop, signed });
    view.canvas.setAttribute('role', 'img');
    view.canvas.setAttribute('aria-label', `${METHODS[result.method].name}, ${this.columns[cell.column].label}, ${result.target.label}`);
    view.figure.classList.remove('pending');
    const what = signed ? t('labContrastCaption', [result.target.label, result.contrast!.label]) : `${result.target.label} · ${(result.target.probability * 100).toFixed(1)} %`;
    const time = result.timingsMs.cache !== undefined ? t('labCached') : `${Math.round(result.timingsMs.total ?? 0)} ms`;
    view.caption.replaceChildren(`${what} · ${result.layer.split('/').slice(-2).join('/')} · ${time}`, document.createElement('br'), view.value);
    view.done = { ...cell, columnLabel: this.columns[cell.column].label, result, canvas: view.canvas };
  }

  fail(cell: Cell, message: string): void {
    const view = this.views.get(key(cell));
    if (!view) return;
    view.figure.classList.remove('pending');
    view.figure.classList.add('failed');
    view.caption.textContent = message;
  }

  results(): DoneCell[] {
    return [...this.views.values()].flatMap((v) => (v.done ? [v.done] : []));
  }

  get shape(): { methods: MethodId[]; columns: Column[] } {
    return { methods: this.methods, columns: this.columns };
  }

  /** The pointed picture pixel, marked in every computed cell with the map's value there. */
  private point(e: PointerEvent | null): void {
    const canvas = e?.target instanceof HTMLCanvasElement && this.root.contains(e.target) ? e.target : null;
    const picture = this.picture;
    for (const view of this.views.values()) {
      if (!canvas || !picture || !view.done) {
        view.marker.hidden = true;
        view.value.textContent = '';
        continue;
      }
      const rect = canvas.getBoundingClientRect();
      const u = (e!.clientX - rect.left) / rect.width;
      const v = (e!.clientY - rect.top) / rect.height;
      const { result } = view.done;
      const x = u * result.image.width;
      const y = v * result.image.height;
      const at = valueAt({ ...result.map, image: result.image, crop: result.crop }, x, y);
      view.marker.hidden = false;
      view.marker.style.left = `${u * 100}%`;
      view.marker.style.top = `${v * 100}%`;
      const peak = maxAbs(result.map.values);
      view.value.textContent = at === null ? t('labOutsideMap') : t('labValueAt', [String(Math.round(x)), String(Math.round(y)), at.toPrecision(3), peak > 0 ? (at / peak).toFixed(2) : '0']);
    }
  }
}

const key = (cell: Cell) => `${cell.row}:${cell.column}`;
