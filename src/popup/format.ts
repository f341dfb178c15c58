// Text and choices for the popup (pure, so it is tested without a browser).
import type { ExplainAllProgress, ModelStatus, Status } from '../core/messages';
import { METHOD_IDS, METHODS, type MethodChoice } from '../core/methods';

const BACKEND_NAMES: Record<string, string> = { webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU (slow)', webgpu: 'WebGPU' };

export function describeBackend(status: Status): string {
  if (!status.modelLoaded || !status.backend) return 'starts with the first explanation';
  return BACKEND_NAMES[status.backend] ?? status.backend;
}

export function describeTimings(timings: Record<string, number> | null): string {
  if (!timings || timings.total === undefined) return 'none yet';
  const parts = Object.entries(timings)
    .filter(([name]) => name !== 'total')
    .map(([name, ms]) => `${name} ${Math.round(ms)}`);
  return `${Math.round(timings.total)} ms${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The popup's line for "explain all images": counts, and how it ended. */
export function describeExplainAll(progress: ExplainAllProgress | null | undefined): string {
  if (!progress) return '';
  const { done, failed, total } = progress;
  if (total === 0) return 'No images large enough to explain on this page.';
  const counts = `${done + failed} of ${total} images${failed ? ` (${failed} could not be explained)` : ''}`;
  if (progress.cancelled) return `Cancelled after ${counts}.`;
  return progress.finished ? `Done: ${counts}.` : `Explaining… ${counts}`;
}

export interface MethodOption {
  value: MethodChoice;
  label: string;
  disabled: boolean;
}

/** The method menu for a model: CAM is offered only when the model's head allows it. */
export function methodOptions(model: ModelStatus | undefined): MethodOption[] {
  const camApplies = model?.camApplies;
  const auto = camApplies === false ? 'Automatic (Grad-CAM: CAM does not apply)' : camApplies ? 'Automatic (CAM)' : 'Automatic (CAM if it applies, else Grad-CAM)';
  return [
    { value: 'auto', label: auto, disabled: false },
    ...METHOD_IDS.map((id) => ({
      value: id,
      label: `${METHODS[id].name}${METHODS[id].kind === 'on-demand' ? ' (slow: many passes)' : ''}`,
      disabled: METHODS[id].needsLinearHead && camApplies === false,
    })),
  ];
}

/** Why CAM is not offered for the model, in words. */
export function camNote(model: ModelStatus | undefined): string | null {
  if (!model || model.camApplies !== false) return null;
  return `CAM does not apply to this model (${model.camUnavailable ?? 'its head is not one linear layer'}); use Grad-CAM or another gradient method.`;
}
