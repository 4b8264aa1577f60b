import { describe, expect, it } from 'vitest';
import { evaluate, EVALUATION_ACCUMULATION } from '../../models/reference/evaluate.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { lcg } from '../compiler/helpers.js';
import { frameModel } from '../helpers/frame-model.js';

describe('event frames: one input per time step', () => {
  const model = frameModel(5);
  const size = 32;
  const next = lcg(9);
  const frames = Float32Array.from({ length: 2 * 3 * size }, () => (next() > 0.6 ? Math.floor(next() * 3) : 0));

  it('step t reads frame t of every sample (the first stage sees each frame once)', () => {
    const seen: Float32Array[] = [];
    new ReferenceExecutor(model, 2).run(
      frames,
      2,
      'frozen',
      undefined,
      (index, _node, input, _output, batch, t) => {
        if (index === 0) seen[t] = input.slice(0, batch * size);
      },
      true,
    );
    for (let t = 0; t < 3; t++) {
      for (let b = 0; b < 2; b++) expect(Array.from(seen[t]!.subarray(b * size, (b + 1) * size))).toEqual(Array.from(frames.subarray((b * 3 + t) * size, (b * 3 + t + 1) * size)));
    }
  });

  it('frames that repeat one input give exactly the static run', () => {
    const image = frames.subarray(0, 2 * size);
    const repeated = new Float32Array(2 * 3 * size);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 3; t++) repeated.set(image.subarray(b * size, (b + 1) * size), (b * 3 + t) * size);
    const executor = new ReferenceExecutor(model, 2);
    const staticRun = executor.run(image, 2, 'frozen');
    const frameRun = executor.run(repeated, 2, 'frozen', undefined, undefined, true);
    expect(Array.from(frameRun.outputs)).toEqual(Array.from(staticRun.outputs));
    expect(frameRun.spikesPerLayerPerStep).toEqual(staticRun.spikesPerLayerPerStep);
  });

  it('evaluate takes samples of frames, in batches, as one run would', () => {
    const samples = {
      count: 2,
      labels: new Uint8Array([0, 1]),
      framesPerStep: true,
      toInput: (first: number, count: number, out: Float32Array) => out.set(frames.subarray(first * 3 * size, (first + count) * 3 * size)),
    };
    const whole = evaluate(model, samples, { mode: 'frozen', batch: 2, keepOutputs: true });
    const oneByOne = evaluate(model, samples, { mode: 'frozen', batch: 1, keepOutputs: true });
    expect(Array.from(oneByOne.outputs!)).toEqual(Array.from(whole.outputs!));
    const direct = new ReferenceExecutor(model, 2, undefined, EVALUATION_ACCUMULATION).run(frames, 2, 'frozen', undefined, undefined, true);
    expect(Array.from(whole.outputs!)).toEqual(Array.from(direct.outputs));
  });
});
