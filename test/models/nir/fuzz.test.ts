import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ModelError } from '../../../models/errors.js';
import { readNirModel } from '../../../models/nir/read-nir.js';
import { fixturePath } from '../../helpers/fixtures.js';

/*
 * The NIR reader on random bytes, truncated files and files with bytes flipped: it returns a Model or throws
 * ModelError, never anything else (h5wasm's own errors included).
 */
const FIXTURES = ['lif_norse', 'cnn_sinabs', 'braille_noDelay_bias_zero'].map((name) => {
  const path = fixturePath('nir', `${name}.nir`);
  return { path, bytes: new Uint8Array(readFileSync(path)) };
});
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const RUNS = { numRuns: 120 };

function returnsOrThrowsModelError(bytes: Uint8Array, file: string): boolean {
  try {
    readNirModel(bytes, file);
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
  }
  return true;
}

describe('NIR reader fuzzing', () => {
  it('random bytes, with and without an HDF5 signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), (body, signed) => {
        const bytes = signed ? Uint8Array.of(...HDF5_SIGNATURE, ...body) : body;
        return returnsOrThrowsModelError(bytes, 'random.nir');
      }),
      RUNS,
    );
  });

  it('truncated fixture files', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.double({ min: 0, max: 1, noNaN: true }), (fixture, cut) =>
        returnsOrThrowsModelError(fixture.bytes.slice(0, Math.floor(cut * fixture.bytes.length)), fixture.path),
      ),
      RUNS,
    );
  });

  it('fixture files with bytes overwritten', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
        (fixture, edits) => {
          const bytes = fixture.bytes.slice();
          for (const [at, value] of edits) bytes[Math.floor(at * bytes.length)] = value;
          return returnsOrThrowsModelError(bytes, fixture.path);
        },
      ),
      RUNS,
    );
  });
});
