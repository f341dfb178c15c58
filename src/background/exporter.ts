// "Save" and "Copy": the image at its natural resolution with the heat map blended over it as shown,
// and a footer with the class, method, model and the colour bar. Composed here, where the image
// bytes can be read whatever the page's CORS rules.
import { colormapLut, type ColormapName } from '../core/colormap';
import { heatmapRgba } from '../core/heatmap';
import { t } from '../core/i18nBrowser';
import type { ExplanationSuccess } from '../core/messages';
import { METHODS } from '../core/methods';
import { prepareDisplayMap, upsampleDisplayMap } from '../core/postprocess';
import { formatProbability } from '../core/scores';
import { shortLayerName } from '../core/explainHead';
import { fetchImage, withDecoded, type Pixels } from './pixels';
import { faithfulnessLine, sanityFooter } from '../core/metrics/summary';

/** Longer side of an export: natural resolution up to this (a 30 MP photo would be a 120 MB canvas). */
const MAX_EXPORT_SIDE = 4096;
const FOOTER_HEIGHT = 44;
/** One more line per check figure carried by the result. */
const FIGURE_LINE = 16;

export interface ExportLook {
  opacity: number;
  colormap: ColormapName;
  hideNegative: boolean;
}

/** The only full-resolution decode: the image at up to MAX_EXPORT_SIDE, within the decode budget like any other. */
export async function composeExport(source: Pixels, result: ExplanationSuccess, look: ExportLook): Promise<Blob> {
  return withDecoded(await fetchImage(source), async (bitmap) => {
    const scale = Math.min(1, MAX_EXPORT_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const figures = figureLines(result);
    const canvas = new OffscreenCanvas(width, height + FOOTER_HEIGHT + FIGURE_LINE * figures.length);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0, width, height);

    const lut = colormapLut(look.colormap);
    const display = prepareDisplayMap(result.map, { relu: look.hideNegative });
    // The map covers what the model saw: the whole image, or its crop.
    const area = result.crop ?? { x: 0, y: 0, width: bitmap.width, height: bitmap.height };
    const heatWidth = Math.max(1, Math.round(area.width * scale));
    const heatHeight = Math.max(1, Math.round(area.height * scale));
    const heat = new OffscreenCanvas(heatWidth, heatHeight);
    heat.getContext('2d')!.putImageData(new ImageData(heatmapRgba(upsampleDisplayMap(display, heatWidth, heatHeight), lut, 1), heatWidth, heatHeight), 0, 0);
    ctx.globalAlpha = look.opacity;
    ctx.drawImage(heat, Math.round(area.x * scale), Math.round(area.y * scale));
    ctx.globalAlpha = 1;

    drawFooter(ctx, result, lut, width, height, figures);
    return canvas.convertToBlob({ type: 'image/png' });
  });
}

/** The check figures the result carries, one line each (the panel's words). */
function figureLines(result: ExplanationSuccess): string[] {
  return [result.faithfulness && faithfulnessLine(result.faithfulness, t), result.sanity && sanityFooter(result.sanity, t)].filter((l): l is string => !!l);
}

function drawFooter(ctx: OffscreenCanvasRenderingContext2D, result: ExplanationSuccess, lut: Uint8ClampedArray, width: number, top: number, figures: string[]): void {
  ctx.fillStyle = '#161a22';
  ctx.fillRect(0, top, width, FOOTER_HEIGHT + FIGURE_LINE * figures.length);
  const barWidth = Math.min(160, Math.max(40, Math.round(width / 4)));
  const bar = new ImageData(barWidth, 10);
  for (let x = 0; x < barWidth; x++) {
    const i = Math.round((x / Math.max(1, barWidth - 1)) * 255) * 4;
    for (let y = 0; y < 10; y++) bar.data.set(lut.subarray(i, i + 4), (y * barWidth + x) * 4);
  }
  ctx.putImageData(bar, width - barWidth - 10, top + 17);
  ctx.fillStyle = '#eef1f6';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const label = `${METHODS[result.method].name} · ${result.target.label} (${formatProbability(result.target.probability)})`;
  ctx.fillText(label, 10, top + 15, Math.max(10, width - barWidth - 30));
  ctx.fillStyle = '#aab2c0';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(t('exportFooter', [result.modelName, shortLayerName(result.layer)]), 10, top + 32, Math.max(10, width - barWidth - 30));
  figures.forEach((line, i) => ctx.fillText(line, 10, top + 32 + FIGURE_LINE * (i + 1), Math.max(10, width - 20)));
}
