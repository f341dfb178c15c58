import { describe, expect, it } from 'vitest';
import { HeldOverlays, type SessionArea } from '../../src/background/heldOverlays';

/** storage.session as a plain object (what survives a worker restart). */
function fakeSession(): SessionArea & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async () => structuredClone(data),
    set: async (items) => void Object.assign(data, structuredClone(items)),
    remove: async (keys) => {
      for (const key of Array.isArray(keys) ? keys : [keys]) delete data[key];
    },
  };
}

const tab1 = { tabId: 1, frameId: 0, overlayId: 'a1b2' };
const tab2 = { tabId: 2, frameId: 0, overlayId: 'a1b2' };
const url = (u: string) => ({ kind: 'url' as const, url: u, withCookies: false, shownIn: { frameUrl: undefined, pageUrl: undefined } });

describe('HeldOverlays', () => {
  it('an overlay is found only by the tab and frame that own it', async () => {
    const held = new HeldOverlays(fakeSession());
    await held.hold(tab1, url('https://a.example/cat.png'));
    expect((await held.get(tab1))?.source).toEqual(url('https://a.example/cat.png'));
    // The same overlay id from another tab, or another frame of the same tab: not found.
    expect(await held.get(tab2)).toBeUndefined();
    expect(await held.get({ ...tab1, frameId: 3 })).toBeUndefined();
  });

  it('survives the worker restarting (a new instance over the same session storage)', async () => {
    const session = fakeSession();
    const before = new HeldOverlays(session);
    await before.hold(tab1, url('https://a.example/cat.png'));
    await before.update(tab1, { source: { kind: 'screenshot' } });
    const after = new HeldOverlays(session);
    expect((await after.get(tab1))?.source).toEqual({ kind: 'screenshot' });
    await after.forgetTab(1);
    expect(await new HeldOverlays(session).get(tab1)).toBeUndefined();
  });

  it('forgets the least recently used beyond its capacity', async () => {
    const session = fakeSession();
    const held = new HeldOverlays(session, 2);
    for (const id of ['o1', 'o2', 'o3']) {
      await held.hold({ tabId: 1, frameId: 0, overlayId: id }, { kind: 'page' });
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(held.size).toBe(2);
    expect(await held.get({ tabId: 1, frameId: 0, overlayId: 'o1' })).toBeUndefined();
    expect(Object.keys(session.data).sort()).toEqual(['held:1:0:o2', 'held:1:0:o3']);
  });

  it('works without session storage, and ignores what is not its own there', async () => {
    const held = new HeldOverlays(undefined);
    await held.hold(tab1, { kind: 'page' });
    expect((await held.get(tab1))?.source).toEqual({ kind: 'page' });
    const session = fakeSession();
    session.data['held:9:0:x'] = { nonsense: true };
    session.data.lastTimingsMs = { total: 1 };
    expect(new HeldOverlays(session).size).toBe(0);
    expect(await new HeldOverlays(session).get({ tabId: 9, frameId: 0, overlayId: 'x' })).toBeUndefined();
  });
});
