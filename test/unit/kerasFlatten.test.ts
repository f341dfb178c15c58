// Nested Keras models (Teachable Machine's layout) rewritten as one flat functional model: same
// predictions, the CAM layer visible to the head finder.
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { flattenKerasTopology, isNestedKeras, KerasTopologyError } from '../../src/core/kerasFlatten';

async function saved(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return artifacts!;
}

/** Teachable Machine's structure: Sequential[Sequential[Model(conv trunk), GAP], Sequential[Dense relu, Dense softmax]]. */
function teachableLike(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'out_relu' }).apply(x) as tf.SymbolicTensor;
  const truncated = tf.model({ inputs: input, outputs: x, name: 'model1' });
  const trunk = tf.sequential({ name: 'sequential_1' });
  trunk.add(truncated);
  trunk.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  const head = tf.sequential({
    name: 'sequential_3',
    layers: [tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu', name: 'dense_Dense1' }), tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_Dense2' })],
  });
  const joint = tf.sequential({ name: 'sequential_4' });
  joint.add(trunk);
  joint.add(head);
  return joint;
}

describe('flattenKerasTopology', () => {
  test('a Teachable-Machine-like nested model becomes one functional model with the same predictions', async () => {
    const nested = teachableLike();
    const artifacts = await saved(nested);
    const topology = artifacts.modelTopology as Record<string, unknown>;
    expect(isNestedKeras(topology)).toBe(true);
    const flat = flattenKerasTopology(topology);
    const layers = (flat.config as { layers: { name: string; class_name: string }[] }).layers;
    expect(layers.map((l) => l.name)).toEqual(['input_1', 'conv1', 'out_relu', 'gap', 'dense_Dense1', 'dense_Dense2']);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: flat }));
    expect(model.getLayer('out_relu').outputShape).toEqual([null, 4, 4, 6]);
    const input = tf.randomUniform([2, 16, 16, 3]);
    const a = (nested.predict(input) as tf.Tensor).arraySync() as number[][];
    const b = (model.predict(input) as tf.Tensor).arraySync() as number[][];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(b[i][j]).toBeCloseTo(a[i][j], 5);
    tf.dispose([input]);
    nested.dispose();
    model.dispose();
  });

  test('a flat model is returned as it is', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.globalAveragePooling2d({}).apply(tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const artifacts = await saved(tf.model({ inputs: input, outputs: out }));
    const topology = artifacts.modelTopology as Record<string, unknown>;
    expect(isNestedKeras(topology)).toBe(false);
    expect(flattenKerasTopology(topology)).toBe(topology);
  });

  test('shared layers are refused with a reason', () => {
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'outer',
        layers: [
          {
            class_name: 'Model',
            config: {
              name: 'inner',
              layers: [
                { name: 'in', class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4, 4, 3] }, inbound_nodes: [] },
                { name: 'c', class_name: 'Conv2D', config: { name: 'c' }, inbound_nodes: [[['in', 0, 0, {}]], [['in', 0, 0, {}]]] },
              ],
              input_layers: [['in', 0, 0]],
              output_layers: [['c', 0, 0]],
            },
          },
        ],
      },
    };
    expect(() => flattenKerasTopology(topology)).toThrow(KerasTopologyError);
    expect(() => flattenKerasTopology(topology)).toThrow(/shared layers/);
  });
});
