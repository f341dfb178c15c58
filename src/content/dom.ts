// Builds the overlay's elements without HTML strings: text is always a text node, so labels from
// models and pages never need escaping, and no innerHTML reaches an add-on reviewer.

type Child = Node | string | null | undefined | false;

/** `attributes`: strings are set as attributes; `true` sets an empty one (hidden, aria flags), `false` omits it. */
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
  for (const child of children) if (child) element.append(child);
  return element;
}
