// Finds, from a tfjs graph model's topology alone, the two things exact CAM needs:
// the 4-D activation that feeds global average pooling, and the weight matrix of the single
// linear layer after the pooling. Works on the graph JSON, so it is pure and testable in Node.

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { list?: { i?: string[]; s?: string[] }; b?: boolean; i?: string; s?: string }>;
}

export interface CamHead {
  /** Node whose output is the 4-D feature maps A (NHWC). */
  featureNode: string;
  /** Pooling node; `poolKernel` is its window for AvgPool (must equal A's H×W at run time), null for Mean. */
  poolNode: string;
  poolKernel: [number, number] | null;
  /** For Mean pooling, the Const node with its axes (must be the spatial axes [1, 2], checked on load). */
  poolAxesNode: string | null;
  /** Const node holding the class weights; `weightLayout` tells how to read column c. */
  weightNode: string;
  weightLayout: 'KC' /* [K, C] matmul */ | 'CK' /* [C, K] transposed matmul */ | 'conv1x1' /* [1,1,K,C] */;
  /** Node whose output is the logits (pre-softmax), shape [1, C]-like. */
  logitsNode: string;
  /** What the model applies to the logits to get its scores. */
  outputActivation: 'softmax' | 'sigmoid' | 'none';
}

export class CamHeadError extends Error {}

/** Ops that pass a tensor through without changing what CAM needs. */
const PASS_THROUGH = new Set(['Identity', 'Squeeze', 'Reshape', 'StopGradient', 'Snapshot']);
const BIAS_OPS = new Set(['BiasAdd', 'Add', 'AddV2']);

/** Node name as referenced by an input ("name:1" and "^ctrl" forms are normalised). */
function baseName(input: string): string {
  return input.replace(/^\^/, '').replace(/:\d+$/, '');
}

/** Graph JSON stores string attributes base64-encoded. */
export function decodeAttrString(s: string): string {
  return typeof atob === 'function' ? atob(s) : Buffer.from(s, 'base64').toString('utf8');
}

export function findCamHead(nodes: GraphNode[]): CamHead {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    for (const input of n.input ?? []) {
      if (input.startsWith('^')) continue;
      const list = consumers.get(baseName(input)) ?? [];
      list.push(n);
      consumers.set(baseName(input), list);
    }
  }
  /** The single consumer of a node's output; undefined for a graph output; throws when it fans out. */
  const onlyConsumer = (name: string): GraphNode | undefined => {
    const list = consumers.get(name) ?? [];
    if (list.length > 1) throw new CamHeadError(`${name} feeds ${list.length} layers, not a single linear head`);
    return list[0];
  };
  const isConst = (name: string) => byName.get(baseName(name))?.op === 'Const';

  const pools = nodes.filter((n) => isGlobalPool(n, byName));
  if (pools.length === 0) throw new CamHeadError('no global average pooling found: exact CAM needs conv → global average pool → linear layer');
  // Converter output is not topologically ordered, so try every pooling: squeeze-excite poolings fail
  // (their 1×1 convs fuse a non-linearity or fan out), and the classifier's head must be unique.
  const failures: string[] = [];
  const heads: CamHead[] = [];
  for (const pool of pools) {
    try {
      heads.push(headAfterPool(pool, onlyConsumer, isConst, byName));
    } catch (e) {
      failures.push(`${pool.name}: ${(e as Error).message}`);
    }
  }
  if (heads.length === 1) return heads[0];
  if (heads.length > 1) throw new CamHeadError(`${heads.length} poolings each end in a linear layer: cannot tell which is the classifier`);
  throw new CamHeadError(`no pooling is followed by a single linear layer (${failures.join('; ')})`);
}

function isGlobalPool(n: GraphNode, byName: Map<string, GraphNode>): boolean {
  if (n.op === 'AvgPool') return true; // window checked against the activation size at run time
  if (n.op === 'Mean' && n.input && n.input.length >= 2) {
    const axes = byName.get(baseName(n.input[1]));
    // Spatial mean over NHWC axes 1 and 2; the axis constant's value is a weight, checked once it is loaded.
    return axes?.op === 'Const';
  }
  return false;
}

function headAfterPool(
  pool: GraphNode,
  onlyConsumer: (name: string) => GraphNode | undefined,
  isConst: (name: string) => boolean,
  byName: Map<string, GraphNode>,
): CamHead {
  const featureNode = baseName(pool.input![0]);
  if (!byName.has(featureNode)) throw new CamHeadError(`pool input ${featureNode} missing from graph`);
  let poolKernel: [number, number] | null = null;
  const poolAxesNode = pool.op === 'Mean' ? baseName(pool.input![1]) : null;
  if (pool.op === 'AvgPool') {
    const k = (pool.attr?.ksize?.list?.i ?? []).map(Number);
    if (k.length !== 4) throw new CamHeadError('AvgPool without a 4-D ksize');
    poolKernel = [k[1], k[2]];
  }

  let current = pool;
  let next = onlyConsumer(current.name);
  while (next && PASS_THROUGH.has(next.op)) {
    current = next;
    next = onlyConsumer(current.name);
  }
  if (!next) throw new CamHeadError('pooled features feed more than one layer (or none)');

  let weightNode: string;
  let weightLayout: CamHead['weightLayout'];
  let fusedBias = false;
  if (next.op === 'MatMul' || next.op === '_FusedMatMul') {
    if (next.attr?.transpose_a?.b) throw new CamHeadError('linear layer transposes its input');
    const w = next.input?.[1];
    if (!w || !isConst(w)) throw new CamHeadError('linear layer weights are not a constant');
    weightNode = baseName(w);
    weightLayout = next.attr?.transpose_b?.b ? 'CK' : 'KC';
    if (next.op === '_FusedMatMul') {
      const fused = (next.attr?.fused_ops?.list?.s ?? []).map(decodeAttrString);
      if (fused.some((op) => op !== 'BiasAdd')) throw new CamHeadError(`linear layer fuses a non-linearity (${fused.join(', ')})`);
      fusedBias = fused.includes('BiasAdd');
    }
  } else if (next.op === 'Conv2D' || next.op === '_FusedConv2D') {
    // A 1×1 convolution applied to a 1×1 pooled map is a linear layer (TF Hub classification heads).
    const w = next.input?.[1];
    if (!w || !isConst(w)) throw new CamHeadError('1×1 conv head weights are not a constant');
    weightNode = baseName(w);
    weightLayout = 'conv1x1';
    if (next.op === '_FusedConv2D') {
      const fused = (next.attr?.fused_ops?.list?.s ?? []).map(decodeAttrString);
      if (fused.some((op) => op !== 'BiasAdd')) throw new CamHeadError(`1×1 conv head fuses a non-linearity (${fused.join(', ')})`);
      fusedBias = fused.includes('BiasAdd');
    }
  } else {
    throw new CamHeadError(`pooling is followed by ${next.op}, not a linear layer`);
  }

  let logits = next;
  const after = onlyConsumer(logits.name);
  if (!fusedBias && after && BIAS_OPS.has(after.op) && after.input?.some((i) => isConst(i))) logits = after;
  // Squeeze/Reshape/Identity after the linear layer only change the shape of the logits.
  let tail = onlyConsumer(logits.name);
  while (tail && PASS_THROUGH.has(tail.op)) {
    logits = tail;
    tail = onlyConsumer(logits.name);
  }
  if (tail && tail.op !== 'Softmax' && tail.op !== 'Sigmoid') {
    throw new CamHeadError(`linear layer is followed by ${tail.op}: the head is not a single linear layer`);
  }
  const outputActivation = tail?.op === 'Softmax' ? 'softmax' : tail?.op === 'Sigmoid' ? 'sigmoid' : 'none';
  return { featureNode, poolNode: pool.name, poolKernel, poolAxesNode, weightNode, weightLayout, logitsNode: logits.name, outputActivation };
}
