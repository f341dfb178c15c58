// Builds the overlay's elements without HTML strings, and shows their words without text nodes:
// every word of the panel is CSS generated content (`::before { content: attr(data-text) }`) of an
// element in the closed shadow root. The page's window.find(), its selections and its DOM APIs reach
// text nodes even there, but not generated content; screen readers do get it (it is in the
// accessibility tree), and controls carry aria-labels as well. Labels from models and pages never
// need escaping, and no innerHTML reaches an add-on reviewer.

type Child = Node | string | null | undefined | false;

/** The attribute whose value the overlay's stylesheet shows as the element's text. */
export const TEXT_ATTRIBUTE = 'data-text';
export const TEXT_CSS = `[${TEXT_ATTRIBUTE}]::before { content: attr(${TEXT_ATTRIBUTE}); }`;

/** Words the page cannot read: a span showing `text` as generated content. */
export function words(text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.setAttribute(TEXT_ATTRIBUTE, text);
  return span;
}

/** Sets what an element shows as its words (its other children stay, after them). */
export function setWords(element: Element, text: string): void {
  if (text) element.setAttribute(TEXT_ATTRIBUTE, text);
  else element.removeAttribute(TEXT_ATTRIBUTE);
}

/** `attributes`: strings are set as attributes; `true` sets an empty one (hidden, aria flags), `false` omits it. String children become words(). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(typeof child === 'string' ? words(child) : child);
  return element;
}

/** The overlays' host elements in this frame: never explained themselves, whatever the page marks. */
const hosts = new WeakSet<Element>();
export const markOverlayHost = (host: Element) => hosts.add(host);
export const isOverlayHost = (element: Element) => hosts.has(element);

/** A click the user made (or the keyboard made for them), not one a script dispatched. */
export function onTrustedClick(element: Element, handler: () => void): void {
  element.addEventListener('click', (e) => {
    if (e.isTrusted) handler();
  });
}

/** A control that may not be used now: still focusable and read out as unavailable, with why in its tooltip (its handler checks too). */
export function markUnavailable(control: HTMLElement, why: string): void {
  control.setAttribute('aria-disabled', 'true');
  control.title = why;
}

/**
 * An overlay host's own style: absolutely placed, above everything, taking no pointer events; inline
 * and !important, which beats page rules such as `* { display: none !important }`.
 */
export const OVERLAY_HOST_CSS =
  'all: initial !important; position: absolute !important; display: block !important; z-index: 2147483647 !important;' +
  'pointer-events: none !important; margin: 0 !important; padding: 0 !important; border: 0 !important; visibility: visible !important; opacity: 1 !important;' +
  'overflow: visible !important; background: transparent !important; inset: auto !important;';

/** An overlay's host element, styled (placement.ts adds where it sits) and marked. */
export function overlayHost(lang: string): HTMLDivElement {
  const host = document.createElement('div');
  host.style.cssText = OVERLAY_HOST_CSS;
  host.lang = lang; // the panel's language, for screen readers
  // A marker without state: tests find overlays by it; it tells the page nothing its DOM does not.
  host.setAttribute('data-cam-lens', '');
  markOverlayHost(host);
  return host;
}

/**
 * Puts a host on top: a manual popover lives in the top layer, above modal dialogs, fullscreen
 * elements and any z-index (where the picture may be); the UA's popover styles are overridden by the
 * inline ones. Without popover support, z-index alone.
 */
export function raiseToTopLayer(host: HTMLElement): void {
  try {
    if (host.matches(':popover-open')) host.hidePopover(); // showing again puts it on top
    host.setAttribute('popover', 'manual');
    host.showPopover();
  } catch {
    host.removeAttribute('popover');
  }
}
