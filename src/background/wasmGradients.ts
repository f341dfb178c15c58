// The WASM backend has no kernels for three convolution gradients. Gradients at the default CAM
// layer never reach a convolution, but from an earlier layer (the popup's Layer menu) they pass
// through several. These kernels run the CPU backend's implementation on the same data instead.
//
// tfjs's fused convolutions (what converted graphs run) compute the filter gradient along with the
// input gradient, and the filter gradient is by far the costlier (≈ 96 % of a Grad-CAM backward pass
// from a 14×14 layer, measured). The methods differentiate with respect to activations only, so the
// weights' gradients are thrown away: inside `withoutWeightGradients` they are not computed at all.
import * as tf from '@tensorflow/tfjs';
import type { DataId, DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/** Kernels reached by gradients through (depthwise) convolutions that tfjs-backend-wasm 4.x lacks. */
export const WASM_MISSING_GRADIENT_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
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

export function registerWasmGradientFallbacks(): void {
  for (const kernelName of WASM_MISSING_GRADIENT_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm')) continue; // a later tfjs has it natively
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
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
