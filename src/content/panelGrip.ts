// The handle that moves an overlay's panel: dragged with the pointer, or moved with the arrow keys
// while it has focus (Shift: larger steps). Trusted events only: the page cannot move the panel.
// Where the panel then stays is the overlay's business (moveTo).
import { t } from '../core/i18nBrowser';
import { el } from './dom';

type Point = { x: number; y: number };
const STEPS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const ENDS = ['pointerup', 'pointercancel', 'lostpointercapture'];

export function panelGrip(panel: HTMLElement, moveTo: (at: Point) => void): HTMLElement {
  const grip = el('button', { class: 'grip icon', type: 'button', 'aria-label': t('overlayMoveLabel'), title: t('overlayMoveTitle') }, '⠿');
  const at = (): Point => ({ x: parseFloat(panel.style.left) || 0, y: parseFloat(panel.style.top) || 0 });
  grip.addEventListener('pointerdown', (down) => {
    if (!down.isTrusted || down.button !== 0) return;
    down.preventDefault();
    const from = at();
    grip.setPointerCapture(down.pointerId);
    const move = (e: PointerEvent) => {
      if (e.isTrusted) moveTo({ x: from.x + e.clientX - down.clientX, y: from.y + e.clientY - down.clientY });
    };
    const end = () => {
      for (const type of ENDS) grip.removeEventListener(type, end);
      grip.removeEventListener('pointermove', move);
    };
    grip.addEventListener('pointermove', move);
    for (const type of ENDS) grip.addEventListener(type, end);
  });
  grip.addEventListener('keydown', (e) => {
    e.stopPropagation(); // not for the page's shortcuts
    const step = STEPS[e.key];
    if (!e.isTrusted || !step) return;
    e.preventDefault();
    const from = at();
    const by = e.shiftKey ? 40 : 10;
    moveTo({ x: from.x + step[0] * by, y: from.y + step[1] * by });
  });
  return grip;
}
