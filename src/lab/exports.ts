// The Lab's exports: the grid as one labelled PNG, and every raw map as JSON for notebooks.
import { t } from '../core/i18nBrowser';
import { labJson } from '../core/lab/export';
import { METHODS } from '../core/methods';
import type { LabGrid } from './grid';
import type { LabPicture } from './picture';

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

/** The grid drawn on one canvas: column headings on top, method names on the left, a caption under each cell. */
export function gridCanvas(grid: LabGrid): HTMLCanvasElement | null {
  const done = grid.results();
  if (done.length === 0) return null;
  const { methods, columns } = grid.shape;
  const cellW = done[0].canvas.width;
  const cellH = done[0].canvas.height;
  const left = 120;
  const top = 28;
  const captionH = 18;
  const gap = 8;
  const canvas = Object.assign(document.createElement('canvas'), {
    width: left + columns.length * (cellW + gap),
    height: top + methods.length * (cellH + captionH + gap),
  });
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#202124';
  ctx.font = '600 12px system-ui, sans-serif';
  columns.forEach((c, i) => ctx.fillText(c.label.slice(-40), left + i * (cellW + gap), 18, cellW));
  methods.forEach((m, row) => ctx.fillText(METHODS[m].name, 6, top + row * (cellH + captionH + gap) + cellH / 2, left - 10));
  ctx.font = '11px system-ui, sans-serif';
  for (const cell of done) {
    const x = left + cell.column * (cellW + gap);
    const y = top + cell.row * (cellH + captionH + gap);
    ctx.drawImage(cell.canvas, x, y);
    const r = cell.result;
    const what = r.contrast ? `${r.target.label} − ${r.contrast.label}` : `${r.target.label} ${(r.target.probability * 100).toFixed(1)} %`;
    ctx.fillText(`${what} · ${Math.round(r.timingsMs.total ?? 0)} ms`, x, y + cellH + 13, cellW);
  }
  return canvas;
}

export function setupExports(grid: LabGrid, picture: () => LabPicture | null): void {
  const status = document.getElementById('run-status')!;
  document.getElementById('export-png')!.addEventListener('click', () => {
    const canvas = gridCanvas(grid);
    if (!canvas) return void (status.textContent = t('labErrNothingToExport'));
    canvas.toBlob((blob) => blob && download(blob, `cam-lens-lab-${stamp()}.png`), 'image/png');
  });
  document.getElementById('export-json')!.addEventListener('click', () => {
    const cells = grid.results();
    if (cells.length === 0) return void (status.textContent = t('labErrNothingToExport'));
    const json = labJson({ origin: picture()?.origin ?? '', exportedAt: new Date().toISOString(), cells });
    download(new Blob([json], { type: 'application/json' }), `cam-lens-lab-${stamp()}.json`);
  });
}
