// @vitest-environment happy-dom
// PanelOpenness: a pinned panel stays open until the pointer has been away from the picture and the
// panel; otherwise it is open exactly while the pointer is on the picture.
import { describe, expect, it } from 'vitest';
import { PanelOpenness } from '../../src/content/panelOpenness';

const picture = { x: 10, y: 10, width: 100, height: 50 };
const on = { x: 50, y: 30 };
const off = { x: 200, y: 30 };

describe('PanelOpenness', () => {
  it('a pinned panel stays open while the pointer is on the picture, and closes once it leaves', () => {
    const panel = document.createElement('div');
    const openness = new PanelOpenness(panel);
    openness.pin(true);
    expect(panel.classList.contains('open')).toBe(true);
    openness.pointerAt(on, picture);
    expect(panel.classList.contains('open')).toBe(true);
    openness.pointerAt(off, picture);
    expect(panel.classList.contains('open')).toBe(false);
    openness.pointerAt(on, picture); // unpinned now: open only while on the picture
    expect(panel.classList.contains('open')).toBe(true);
    openness.pointerAt(null, picture);
    expect(panel.classList.contains('open')).toBe(false);
  });

  it('unpinned: open exactly on the picture (its right and bottom edges are outside)', () => {
    const panel = document.createElement('div');
    const openness = new PanelOpenness(panel);
    openness.pointerAt({ x: 10, y: 10 }, picture);
    expect(panel.classList.contains('open')).toBe(true);
    openness.pointerAt({ x: 110, y: 30 }, picture);
    expect(panel.classList.contains('open')).toBe(false);
    openness.pin(true);
    openness.pin(false); // another overlay came: one line at once
    expect(panel.classList.contains('open')).toBe(false);
  });
});
