// Choosing the TensorFlow.js backend by measurement: the fastest one that works on this machine
// (WebGL with a real GPU, WASM where WebGL is software-rendered), cached per browser version.
import type { Translate } from './i18n';

export const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendSetting = BackendName | 'auto';

/** Fallback order when the chosen backend cannot start. */
export const FALLBACK_ORDER: BackendName[] = ['webgl', 'wasm', 'cpu'];

export interface BackendMeasurement {
  backend: BackendName;
  /** Median time of the micro-benchmark, null when the backend could not run it. */
  ms: number | null;
  error?: string;
  /** WebGL / WebGPU adapter description. */
  renderer?: string | null;
  /** Started but not measured: it renders on the CPU, and WebAssembly (always faster then) runs. */
  skipped?: 'software';
}

/**
 * Whether a GPU backend that started on `renderer` need not be measured: a software rasteriser
 * (SwiftShader, llvmpipe) is many times slower than WebAssembly SIMD on the same CPU (see
 * BENCHMARKS.md), and compiling its shaders is most of a first explanation's wait (~1 s here).
 * Only while WebAssembly runs: without it, software WebGL still beats the plain CPU backend.
 */
export function skipsMeasuring(backend: BackendName, renderer: string | null | undefined, measured: BackendMeasurement[]): boolean {
  const gpu = backend === 'webgl' || backend === 'webgpu';
  return gpu && isSoftwareRenderer(renderer) && measured.some((m) => m.backend === 'wasm' && m.ms !== null);
}

export interface BackendDecision {
  /** Browser name and version the measurement belongs to: a new browser version measures again. */
  browser: string;
  choice: BackendName;
  measurements: BackendMeasurement[];
  measuredAt: number;
}

/** The fastest backend that ran; ties go to the earlier one in BACKEND_NAMES; CPU when none ran. */
export function pickFastest(measurements: BackendMeasurement[]): BackendName {
  let best: BackendMeasurement | null = null;
  for (const name of BACKEND_NAMES) {
    const m = measurements.find((x) => x.backend === name);
    if (m?.ms == null || !Number.isFinite(m.ms)) continue;
    if (!best || m.ms < best.ms!) best = m;
  }
  return best?.backend ?? 'cpu';
}

/** Software rasterisers make WebGL slow: worth saying in the popup. */
export function isSoftwareRenderer(renderer: string | null | undefined): boolean {
  return !!renderer && /swiftshader|llvmpipe|softpipe|software|basic render driver|microsoft basic/i.test(renderer);
}

export function decisionIsCurrent(decision: BackendDecision | null | undefined, browser: string): decision is BackendDecision {
  return !!decision && decision.browser === browser && BACKEND_NAMES.includes(decision.choice);
}

/** Backends to try in order: the chosen (or user-set) one first, then the usual fallbacks. */
export function preferenceFor(first: BackendName): BackendName[] {
  return [first, ...FALLBACK_ORDER.filter((b) => b !== first)];
}

const LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

export function backendLabel(name: string): string {
  return LABELS[name as BackendName] ?? name;
}

/** One line per measurement, fastest first: "WebAssembly 9 ms · WebGL (SwiftShader, software) 61 ms · WebGPU unavailable". */
export function describeMeasurements(measurements: BackendMeasurement[], t: Translate): string {
  const ran = measurements.filter((m) => m.ms != null).sort((a, b) => a.ms! - b.ms!);
  const skipped = measurements.filter((m) => m.ms == null && m.skipped);
  const failed = measurements.filter((m) => m.ms == null && !m.skipped);
  const label = (m: BackendMeasurement) =>
    `${backendLabel(m.backend)}${m.renderer ? ` (${isSoftwareRenderer(m.renderer) ? t('backendSoftwareRenderer', shortRenderer(m.renderer)) : shortRenderer(m.renderer)})` : ''}`;
  return [
    ...ran.map((m) => `${label(m)} ${Math.round(m.ms!)} ms`),
    ...skipped.map((m) => t('backendNotMeasured', label(m))),
    ...failed.map((m) => t('backendUnavailable', backendLabel(m.backend))),
  ].join(' · ');
}

function shortRenderer(renderer: string): string {
  const known = renderer.match(/swiftshader|llvmpipe|nvidia[^,)]*|amd[^,)]*|radeon[^,)]*|intel[^,)]*|apple[^,)]*|mali[^,)]*|adreno[^,)]*/i);
  return known ? known[0].trim() : renderer.slice(0, 40);
}

/** "Chrome/156.0.1.2" style identity from a user agent (the part that changes with browser updates). */
export function browserIdentity(userAgent: string): string {
  const match = userAgent.match(/(Firefox|Edg|OPR|Chrome|Chromium|Safari)\/[\d.]+/);
  return match ? match[0] : userAgent;
}
