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
