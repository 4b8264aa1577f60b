import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerRuntime, SynapseTable } from '../../simulator/runtime.js';
import { isDiagonalTable, scatter, scatterDiagonal } from '../../simulator/scatter.js';

/**
 * A 1x1 conv over `positions` pooled positions (stride s: position p reaches output p / s when s divides it), with
 * weights [inChannel][outChannel] zero off the diagonal unless `offDiagonal` is set. Only what the scatter reads.
 */
function diagonalLayer(channels: number, positions: number, stride: number, diagonal: number[], offDiagonal: number): LayerRuntime {
  const start = new Int32Array(positions + 1);
  const outPosition: number[] = [];
  for (let p = 0; p < positions; p++) {
    start[p] = outPosition.length;
    if (p % stride === 0) outPosition.push(p / stride);
  }
  start[positions] = outPosition.length;
  const weights = new Int32Array(channels * channels);
  for (let c = 0; c < channels; c++) weights[c * channels + c] = diagonal[c]!;
  if (channels > 1) weights[1] = offDiagonal;
  const synapses: SynapseTable = {
    kind: 'conv',
    outChannels: channels,
    outPlane: Math.ceil(positions / stride),
    taps: 1,
    start,
    outPosition: Int32Array.from(outPosition),
    tap: new Int32Array(outPosition.length),
    weights,
    pooledPlane: positions,
  };
  return { name: 'branch', synapses, accumulator: new Int32Array(Math.ceil(positions / stride) * channels) } as unknown as LayerRuntime;
}

const caseArb = fc
  .record({ channels: fc.integer({ min: 1, max: 9 }), positions: fc.integer({ min: 1, max: 12 }), stride: fc.integer({ min: 1, max: 3 }) })
  .chain(({ channels, positions, stride }) =>
    fc.record({
      channels: fc.constant(channels),
      positions: fc.constant(positions),
      stride: fc.constant(stride),
      diagonal: fc.array(fc.integer({ min: -(2 ** 23), max: 2 ** 23 }), { minLength: channels, maxLength: channels }),
      events: fc.array(fc.tuple(fc.nat(channels * positions - 1), fc.integer({ min: -(2 ** 20), max: 2 ** 20 })), { maxLength: 40 }),
      start: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 1 }),
    }),
  );

describe('scatterDiagonal: a diagonal 1x1 conv (an identity shortcut) delivered one channel per axon', () => {
  it('gives the accumulator of the full-row scatter, wrapping alike, on both product paths', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), ({ channels, positions, stride, diagonal, events, start }, exact) => {
        const full = diagonalLayer(channels, positions, stride, diagonal, 0);
        const one = diagonalLayer(channels, positions, stride, diagonal, 0);
        full.accumulator.fill(start[0]!);
        one.accumulator.fill(start[0]!);
        for (const [axon, value] of events) {
          scatter(full, axon, value, exact);
          scatterDiagonal(one, axon, value, exact);
        }
        expect([...one.accumulator]).toEqual([...full.accumulator]);
      }),
      { numRuns: 300 },
    );
  });

  it('is chosen only for a table that is diagonal', () => {
    expect(isDiagonalTable(diagonalLayer(3, 4, 1, [1, 2, 3], 0))).toBe(true);
    expect(isDiagonalTable(diagonalLayer(3, 4, 1, [1, 2, 3], 5))).toBe(false);
  });
});
