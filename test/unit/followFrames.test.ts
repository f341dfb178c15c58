import { describe, expect, it } from 'vitest';
import { FrameFollower, type FollowedVideo, type FollowStats } from '../../src/core/followFrames';

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A fake video: the test presents frames, answers requests and plays or pauses it. */
function fakeVideo() {
  const state = { following: true, playing: true, frame: 0, clock: 0, readable: true };
  const sent: number[] = [];
  const answers: ((result: string) => void)[] = [];
  const shown: string[] = [];
  /** How many frames had been sent when each answer was drawn. */
  const sentWhenShown: number[] = [];
  const reports: FollowStats[] = [];
  let frameWaiters: (() => void)[] = [];
  const video: FollowedVideo<number, string> = {
    following: () => state.following,
    canWork: () => state.following && state.playing,
    frameKey: () => state.frame,
    grab: () => (state.readable ? state.frame : null),
    explain: (frame) => {
      sent.push(frame);
      return new Promise((resolve) => answers.push(resolve));
    },
    nextFrame: () => new Promise((resolve) => frameWaiters.push(resolve)),
    show: (result) => {
      shown.push(result);
      sentWhenShown.push(sent.length);
      return result === 'error' ? 'failed' : result === 'busy' ? 'skipped' : 'drawn';
    },
    report: (stats) => reports.push(stats),
    now: () => state.clock,
  };
  return {
    state, sent, shown, sentWhenShown, reports, video,
    /** The video presents a new frame. */
    async present() {
      state.frame++;
      const waiting = frameWaiters;
      frameWaiters = [];
      waiting.forEach((resolve) => resolve());
      await tick();
    },
    async answer(result = 'map', ms = 50) {
      state.clock += ms;
      answers.shift()!(result);
      await tick();
    },
    inFlight: () => answers.length,
  };
}

describe('FrameFollower', () => {
  it('sends the newest frame only, one at a time: frames presented while a request runs are skipped, none is sent twice', async () => {
    const v = fakeVideo();
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    expect(v.sent).toEqual([0]);
    // Three frames while the first is being explained: no queue, and never two requests at once.
    await v.present();
    await v.present();
    await v.present();
    expect(v.inFlight()).toBe(1);
    follower.kick(); // a second kick does not start a second loop
    await tick();
    expect(v.inFlight()).toBe(1);
    await v.answer();
    expect(v.sent).toEqual([0, 3]);
    // No new frame: it waits instead of sending frame 3 again.
    await v.answer();
    expect(v.sent).toEqual([0, 3]);
    expect(v.inFlight()).toBe(0);
    await v.present();
    expect(v.sent).toEqual([0, 3, 4]);
    expect(follower.stats()).toMatchObject({ maps: 2, requests: 3, latencyMs: 50 });
  });

  it('stops when the video pauses, resumes on a kick, and drops an answer that comes after Follow was turned off', async () => {
    const v = fakeVideo();
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    v.state.playing = false;
    await v.answer();
    expect(follower.running).toBe(false);
    await v.present();
    expect(v.sent).toEqual([0]);
    v.state.playing = true;
    follower.kick();
    await tick();
    expect(v.sent).toEqual([0, 1]);
    v.state.following = false;
    await v.answer('late');
    expect(v.shown).toEqual(['map']);
    expect(follower.running).toBe(false);
    // Off: a kick does nothing.
    expect(follower.kick()).toBeNull();
    await v.present();
    expect(v.sent).toEqual([0, 1]);
  });

  it('gives an answer that comes after Follow was turned off to settle (the latest result of the worker), without counting it or sending more', async () => {
    const v = fakeVideo();
    const settled: string[] = [];
    const follower = new FrameFollower({ ...v.video, settle: (result) => settled.push(result) });
    follower.kick();
    await tick();
    v.state.following = false;
    await v.present();
    await v.answer('late');
    expect(settled).toEqual(['late']);
    expect(v.shown).toEqual([]);
    expect(v.sent).toEqual([0]);
    expect(follower.running).toBe(false);
    expect(follower.stats()).toMatchObject({ maps: 0, requests: 1 });
  });

  it('goes on after a frame the worker skipped, without counting it as a map', async () => {
    const v = fakeVideo();
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    await v.answer('busy');
    await v.present();
    expect(v.sent).toEqual([0, 1]);
    expect(follower.stats()).toMatchObject({ maps: 0, requests: 2 });
  });

  it('stops at a frame it cannot read, sending nothing', async () => {
    const v = fakeVideo();
    v.state.readable = false;
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    expect(v.sent).toEqual([]);
    expect(follower.running).toBe(false);
  });

  it('stops at an error the adapter cannot draw', async () => {
    const v = fakeVideo();
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    await v.answer('error');
    await v.present();
    expect(v.sent).toEqual([0]);
    expect(follower.running).toBe(false);
    expect(follower.stats().maps).toBe(0);
  });

  it('reports maps per second over its window and the latency of the last map', async () => {
    const v = fakeVideo();
    const follower = new FrameFollower(v.video, 1000);
    follower.kick();
    await tick();
    for (let i = 0; i < 5; i++) {
      await v.present();
      await v.answer('map', 100); // each map 100 ms after the previous: 10 maps/s
    }
    const last = v.reports.at(-1)!;
    expect(last.maps).toBe(5);
    expect(last.mapsPerSecond).toBeCloseTo(10, 5);
    expect(last.latencyMs).toBe(100);
  });

  it('sends the next frame before drawing the answer it has, so the worker does not wait for the drawing', async () => {
    const v = fakeVideo();
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    await v.present();
    await v.answer();
    // Frame 1 was on its way when frame 0's map was drawn; still one request in flight.
    expect(v.sent).toEqual([0, 1]);
    expect(v.sentWhenShown).toEqual([2]);
    expect(v.inFlight()).toBe(1);
    // No new frame when the answer comes: nothing is sent ahead, and the map is drawn all the same.
    await v.answer();
    expect(v.sentWhenShown).toEqual([2, 2]);
    expect(follower.stats()).toMatchObject({ maps: 2, requests: 2 });
  });

  it('tells the last map\'s time by stage: grabbing, the worker\'s answer, drawing', async () => {
    const v = fakeVideo();
    v.video.grab = () => ((v.state.clock += 4), v.state.frame);
    const show = v.video.show;
    v.video.show = (result) => ((v.state.clock += 7), show(result));
    const follower = new FrameFollower(v.video);
    follower.kick();
    await tick();
    await v.answer('map', 50);
    expect(follower.stats()).toMatchObject({ latencyMs: 61, stagesMs: { grab: 4, answer: 50, draw: 7 } });
  });
});
