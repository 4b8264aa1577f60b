import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packConvSynapses, scatterPacked, unpackInto } from '../../simulator/packed-conv.js';
import type { LayerRuntime, SynapseTable } from '../../simulator/runtime.js';
import { scatter } from '../../simulator/scatter.js';

/**
 * A conv layer's synapse table over a P-position pooled grid: every position reaches a few (output position,
 * tap) pairs. Only the fields the scatter reads are filled in.
 */
function convLayer(inC: number, outC: number, taps: number, positions: number, pool: number, weights: number[], pairs: [number, number][][]): LayerRuntime {
  const start = new Int32Array(positions + 1);
  const outPosition: number[] = [];
  const tap: number[] = [];
  for (let p = 0; p < positions; p++) {
    start[p] = outPosition.length;
    for (const [o, k] of pairs[p] ?? []) {
      outPosition.push(o);
      tap.push(k);
    }
  }
  start[positions] = outPosition.length;
  const synapses: SynapseTable = {
    kind: 'conv',
    outChannels: outC,
    outPlane: positions,
    taps,
    start,
    outPosition: Int32Array.from(outPosition),
    tap: Int32Array.from(tap),
    weights: Int32Array.from(weights),
    pooledPlane: positions,
  };
  const axons = inC * positions;
  // `pool` source neurons per axon: the largest spike count one axon can carry in a step.
  const axonOf = Int32Array.from({ length: axons * pool }, (_, i) => Math.floor(i / pool));
  return { synapses, axonOf, axonSpikes: new Int32Array(axons), neurons: positions * outC, accumulator: new Int32Array(positions * outC) } as unknown as LayerRuntime;
}

const layerCase = fc
  .record({
    inC: fc.integer({ min: 1, max: 3 }),
    half: fc.integer({ min: 1, max: 3 }),
    taps: fc.integer({ min: 1, max: 4 }),
    positions: fc.integer({ min: 1, max: 5 }),
    pool: fc.integer({ min: 1, max: 4 }),
  })
  .chain((shape) => {
    const outC = 2 * shape.half;
    // Weights up to the largest magnitude the 16-bit lanes can take for this fan-in, so sums reach the lane edges.
    const limit = Math.floor((2 ** 15 - 1) / (shape.inC * shape.taps * shape.pool));
    return fc.record({
      shape: fc.constant({ ...shape, outC }),
      weights: fc.array(fc.oneof(fc.integer({ min: -limit, max: limit }), fc.constantFrom(-limit, limit)), {
        minLength: shape.inC * shape.taps * outC,
        maxLength: shape.inC * shape.taps * outC,
      }),
      // As in a convolution, an output position gets each tap from at most one source position.
      links: fc.uniqueArray(fc.tuple(fc.nat(shape.positions - 1), fc.nat(shape.taps - 1), fc.nat(shape.positions - 1)), { selector: ([o, k]) => o * shape.taps + k }),
      events: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: shape.pool })), { maxLength: 12 }),
    });
  });

describe('packed conv scatter (two channels per 32-bit word)', () => {
  it('gives the same sums as the plain scatter, up to the 16-bit lane limits', () => {
    fc.assert(
      fc.property(layerCase, ({ shape, weights, links, events }) => {
        const pairs = Array.from({ length: shape.positions }, (_, q) => links.filter(([, , p]) => p === q).map(([o, k]) => [o, k] as [number, number]));
        const plain = convLayer(shape.inC, shape.outC, shape.taps, shape.positions, shape.pool, weights, pairs);
        const fast = convLayer(shape.inC, shape.outC, shape.taps, shape.positions, shape.pool, weights, pairs);
        const packed = packConvSynapses(fast);
        expect(packed).not.toBeNull();
        const axons = shape.inC * shape.positions;
        // One step delivers each axon at most once, with at most `pool` spikes.
        const seen = new Set<number>();
        for (const [a, value] of events) {
          const axon = a % axons;
          if (seen.has(axon)) continue;
          seen.add(axon);
          scatter(plain, axon, value, true);
          scatterPacked(fast, packed!, axon, value);
        }
        unpackInto(packed!, fast.accumulator);
        expect([...fast.accumulator]).toEqual([...plain.accumulator]);
        expect(packed!.accumulator.every((w) => w === 0)).toBe(true);
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  it('refuses a layer whose sums could leave a 16-bit lane, or with an odd channel count', () => {
    const pairs: [number, number][][] = [[[0, 0]]];
    expect(packConvSynapses(convLayer(1, 2, 1, 1, 4, [8191, 1], pairs))).not.toBeNull();
    expect(packConvSynapses(convLayer(1, 2, 1, 1, 4, [8192, 1], pairs))).toBeNull();
    expect(packConvSynapses(convLayer(1, 2, 1, 1, 1, [1, -32768], pairs))).toBeNull();
    expect(packConvSynapses(convLayer(1, 3, 1, 1, 1, [1, 1, 1], pairs))).toBeNull();
  });
});
