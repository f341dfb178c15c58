// What the worker may fetch for a page, and with whose cookies. The extension fetches with more
// authority than a page has (host permissions read cross-origin bytes; its requests carry SameSite
// cookies and reach this machine's network), so a page must not be able to point it anywhere it
// could not reach itself. Pure: decided from URLs the browser reported (the frame's and the tab's),
// never from what a content script says.

/** How private a host is: a page on a more public one must not make the extension reach it. */
export type AddressSpace = 'public' | 'private' | 'loopback';

const RANK: Record<AddressSpace, number> = { public: 0, private: 1, loopback: 2 };

function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function ipv4Space([a, b]: number[]): AddressSpace {
  if (a === 127 || a === 0) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

/**
 * The address space of a URL's host, as far as its name tells (IP literals, localhost, .local);
 * a DNS name that resolves to a private address cannot be told apart here and counts as public.
 */
export function addressSpace(url: URL): AddressSpace {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  if (host.endsWith('.local')) return 'private';
  const v4 = ipv4(host);
  if (v4) return ipv4Space(v4);
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    if (v6 === '::1') return 'loopback';
    // IPv4-mapped (the URL parser writes ::ffff:192.168.0.1 as ::ffff:c0a8:1).
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
    if (mapped) {
      const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
      return ipv4Space([hi >> 8, hi & 255, lo >> 8, lo & 255]);
    }
    if (/^f[cd]/.test(v6) || /^fe[89ab]/.test(v6)) return 'private';
  }
  return 'public';
}

function parse(url: string | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Where a picture is shown: the URL of its frame and of the tab's page, as the browser reported them. */
export interface ShownIn {
  frameUrl: string | undefined;
  pageUrl: string | undefined;
}

export type FetchVerdict =
  | { ok: true; withCookies: boolean }
  /** The picture's host is on a more private network than the page showing it. */
  | { ok: false; host: string };

/**
 * Whether the worker may fetch `url` for a picture shown in `where`, and with cookies:
 * - never a host on a more private network than the frame or the page (a public page must not
 *   make the extension reach this machine or the local network, which the browser keeps it from);
 * - cookies only when the image, the frame and the page are one origin: then the page could
 *   fetch and read it with those very cookies itself, and the extension adds no authority.
 * Everything else is fetched without cookies (what the page itself displays may need them: the
 * worker then reads the pixels as the page draws them, or from a screenshot).
 */
export function fetchVerdict(url: string, where: ShownIn): FetchVerdict {
  const target = parse(url);
  if (!target || target.protocol === 'data:') return { ok: true, withCookies: false };
  const frame = parse(where.frameUrl);
  const page = parse(where.pageUrl);
  // A frame the browser did not describe, or one not on the web (about:blank, srcdoc: its creator's), counts as its page.
  const roomOf = (u: URL | null) => (u && (u.protocol === 'http:' || u.protocol === 'https:') ? RANK[addressSpace(u)] : Infinity);
  const room = Math.min(roomOf(frame), roomOf(page));
  if (RANK[addressSpace(target)] > (Number.isFinite(room) ? room : RANK.public)) return { ok: false, host: target.host };
  const withCookies = !!frame && !!page && frame.origin === target.origin && page.origin === target.origin && target.origin !== 'null';
  return { ok: true, withCookies };
}
