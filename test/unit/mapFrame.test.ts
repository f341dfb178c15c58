// @vitest-environment happy-dom
// MapFrame's busy veil: the picture is dimmed while loading at once; the spinner (data-slow) turns only
// after SPINNER_DELAY_MS, never for a wait that ended before, and never after the overlay closed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MapFrame, SPINNER_DELAY_MS } from '../../src/content/mapFrame';
import type { Placement } from '../../src/content/placement';

afterEach(() => vi.useRealTimers());

function frame(): MapFrame {
  return new MapFrame({} as Placement, document.createElement('div')); // the placement is not used by these states
}

describe('MapFrame spinner', () => {
  it('turns after SPINNER_DELAY_MS of loading, and stops with the next state', () => {
    vi.useFakeTimers();
    const f = frame();
    f.state = 'loading';
    expect(f.element.dataset.state).toBe('loading');
    vi.advanceTimersByTime(SPINNER_DELAY_MS - 1);
    expect(f.element.dataset.slow).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(f.element.dataset.slow).toBe('');
    f.state = 'done';
    expect(f.element.dataset.slow).toBeUndefined();
  });

  it('never turns for a wait that ended before it, nor after the overlay closed', () => {
    vi.useFakeTimers();
    const f = frame();
    f.state = 'loading';
    vi.advanceTimersByTime(SPINNER_DELAY_MS / 2);
    f.state = 'error';
    vi.advanceTimersByTime(SPINNER_DELAY_MS);
    expect(f.element.dataset.slow).toBeUndefined();
    f.state = 'loading';
    f.stop();
    vi.advanceTimersByTime(2 * SPINNER_DELAY_MS);
    expect(f.element.dataset.slow).toBeUndefined();
  });
});
