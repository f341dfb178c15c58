// Keras models nested in Keras models (Teachable Machine saves Sequential[Sequential[Model(MobileNet),
// GlobalAveragePooling2D], Sequential[Dense, Dense]]) hide the convolutional layers inside one
// "layer" whose output is already pooled. This rewrites such a topology as one flat functional model
// with the same layers (same names, so the same weights load), in which the CAM layer is visible.
// Pure JSON in, JSON out; models without nesting are returned unchanged.

export class KerasTopologyError extends Error {}

type Json = Record<string, unknown>;
/** A reference to a layer's output in Keras JSON: [layer name, node index, tensor index, kwargs?]. */
type Ref = [string, number, number, ...unknown[]];

interface LayerJson {
  class_name: string;
  name?: string;
  config: Json & { name?: string; layers?: LayerJson[] };
  inbound_nodes?: unknown[];
}

const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);
const INPUT_SHAPE_KEYS = ['batch_input_shape', 'batchInputShape', 'input_shape', 'inputShape', 'batch_size', 'batchSize'];

const isContainer = (l: LayerJson) => CONTAINERS.has(l.class_name);
const nameOf = (l: LayerJson) => (l.config?.name ?? l.name) as string;

/** The Keras model config inside a tfjs layers modelTopology ({class_name, config} or {model_config: {…}}). */
function modelConfigOf(topology: Json): LayerJson {
  const inner = (topology.model_config ?? topology) as LayerJson;
  if (!inner || typeof inner !== 'object' || typeof inner.class_name !== 'string') throw new KerasTopologyError('no Keras model config in modelTopology');
  return inner;
}

/** Sequential configs are either {name, layers: [...]} or (old Keras) the layer list itself. */
function layersOf(container: LayerJson): LayerJson[] {
  const config = container.config as unknown;
  if (Array.isArray(config)) return config as LayerJson[];
  const layers = (config as Json | undefined)?.layers;
  if (!Array.isArray(layers)) throw new KerasTopologyError(`${container.class_name} ${nameOf(container) ?? ''} has no layer list`);
  return layers as LayerJson[];
}

/** Whether the model has a model inside it. */
export function isNestedKeras(topology: Json): boolean {
  const model = modelConfigOf(topology);
  return isContainer(model) && layersOf(model).some(isContainer);
}

/**
 * The topology rewritten as one flat functional model (class_name 'Model'), or the topology itself
 * when nothing is nested. Throws KerasTopologyError for what it cannot rewrite (shared layers,
 * nested models with several inputs or outputs, repeated layer names).
 */
export function flattenKerasTopology<T extends Json>(topology: T): T {
  if (!isNestedKeras(topology)) return topology;
  const model = modelConfigOf(topology);
  const flat: LayerJson[] = [];
  const names = new Set<string>();
  const inputs: Ref[] = [];

  const emit = (layer: LayerJson, inbound: Ref[] | null): Ref => {
    const name = nameOf(layer);
    if (!name) throw new KerasTopologyError(`a ${layer.class_name} layer has no name`);
    if (names.has(name)) throw new KerasTopologyError(`two layers are named "${name}"`);
    names.add(name);
    const config = { ...layer.config };
    if (inbound) for (const key of INPUT_SHAPE_KEYS) delete config[key];
    flat.push({ class_name: layer.class_name, name, config, inbound_nodes: inbound ? [inbound.map((r) => [r[0], r[1], r[2], {}])] : [] });
    return [name, 0, 0];
  };

  /** An InputLayer for a Sequential whose first layer declares the input shape. */
  const inputFor = (seqName: string, first: LayerJson): Ref => {
    const c = first.config ?? {};
    const shape = (c.batch_input_shape ?? c.batchInputShape ?? (Array.isArray(c.input_shape ?? c.inputShape) ? [null, ...((c.input_shape ?? c.inputShape) as unknown[])] : undefined)) as unknown;
    if (!Array.isArray(shape)) throw new KerasTopologyError(`the first layer of ${seqName} does not say its input shape`);
    const ref = emit({ class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: c.dtype ?? 'float32', sparse: false, name: `${seqName}_input` } }, null);
    inputs.push(ref);
    return ref;
  };

  /** Emits a container's layers; `input` is where its input comes from (null at the top). Returns its output. */
  const expand = (container: LayerJson, input: Ref | null): Ref => {
    const name = nameOf(container) ?? container.class_name;
    const layers = layersOf(container);
    if (container.class_name === 'Sequential') {
      let current = input;
      for (const layer of layers) {
        if (layer.class_name === 'InputLayer') {
          if (!current) {
            current = emit(layer, null);
            inputs.push(current);
          }
        } else if (isContainer(layer)) {
          current = expand(layer, current);
        } else {
          current ??= inputFor(name, layer);
          current = emit(layer, [current]);
        }
      }
      if (!current) throw new KerasTopologyError(`${name} has no layers`);
      return current;
    }
    // Functional: follow the inbound nodes, replacing the model's inputs by `input`.
    const config = container.config as Json;
    const inputLayers = (config.input_layers ?? []) as Ref[];
    const outputLayers = (config.output_layers ?? []) as Ref[];
    if (outputLayers.length !== 1) throw new KerasTopologyError(`${name} has ${outputLayers.length} outputs; only single-output models can be read`);
    if (input && inputLayers.length !== 1) throw new KerasTopologyError(`${name} has ${inputLayers.length} inputs; only single-input models can be nested`);
    const alias = new Map<string, Ref>();
    for (const layer of layers) {
      const layerName = nameOf(layer);
      if (layer.class_name === 'InputLayer') {
        if (input) alias.set(layerName, input);
        else {
          const ref = emit(layer, null);
          inputs.push(ref);
          alias.set(layerName, ref);
        }
        continue;
      }
      const nodes = (layer.inbound_nodes ?? []) as unknown[][];
      if (nodes.length !== 1) throw new KerasTopologyError(`layer ${layerName} is used ${nodes.length} times; shared layers cannot be read`);
      const inbound = nodes[0].map((r) => {
        if (!Array.isArray(r) || typeof r[0] !== 'string') throw new KerasTopologyError(`layer ${layerName} has an inbound node in an unknown format`);
        return alias.get(r[0]) ?? ([r[0], Number(r[1]) || 0, Number(r[2]) || 0] as Ref);
      });
      if (isContainer(layer)) {
        if (inbound.length !== 1) throw new KerasTopologyError(`nested model ${layerName} has ${inbound.length} inputs`);
        alias.set(layerName, expand(layer, inbound[0]));
      } else {
        alias.set(layerName, emit(layer, inbound));
      }
    }
    const out = outputLayers[0];
    return alias.get(out[0]) ?? [out[0], out[1], out[2]];
  };

  const output = expand(model, null);
  if (inputs.length !== 1) throw new KerasTopologyError(`the model has ${inputs.length} inputs; an image classifier has one`);
  const flatModel = {
    class_name: 'Model',
    config: { name: `${nameOf(model) ?? 'model'}_flat`, layers: flat, input_layers: inputs, output_layers: [output] },
  };
  if ('model_config' in topology) return { ...topology, model_config: flatModel };
  return { ...topology, ...flatModel };
}
