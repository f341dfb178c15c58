// The difference of two computed cells, as a signed map: each map is scaled to its own largest
// |value| first (methods' raw scales differ by orders of magnitude), then b is subtracted from a.
import { t } from '../core/i18nBrowser';
import { difference, maxAbs, scaledToPeak } from '../core/lab/signedMap';
import { METHODS } from '../core/methods';
import { drawCell } from './cells';
import type { DoneCell, LabGrid } from './grid';

const describe = (cell: DoneCell) => `${METHODS[cell.method].name} · ${cell.columnLabel}`;

export function setupDifference(grid: LabGrid): { refresh(): void } {
  const a = document.getElementById('diff-a') as HTMLSelectElement;
  const b = document.getElementById('diff-b') as HTMLSelectElement;
  const figure = document.getElementById('difference') as HTMLElement;
  const canvas = document.getElementById('difference-canvas') as HTMLCanvasElement;
  const caption = document.getElementById('difference-caption') as HTMLElement;
  let cells: DoneCell[] = [];

  document.getElementById('diff')!.addEventListener('click', () => {
    const first = cells[Number(a.value)];
    const second = cells[Number(b.value)];
    if (!first || !second) return;
    const same = first.result.image.width === second.result.image.width && first.result.image.height === second.result.image.height;
    const picture = document.getElementById('preview') as HTMLImageElement;
    if (!same) {
      figure.hidden = false;
      caption.textContent = t('labDiffNotComparable');
      return;
    }
    const map = difference(scaledToPeak(first.result.map), scaledToPeak(second.result.map));
    drawCell(canvas, picture, 420, { map, image: first.result.image, crop: first.result.crop, signed: true });
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', t('labDiffCaption', [describe(first), describe(second), maxAbs(map.values).toFixed(2)]));
    caption.textContent = t('labDiffCaption', [describe(first), describe(second), maxAbs(map.values).toFixed(2)]);
    figure.hidden = false;
  });

  return {
    refresh() {
      cells = grid.results();
      const options = () => cells.map((c, i) => Object.assign(document.createElement('option'), { value: String(i), textContent: describe(c) }));
      a.replaceChildren(...options());
      b.replaceChildren(...options());
      if (cells.length > 1) b.value = '1';
    },
  };
}
