// The sanity check's cascade (Adebayo et al. 2018): the model's weights in groups from the logits
// down — the classifier head first, then the convolution blocks, deepest first. Pure: works on a
// graph's node list or a layers model's layer list.
//
// A block is the group of convolutions that share a numbered name: the first name scope below the
// part all weight-bearing ops share (graphs: `expanded_conv_16/…`, `Conv_1/…`), or a Keras layer's
// name without its role suffix (`block_16_project` → `block_16`, `conv5_block3_2_conv` →
// `conv5_block3`). A model without such names gets one block per convolution.
import type { GraphNode } from '../camHead';

export interface WeightGroup {
  /** 'head', or the block's name. */
  name: string;
  /** Weight names (graph Const nodes, or Keras weight names). */
  weights: string[];
}

const baseName = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

/** A Keras-style layer name without its trailing role words, when a numbered part remains. */
export function blockKey(name: string): string {
  const words = name.replace(/(_[A-Za-z]+)+$/, '');
  // A trailing layer number inside a numbered block goes too (conv5_block3_2 → conv5_block3).
  const block = words.replace(/_\d+$/, '');
  if (/\d/.test(block)) return block;
  return /\d/.test(words) ? words : name;
}

/**
 * Graph models: the head is every weight read between `featureNode` (exclusive) and `logitsNode`;
 * blocks are the weight-reading ops that feed `featureNode`, deepest first, at most `blocks` of them.
 * `isWeight` says which Const nodes are trainable weights (float tensors, not shapes or axes).
 */
export function graphWeightGroups(nodes: GraphNode[], featureNode: string, logitsNode: string, isWeight: (name: string) => boolean, blocks = 3): WeightGroup[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const dataInputs = (n: GraphNode) => (n.input ?? []).filter((i) => !i.startsWith('^')).map(baseName);
  const weightsOf = (n: GraphNode) => dataInputs(n).filter(isWeight);

  // The ops that feed the feature node, in topological order (inputs before the ops reading them).
  const trunk: GraphNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const root = byName.get(name);
    if (!root || seen.has(name)) return;
    // Iterative post-order: models have hundreds of nodes in a chain.
    const stack: [GraphNode, number][] = [[root, 0]];
    seen.add(name);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const inputs = dataInputs(top[0]);
      if (top[1] < inputs.length) {
        const next = byName.get(inputs[top[1]++]);
        if (next && !seen.has(next.name) && next.op !== 'Const') {
          seen.add(next.name);
          stack.push([next, 0]);
        }
      } else {
        trunk.push(top[0]);
        stack.pop();
      }
    }
  };
  visit(featureNode);

  const head: string[] = [];
  for (let node = byName.get(logitsNode); node && node.name !== featureNode && !seen.has(node.name); ) {
    head.unshift(...weightsOf(node));
    // The head's data path: the input that leads back towards the features.
    node = dataInputs(node).map((i) => byName.get(i)).find((n) => n && n.op !== 'Const');
  }

  const weighted = trunk.filter((n) => weightsOf(n).length > 0).reverse();
  const prefix = sharedScope(weighted.map((n) => n.name));
  const groups: WeightGroup[] = head.length > 0 ? [{ name: 'head', weights: [...new Set(head)] }] : [];
  const byBlock = new Map<string, WeightGroup>();
  for (const op of weighted) {
    const parts = op.name.split('/');
    let depth = 0;
    while (depth < prefix.length && parts[depth] === prefix[depth]) depth++;
    const key = blockKey(depth < parts.length - 1 ? parts[depth] : parts[parts.length - 1]);
    let group = byBlock.get(key);
    if (!group) {
      if (byBlock.size === blocks) break;
      group = { name: key, weights: [] };
      byBlock.set(key, group);
      groups.push(group);
    }
    for (const w of weightsOf(op)) if (!group.weights.includes(w)) group.weights.push(w);
  }
  return groups;
}

/**
 * The name scopes nearly all weight-bearing ops share (90 %: an input-scaling op in a scope of its
 * own, as TF Hub's `hub_input/Mul`, must not hide the model's own scope); never an op's last part.
 */
function sharedScope(names: string[]): string[] {
  const parts = names.map((n) => n.split('/'));
  const prefix: string[] = [];
  for (;;) {
    const depth = prefix.length;
    const counts = new Map<string, number>();
    for (const p of parts) if (depth < p.length - 1 && prefix.every((c, i) => p[i] === c)) counts.set(p[depth], (counts.get(p[depth]) ?? 0) + 1);
    const [best, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    if (count < 0.9 * parts.length) return prefix;
    prefix.push(best);
  }
}

/** What the layers cascade needs of a layer, in the model's (topological) order. */
export interface WeightedLayer {
  name: string;
  /** A convolution or dense layer (its kernel and bias are randomised; normalisation layers are kept). */
  trainable: boolean;
  weights: string[];
}

/** Layers models: the head is the weights of `headLayers` (after the CAM layer); blocks walk back from `featureLayer`. */
export function layersWeightGroups(layers: WeightedLayer[], featureLayer: string, headLayers: string[], blocks = 3): WeightGroup[] {
  const head = layers.filter((l) => headLayers.includes(l.name) && l.trainable).flatMap((l) => l.weights);
  const groups: WeightGroup[] = head.length > 0 ? [{ name: 'head', weights: head }] : [];
  const end = layers.findIndex((l) => l.name === featureLayer);
  const byBlock = new Map<string, WeightGroup>();
  for (let i = end; i >= 0; i--) {
    const layer = layers[i];
    if (!layer.trainable || layer.weights.length === 0) continue;
    const key = blockKey(layer.name);
    let group = byBlock.get(key);
    if (!group) {
      if (byBlock.size === blocks) break;
      group = { name: key, weights: [] };
      byBlock.set(key, group);
      groups.push(group);
    }
    group.weights.push(...layer.weights);
  }
  return groups;
}
