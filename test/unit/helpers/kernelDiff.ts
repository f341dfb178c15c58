// A differential check of the WASM backend against the CPU backend, kernel by kernel: every WASM
// kernel is wrapped so that, while recording, each call is repeated by the CPU backend's kernel on
// the same inputs and the outputs are compared. Used to find the kernels a computation reaches (e.g.
// the methods' backward pass) and which of them WASM gets wrong.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export interface KernelComparison {
  kernel: string;
  calls: number;
  /** Largest |wasm − cpu| / (1 + |cpu|) over all calls and elements. */
  maxRelDiff: number;
  /** No CPU kernel to compare with. */
  uncompared: boolean;
}

interface Backend {
  readSync(dataId: DataId): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: DataType): DataId;
  disposeData(dataId: DataId): boolean;
}

let recording: Map<string, KernelComparison> | null = null;
let skipped: ReadonlySet<string> = new Set();
let wrapped = false;

const copy = (values: tf.backend_util.BackendValues) => (ArrayBuffer.isView(values) ? (values as tf.backend_util.TypedArray).slice() : values);

function compare(kernel: string, inputs: Record<string, TensorInfo | undefined> | TensorInfo[], attrs: unknown, wasmOut: TensorInfo | TensorInfo[], wasm: Backend): void {
  const entry = recording!.get(kernel) ?? { kernel, calls: 0, maxRelDiff: 0, uncompared: false };
  recording!.set(kernel, entry);
  entry.calls++;
  if (skipped.has(kernel)) return;
  const cpuKernel = tf.getKernel(kernel, 'cpu');
  if (!cpuKernel) {
    entry.uncompared = true;
    return;
  }
  const cpu = tf.findBackend('cpu') as unknown as Backend;
  const toCpu = (info: TensorInfo): TensorInfo => ({ dataId: cpu.write(copy(wasm.readSync(info.dataId)), info.shape, info.dtype), shape: info.shape, dtype: info.dtype });
  // Most kernels take named inputs; Concat and its kin take a list.
  const cpuInputs = Array.isArray(inputs)
    ? inputs.map(toCpu)
    : Object.fromEntries(Object.entries(inputs).flatMap(([name, info]) => (info ? [[name, toCpu(info)]] : [])));
  const cpuOut = cpuKernel.kernelFunc({ inputs: cpuInputs as never, attrs: attrs as never, backend: cpu as never }) as TensorInfo | TensorInfo[];
  const wasmList = Array.isArray(wasmOut) ? wasmOut : [wasmOut];
  const cpuList = Array.isArray(cpuOut) ? cpuOut : [cpuOut];
  wasmList.forEach((w, i) => {
    const a = wasm.readSync(w.dataId) as ArrayLike<number>;
    const b = cpu.readSync(cpuList[i].dataId) as ArrayLike<number>;
    for (let j = 0; j < b.length; j++) {
      const d = Math.abs(Number(a[j]) - Number(b[j])) / (1 + Math.abs(Number(b[j])));
      if (d > entry.maxRelDiff || Number.isNaN(d)) entry.maxRelDiff = Number.isNaN(d) ? Infinity : d;
    }
  });
  for (const info of [...Object.values(cpuInputs), ...cpuList]) cpu.disposeData(info.dataId);
}

/** Wraps every kernel registered for WASM (call before the WASM backend starts) and starts the backend. */
export async function startComparingWasm(): Promise<void> {
  if (!wrapped) {
    for (const config of tf.getKernelsForBackend('wasm')) {
      const original = config.kernelFunc;
      const kernelFunc: KernelFunc = (args) => {
        const out = original(args) as TensorInfo | TensorInfo[];
        if (recording) compare(config.kernelName, args.inputs as Record<string, TensorInfo>, args.attrs, out, args.backend as unknown as Backend);
        return out;
      };
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel({ ...config, kernelFunc });
    }
    wrapped = true;
  }
  setWasmPaths(path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
}

/**
 * Runs `fn` on the current (WASM) backend and reports each kernel it called, compared with the CPU
 * backend (the `skip` ones only counted, not compared).
 */
export function compareKernels<T>(fn: () => T, skip: readonly string[] = []): { result: T; kernels: KernelComparison[] } {
  recording = new Map();
  skipped = new Set(skip);
  try {
    const result = fn();
    return { result, kernels: [...recording.values()] };
  } finally {
    recording = null;
  }
}
