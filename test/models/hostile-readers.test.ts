import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchText } from '../../models/arch/arch-limits.js';
import { parseArch } from '../../models/arch/read-arch.js';
import { readIdx } from '../../models/datasets/idx.js';
import { ModelError } from '../../models/errors.js';
import { deserializeModel } from '../../models/format/model-file.js';
import { loadModel } from '../../models/load-model.js';
import { MEMORY_BUDGET_VARIABLE } from '../../models/memory-budget.js';
import { readHdf5 } from '../../models/nir/hdf5.js';
import { readPth } from '../../models/pth/read-pth.js';
import { readZipDirectory } from '../../models/pth/zip-directory.js';
import {
  bundledModelWith,
  deeplyNestedJson,
  modelFileWithJson,
  HOSTILE_MODEL_EDITS,
  HUGE_UNWRITTEN_NIR,
  OSR_ARCH,
  OSR_CHECKPOINT,
  osrArchWith,
  pthDeclaringHugeEntry,
  pthInflatingPastItsSize,
  pthWithHugeViews,
  pthWithLongPickle,
  pthWithSeparateTensors,
} from '../helpers/hostile-corpus.js';

/*
 * Each reader refuses a hostile file before allocating what it asks for, with one line naming the file, the field,
 * the size and the limit. A small budget (64 MiB) keeps the bombs here small; test/cli/hostile-inputs.test.ts runs
 * the issue's own sizes under the default budget in child processes and measures their peak memory.
 */

const MIB = 2 ** 20;
const saved = process.env[MEMORY_BUDGET_VARIABLE];
beforeAll(() => {
  process.env[MEMORY_BUDGET_VARIABLE] = '64M';
});
afterAll(() => {
  if (saved === undefined) delete process.env[MEMORY_BUDGET_VARIABLE];
  else process.env[MEMORY_BUDGET_VARIABLE] = saved;
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    expect(error.message).not.toContain('\n');
    return error.message;
  }
  throw new Error('expected a ModelError, but the read succeeded');
}

const BUDGET_TAIL = `over the memory budget of 64.0 MiB (raise it with --max-memory or ${MEMORY_BUDGET_VARIABLE})`;

describe('.pth checkpoints', () => {
  it('refuse a zip entry whose directory declares more than the budget, before inflating it', () => {
    expect(refusal(() => readPth(pthDeclaringHugeEntry(2 ** 31), 'bomb.pth'))).toBe(
      `bomb.pth: zip record 'archive/data/0' (inflated size from the zip directory) needs 2.0 GiB (on top of 2.0 MiB already read), ${BUDGET_TAIL}`,
    );
  });

  it('stop an entry that inflates past its declared size', () => {
    expect(refusal(() => readPth(pthInflatingPastItsSize(1000, 2 ** 31), 'liar.pth'))).toBe(
      "liar.pth: zip record 'archive/data/0' inflates to more than the 1000 bytes its zip directory declares; the file is corrupt",
    );
  });

  it('count views in the bytes they will materialise: two full views of a uint8 storage are refused', () => {
    const message = refusal(() => readPth(pthWithHugeViews(8 * MIB, 2), 'views.pth'));
    expect(message.startsWith(`views.pth: tensor on storage '0' of size [${8 * MIB}] (${8 * MIB} elements as float64 and float32) needs 96.0 MiB`)).toBe(true);
    expect(message.endsWith(BUDGET_TAIL)).toBe(true);
  });

  it('bound the sum over tensors: views that fit one by one are refused together', () => {
    // Three storages of 2 Mi values, each view 24 MiB as float64 and float32: the third passes 64 MiB.
    const message = refusal(() => readPth(pthWithSeparateTensors(3, 2 * MIB), 'sum.pth'));
    expect(message).toMatch(
      /^sum\.pth: tensor on storage '2' of size \[2097152\] \(2097152 elements as float64 and float32\) needs 24\.0 MiB \(on top of 54\.\d MiB already read\)/,
    );
  });

  it('charge the pickle for what unpickling it may build', () => {
    expect(refusal(() => readPth(pthWithLongPickle(300_000), 'long.pth'))).toBe(
      `long.pth: data.pkl of 300000 bytes (unpickled) needs 73.2 MiB (on top of 293.1 KiB already read), ${BUDGET_TAIL}`,
    );
  });

  it('still read the fixtures within a small budget', () => {
    expect(readPth(new Uint8Array(readFileSync(OSR_CHECKPOINT)), OSR_CHECKPOINT)).toBeInstanceOf(Map);
  });
});

describe('HDF5 (NIR) files', () => {
  it('refuse a chunked dataset resized to 2e8 values and never written, without reading it', () => {
    const bytes = new Uint8Array(readFileSync(HUGE_UNWRITTEN_NIR));
    expect(bytes.length).toBeLessThan(32 * 1024);
    expect(refusal(() => readHdf5(bytes, 'huge.nir'))).toMatch(
      /^huge\.nir: dataset \/node\/nodes\/fc\/weight of extent \[200000000\] x 8-byte elements needs 14\.9 GiB \(on top of 40\.\d KiB already read\), over the memory budget of 64\.0 MiB/,
    );
  });
});

describe('idx files', () => {
  it('refuse a gzip stream whose trailer declares more than the budget, before inflating it', () => {
    const bytes = new Uint8Array(gzipSync(new Uint8Array(80 * MIB)));
    expect(refusal(() => readIdx(bytes, 'images.idx.gz'))).toBe(
      `images.idx.gz: the gzip stream's inflated size from its trailer (${80 * MIB} bytes) needs 80.0 MiB, ${BUDGET_TAIL}`,
    );
  });
});

describe('arch files', () => {
  it.each([
    ['timesteps 1e9', (a: Parameters<Parameters<typeof osrArchWith>[0]>[0]) => (a.timesteps = 1e9), '$.timesteps is 1000000000, outside the limit 1..100000'],
    [
      'an input of 1e9 pixels',
      (a: Parameters<Parameters<typeof osrArchWith>[0]>[0]) => (a.input.shape = [1, 100_000, 10_000]),
      '$.input.shape (values per sample) is 1000000000, outside the limit 1..16777216',
    ],
    [
      'an adaptive pool to [1e9, 1e9]',
      (a: Parameters<Parameters<typeof osrArchWith>[0]>[0]) => a.layers.splice(3, 0, { op: 'adaptiveavgpool2d', output: [1e9, 1e9] }),
      '$.layers[3].output[0] is 1000000000, outside the limit 1..4096',
    ],
  ])('refuse %s, naming the arch file and the JSON path', (_, edit, expected) => {
    expect(refusal(() => parseArch(osrArchWith(edit), 'arch.json'))).toBe(`arch.json: ${expected}`);
  });
});

describe('the two doors agree', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spikechip-hostile-'));
  });

  it.each(HOSTILE_MODEL_EDITS.map((c) => [c.name, c] as const))('a .snnmodel with %s is refused on reading', (_, { edit, expected }) => {
    expect(refusal(() => deserializeModel(bundledModelWith(edit), 'bad.snnmodel'))).toBe(`bad.snnmodel: ${expected}`);
  });

  it('what the arch file refuses (decay 2, eps and scale not positive, timesteps 1e9), the model file refuses too', () => {
    const archCases: [Parameters<typeof osrArchWith>[0], string][] = [
      [(a) => (a.neuron.decay = 2), 'decay 2 is outside [0, 1]'],
      [(a) => (a.timesteps = 1e9), 'timesteps: 1000000000 is not an integer in 1..100000'],
      [(a) => (a.input.scale = -1), 'input.scale: -1 is not a positive finite number'],
      [(a) => ((a.layers.find((l) => l.op === 'norm') as { eps: number }).eps = -1), 'eps -1 is not a positive finite number'],
    ];
    for (const [edit, modelFileMessage] of archCases) {
      const archPath = join(dir, 'arch.json');
      writeFileSync(archPath, osrArchWith(edit));
      refusal(() => loadModel(OSR_CHECKPOINT, { arch: archPath }));
      const matching = HOSTILE_MODEL_EDITS.find((c) => c.expected.endsWith(modelFileMessage) || c.expected.includes(modelFileMessage));
      expect(matching, modelFileMessage).toBeDefined();
      refusal(() => deserializeModel(bundledModelWith(matching!.edit), 'bad.snnmodel'));
    }
    // A NaN weight: the checkpoint door (the fixture with its first stored value overwritten) and the model-file door.
    const checkpoint = new Uint8Array(readFileSync(OSR_CHECKPOINT));
    const firstStorage = readZipDirectory(checkpoint, OSR_CHECKPOINT).find((entry) => entry.name.endsWith('/data/0'))!;
    new DataView(checkpoint.buffer).setFloat32(firstStorage.dataOffset, Number.NaN, true);
    const nanCheckpoint = join(dir, 'nan.pth');
    writeFileSync(nanCheckpoint, checkpoint);
    expect(refusal(() => loadModel(nanCheckpoint, { arch: OSR_ARCH }))).toMatch(/holds NaN at flat index 0; weights must be finite$/);
    refusal(() => deserializeModel(bundledModelWith(HOSTILE_MODEL_EDITS.find((c) => c.name === 'a NaN weight')!.edit), 'bad.snnmodel'));
  });

  it('a .snnmodel whose graph JSON would parse to more than the budget is refused before parsing', () => {
    const jsonBytes = 3 * MIB;
    const bytes = new Uint8Array(24 + jsonBytes).fill(0x20);
    bytes.set(new TextEncoder().encode('SPKMODEL'), 0);
    const header = new DataView(bytes.buffer);
    header.setUint32(8, 1, true);
    header.setUint32(12, jsonBytes, true);
    header.setUint32(20, 0, true);
    expect(refusal(() => deserializeModel(bytes, 'json.snnmodel'))).toBe(`json.snnmodel: the graph JSON of ${jsonBytes} bytes (parsed) needs 96.0 MiB, ${BUDGET_TAIL}`);
  });

  it('JSON nested 200,000 levels deep is refused before parsing (quoting it in an error would overflow the stack)', () => {
    const json = deeplyNestedJson(200_000, '"tensors":[],');
    expect(refusal(() => deserializeModel(modelFileWithJson(json), 'deep.snnmodel'))).toBe('deep.snnmodel: the graph JSON nests arrays and objects more than 100 levels deep');
    const archPath = join(dir, 'deep.arch.json');
    writeFileSync(archPath, json);
    expect(refusal(() => readArchText(archPath))).toBe(`${archPath}: the arch file nests arrays and objects more than 100 levels deep`);
    // Brackets inside strings do not count.
    writeFileSync(archPath, JSON.stringify({ note: '['.repeat(500) }));
    expect(readArchText(archPath)).toContain('[[[');
  });

  it('the fixtures and the bundled model pass both doors', () => {
    expect(loadModel(OSR_CHECKPOINT, { arch: OSR_ARCH }).model.nodes.length).toBeGreaterThan(0);
    expect(
      deserializeModel(
        bundledModelWith(() => {}),
        'ok.snnmodel',
      ).timesteps,
    ).toBe(4);
  });
});
