import fc from 'fast-check';
import { zipSync } from 'fflate';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCifarBinary } from '../../models/datasets/cifar-binary.js';
import { parseCifarPickle } from '../../models/datasets/cifar-python.js';
import { parseAedat2 } from '../../models/datasets/events/aedat2.js';
import { parseAedat3 } from '../../models/datasets/events/aedat3.js';
import { parseGestureCsv } from '../../models/datasets/dvs128-gesture.js';
import { encodeNpy, parseNpy } from '../../models/datasets/npy.js';
import { parseNpz } from '../../models/datasets/npz.js';
import { parseF32 } from '../../models/datasets/raw-f32.js';
import { ModelError } from '../../models/errors.js';
import { aedat3File } from '../helpers/aedat3.js';
import { aedat2File, cifarPickle, scratchDir, testPixels, writeFile } from '../helpers/datasets.js';

const NUM_RUNS = 300;

/** The only acceptable outcomes: a result, or a ModelError that names the file. */
function readsOrRejectsCleanly(file: string, read: () => unknown): void {
  try {
    read();
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    expect(error.source.startsWith(file)).toBe(true);
  }
}

type Mutation = { kind: 'set'; at: number; value: number } | { kind: 'truncate'; at: number } | { kind: 'append'; bytes: Uint8Array } | { kind: 'delete'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let parts: Uint8Array = Uint8Array.from(bytes);
  const indexFor = (at: number) => (parts.length === 0 ? 0 : at % parts.length);
  for (const m of mutations) {
    if (m.kind === 'set') {
      if (parts.length > 0) parts[indexFor(m.at)] = m.value;
    } else if (m.kind === 'truncate') parts = parts.slice(0, indexFor(m.at));
    else if (m.kind === 'append') parts = Buffer.concat([parts, m.bytes]);
    else {
      const at = indexFor(m.at);
      parts = Buffer.concat([parts.subarray(0, at), parts.subarray(at + 1)]);
    }
  }
  return Uint8Array.from(parts);
}

/** Mutations biased towards headers, where lengths and shapes live. */
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });
const headerMutations = (headerBytes: number) =>
  fc.array(fc.oneof(fc.record({ kind: fc.constant('set' as const), at: fc.integer({ min: 0, max: headerBytes - 1 }), value: fc.integer({ min: 0, max: 255 }) }), mutation), {
    minLength: 1,
    maxLength: 4,
  });

function fuzz(file: string, valid: Uint8Array, read: (bytes: Uint8Array) => unknown, headerBytes = 64): void {
  fc.assert(
    fc.property(headerMutations(Math.min(headerBytes, valid.length)), (ms) => readsOrRejectsCleanly(file, () => read(mutate(valid, ms)))),
    { numRuns: NUM_RUNS },
  );
  fc.assert(
    fc.property(mutations, (ms) => readsOrRejectsCleanly(file, () => read(mutate(valid, ms)))),
    { numRuns: NUM_RUNS },
  );
}

describe('dataset readers on hostile input', () => {
  it('CIFAR binary: random bytes and damaged records', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 7000 }), fc.constantFrom('cifar10' as const, 'cifar100' as const), (bytes, variant) =>
        readsOrRejectsCleanly('r.bin', () => parseCifarBinary(bytes, variant, 'r.bin')),
      ),
      { numRuns: 100 },
    );
  });

  it('CIFAR python: damaged pickles (Python 2 and 3 styles) and random bytes behind a protocol-2 header', () => {
    for (const style of ['python2', 'python3'] as const) {
      const valid = cifarPickle({ images: testPixels(1, 3072), labels: [4], labelKey: 'labels', style });
      fuzz('p.pkl', valid, (bytes) => parseCifarPickle(bytes, undefined, 'p.pkl'), 400);
      // The tail (after the array bytes) holds the label list and the dict's SETITEMS.
      const tailStart = valid.length - 60;
      fc.assert(
        fc.property(fc.integer({ min: tailStart, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
          const bytes = valid.slice();
          bytes[at] = value;
          readsOrRejectsCleanly('p.pkl', () => parseCifarPickle(bytes, undefined, 'p.pkl'));
        }),
        { numRuns: NUM_RUNS },
      );
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (rest) => readsOrRejectsCleanly('r.pkl', () => parseCifarPickle(Uint8Array.from([0x80, 0x02, ...rest]), undefined, 'r.pkl'))),
      { numRuns: NUM_RUNS },
    );
  });

  it('.npy: damaged headers and data', () => {
    const valid = encodeNpy('<f4', [2, 3], new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer));
    fuzz('a.npy', valid, (bytes) => parseNpy(bytes, 'a.npy'), 128);
  });

  it('.npz: damaged archives', () => {
    const x = encodeNpy('<f4', [2, 3], new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer));
    const y = encodeNpy('|u1', [2], Uint8Array.from([0, 1]));
    for (const level of [0, 6] as const) fuzz('a.npz', zipSync({ 'x.npy': x, 'y.npy': y }, { level }), (bytes) => parseNpz(bytes, 'a.npz'), 400);
  });

  it('.f32: any length, with and without a shape in the name', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('a.f32', 'a-2x3.f32', 'a-0x3.f32'), (bytes, name) =>
        readsOrRejectsCleanly(name, () => parseF32(bytes, name, [3])),
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('AEDAT 2: damaged recordings', () => {
    fuzz(
      'a.aedat',
      aedat2File([
        { x: 1, y: 2, p: 1, t: 3 },
        { x: 100, y: 50, p: 0, t: 9 },
      ]),
      (bytes) => parseAedat2(bytes, 'a.aedat'),
      80,
    );
  });

  it('AEDAT 3 read as spikingjelly does (every slot): damaged recordings', () => {
    const valid = aedat3File([
      {
        type: 1,
        events: [
          { x: 1, y: 2, p: 1, t: 3 },
          { x: 5, y: 6, p: 0, t: 9, valid: false },
        ],
        spare: 2,
      },
      { type: 2, size: 40, count: 1 },
    ]);
    fuzz('a.aedat', valid, (bytes) => parseAedat3(bytes, 'a.aedat', { asSpikingjelly: true }), 120);
  });

  it('DVS128 Gesture label files: any text', () => {
    const dir = scratchDir('csv-fuzz');
    const path = join(dir, 'user01_led_labels.csv');
    const row = fc.tuple(fc.integer({ min: -2, max: 13 }), fc.nat(), fc.nat()).map(([c, a, b]) => `${c},${a},${b}`);
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(row, { maxLength: 6 }).map((rows) => ['class,startTime_usec,endTime_usec', ...rows].join('\n')),
    );
    fc.assert(
      fc.property(text, (content) => {
        writeFile(path, content);
        readsOrRejectsCleanly(path, () => parseGestureCsv(path));
      }),
      { numRuns: 100 },
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
