// Where a CPU profile's time went, by room: a V8 sampling profile (DevTools protocol Profiler.stop)
// summed by self time into the extension's own source files (through dist/'s source maps), the
// TensorFlow.js WebAssembly kernels, the browser's built-ins, garbage collection and idle.
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMapConsumer } from 'source-map-js';

/** Self time (ms) per place, largest first. */
export function profileByPlace(profile, distDir) {
  const maps = new Map();
  const mapFor = (url) => {
    const file = url.split('/').pop();
    if (!file?.endsWith('.js')) return null;
    if (!maps.has(file)) {
      const mapPath = path.join(distDir, `${file}.map`);
      maps.set(file, existsSync(mapPath) ? new SourceMapConsumer(JSON.parse(readFileSync(mapPath, 'utf8'))) : null);
    }
    return maps.get(file);
  };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000));
  const places = new Map();
  for (const [id, ms] of selfMs) {
    const place = placeOf(nodes.get(id).callFrame, mapFor);
    places.set(place, (places.get(place) ?? 0) + ms);
  }
  return [...places].sort((a, b) => b[1] - a[1]);
}

function placeOf(frame, mapFor) {
  const name = frame.functionName;
  if (name === '(idle)') return 'idle (waiting: decoding, network, messages)';
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'engine (outside any function)';
  if (frame.url.endsWith('.wasm')) return 'TensorFlow.js WebAssembly kernels';
  const map = frame.url && mapFor(frame.url);
  if (map) {
    const source = map.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber }).source ?? '';
    if (source.includes('node_modules/')) return `${source.split('node_modules/')[1].split('/').slice(0, source.includes('@') ? 2 : 1).join('/')} (JS)`;
    return source.replace(/^(\.\.\/)+/, '') || 'extension (unmapped)';
  }
  return `browser built-ins (${name || 'anonymous'})`;
}
