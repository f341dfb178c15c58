// PanelSchedule: the panel of a drawn map comes two frames later (or after PANEL_WAIT_MS when the page
// draws no frames), once, never for a map a newer one replaced; whoever waits for it is let go.
import { describe, expect, it } from 'vitest';
import { PANEL_WAIT_MS, PanelSchedule, type FrameClock } from '../../src/content/panelSchedule';

/** Frames and timers run by hand. */
function manualClock() {
  let frames: (() => void)[] = [];
  const timers: { at: number; run: () => void }[] = [];
  let now = 0;
  const clock: FrameClock = {
    nextFrame: (run) => frames.push(run),
    after: (ms, run) => timers.push({ at: now + ms, run }),
  };
  return {
    clock,
    frame() {
      const due = frames;
      frames = [];
      for (const run of due) run();
    },
    advance(ms: number) {
      now += ms;
      for (const timer of timers.splice(0).filter((t) => (t.at <= now ? (t.run(), false) : true))) timers.push(timer);
    },
  };
}

describe('PanelSchedule', () => {
  it('builds the panel two frames after the map, once (the timer after it does nothing)', () => {
    const time = manualClock();
    const panels = new PanelSchedule(time.clock);
    const built: string[] = [];
    panels.schedule(() => built.push('panel'), () => built.push('painted'));
    expect(panels.waiting).toBe(true);
    time.frame();
    expect(built).toEqual([]);
    time.frame();
    expect(built).toEqual(['painted', 'panel']);
    expect(panels.waiting).toBe(false);
    time.advance(PANEL_WAIT_MS);
    expect(built).toEqual(['painted', 'panel']);
  });

  it('a page that draws no frames (a hidden tab) gets its panel after PANEL_WAIT_MS', () => {
    const time = manualClock();
    const panels = new PanelSchedule(time.clock);
    let built = 0;
    panels.schedule(() => built++);
    time.advance(PANEL_WAIT_MS - 1);
    expect(built).toBe(0);
    time.advance(1);
    expect(built).toBe(1);
    time.frame();
    time.frame();
    expect(built).toBe(1);
  });

  it('a newer map replaces the waiting panel; a dropped one is never built', () => {
    const time = manualClock();
    const panels = new PanelSchedule(time.clock);
    const built: string[] = [];
    panels.schedule(() => built.push('first'));
    panels.schedule(() => built.push('second'));
    time.frame();
    time.frame();
    time.advance(PANEL_WAIT_MS);
    expect(built).toEqual(['second']);
    panels.schedule(() => built.push('third'));
    panels.drop();
    time.frame();
    time.frame();
    time.advance(PANEL_WAIT_MS);
    expect(built).toEqual(['second']);
  });

  it('ready() waits for the panel, or for its drop, and is at once when none waits', async () => {
    const time = manualClock();
    const panels = new PanelSchedule(time.clock);
    await panels.ready();
    let built = false;
    panels.schedule(() => (built = true));
    let readyAfterBuild: boolean | undefined;
    const waiting = panels.ready().then(() => (readyAfterBuild = built));
    await Promise.resolve();
    expect(readyAfterBuild).toBeUndefined();
    time.frame();
    time.frame();
    await waiting;
    expect(readyAfterBuild).toBe(true);
    panels.schedule(() => undefined);
    const dropped = panels.ready();
    panels.drop();
    await dropped;
  });
});
