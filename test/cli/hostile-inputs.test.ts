import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IR_VERSION } from '../../chips/ir/chip-program.js';
import { getChip } from '../../chips/registry.js';
import { MEMORY_BUDGET_VARIABLE } from '../../models/memory-budget.js';
import {
  bundledModelWith,
  deeplyNestedJson,
  modelFileWithJson,
  HOSTILE_MODEL_EDITS,
  HUGE_UNWRITTEN_NIR,
  OSR_CHECKPOINT,
  osrArchWith,
  pthDeclaringHugeEntry,
  pthInflatingPastItsSize,
  pthWithHugeViews,
  pthWithSeparateTensors,
} from '../helpers/hostile-corpus.js';
import { compiledBundledProgram, emptyCoresBomb, HOSTILE_PROGRAM_EDITS, programBytesWith } from '../helpers/hostile-programs.js';
import { runCliMeasured } from '../helpers/run-cli-measured.js';

/*
 * Issue 13's corpus, run as a user runs it: each hostile file, written here at the sizes the issue found, must end
 * the command with one line naming the file and what is wrong, a non-zero exit, under 1 GB of peak memory and
 * under 60 s, under the default memory budget. (npm test builds dist/ first; run `npm run build` before running
 * this file alone.)
 */

const GB = 1e9;
const MIB = 2 ** 20;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  /** Words the one-line error must hold. */
  readonly expected: string;
  readonly env?: Readonly<Record<string, string>>;
}

let dir: string;
const cases: Case[] = [];

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spikechip-hostile-cli-'));
  const bomb = file('bomb-2gb.pth', pthDeclaringHugeEntry(2 ** 31));
  cases.push({
    name: 'a 2 MB .pth whose zip entry inflates to 2 GiB',
    args: ['inspect', bomb],
    expected: `${bomb}: zip record 'archive/data/0' (inflated size from the zip directory) needs 2.0 GiB`,
  });
  const liar = file('liar.pth', pthInflatingPastItsSize(1024, 2 ** 31));
  cases.push({
    name: 'a 2 MB .pth whose entry inflates to 2 GiB but declares 1 KiB',
    args: ['inspect', liar],
    expected: `${liar}: zip record 'archive/data/0' inflates to more than the 1024 bytes its zip directory declares`,
  });
  const views = file('views.pth', pthWithHugeViews(200_000_000, 2));
  cases.push({
    name: 'a 195 KB .pth with two float64-sized views of a 200 M uint8 storage',
    args: ['inspect', views],
    expected: `${views}: tensor on storage '0' of size [200000000]`,
  });
  cases.push({
    name: 'an 18 KB NIR file with a 2e8-value chunked dataset never written',
    args: ['inspect', HUGE_UNWRITTEN_NIR],
    expected: `${HUGE_UNWRITTEN_NIR}: dataset /node/nodes/fc/weight of extent [200000000] x 8-byte elements needs 14.9 GiB`,
  });

  const longRun = file(
    'timesteps.arch.json',
    osrArchWith((a) => (a.timesteps = 1e9)),
  );
  cases.push({
    name: 'an arch file with timesteps 1e9',
    args: ['inspect', OSR_CHECKPOINT, '--arch', longRun],
    expected: `${longRun}: $.timesteps is 1000000000, outside the limit 1..100000`,
  });
  const hugePool = file(
    'pool.arch.json',
    osrArchWith((a) => a.layers.splice(3, 0, { op: 'adaptiveavgpool2d', output: [1e9, 1e9] })),
  );
  cases.push({
    name: 'an arch file with an adaptive pool to [1e9, 1e9]',
    args: ['inspect', OSR_CHECKPOINT, '--arch', hugePool],
    expected: `${hugePool}: $.layers[3].output[0] is 1000000000, outside the limit 1..4096`,
  });

  const deepArch = file('deep.arch.json', deeplyNestedJson(200_000));
  cases.push({
    name: 'an arch file nested 200,000 levels deep',
    args: ['inspect', OSR_CHECKPOINT, '--arch', deepArch],
    expected: `${deepArch}: the arch file nests arrays and objects more than 100 levels deep`,
  });
  const deepModel = file('deep.snnmodel', modelFileWithJson(deeplyNestedJson(200_000, '"tensors":[],')));
  cases.push({
    name: 'a .snnmodel whose graph JSON nests 200,000 levels deep',
    args: ['inspect', deepModel],
    expected: `${deepModel}: the graph JSON nests arrays and objects more than 100 levels deep`,
  });

  HOSTILE_MODEL_EDITS.forEach(({ name, edit, expected }, i) => {
    const path = file(`edit-${i}.snnmodel`, bundledModelWith(edit));
    cases.push({ name: `a .snnmodel with ${name}`, args: ['inspect', path], expected: `${path}: ${expected}` });
  });

  const mesh = structuredClone(getChip('loihi2')) as unknown as { mesh: Record<string, number> };
  mesh.mesh = { ...mesh.mesh, widthTiles: 10_000, heightTiles: 10_000, coresPerTile: 1, coresPerChip: 1e8 };
  const meshSpec = file('mesh.json', JSON.stringify(mesh));
  cases.push({
    name: 'a chip spec with a 10,000 x 10,000 mesh',
    args: ['chip-spec', meshSpec],
    expected: `${meshSpec}: $.mesh.coresPerChip: expected an integer in 1..65536, found the number 100000000`,
  });

  const program = compiledBundledProgram();
  HOSTILE_PROGRAM_EDITS.forEach(({ name, edit, expected }, i) => {
    const path = file(`edit-${i}.chip.pb`, programBytesWith(program, edit));
    cases.push({ name: `a program with ${name}`, args: ['inspect', path], expected });
  });
  // About 230 bytes each decoded: 4 M of them are over the default budget of 512 MiB.
  const emptyCores = file('empty-cores.chip.pb', emptyCoresBomb(4_000_000, IR_VERSION));
  cases.push({ name: 'an 8 MB program of 4 M empty cores', args: ['inspect', emptyCores], expected: `${emptyCores}: decoding its 8000002 bytes needs` });

  // 8 Mi uint8 values (8 MiB inflated, 96 MiB once read as float64 and float32): within the default budget, not 64M.
  const big = file('big.pth', pthWithSeparateTensors(1, 8 * MIB));
  const overSmallBudget = `${big}: tensor on storage '0' of size [${8 * MIB}] (${8 * MIB} elements as float64 and float32) needs 96.0 MiB`;
  cases.push({ name: '--max-memory 64M', args: ['inspect', big, '--max-memory', '64M'], expected: `${overSmallBudget} (on top of` });
  cases.push({ name: '--max-memory 1K (below the 1M minimum)', args: ['inspect', big, '--max-memory', '1K'], expected: '--max-memory "1K" is not a size of at least 1M' });
  cases.push({ name: `${MEMORY_BUDGET_VARIABLE}=64M`, args: ['inspect', big], env: { [MEMORY_BUDGET_VARIABLE]: '64M' }, expected: 'over the memory budget of 64.0 MiB' });
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile inputs on the command line', () => {
  it('every case: one line naming the file and the problem, a non-zero exit, peak memory under 1 GB, under 60 s, no file left behind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const before = readdirSync(dir).sort();
    const failures: string[] = [];
    for (const c of cases) {
      const run = runCliMeasured(c.args, c.env);
      const lines = run.stderr.trim().split('\n');
      const problems = [
        run.status === 0 || run.status === null ? `exit ${run.status}` : '',
        lines.length !== 1 ? `${lines.length} lines of error` : '',
        run.stderr.includes(c.expected) ? '' : 'not the expected message',
        run.stderr.includes('    at ') ? 'a stack trace' : '',
        run.peakBytes > 0 && run.peakBytes < GB ? '' : `peak memory ${(run.peakBytes / GB).toFixed(2)} GB`,
        run.seconds < 60 ? '' : `${run.seconds.toFixed(0)} s`,
      ].filter(Boolean);
      if (process.env.SPIKECHIP_HOSTILE_REPORT) process.stdout.write(`${c.name}: exit ${run.status}, peak ${(run.peakBytes / MIB).toFixed(0)} MiB, ${run.seconds.toFixed(1)} s\n`);
      if (problems.length > 0) failures.push(`${c.name}: ${problems.join(', ')}\n  stderr: ${run.stderr.trim()}\n  expected: ${c.expected}`);
    }
    expect(failures).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(before);
  }, 900_000);
});
