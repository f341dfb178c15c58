// Text for the popup's status lines (pure, so it is tested without a browser).
import type { Status } from '../core/messages';

export function describeBackend(status: Status): string {
  if (!status.modelLoaded || !status.backend) return 'starts with the first explanation';
  return status.backend === 'webgl' ? 'WebGL' : status.backend === 'wasm' ? 'WebAssembly' : 'CPU (slow)';
}

export function describeTimings(timings: Record<string, number> | null): string {
  if (!timings || timings.total === undefined) return 'none yet';
  const parts = Object.entries(timings)
    .filter(([name]) => name !== 'total')
    .map(([name, ms]) => `${name} ${Math.round(ms)}`);
  return `${Math.round(timings.total)} ms${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
