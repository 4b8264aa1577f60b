import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { mostSpikesPerAxon } from '../../simulator/packed-conv.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { simulateImages } from '../../simulator/simulate.js';
import { ChipWasm } from '../../simulator/wasm/chip-wasm.js';
import { lcg, syntheticModel } from '../compiler/helpers.js';

/**
 * A conv layer whose every axon has one source neuron takes its spikes as WebAssembly events of value 1 straight
 * from the spike list (ChipSimulator.gatherEvents); one behind a pooling window sums them per axon first. Both give
 * the result object of the scalar TypeScript delivery, which is pinned to chips/ by the kernel tests.
 */
describe('spikes delivered as events straight from the spike list', () => {
  const previous = process.env.SPIKECHIP_NO_WASM;
  afterEach(() => {
    if (previous === undefined) delete process.env.SPIKECHIP_NO_WASM;
    else process.env.SPIKECHIP_NO_WASM = previous;
  });

  it('gives the scalar delivery’s result object, with and without pooling, on any small conv network', () => {
    const spec = getChip('loihi2');
    const shapes = fc.record({
      seed: fc.integer({ min: 1, max: 1000 }),
      pool: fc.constantFrom(1, 2),
      conv1Channels: fc.integer({ min: 2, max: 9 }),
      conv2Channels: fc.integer({ min: 2, max: 17 }),
      conv2Stride: fc.constantFrom(1, 2),
      threshold: fc.double({ min: 0.05, max: 0.6, noNaN: true }),
    });
    fc.assert(
      fc.property(shapes, ({ seed, pool, conv1Channels, conv2Channels, conv2Stride, threshold }) => {
        const model = syntheticModel({
          seed,
          pool,
          conv1Channels,
          conv2Channels,
          conv2Stride,
          input: [2, 10, 10],
          weightScale: 0.9,
          threshold: { kind: 'fixed', value: threshold },
        });
        const program = compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!;
        const count = 3;
        const next = lcg(seed);
        const size = program.input.shape.reduce((a, b) => a * b, 1);
        const images = Uint8Array.from({ length: count * size }, () => Math.floor(next() * 256));
        const run = (noWasm: boolean) => {
          if (noWasm) process.env.SPIKECHIP_NO_WASM = '1';
          else delete process.env.SPIKECHIP_NO_WASM;
          const runtime = buildRuntime(program, spec, 'synthetic.chip.pb');
          return { runtime, result: simulateImages(runtime, { images, labels: new Uint8Array(count), count, first: 0 }, 'direct', 1, undefined, ['all']) };
        };
        const scalar = run(true);
        const simd = run(false);
        expect(simd.result).toEqual(scalar.result);
        // conv2 reads lif1: one spike per axon without pooling, up to four behind a 2 x 2 window.
        const conv2 = simd.runtime.layers[1]!;
        expect(mostSpikesPerAxon(conv2)).toBe(pool * pool);
        expect(ChipWasm.create(simd.runtime, [])!.convEvents(1)).not.toBeNull();
      }),
      { numRuns: 12 },
    );
  });
});
