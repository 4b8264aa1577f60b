import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../models/errors.js';
import { encodeIdx, readIdx } from '../../models/datasets/idx.js';
import { allowedGrowth, memoryGrowthDuring, withBudget } from '../helpers/memory-growth.js';

const NUM_RUNS = 500;

/** The only acceptable outcomes: a consistent array, or a ModelError. Anything else fails the property. */
function readsOrRejectsCleanly(bytes: Uint8Array): void {
  try {
    const { dims, data } = readIdx(bytes, 'fuzz.idx');
    expect(data.length).toBe(dims.reduce((n, d) => n * d, 1));
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    expect(error.source).toBe('fuzz.idx');
  }
}

const validIdx = fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }).chain((dims) => {
  const length = dims.reduce((n, d) => n * d, 1);
  return fc.uint8Array({ minLength: length, maxLength: length }).map((data) => encodeIdx(dims, data));
});

type Mutation = { kind: 'set'; at: number; value: number } | { kind: 'truncate'; at: number } | { kind: 'append'; bytes: Uint8Array } | { kind: 'delete'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let result = Array.from(bytes);
  const indexFor = (at: number) => (result.length === 0 ? 0 : at % result.length);
  for (const m of mutations) {
    if (m.kind === 'set') result[indexFor(m.at)] = m.value;
    else if (m.kind === 'truncate') result = result.slice(0, indexFor(m.at));
    else if (m.kind === 'append') result.push(...m.bytes);
    else result.splice(indexFor(m.at), 1);
  }
  return Uint8Array.from(result);
}

describe('readIdx on hostile input', () => {
  it('returns or throws ModelError for random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), readsOrRejectsCleanly), { numRuns: NUM_RUNS });
  });

  it('returns or throws ModelError for random bytes behind an idx or gzip magic number', () => {
    const magic = fc.constantFrom([0, 0, 8, 1], [0, 0, 8, 3], [0x1f, 0x8b, 8, 0]);
    fc.assert(
      fc.property(magic, fc.uint8Array({ maxLength: 512 }), (prefix, rest) => readsOrRejectsCleanly(Uint8Array.from([...prefix, ...rest]))),
      { numRuns: NUM_RUNS },
    );
  });

  it('returns or throws ModelError for mutated raw idx files', () => {
    fc.assert(
      fc.property(validIdx, fc.array(mutation, { minLength: 1, maxLength: 4 }), (idx, mutations) => readsOrRejectsCleanly(mutate(idx, mutations))),
      { numRuns: NUM_RUNS },
    );
  });

  it('returns or throws ModelError for mutated gzip idx files', () => {
    fc.assert(
      fc.property(validIdx, fc.array(mutation, { minLength: 1, maxLength: 4 }), (idx, mutations) => readsOrRejectsCleanly(mutate(gzipSync(idx), mutations))),
      { numRuns: NUM_RUNS },
    );
  });

  it('reads every unmutated valid file back unchanged, raw or gzip', () => {
    fc.assert(
      fc.property(validIdx, fc.boolean(), (idx, compress) => {
        const { dims, data } = readIdx(compress ? gzipSync(idx) : idx, 'valid.idx');
        expect(encodeIdx(dims, data)).toEqual(idx);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('readIdx within the memory budget', () => {
  it('gzip streams whose trailer claims any size allocate no more than the budget allows', () => {
    const budgetMiB = 4;
    const MIB = 2 ** 20;
    withBudget(budgetMiB, () =>
      fc.assert(
        fc.property(fc.nat(64 * MIB), fc.double({ min: 0, max: 1, noNaN: true }), (length, claim) => {
          const bytes = gzipSync(encodeIdx([length], new Uint8Array(length)));
          // The trailer's size, anywhere up to what deflate could produce from these bytes.
          const declared = Math.min(2 ** 32 - 1, Math.floor(claim * bytes.length * 1032));
          new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, declared, true);
          return memoryGrowthDuring(() => readsOrRejectsCleanly(bytes)) <= allowedGrowth(budgetMiB);
        }),
        { numRuns: 30 },
      ),
    );
  });
});
