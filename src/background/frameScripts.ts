// Functions the worker runs in a frame's content-script world (scripting.executeScript `func`): each is
// serialised on its own, so it may use nothing from outside its body.

/** Has the always-on content script listen to the worker's messages; true when the script is in the frame. */
export function listenInFrame(): boolean {
  const listen = (window as { __camLensListen?: () => void }).__camLensListen;
  listen?.();
  return listen !== undefined;
}
