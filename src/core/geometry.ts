// Where, on screen, the pixels of a displayed <img> actually are.
//
// The heat map must sit exactly on the image pixels, not on the element: an <img> may have
// borders and padding, and `object-fit` / `object-position` can letterbox, crop or shift the
// picture inside its content box. The content script measures the element (getBoundingClientRect,
// getComputedStyle, naturalWidth/Height) and this module does the arithmetic, so that the
// arithmetic is pure and unit-testable without a DOM.
//
// All lengths are CSS px. Rectangles returned by `imageRectInContentBox` / `visibleRect` are
// relative to the content box's top-left corner.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Computed border widths and paddings of the element, in CSS px. */
export interface BoxModel {
  borderTop: number;
  borderRight: number;
  borderBottom: number;
  borderLeft: number;
  paddingTop: number;
  paddingRight: number;
  paddingBottom: number;
  paddingLeft: number;
}

/**
 * The content box from the border box and the computed borders/paddings.
 * getBoundingClientRect gives the border box, but the replaced content (the image) is laid out
 * in the content box. Assumes no scaling transform on the element (computed borders/paddings are
 * untransformed lengths). Never returns a negative size.
 */
export function contentBox(borderBox: Box, m: BoxModel): Box {
  const left = m.borderLeft + m.paddingLeft;
  const top = m.borderTop + m.paddingTop;
  return {
    x: borderBox.x + left,
    y: borderBox.y + top,
    width: Math.max(0, borderBox.width - left - m.borderRight - m.paddingRight),
    height: Math.max(0, borderBox.height - top - m.borderBottom - m.paddingBottom),
  };
}

export type ObjectFit = 'fill' | 'contain' | 'cover' | 'none' | 'scale-down';

/**
 * One axis of an `object-position`, as `percent% + px` (i.e. calc(percent% + px px)).
 * A single shape covers plain lengths, plain percentages, keywords, and edge offsets such as
 * `right 10px` (= 100% − 10px), so consumers need no case analysis.
 */
export interface Length {
  percent: number;
  px: number;
}

export interface ObjectPosition {
  x: Length;
  y: Length;
}

const CENTER: Length = { percent: 50, px: 0 };

const KEYWORD_PERCENT: Record<string, number> = { left: 0, top: 0, center: 50, right: 100, bottom: 100 };

/** Splits on whitespace, keeping parenthesised groups such as calc(50% + 10px) whole. */
function tokenize(value: string): string[] {
  const tokens: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value.trim()) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && /\s/.test(ch)) {
      if (current) tokens.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

/** "12.5px" / "30%" / "0" → Length; anything else (em, vw, garbage) → null. */
function parseLengthToken(token: string): Length | null {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(px|%)?$/i.exec(token);
  if (!m) return null;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return null;
  if (m[2] === '%') return { percent: n, px: 0 };
  if (m[2] === undefined && n !== 0) return null; // unitless non-zero is not a length
  return { percent: 0, px: n };
}

/**
 * calc() of a plain sum of % and px terms, e.g. "calc(100% - 10px)", which is how an edge offset
 * like "right 10px" can come back from getComputedStyle. Anything fancier (nesting, *, /, other
 * units) returns null and the caller falls back to 50%.
 */
function parseCalc(token: string): Length | null {
  const m = /^calc\((.*)\)$/i.exec(token);
  if (!m) return null;
  const body = m[1].replace(/\s+/g, ' ').trim();
  // Terms separated by binary + / - (which CSS requires to be surrounded by spaces).
  const parts = body.split(/ ([+-]) /);
  const out: Length = { percent: 0, px: 0 };
  for (let i = 0; i < parts.length; i += 2) {
    const sign = i === 0 ? 1 : parts[i - 1] === '-' ? -1 : 1;
    const term = parseLengthToken(parts[i].trim());
    if (!term) return null;
    out.percent += sign * term.percent;
    out.px += sign * term.px;
  }
  return out;
}

function parseValueToken(token: string): Length | null {
  const lower = token.toLowerCase();
  if (lower in KEYWORD_PERCENT) return { percent: KEYWORD_PERCENT[lower], px: 0 };
  return parseLengthToken(lower) ?? parseCalc(lower);
}

const isHorizontalKeyword = (t: string) => t === 'left' || t === 'right';
const isVerticalKeyword = (t: string) => t === 'top' || t === 'bottom';
const isKeyword = (t: string) => t in KEYWORD_PERCENT;

/** `keyword [offset]` groups: "right 10px" → 100% − 10px, "left 5%" → 5%, "center" → 50%. */
function edgeOffset(keyword: string, offset: Length | null): Length {
  const base = KEYWORD_PERCENT[keyword];
  if (!offset) return { percent: base, px: 0 };
  if (keyword === 'right' || keyword === 'bottom') return { percent: 100 - offset.percent, px: 0 - offset.px }; // 0 − x, not −x: no −0
  return { percent: base + offset.percent, px: offset.px };
}

/**
 * Parses a computed `object-position`. Chromium normalises it to "X Y" with px or %, but keywords
 * (1–2 value and 3–4 value edge-offset forms) are handled too, in case some engine or inline
 * value reaches us un-normalised. Unparseable axes (including complex calc()) fall back to 50%,
 * the initial value, so a surprise costs at most a misplaced overlay, never a crash.
 */
export function parseObjectPosition(value: string): ObjectPosition {
  const tokens = tokenize(value ?? '').map((t) => t.toLowerCase());

  if (tokens.length === 1) {
    const t = tokens[0];
    if (isVerticalKeyword(t)) return { x: { ...CENTER }, y: parseValueToken(t)! };
    return { x: parseValueToken(t) ?? { ...CENTER }, y: { ...CENTER } };
  }

  if (tokens.length === 2) {
    let [a, b] = tokens;
    // "top left", "center left", "top center": the vertical keyword comes first.
    if (isVerticalKeyword(a) || (isHorizontalKeyword(b) && isKeyword(a))) [a, b] = [b, a];
    return { x: parseValueToken(a) ?? { ...CENTER }, y: parseValueToken(b) ?? { ...CENTER } };
  }

  if (tokens.length === 3 || tokens.length === 4) {
    // Edge-offset form: keyword [offset] keyword [offset].
    const groups: { keyword: string; offset: Length | null }[] = [];
    for (let i = 0; i < tokens.length; ) {
      const keyword = tokens[i];
      if (!isKeyword(keyword)) return { x: { ...CENTER }, y: { ...CENTER } };
      const next = tokens[i + 1];
      const offset = next !== undefined && !isKeyword(next) ? parseValueToken(next) : null;
      if (next !== undefined && !isKeyword(next) && !offset) return { x: { ...CENTER }, y: { ...CENTER } };
      groups.push({ keyword, offset });
      i += offset ? 2 : 1;
    }
    if (groups.length === 2) {
      let [gx, gy] = groups;
      if (isVerticalKeyword(gx.keyword) || isHorizontalKeyword(gy.keyword)) [gx, gy] = [gy, gx];
      return { x: edgeOffset(gx.keyword, gx.offset), y: edgeOffset(gy.keyword, gy.offset) };
    }
  }

  return { x: { ...CENTER }, y: { ...CENTER } };
}

/** Resolves one axis: the p% point of the image is aligned with the p% point of the box, plus px. */
function resolveOffset(box: number, image: number, len: Length): number {
  return ((box - image) * len.percent) / 100 + len.px;
}

/**
 * The rectangle where the whole image is drawn, relative to the content box's top-left, per CSS
 * Images 3 (object-fit, object-position). For `cover` and `none` it may extend outside the
 * content box (that part is clipped; see `visibleRect`). `scale-down` is the smaller of `none`
 * and `contain`. A zero natural size (image not decoded, broken) yields the content box itself,
 * which is what the browser paints into.
 */
export function imageRectInContentBox(content: Size, natural: Size, fit: ObjectFit, position: ObjectPosition): Box {
  const cw = content.width;
  const ch = content.height;
  const nw = natural.width;
  const nh = natural.height;
  if (!(nw > 0) || !(nh > 0)) return { x: 0, y: 0, width: cw, height: ch };

  let width: number;
  let height: number;
  switch (fit) {
    case 'fill':
      width = cw;
      height = ch;
      break;
    case 'contain':
    case 'cover':
    case 'scale-down': {
      const sx = cw / nw;
      const sy = ch / nh;
      let s = fit === 'cover' ? Math.max(sx, sy) : Math.min(sx, sy);
      if (fit === 'scale-down') s = Math.min(1, s);
      width = nw * s;
      height = nh * s;
      break;
    }
    case 'none':
    default:
      width = nw;
      height = nh;
      break;
  }
  return {
    x: resolveOffset(cw, width, position.x),
    y: resolveOffset(ch, height, position.y),
    width,
    height,
  };
}

/**
 * The part of rectangle `a` inside rectangle `b`. An empty intersection has zero width/height and
 * is positioned at the nearest point of `b`.
 */
export function intersect(a: Box, b: Box): Box {
  const clampX = (v: number) => Math.min(Math.max(v, b.x), b.x + Math.max(0, b.width));
  const clampY = (v: number) => Math.min(Math.max(v, b.y), b.y + Math.max(0, b.height));
  const x0 = clampX(a.x);
  const y0 = clampY(a.y);
  return { x: x0, y: y0, width: Math.max(0, clampX(a.x + a.width) - x0), height: Math.max(0, clampY(a.y + a.height) - y0) };
}

/**
 * The part of the image rectangle inside the content box: what the user actually sees (replaced
 * content is clipped to the content box).
 */
export function visibleRect(imageRect: Box, content: Size): Box {
  return intersect(imageRect, { x: 0, y: 0, width: content.width, height: content.height });
}

/**
 * Where a CSS background image is drawn inside its positioning area (the padding box by default), for
 * the first layer's computed `background-size` ("auto", "cover", "contain", "<w> <h>" with px, % or
 * auto) and `background-position` (parsed like object-position). Repeats are not drawn over: the
 * map covers the one tile the position anchors.
 */
export function backgroundImageRect(area: Size, natural: Size, backgroundSize: string, position: ObjectPosition): Box {
  const nw = natural.width;
  const nh = natural.height;
  if (!(nw > 0) || !(nh > 0)) return { x: 0, y: 0, width: area.width, height: area.height };
  const size = backgroundSize.split(',')[0].trim();
  let width: number;
  let height: number;
  if (size === 'cover' || size === 'contain') {
    const s = size === 'cover' ? Math.max(area.width / nw, area.height / nh) : Math.min(area.width / nw, area.height / nh);
    width = nw * s;
    height = nh * s;
  } else {
    const [wToken = 'auto', hToken = 'auto'] = size.split(/\s+/);
    const length = (token: string, reference: number): number | null => {
      if (token.endsWith('%')) return (parseFloat(token) / 100) * reference;
      if (token.endsWith('px')) return parseFloat(token);
      return null; // auto (or anything unparsed)
    };
    const w = length(wToken, area.width);
    const h = length(hToken, area.height);
    width = w ?? (h !== null ? (h * nw) / nh : nw);
    height = h ?? (w !== null ? (w * nh) / nw : nh);
  }
  return { x: resolveOffset(area.width, width, position.x), y: resolveOffset(area.height, height, position.y), width, height };
}

/**
 * An SVG <image>'s preserveAspectRatio (the SVGPreserveAspectRatio constants: align 1 = none,
 * 2…10 = xMinYMin … xMaxYMax row by row; meetOrSlice 1 = meet, 2 = slice) as the object-fit and
 * object-position that place the picture the same way. Unknown values (0) are SVG's default,
 * xMidYMid meet.
 */
export function svgAspectAsObjectFit(align: number, meetOrSlice: number): { fit: ObjectFit; position: ObjectPosition } {
  const at = (percent: number): Length => ({ percent, px: 0 });
  if (align === 1) return { fit: 'fill', position: { x: at(50), y: at(50) } };
  const cell = align >= 2 && align <= 10 ? align - 2 : 4; // 4 = xMidYMid
  return { fit: meetOrSlice === 2 ? 'cover' : 'contain', position: { x: at((cell % 3) * 50), y: at(Math.floor(cell / 3) * 50) } };
}

/** The central square of a picture, in its pixels: how Teachable Machine frames an image for its model. */
export function centerSquare(width: number, height: number): Box {
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), width: side, height: side };
}

/** The row-major index of the cell of a columns × rows grid laid over `rect` that holds `point`; null outside it. */
export function gridCellAt(rect: Box, columns: number, rows: number, point: { x: number; y: number } | null): number | null {
  if (!point) return null;
  const u = (point.x - rect.x) / rect.width;
  const v = (point.y - rect.y) / rect.height;
  if (!(u >= 0 && u < 1 && v >= 0 && v < 1)) return null; // NaN (an empty rect) too
  return Math.min(rows - 1, Math.floor(v * rows)) * columns + Math.min(columns - 1, Math.floor(u * columns));
}
