// The panel's "Check this map" and "Sanity check" (one file per panel feature): buttons, progress
// with Cancel, two small curves (deletion, insertion: this map against the random and centre maps)
// and one line of figures; the sanity check's ρ per level and, when the map hardly depends on the
// model, a warning. The worker computes (background/metrics); this file asks, listens and draws.
import { t } from '../core/i18nBrowser';
import { CheckReply, type ExplanationSuccess, type Message } from '../core/messages';
import type { CheckKind, Faithfulness } from '../core/metrics/results';
import { centreLine, faithfulnessLine, sanityLevels, sanityVerdict } from '../core/metrics/summary';
import { el, markUnavailable, onTrustedClick, words } from './dom';
import type { Overlay } from './overlay';

/** A check that reports nothing for this long has been lost (e.g. the worker was stopped). */
const CHECK_TIMEOUT_MS = 60_000;

export interface MapChecksDeps {
  /** Sends a message to the worker; rejects when it cannot be reached. */
  send(message: Message): Promise<unknown>;
  /** The user's "check every map automatically" setting. */
  autoCheck(): boolean;
}

const CSS = `
.checks { margin-top: 6px; border-top: 1px solid rgba(255,255,255,0.12); padding-top: 5px; }
.checks .actions { display: flex; gap: 6px; flex-wrap: wrap; }
.checks button { all: unset; cursor: pointer; padding: 1px 8px; border-radius: 4px; border: 1px solid rgba(255,255,255,0.3); color: #eef1f6; font-size: 11px; }
.checks button:hover, .checks button:focus-visible { background: rgba(255,255,255,0.14); }
.checks button:focus-visible { outline: 2px solid #7fb2ff; outline-offset: 1px; }
.checks button[aria-disabled="true"] { opacity: 0.5; cursor: default; }
.checks .curves { display: flex; gap: 8px; margin-top: 4px; }
.checks figure { margin: 0; flex: 1; min-width: 0; }
.checks figcaption { color: #aab2c0; font-size: 10px; }
.checks canvas { display: block; width: 100%; height: 40px; }
.checks .line { margin-top: 3px; font-variant-numeric: tabular-nums; }
.checks .muted { color: #aab2c0; font-size: 11px; }
.checks .warn { color: #ffd38a; margin-top: 3px; }
.checks .failed { color: #ffd2d2; margin-top: 3px; }
.checks .busy { margin-top: 4px; display: grid; grid-template-columns: 1fr auto; gap: 3px 8px; align-items: center; color: #cfd5df; }
.checks .track { height: 3px; border-radius: 2px; background: rgba(255,255,255,0.15); overflow: hidden; }
.checks .fill { height: 100%; width: 0; background: #7fb2ff; }
.panel.compact:not(:hover):not(:focus-within):not(.open) .checks { display: none; }
`;

const COLOURS = { map: '#7fb2ff', random: '#aab2c0', centre: '#e0c27a' };

const registry = new WeakMap<Overlay, MapChecks>();

/** The checks of one overlay (made on first use). */
export function mapChecksFor(overlay: Overlay, deps: MapChecksDeps): MapChecks {
  let checks = registry.get(overlay);
  if (!checks) registry.set(overlay, (checks = new MapChecks(overlay, deps)));
  return checks;
}

export class MapChecks {
  private running: { kind: CheckKind; key: string; done: number; total: number } | null = null;
  private failures: Partial<Record<CheckKind, string>> = {};
  /** Maps already checked automatically (a class switch back must not start it again after a failure). */
  private readonly autoChecked = new Set<string>();
  private section: HTMLElement | null = null;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly overlay: Overlay,
    private readonly deps: MapChecksDeps,
  ) {}

  /** The panel's section for a result being shown (the overlay calls this each time it draws its panel). */
  render(result: ExplanationSuccess): HTMLElement {
    this.section = el('div', { class: 'checks' });
    // A check needs one fixed map: Follow's frames change it.
    if (this.running && (this.running.key !== keyOf(result) || this.following)) this.cancel();
    this.fill(result);
    if (this.deps.autoCheck() && !this.overlay.bulk && !this.following && !this.figures(result) && !this.running && !this.autoChecked.has(keyOf(result))) {
      this.autoChecked.add(keyOf(result));
      queueMicrotask(() => this.start('faithfulness'));
    }
    return this.section;
  }

  /** Asks the worker to check the map shown now. */
  start(kind: CheckKind): void {
    const result = this.overlay.explanation;
    if (!result || this.running || this.following) return;
    this.running = { kind, key: keyOf(result), done: 0, total: 1 };
    delete this.failures[kind];
    this.armWatchdog();
    this.redraw();
    const target = { overlayId: this.overlay.id, explanationId: result.explanationId, classIndex: result.target.index, method: result.method };
    const message: Message =
      kind === 'faithfulness' ? { type: 'check-map', ...target, positiveOnly: this.overlay.look.hideNegative } : { type: 'sanity-check', ...target };
    this.deps.send(message).then(
      (raw) => this.show(kind, raw),
      () => this.show(kind, { ok: false, error: t('errCheckInterrupted') }),
    );
  }

  progress(kind: CheckKind, done: number, total: number): void {
    const result = this.overlay.explanation;
    if (!result || (this.running && this.running.kind !== kind)) return;
    // A check the seam started shows here too, with its Cancel.
    if (!this.running) this.running = { kind, key: keyOf(result), done, total };
    Object.assign(this.running, { done, total });
    this.armWatchdog();
    const busy = this.section?.querySelector<HTMLElement>('.busy');
    if (!busy) return this.redraw();
    busy.querySelector('.text')!.replaceChildren(words(progressText(kind, done, total)));
    busy.querySelector<HTMLElement>('.fill')!.style.width = `${(100 * done) / total}%`;
  }

  /** A reply (to our request, or from a check the seam started): figures for the map shown, or why not. */
  show(kind: CheckKind, raw: unknown): void {
    const result = this.overlay.explanation;
    const parsed = CheckReply.safeParse(raw);
    const reply: CheckReply = parsed.success ? parsed.data : { ok: false, error: t('errExtensionNoAnswer') };
    if (this.running?.kind === kind) this.stopRunning();
    if (!result) return;
    if (!reply.ok) {
      if (reply.error !== 'cancelled') this.failures[kind] = reply.error;
    } else if (reply.explanationId === result.explanationId && reply.classIndex === result.target.index && reply.method === result.method) {
      this.overlay.annotate(kind === 'faithfulness' ? { faithfulness: reply.faithfulness } : { sanity: reply.sanity });
      const words = kind === 'faithfulness' && reply.faithfulness ? faithfulnessLine(reply.faithfulness, t) : reply.sanity ? sanityVerdict(reply.sanity, t) : '';
      if (words) this.overlay.announce(words);
    }
    this.redraw();
  }

  /** Stops a running check (Cancel, the overlay closed, or the map it checks is gone). */
  cancel(): void {
    if (!this.running) return;
    this.stopRunning();
    void this.deps.send({ type: 'cancel-check', overlayId: this.overlay.id }).catch(() => undefined);
    this.redraw();
  }

  private get following(): boolean {
    return this.overlay.follow?.following ?? false;
  }

  private stopRunning(): void {
    this.running = null;
    clearTimeout(this.watchdog);
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      const kind = this.running?.kind;
      if (!kind) return;
      this.cancel();
      this.failures[kind] = t('overlayNoAnswer', String(CHECK_TIMEOUT_MS / 1000));
      this.redraw();
    }, CHECK_TIMEOUT_MS);
  }

  /** The figures for the map as drawn now (a map ranked with the other display choice does not count). */
  private figures(result: ExplanationSuccess): Faithfulness | null {
    const f = result.faithfulness;
    return f && f.ranking === (this.overlay.look.hideNegative ? 'positive' : 'signed') ? f : null;
  }

  private redraw(): void {
    const result = this.overlay.explanation;
    if (!this.section || !result) return;
    this.fill(result);
    this.overlay.panelChanged();
  }

  private fill(result: ExplanationSuccess): void {
    const section = this.section!;
    const figures = this.figures(result);
    const button = (kind: CheckKind, label: string, title: string) => {
      const b = el('button', { type: 'button', class: kind, title, 'aria-label': label }, label);
      onTrustedClick(b, () => this.start(kind));
      if (this.following) markUnavailable(b, t('overlayStopFollowingFirst'));
      return b;
    };
    const running = this.running;
    const actions = el(
      'div',
      { class: 'actions' },
      !figures && running?.kind !== 'faithfulness' && button('faithfulness', t('checkMapButton'), t('checkMapTitle')),
      !result.sanity && running?.kind !== 'sanity' && button('sanity', t('sanityButton'), t('sanityTitle')),
    );
    const style = document.createElement('style');
    style.textContent = CSS;
    section.replaceChildren(style, actions.childElementCount > 0 ? actions : '');
    if (running) section.append(this.busyRow(running.kind, running.done, running.total));
    if (figures) section.append(curves(figures), el('div', { class: 'line' }, faithfulnessLine(figures, t)), el('div', { class: 'muted' }, centreLine(figures, t)));
    if (result.sanity) {
      section.append(el('div', { class: 'line' }, t('sanityLine', sanityLevels(result.sanity))), el('div', { class: result.sanity.insensitive ? 'warn' : 'muted' }, sanityVerdict(result.sanity, t)));
    }
    for (const error of Object.values(this.failures)) section.append(el('div', { class: 'failed' }, t('checkFailed', error)));
  }

  private busyRow(kind: CheckKind, done: number, total: number): HTMLElement {
    const cancel = el('button', { type: 'button', class: 'stop', 'aria-label': t('cancel') }, t('cancel'));
    onTrustedClick(cancel, () => this.cancel());
    const fill = el('div', { class: 'fill' });
    fill.style.width = `${(100 * done) / total}%`;
    return el('div', { class: 'busy', role: 'status' }, el('div', { class: 'text' }, progressText(kind, done, total)), cancel, el('div', { class: 'track' }, fill));
  }
}

/** Which map a check is for: a result for another class or method is another map. */
function keyOf(result: ExplanationSuccess): string {
  return `${result.explanationId}|${result.target.index}|${result.method}`;
}

function progressText(kind: CheckKind, done: number, total: number): string {
  const counts = [String(done), String(total)];
  return kind === 'faithfulness' ? t('checkProgress', counts) : t('sanityProgress', counts);
}

/** The two small charts: score against the share of pixels changed, for this map and the two baselines. */
function curves(f: Faithfulness): HTMLElement {
  const chart = (title: string, pick: (pair: { deletion: { curve: number[] }; insertion: { curve: number[] } }) => number[]) => {
    const canvas = el('canvas', { width: '240', height: '80', 'aria-hidden': 'true' });
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.scale(2, 2);
      ctx.strokeStyle = 'rgba(255,255,255,0.18)';
      ctx.strokeRect(0.5, 0.5, 119, 39);
      const line = (values: number[], colour: string, dash: number[]) => {
        ctx.strokeStyle = colour;
        ctx.setLineDash(dash);
        ctx.lineWidth = 1.2;
        ctx.beginPath();
        values.forEach((p, k) => {
          const x = 1 + (118 * k) / (values.length - 1);
          const y = 39 - 38 * Math.max(0, Math.min(1, p));
          if (k === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        });
        ctx.stroke();
      };
      line(pick(f.baselines.random), COLOURS.random, [3, 2]);
      line(pick(f.baselines.centre), COLOURS.centre, [1, 2]);
      line(pick(f), COLOURS.map, []);
    }
    return el('figure', {}, el('figcaption', {}, title), canvas);
  };
  return el(
    'div',
    { class: 'curves', title: t('checkLegend') },
    chart(t('checkDeletion'), (p) => p.deletion.curve),
    chart(t('checkInsertion'), (p) => p.insertion.curve),
  );
}
