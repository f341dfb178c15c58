// A short note in the page's corner about a picture added to a Teach class ("Added to “cat” (5
// examples)"): a manual popover in a closed shadow root with inline !important styles, so the page
// cannot hide, restyle or read it (its words are generated content); announced to screen readers; gone after a few seconds (busy notes
// stay until the next one). It takes no clicks from the page.
import { el, setWords, TEXT_CSS } from './dom';

const SHOWN_MS = 4000;

let host: HTMLElement | null = null;
let line: HTMLElement | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

const COLOURS = { busy: '#1f2a3d', ok: '#0b5d1e', error: '#8c1d18' } as const;

export function showTeachToast(text: string, tone: keyof typeof COLOURS): void {
  if (!host || !host.isConnected) {
    host = el('div');
    host.style.cssText =
      'all: initial !important; position: fixed !important; top: 12px !important; right: 12px !important; left: auto !important; bottom: auto !important;' +
      'z-index: 2147483647 !important; display: block !important; visibility: visible !important; opacity: 1 !important; margin: 0 !important; padding: 0 !important;' +
      'border: 0 !important; background: transparent !important; pointer-events: none !important; max-width: min(420px, 90vw) !important; overflow: visible !important;';
    const root = host.attachShadow({ mode: 'closed' });
    line = el('div', { role: 'status', 'aria-live': 'polite' });
    // Words as generated content, as in the overlay: the page's window.find cannot read them.
    const style = document.createElement('style');
    style.textContent = TEXT_CSS;
    root.append(style, line);
    document.documentElement.append(host);
  }
  line!.style.cssText =
    `all: initial; display: block; font: 13px/1.4 system-ui, sans-serif; color: #fff; background: ${COLOURS[tone]}; border-radius: 8px;` +
    'padding: 8px 12px; box-shadow: 0 2px 10px #0006; overflow-wrap: anywhere;';
  setWords(line!, text);
  try {
    if (host.matches(':popover-open')) host.hidePopover();
    host.setAttribute('popover', 'manual');
    host.showPopover();
  } catch {
    host.removeAttribute('popover');
  }
  clearTimeout(timer);
  if (tone !== 'busy') timer = setTimeout(hideTeachToast, SHOWN_MS);
}

export function hideTeachToast(): void {
  clearTimeout(timer);
  host?.remove();
  host = null;
  line = null;
}
