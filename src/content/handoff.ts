// What the always-injected content script (loader.ts, content.js) and the on-demand one (index.ts,
// content-ui.js) share. Both run in the extension's isolated world of the same frame, so they meet on
// its `window`, which the page cannot see. Types only: nothing here runs.
import type { UserInput } from './input';

/** The bundle injected into a frame on first use (scripting.executeScript, this frame only). */
export const UI_BUNDLE = 'content-ui.js';

/** What the on-demand part offers the always-on part. */
export interface ContentUi {
  /** A message from the worker (already checked to have a string `type`); undefined: no answer from this frame. */
  handle(raw: unknown): Promise<unknown> | undefined;
  /** A trusted Esc in this frame. */
  closeAll(): void;
}

declare global {
  interface Window {
    /** Set by the always-on script: it runs once per frame. */
    __camLensContentLoaded?: boolean;
    /** Starts listening to the worker's messages (idempotent; the worker calls it before messaging an unused frame). */
    __camLensListen?: () => void;
    /** What the user did (trusted events only), recorded by the always-on script since the page loaded. */
    __camLensInput?: UserInput;
    /** The on-demand part, once injected. */
    __camLensUi?: ContentUi;
    /** The automation seam's view of this frame's overlays (this extension's isolated world only; pages cannot see it). */
    __camLensOverlays?: () => { id: string; state: string; words: string; timing: Record<string, number | undefined> }[];
  }
}
