// The WASM backend has no kernels for three convolution gradients, and one it has is wrong: its
// MaxPoolGrad drops the gradient of windows whose values are all ≤ 0 (every window of zeros after a
// ReLU) and sends tied maxima's gradient to another element than the CPU backend and TensorFlow do
// (the first maximum). Gradients at the default CAM layer never reach a convolution, but from an
// earlier layer (the popup's Layer menu) they pass through several, and heads with local max-pools
// reach MaxPoolGrad. These kernels run the CPU backend's implementation on the same data instead.
// Every kernel the methods' gradients reach on typical heads was compared with the CPU backend on
// inputs with ties (test/unit/wasmKernels.test.ts); MaxPoolGrad is the only one that differed.
//
// tfjs's fused convolutions (what converted graphs run) compute the filter gradient along with the
// input gradient, and the filter gradient is by far the costlier (≈ 96 % of a Grad-CAM backward pass
// from a 14×14 layer, measured). The methods differentiate with respect to activations only, so the
// weights' gradients are thrown away: inside `withoutWeightGradients` they are not computed at all.
import * as tf from '@tensorflow/tfjs';
import type { DataId, DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/** Kernels reached by gradients through (depthwise) convolutions that tfjs-backend-wasm 4.x lacks. */
export const WASM_MISSING_GRADIENT_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
/** Kernels tfjs-backend-wasm 4.22 has but computes wrongly (replaced even though WASM registers them). */
export const WASM_WRONG_GRADIENT_KERNELS = ['MaxPoolGrad'];
/** The ones that give a weight's gradient. */
const WEIGHT_GRADIENT_KERNELS = new Set(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter']);

let weightGradientsUnused = false;

/**
 * Runs `fn` (a gradient computation with respect to activations only) with the weights' gradients
 * left as zeros on WASM instead of computed: nothing reads them. Other backends are unaffected.
 */
export function withoutWeightGradients<T>(fn: () => T): T {
  const outer = weightGradientsUnused;
  weightGradientsUnused = true;
  try {
    return fn();
  } finally {
    weightGradientsUnused = outer;
  }
}

/** The parts of the two backends these kernels use. */
interface DataBackend {
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: DataType): DataId;
  readSync(dataId: DataId): tf.backend_util.BackendValues;
}
interface CpuBackend extends DataBackend {
  disposeData(dataId: DataId): boolean;
}
interface WasmBackend extends DataBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.backend_util.TypedArray;
}

/** The kernel functions registered here (registering twice must not replace our own). */
const ours = new Set<KernelFunc>();

export function registerWasmGradientFallbacks(): void {
  for (const kernelName of [...WASM_MISSING_GRADIENT_KERNELS, ...WASM_WRONG_GRADIENT_KERNELS]) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing && (ours.has(existing.kernelFunc) || !WASM_WRONG_GRADIENT_KERNELS.includes(kernelName))) continue; // ours already, or a later tfjs has it natively
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel) continue;
    const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmBackend;
      if (weightGradientsUnused && WEIGHT_GRADIENT_KERNELS.has(kernelName)) {
        const shape = (attrs as { filterShape: number[] }).filterShape;
        const zeros = wasm.makeOutput(shape, 'float32');
        wasm.typedArrayFromHeap(zeros).fill(0);
        return zeros;
      }
      const cpu = tf.findBackend('cpu') as unknown as CpuBackend;
      const cpuInputs: NamedTensorInfoMap = {};
      for (const [name, info] of Object.entries(inputs)) {
        if (info) cpuInputs[name] = { dataId: cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
      }
      const cpuOutput = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs: attrs as NamedAttrMap, backend: cpu as never }) as TensorInfo;
      const output = wasm.makeOutput(cpuOutput.shape, cpuOutput.dtype);
      wasm.typedArrayFromHeap(output).set(cpu.readSync(cpuOutput.dataId) as tf.backend_util.TypedArray);
      for (const info of [...Object.values(cpuInputs), cpuOutput]) if (info) cpu.disposeData(info.dataId);
      return output;
    };
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
