// Where this frame's viewport sits in the top-level viewport, for screenshots of pictures inside
// iframes (the tab is captured as a whole). Each frame's content script answers its child frames:
// it finds the <iframe> whose window sent the request and adds its own offset, up to the top.
const REQUEST = 'cam-lens:frame-offset?';
const REPLY = 'cam-lens:frame-offset!';

export interface Offset {
  x: number;
  y: number;
}

/** Answers child frames asking where they are (installed once per frame). */
export function answerFrameOffsets(): void {
  window.addEventListener('message', (event) => {
    const data = event.data as { type?: unknown; token?: unknown } | null;
    if (data?.type !== REQUEST || typeof data.token !== 'string' || !event.source) return;
    const frame = Array.from(document.querySelectorAll('iframe, frame')).find((f) => (f as HTMLIFrameElement).contentWindow === event.source);
    if (!frame) return;
    const token = data.token;
    const r = frame.getBoundingClientRect();
    const cs = getComputedStyle(frame);
    // The child's viewport starts inside the frame's border and padding.
    const x = r.left + (parseFloat(cs.borderLeftWidth) || 0) + (parseFloat(cs.paddingLeft) || 0);
    const y = r.top + (parseFloat(cs.borderTopWidth) || 0) + (parseFloat(cs.paddingTop) || 0);
    void frameOffset().then(
      (own) => (event.source as Window).postMessage({ type: REPLY, token, x: x + own.x, y: y + own.y }, '*'),
      () => undefined,
    );
  });
}

/** This frame's offset in the top-level viewport ({0, 0} at the top); rejects if no ancestor answers. */
export function frameOffset(timeoutMs = 1500): Promise<Offset> {
  if (window.top === window) return Promise.resolve({ x: 0, y: 0 });
  const token = Math.random().toString(36).slice(2);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onReply);
      reject(new Error('the parent frame did not say where this frame is'));
    }, timeoutMs);
    function onReply(event: MessageEvent): void {
      const data = event.data as { type?: unknown; token?: unknown; x?: unknown; y?: unknown } | null;
      if (event.source !== window.parent || data?.type !== REPLY || data.token !== token) return;
      if (typeof data.x !== 'number' || typeof data.y !== 'number') return;
      clearTimeout(timer);
      window.removeEventListener('message', onReply);
      resolve({ x: data.x, y: data.y });
    }
    window.addEventListener('message', onReply);
    window.parent.postMessage({ type: REQUEST, token }, '*');
  });
}
