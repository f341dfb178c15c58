// A worker's answers for the popup and options page tests: one model (MobileNetV2 graph names), its
// status at the layer the settings ask for, and its layer list.
import type { LayersReply, Message, Status } from '../../../src/core/messages';
import type { FakeBrowser } from './fakeBrowser';

export const SCOPE = 'StatefulPartitionedCall/MobilenetV2/';
export const DEEP = `${SCOPE}Conv_1/Relu6`;
export const INNER = `${SCOPE}expanded_conv_12/expand/Relu6`;

export function status(patch: Partial<Status['models'][number]> = {}, layer = DEEP): Status {
  return {
    modelId: 'mid',
    modelName: 'Content classifier',
    modelLoaded: true,
    modelLoadMs: 90,
    modelWarmupMs: 12,
    models: [{ id: 'mid', name: 'Content classifier', format: 'graph', layer, camApplies: true, camUnavailable: null, ...patch }],
    backend: 'wasm',
    backendSetting: 'auto',
    backendMeasurements: 'WebAssembly 7 ms',
    backendNote: null,
    renderer: null,
    lastTimingsMs: { total: 58, inference: 31 },
  };
}

export const LAYERS: LayersReply = {
  ok: true,
  modelId: 'mid',
  automatic: DEEP,
  layers: [
    { name: DEEP, shape: [7, 7, 1792] },
    { name: INNER, shape: [14, 14, 816] },
  ],
};

/** A worker that knows one model and answers with the layer the settings (in `fake()`'s storage) ask for. */
export function worker(fake: () => FakeBrowser, overrides: { status?: () => Status; layers?: () => unknown; other?: (message: Message) => unknown } = {}) {
  return (message: Message) => {
    if (message.type === 'get-status') {
      const chosen = (fake().storage.sync.data.settings as { layers?: Record<string, string> } | undefined)?.layers?.mid;
      return overrides.status?.() ?? status({}, chosen ?? DEEP);
    }
    if (message.type === 'list-layers') return overrides.layers?.() ?? LAYERS;
    return overrides.other?.(message);
  };
}
