// Loading one of the extension's pages (popup, options) into happy-dom for a DOM test: its real markup
// (scripts left out) and, on request, its style sheets, with the colour scheme the test asks for.
import { readFileSync } from 'node:fs';

// happy-dom has no legacy Option() factory; the pages build their menus with it, as browsers allow.
if (typeof globalThis.Option !== 'function') {
  (globalThis as { Option?: unknown }).Option = function Option(text = '', value?: string, defaultSelected = false, selected = false) {
    const option = document.createElement('option');
    option.text = text;
    if (value !== undefined) option.value = value;
    option.defaultSelected = defaultSelected;
    option.selected = selected;
    return option;
  };
}

/** The <body> of an HTML file, without its scripts. */
export function bodyOf(file: string): string {
  return readFileSync(file, 'utf8').match(/<body>([\s\S]*)<\/body>/)![1].replace(/<script[\s\S]*?<\/script>/g, '');
}

/**
 * Puts the page's style sheets into the document under the given colour scheme (happy-dom evaluates
 * media queries when a sheet is added, so the scheme is set first).
 */
export function applyStyles(files: string[], scheme: 'light' | 'dark'): void {
  (window as unknown as { happyDOM: { settings: { device: { prefersColorScheme: string } } } }).happyDOM.settings.device.prefersColorScheme = scheme;
  document.head.replaceChildren(
    ...files.map((file) => {
      const style = document.createElement('style');
      style.textContent = readFileSync(file, 'utf8');
      return style;
    }),
  );
}
