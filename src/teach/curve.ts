// The training curve: loss (scaled to its largest value), training accuracy and held-out accuracy
// (0–100 %) per epoch, as SVG polylines. The figure's text alternative is set by the caller.
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const HEIGHT = 140;
const PAD = 8;

export interface CurvePoint {
  loss: number;
  accuracy: number;
  heldOutAccuracy: number | null;
}

/** Points of one series across the plot (x by epoch, y from 0 at the bottom to 1 at the top). */
export function polylinePoints(values: readonly number[], epochs: number): string {
  const span = Math.max(1, epochs - 1);
  return values
    .map((v, i) => `${(PAD + (i / span) * (WIDTH - 2 * PAD)).toFixed(1)},${(HEIGHT - PAD - Math.min(1, Math.max(0, v)) * (HEIGHT - 2 * PAD)).toFixed(1)}`)
    .join(' ');
}

export function renderCurve(svg: SVGSVGElement, history: readonly CurvePoint[]): void {
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const maxLoss = Math.max(1e-9, ...history.map((h) => h.loss));
  const series: [string, number[]][] = [
    ['loss', history.map((h) => h.loss / maxLoss)],
    ['accuracy', history.map((h) => h.accuracy)],
  ];
  if (history.some((h) => h.heldOutAccuracy !== null)) series.push(['held-out', history.map((h) => h.heldOutAccuracy ?? 0)]);
  const frame = document.createElementNS(SVG, 'rect');
  for (const [k, v] of Object.entries({ x: PAD, y: PAD, width: WIDTH - 2 * PAD, height: HEIGHT - 2 * PAD, class: 'frame' })) frame.setAttribute(k, String(v));
  svg.replaceChildren(
    frame,
    ...series.map(([name, values]) => {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('class', `series ${name}`);
      line.setAttribute('points', polylinePoints(values, history.length));
      return line;
    }),
  );
}
