// The overlay's own styles, scoped by its shadow root so page CSS neither leaks in nor out.
export const OVERLAY_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.frame { position: absolute; inset: 0; overflow: hidden; pointer-events: none; }
.map { position: absolute; display: block; image-rendering: auto; transition: opacity 120ms; }
.box { position: absolute; border: 2px solid #fff; outline: 2px solid rgba(0,0,0,0.55); pointer-events: none; }
.progress { margin-top: 6px; display: grid; grid-template-columns: 1fr auto; gap: 4px 8px; align-items: center; }
.progress-text { grid-column: 1 / -1; color: #cfd5df; }
.progress-track { height: 4px; border-radius: 2px; background: rgba(255,255,255,0.15); overflow: hidden; }
.progress-fill { height: 100%; width: 0; background: #7fb2ff; transition: width 150ms; }
.cancel { all: unset; cursor: pointer; padding: 1px 8px; border-radius: 4px; border: 1px solid rgba(255,255,255,0.3); color: #eef1f6; }
.cancel:hover, .cancel:focus-visible { background: rgba(255,255,255,0.14); }
.veil { position: absolute; inset: 0; display: none; align-items: center; justify-content: center; background: rgba(15, 18, 25, 0.28); }
.frame[data-state="loading"]:not([data-map]) .veil { display: flex; }
.frame[data-state="error"] { background: rgba(200, 30, 30, 0.22); outline: 2px solid rgba(200, 30, 30, 0.9); outline-offset: -2px; }
.spinner { width: 28px; height: 28px; border-radius: 50%; border: 3px solid rgba(255,255,255,0.35); border-top-color: #fff; visibility: hidden; }
.frame[data-slow] .spinner { visibility: visible; animation: spin 0.8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .frame[data-slow] .spinner { animation-duration: 2.4s; } }
.panel {
  position: absolute; left: 0; pointer-events: auto; min-width: 180px; max-width: 320px;
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #eef1f6;
  background: rgba(22, 26, 34, 0.94); border-radius: 8px; padding: 6px 8px 8px;
  box-shadow: 0 4px 16px rgba(0,0,0,0.35); text-align: left;
}
.head { display: flex; align-items: center; gap: 6px; margin-bottom: 4px; }
.title { flex: 1; min-width: 0; font-weight: 600; overflow-wrap: anywhere; }
.close { all: unset; cursor: pointer; width: 20px; height: 20px; line-height: 20px; text-align: center; border-radius: 4px; font-size: 15px; color: #cfd5df; }
.close:hover, .close:focus-visible { background: rgba(255,255,255,0.14); color: #fff; }
.icon { all: unset; cursor: pointer; height: 20px; line-height: 20px; padding: 0 5px; text-align: center; border-radius: 4px; font-size: 11px; color: #cfd5df; }
.icon:hover, .icon:focus-visible { background: rgba(255,255,255,0.14); color: #fff; }
.icon:focus-visible { outline: 2px solid #7fb2ff; outline-offset: 1px; }
.grip { cursor: grab; touch-action: none; padding: 0 3px; font-size: 13px; }
.grip:active { cursor: grabbing; }
.close:focus-visible, .chip:focus-visible { outline: 2px solid #7fb2ff; outline-offset: 1px; }
.message { color: #ffd2d2; word-break: break-word; }
.follow[aria-pressed="true"] { background: rgba(127,178,255,0.35); color: #fff; }
.follow-row { display: flex; align-items: center; gap: 6px; margin-bottom: 4px; }
.follow-line { color: #cfd5df; font-size: 11px; font-variant-numeric: tabular-nums; }
.follow-line.message { color: #ffd2d2; }
.busy { color: #cfd5df; }
.note { color: #cfd5df; margin-top: 4px; }
.chips { display: flex; flex-direction: column; gap: 2px; }
.score { font-weight: 400; color: #cfd5df; display: none; }
.panel.compact:not(:hover):not(:focus-within):not(.open) { min-width: 0; max-width: 420px; padding-bottom: 6px; }
.panel.compact:not(:hover):not(:focus-within):not(.open) .head { margin-bottom: 0; }
/* Closed to one line, the title is cut (the panel must stay one line high beside other maps); open, it wraps. */
.panel.compact:not(:hover):not(:focus-within):not(.open) .title { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.panel.compact:not(:hover):not(:focus-within):not(.open) .score { display: inline; }
.panel.compact:not(:hover):not(:focus-within):not(.open) :is(.chips, .other-class, .legend, .legend-note, .hover, .note, .progress) { display: none; }
.other-class { margin-top: 4px; }
.pick { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 2px 6px; border-radius: 4px; border: 1px solid rgba(255,255,255,0.3); background: rgba(255,255,255,0.06); color: #eef1f6; font: inherit; }
.pick::placeholder { color: #aab2c0; }
.pick:focus-visible { outline: 2px solid #7fb2ff; outline-offset: 1px; }
.legend { display: flex; align-items: center; gap: 6px; margin-top: 6px; color: #cfd5df; font-size: 11px; }
.legend canvas { flex: 1; height: 8px; min-width: 0; border-radius: 2px; }
.legend-note, .hover { color: #aab2c0; font-size: 11px; margin-top: 2px; }
.hover:not([data-text]) { display: none; }
.live { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.chip {
  all: unset; cursor: pointer; display: flex; gap: 8px; align-items: center; padding: 2px 6px; border-radius: 4px;
  position: relative; overflow: hidden;
}
.chip:hover { background: rgba(255,255,255,0.10); }
.chip[aria-pressed="true"] { background: rgba(127,178,255,0.22); font-weight: 600; }
.chip .bar { position: absolute; left: 0; bottom: 0; height: 2px; background: #7fb2ff; }
.chip .label { flex: 1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.chip .pct { font-variant-numeric: tabular-nums; color: #cfd5df; }
`;
