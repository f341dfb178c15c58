// What each overlay shows, as the worker decided it: the picture's source (and whether the user's
// cookies may go with it), and the last explanation sent to it. Keyed by who owns the overlay — the
// tab and frame the browser reports for the messages, and the overlay's random id — so a request
// from one tab can never reach another tab's picture, result or screenshot: it gets "not found".
// Kept in session storage too (the browser's, not the page's): Chrome stops an idle worker after
// 30 s, and a class switch or Save afterwards must still find the overlay's own image.
import type { ShownIn } from '../core/fetchPolicy';
import type { ExplanationSuccess } from '../core/messages';

export interface Owner {
  tabId: number;
  frameId: number;
  overlayId: string;
}

/** Where the worker reads an overlay's pixels. */
export type HeldSource =
  | { kind: 'url'; url: string; withCookies: boolean; shownIn: ShownIn }
  /** Bytes the frame read itself (canvas, video frame, blob:, an image only the page may read). */
  | { kind: 'page' }
  | { kind: 'screenshot' };

export interface Held {
  owner: Owner;
  source: HeldSource;
  /** The last explanation shown on the overlay (its id names the kept activations and screenshot). */
  result?: ExplanationSuccess;
  /** When it was last used: the oldest are forgotten first. */
  at: number;
}

/** The part of storage.session used here (absent where the browser has none). */
export interface SessionArea {
  get(keys: null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

const PREFIX = 'held:';
const keyOf = (o: Owner) => `${PREFIX}${o.tabId}:${o.frameId}:${o.overlayId}`;

export class HeldOverlays {
  private readonly held = new Map<string, Held>();
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly session: SessionArea | undefined,
    private readonly capacity = 128,
  ) {}

  async get(owner: Owner): Promise<Held | undefined> {
    await this.load();
    const entry = this.held.get(keyOf(owner));
    if (entry) entry.at = Date.now();
    return entry;
  }

  /** A new overlay (or a new picture under an old id). Resolves once it is stored, so a restart right after still finds it. */
  async hold(owner: Owner, source: HeldSource): Promise<Held> {
    await this.load();
    const entry: Held = { owner, source, at: Date.now() };
    this.held.set(keyOf(owner), entry);
    await this.persist(entry);
    this.evict();
    return entry;
  }

  /** Records what the overlay now shows (and, after a fallback, where its pixels really came from). */
  async update(owner: Owner, change: { result?: ExplanationSuccess; source?: HeldSource }): Promise<void> {
    const entry = await this.get(owner);
    if (!entry) return;
    if (change.result) entry.result = change.result;
    if (change.source) entry.source = change.source;
    await this.persist(entry);
  }

  async forget(owner: Owner): Promise<void> {
    await this.load();
    this.held.delete(keyOf(owner));
    await this.session?.remove(keyOf(owner)).catch(() => undefined);
  }

  /** The tab closed or loaded another page: none of its overlays exists any more. */
  async forgetTab(tabId: number): Promise<void> {
    await this.load();
    const gone = [...this.held.values()].filter((h) => h.owner.tabId === tabId).map((h) => keyOf(h.owner));
    for (const key of gone) this.held.delete(key);
    if (gone.length) await this.session?.remove(gone).catch(() => undefined);
  }

  /** The first held overlay that matches. */
  async find(predicate: (held: Held) => boolean): Promise<Held | undefined> {
    await this.load();
    return [...this.held.values()].find(predicate);
  }

  get size(): number {
    return this.held.size;
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const stored = (await this.session?.get(null).catch(() => ({}))) ?? {};
      for (const [key, value] of Object.entries(stored)) {
        if (!key.startsWith(PREFIX) || !isHeld(value)) continue;
        if (!this.held.has(key)) this.held.set(key, value);
      }
      this.evict();
    })();
    return this.loaded;
  }

  private async persist(entry: Held): Promise<void> {
    // Over the quota (very large maps), the overlay is still known until the worker stops.
    await this.session?.set({ [keyOf(entry.owner)]: entry }).catch(() => undefined);
  }

  private evict(): void {
    if (this.held.size <= this.capacity) return;
    const oldest = [...this.held.entries()].sort((a, b) => a[1].at - b[1].at).slice(0, this.held.size - this.capacity);
    for (const [key] of oldest) this.held.delete(key);
    void this.session?.remove(oldest.map(([key]) => key)).catch(() => undefined);
  }
}

function isHeld(value: unknown): value is Held {
  const v = value as Held | null;
  return !!v && typeof v === 'object' && typeof v.owner?.overlayId === 'string' && typeof v.owner.tabId === 'number' && typeof v.source?.kind === 'string';
}
