import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ModelError } from '../../models/errors.js';
import { readPth, readStateDict, toFloat32 } from '../../models/pth/read-pth.js';
import { readTorchZip } from '../../models/pth/read-zip.js';
import { unpickle } from '../../models/pth/unpickle.js';
import { stateDictPickle, torchCheckpoint, type ZipRecord } from '../helpers/hostile-files.js';
import { allowedGrowth, memoryGrowthDuring, withBudget } from '../helpers/memory-growth.js';
import { deflateRawSync } from 'node:zlib';

/*
 * Every entry point must either return or throw ModelError on any input: never another exception type, never
 * a hang. A hang shows up as the test timing out.
 */

const fixturePath = (relative: string) => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
const FIXTURES = ['osr-fmnist-conv/checkpoint.pth', 'ratebp-fmnist-conv/checkpoint.pth'].map((relative) => {
  const path = fixturePath(relative);
  const bytes = new Uint8Array(readFileSync(path));
  return { path, bytes, archive: readTorchZip(bytes, path) };
});
const RUNS = { numRuns: 300 };
const TIMEOUT_MS = 60_000;

function returnsOrThrowsModelError(run: () => unknown): boolean {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
  }
  return true;
}

/** Loads like the importer will: the state dict, then every tensor as float32. */
function loadEverything(bytes: Uint8Array, file: string): void {
  for (const [name, tensor] of readStateDict(bytes, file)) toFloat32(tensor, name, file);
}

const concat = (head: readonly number[], tail: Uint8Array) => Uint8Array.of(...head, ...tail);

const mutation = (size: number, focusSize: number) =>
  fc.record({
    // Half the edits land in the leading records (data.pkl), which storages would otherwise drown out.
    position: fc.oneof(fc.nat({ max: Math.min(focusSize, size) - 1 }), fc.nat({ max: size - 1 })),
    value: fc.integer({ min: 0, max: 255 }),
  });

const mutatedCopy = (bytes: Uint8Array, focusSize: number) =>
  fc.tuple(fc.array(mutation(bytes.length, focusSize), { minLength: 1, maxLength: 8 }), fc.option(fc.nat({ max: bytes.length }), { freq: 4 })).map(([edits, truncateAt]) => {
    const copy = bytes.slice(0, truncateAt ?? bytes.length);
    for (const { position, value } of edits) if (position < copy.length) copy[position] = value;
    return copy;
  });

/** Every opcode byte pickleparser knows, so random streams get past the first opcode. */
const OPCODE_BYTES = [
  0x28, 0x2e, 0x30, 0x31, 0x32, 0x46, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x58, 0x61, 0x62, 0x63, 0x64, 0x7d, 0x65, 0x67, 0x68, 0x69,
  0x6a, 0x6c, 0x5d, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x29, 0x75, 0x47, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x42, 0x43, 0x8c, 0x8d, 0x8e,
  0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
];

const opcodeSoup = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...OPCODE_BYTES).map((opcode) => [opcode]) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((operand) => Array.from(operand)) },
      { weight: 1, arbitrary: fc.constantFrom([0x0a], [0x4b, 0x01], [0x58, 0x03, 0, 0, 0, 0x61, 0x62, 0x63]) },
    ),
    { maxLength: 200 },
  )
  .map((pieces) => Uint8Array.of(0x80, 0x02, ...pieces.flat(), 0x2e));

describe('pth reader under random input', () => {
  it('random bytes', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => returnsOrThrowsModelError(() => readPth(bytes, 'random.pth'))),
      RUNS,
    );
  });

  it('random bytes behind a zip signature', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (tail) => returnsOrThrowsModelError(() => readPth(concat([0x50, 0x4b, 0x03, 0x04], tail), 'random.pth'))),
      RUNS,
    );
  });

  it('random bytes and opcode soup as a pickle', { timeout: TIMEOUT_MS }, () => {
    const { archive } = FIXTURES[1]!;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2048 }), opcodeSoup), (pickle) => returnsOrThrowsModelError(() => unpickle(pickle, 'random.pkl', archive))),
      RUNS,
    );
  });
});

describe('pth reader on damaged fixtures', () => {
  for (const { path, bytes, archive } of FIXTURES) {
    const name = path.split('/').at(-2);

    it(`${name}: flipped, overwritten and truncated checkpoint bytes`, { timeout: TIMEOUT_MS }, () => {
      fc.assert(
        fc.property(mutatedCopy(bytes, archive.pickle.length + 200), (damaged) => returnsOrThrowsModelError(() => loadEverything(damaged, path))),
        RUNS,
      );
    });

    it(`${name}: damaged data.pkl against the real storages`, { timeout: TIMEOUT_MS }, () => {
      fc.assert(
        fc.property(mutatedCopy(archive.pickle, archive.pickle.length), (damagedPickle) => returnsOrThrowsModelError(() => unpickle(damagedPickle, path, archive))),
        RUNS,
      );
    });
  }
});

/** A checkpoint whose every size is drawn at random: storage lengths, what the pickle and the directory claim, views. */
const randomSizes = fc
  .record({
    storageBytes: fc.nat(4 * 2 ** 20),
    declaredBytes: fc.option(fc.nat(2 ** 32 - 1), { freq: 3 }),
    claimedNumel: fc.option(fc.oneof(fc.nat(2 ** 24), fc.maxSafeNat()), { freq: 2 }),
    // Mostly whole views of the storage (valid, and as large as the storage allows), some random ones.
    views: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.record({
            size: fc.array(fc.oneof(fc.nat(4096), fc.nat(2 ** 31)), { minLength: 1, maxLength: 3 }),
            stride: fc.array(fc.nat(4), { minLength: 3, maxLength: 3 }),
            offset: fc.nat(1024),
          }),
        },
      ),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ storageBytes, declaredBytes, claimedNumel, views }) => {
    const record: ZipRecord = {
      name: 'archive/data/0',
      data: new Uint8Array(deflateRawSync(new Uint8Array(storageBytes))),
      method: 8,
      declaredSize: declaredBytes ?? storageBytes,
    };
    const pickle = stateDictPickle(
      views.map((view, i) => ({
        name: `t${i}`,
        storage: '0',
        storageType: 'ByteStorage',
        storageNumel: claimedNumel ?? storageBytes,
        offset: view?.offset ?? 0,
        size: view?.size ?? [claimedNumel ?? storageBytes],
        stride: view?.stride.slice(0, view.size.length) ?? [1],
      })),
    );
    return torchCheckpoint(pickle, [record]);
  });

describe('pth reader within the memory budget', () => {
  it('checkpoints with random sizes allocate no more than the budget allows', { timeout: TIMEOUT_MS }, () => {
    const budgetMiB = 8;
    withBudget(budgetMiB, () =>
      fc.assert(
        fc.property(randomSizes, (bytes) => memoryGrowthDuring(() => returnsOrThrowsModelError(() => loadEverything(bytes, 'sizes.pth'))) <= allowedGrowth(budgetMiB)),
        { numRuns: 100 },
      ),
    );
  });

  it('damaged fixtures allocate no more than the budget allows', { timeout: TIMEOUT_MS }, () => {
    const budgetMiB = 2;
    const { path, bytes, archive } = FIXTURES[0]!;
    withBudget(budgetMiB, () =>
      fc.assert(
        fc.property(
          mutatedCopy(bytes, archive.pickle.length + 200),
          (damaged) => memoryGrowthDuring(() => returnsOrThrowsModelError(() => loadEverything(damaged, path))) <= allowedGrowth(budgetMiB),
        ),
        RUNS,
      ),
    );
  });
});
