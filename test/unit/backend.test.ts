// Backend start-up order: WebGL is asked for first; when it cannot start, the next backend is used
// and the reason is reported (the popup shows it).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../src/background/backend';

describe('startBackend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('falls back from WebGL (unavailable in Node) to the next backend and says why', async () => {
    const info = await startBackend(['webgl', 'cpu']);
    expect(info.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.note).toMatch(/webgl/);
    expect(info.renderer).toBeNull();
  });

  it('reports no note when the first choice starts', async () => {
    const info = await startBackend(['cpu']);
    expect(info).toEqual({ backend: 'cpu', note: null, renderer: null });
  });

  it('fails with every reason when no backend starts', async () => {
    await expect(startBackend(['webgl'])).rejects.toThrow(/no TensorFlow\.js backend could start \(webgl/);
  });
});
