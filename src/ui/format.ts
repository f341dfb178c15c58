// Text and choices for the popup and the options page (pure, so it is tested without a browser). Words come from the
// Translate passed in (the browser's messages in the popup, English from _locales/en in tests).
import { backendLabel } from '../core/backendChoice';
import type { Translate } from '../core/i18n';
import type { ExplainAllProgress, ModelStatus, Status } from '../core/messages';
import { METHOD_IDS, METHODS, type MethodChoice } from '../core/methods';

export function describeBackend(status: Status, t: Translate): string {
  if (!status.modelLoaded || !status.backend) return t('backendNotStarted');
  // Backend names are proper names; only the CPU's warning is words.
  if (status.backend === 'cpu') return t('backendCpuSlow');
  return backendLabel(status.backend);
}

/** "124 ms (image 40, inference 71, …)": the parts are the worker's timing names, as measured. */
export function describeTimings(timings: Record<string, number> | null, t: Translate): string {
  if (!timings || timings.total === undefined) return t('timingsNone');
  const parts = Object.entries(timings)
    .filter(([name]) => name !== 'total')
    .map(([name, ms]) => `${name} ${Math.round(ms)}`);
  return `${Math.round(timings.total)} ms${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The popup's line for "explain all images": counts, and how it ended. */
export function describeExplainAll(progress: ExplainAllProgress | null | undefined, t: Translate): string {
  if (!progress) return '';
  const { done, failed, total } = progress;
  if (total === 0) return t('explainAllNoImages');
  const counts = failed
    ? t('explainAllCountFailed', [String(done + failed), String(total), String(failed)])
    : t('explainAllCount', [String(done + failed), String(total)]);
  if (progress.cancelled) return t('explainAllCancelled', counts);
  return progress.finished ? t('explainAllDone', counts) : t('explainAllRunning', counts);
}

export interface MethodOption {
  value: MethodChoice;
  label: string;
  disabled: boolean;
}

/** The method menu for a model: CAM is offered only when the model's head allows it. Method names are proper names. */
export function methodOptions(model: ModelStatus | undefined, t: Translate): MethodOption[] {
  const camApplies = model?.camApplies;
  const auto = camApplies === false ? t('methodAutoNoCam') : camApplies ? t('methodAutoCam') : t('methodAutoUnknown');
  return [
    { value: 'auto', label: auto, disabled: false },
    ...METHOD_IDS.map((id) => ({
      value: id,
      label: METHODS[id].kind === 'on-demand' ? t('methodSlow', METHODS[id].name) : METHODS[id].name,
      disabled: METHODS[id].needsLinearHead && camApplies === false,
    })),
  ];
}

/** Why CAM is not offered for the model, in words (the model's own reason is the worker's technical text). */
export function camNote(model: ModelStatus | undefined, t: Translate): string | null {
  if (!model || model.camApplies !== false) return null;
  return t('camNote', model.camUnavailable ?? t('camNoteDefaultReason'));
}

export interface LayerOption {
  /** The layer's full name; '' for the model's automatic choice. */
  value: string;
  label: string;
  /** The full name, for a tooltip (labels drop the prefix all names share). */
  title: string;
}

/**
 * The Layer menu: the model's automatic choice first, then every explainable layer, deepest first,
 * as "name · 14×14×576". Graph node names share long scope prefixes; the labels leave them out.
 */
export function layerOptions(reply: { automatic: string; layers: { name: string; shape: (number | null)[] }[] }, chosen: string | undefined, t: Translate): LayerOption[] {
  const names = reply.layers.map((l) => l.name);
  if (chosen && !names.includes(chosen)) names.push(chosen);
  const prefix = sharedScope(names);
  const short = (name: string) => name.slice(prefix.length);
  const shapeOf = (name: string) => reply.layers.find((l) => l.name === name)?.shape;
  const describe = (name: string) => {
    const shape = shapeOf(name);
    return shape ? `${short(name)} · ${shape.map((d) => d ?? '?').join('×')}` : t('popupLayerMissing', short(name));
  };
  return [
    { value: '', label: t('popupLayerAuto', describe(reply.automatic)), title: reply.automatic },
    ...names.map((name) => ({ value: name, label: describe(name), title: name })),
  ];
}

/** The longest run of whole "scope/" segments every name starts with (and none is entirely). */
function sharedScope(names: string[]): string {
  if (names.length < 2) return names[0]?.slice(0, names[0].lastIndexOf('/') + 1) ?? '';
  let prefix = names[0].slice(0, names[0].lastIndexOf('/') + 1);
  while (prefix && !names.every((n) => n.startsWith(prefix) && n.length > prefix.length)) {
    prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  }
  return prefix;
}

/** "94 ms, then 13 ms warm-up": how long the loaded model took to become ready on its backend. */
export function describeModelLoad(status: Status, t: Translate): string {
  if (!status.modelLoaded || status.modelLoadMs === null) return t('popupModelNotLoaded');
  // Loaded for an explanation: its forward pass was the first run.
  if (status.modelWarmupMs === null) return t('popupModelLoadFirstRun', String(Math.round(status.modelLoadMs)));
  return t('popupModelLoadTimes', [String(Math.round(status.modelLoadMs)), String(Math.round(status.modelWarmupMs))]);
}

/** One sentence under the method menu: what the chosen method does and what it costs. Method names are proper names. */
export function methodDescription(choice: MethodChoice, t: Translate): string {
  switch (choice) {
    case 'auto':
      return t('methodDescAuto');
    case 'cam':
      return t('methodDescCam');
    case 'gradcam':
      return t('methodDescGradcam');
    case 'gradcampp':
      return t('methodDescGradcampp');
    case 'xgradcam':
      return t('methodDescXgradcam');
    case 'hirescam':
      return t('methodDescHirescam');
    case 'layercam':
      return t('methodDescLayercam');
    case 'eigencam':
      return t('methodDescEigencam');
    case 'scorecam':
      return t('methodDescScorecam');
    case 'ablationcam':
      return t('methodDescAblationcam');
  }
}
