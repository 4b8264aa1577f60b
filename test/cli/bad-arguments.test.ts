import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyArch } from '../models/training/tiny-arch.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

/**
 * Every command driven with bad arguments: each run prints exactly one line on stderr, `spikechip <command>: ...`,
 * with no stack trace, exits 2 for a command line to change (1 for a bad input file), and leaves no file behind in
 * the folder it was told to write into (the folder holds what the case put there, unchanged).
 */

const bundledModel = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');

interface Inputs {
  /** The case's own folder: outputs go here, and it starts with a copy of the model (model.snnmodel). */
  readonly dir: string;
  readonly model: string;
  readonly program: string;
  readonly arch: string;
  /** A file that is not a simulation result, a chip program or a model. */
  readonly junk: string;
}

interface Case {
  readonly name: string;
  readonly args: (f: Inputs) => string[];
  readonly exit: 1 | 2;
  /** A part of the one line the user must see. */
  readonly says: RegExp;
  /** What must not appear on stderr (the bytes of a file the command must not open). */
  readonly never?: RegExp;
}

const cases: Case[] = [
  { name: 'no command', args: () => [], exit: 2, says: /name a command/ },
  { name: 'an unknown command', args: () => ['frobnicate'], exit: 2, says: /Unknown argument: frobnicate/ },

  { name: 'eval --limit -1', args: () => ['eval', '--limit', '-1'], exit: 2, says: /--limit must be an integer from 1 to 2147483647, got "-1"/ },
  { name: 'eval --limit 2.5', args: () => ['eval', '--limit', '2.5'], exit: 2, says: /--limit must be an integer/ },
  { name: 'eval --calibration 0.5', args: () => ['eval', '--calibration', '0.5'], exit: 2, says: /--calibration must be an integer/ },
  { name: 'eval --batch 0', args: () => ['eval', '--batch', '0'], exit: 2, says: /--batch must be an integer from 1 to 65536/ },
  { name: 'eval --limit abc', args: () => ['eval', '--limit', 'abc'], exit: 2, says: /--limit must be an integer.*got "NaN"/ },
  { name: 'eval --limit given twice', args: () => ['eval', '--limit', '5', '--limit', '6'], exit: 2, says: /--limit is given 2 times/ },
  { name: 'eval --thresholds bogus', args: () => ['eval', '--thresholds', 'bogus'], exit: 2, says: /Invalid values: Argument: thresholds, Given: "bogus"/ },
  { name: 'eval --timesteps 1e9', args: () => ['eval', '--timesteps', '1e9'], exit: 2, says: /--timesteps must be an integer from 1 to 100000/ },
  { name: 'eval --nir-dt -1', args: () => ['eval', '--nir-dt', '-1'], exit: 2, says: /--nir-dt must be a number above 0/ },
  { name: 'eval of a missing model', args: (f) => ['eval', '--model', join(f.dir, 'missing.snnmodel'), '--limit', '5'], exit: 1, says: /missing\.snnmodel/ },

  { name: 'inspect without a file', args: () => ['inspect'], exit: 2, says: /Not enough non-option arguments/ },
  { name: 'inspect of a junk program', args: (f) => ['inspect', f.junk.replace(/\.txt$/, '.chip.pb')], exit: 1, says: /junk\.chip\.pb/ },

  { name: 'convert -o over its input', args: (f) => ['convert', f.model, '-o', f.model], exit: 2, says: /--output .*model\.snnmodel is the input .* of convert/ },
  {
    name: 'convert --calibration -3',
    args: (f) => ['convert', f.model, '--calibration', '-3', '-o', join(f.dir, 'out.snnmodel')],
    exit: 2,
    says: /--calibration must be an integer from 0/,
  },
  { name: 'convert of a missing checkpoint', args: (f) => ['convert', join(f.dir, 'missing.pth'), '-o', join(f.dir, 'out.snnmodel')], exit: 1, says: /missing\.pth/ },

  {
    name: 'compile --chips 0',
    args: (f) => ['compile', f.model, '--chip', 'loihi2', '--chips', '0', '-o', join(f.dir, 'out.chip.pb')],
    exit: 2,
    says: /--chips must be 'auto' or an integer from 1 to 4096, got "0"/,
  },
  { name: 'compile --chips 1.5', args: (f) => ['compile', f.model, '--chip', 'loihi2', '--chips', '1.5', '-o', join(f.dir, 'out.chip.pb')], exit: 2, says: /--chips must be/ },
  {
    name: 'compile --learn-layers without --learning',
    args: (f) => ['compile', f.model, '--chip', 'loihi2', '--learn-layers', 'last', '-o', join(f.dir, 'out.chip.pb')],
    exit: 2,
    says: /--learn-layers needs --learning/,
  },
  {
    name: 'compile --learning-epoch 64',
    args: (f) => ['compile', f.model, '--chip', 'loihi2', '--learning', 'ottt', '--learning-epoch', '64', '-o', join(f.dir, 'out.chip.pb')],
    exit: 2,
    says: /--learning-epoch must be an integer from 1 to 63/,
  },
  {
    name: 'compile --calibration 0.5',
    args: (f) => ['compile', f.model, '--chip', 'loihi2', '--calibration', '0.5', '-o', join(f.dir, 'out.chip.pb')],
    exit: 2,
    says: /--calibration must be an integer/,
  },
  { name: 'compile -o over its input', args: (f) => ['compile', f.model, '--chip', 'loihi2', '-o', f.model], exit: 2, says: /is the input .* of compile/ },
  {
    name: 'compile -o into a missing folder',
    args: (f) => ['compile', f.model, '--chip', 'loihi2', '-o', join(f.dir, 'missing', 'out.chip.pb')],
    exit: 2,
    says: /the folder .*missing does not exist/,
  },
  { name: 'compile -o naming a folder', args: (f) => ['compile', f.model, '--chip', 'loihi2', '-o', f.dir], exit: 2, says: /is a folder/ },
  { name: 'compile -o without a value', args: (f) => ['compile', f.model, '--chip', 'loihi2', '-o'], exit: 2, says: /--output needs a value/ },
  { name: 'compile for an unknown chip', args: (f) => ['compile', f.model, '--chip', 'nochip', '-o', join(f.dir, 'out.chip.pb')], exit: 1, says: /nochip/ },

  { name: 'check --chips auto5', args: (f) => ['check', f.model, '--chip', 'loihi2', '--chips', 'auto5'], exit: 2, says: /--chips must be 'auto' or an integer/ },
  { name: 'check without --chip', args: (f) => ['check', f.model], exit: 2, says: /Missing required argument: chip/ },

  { name: 'chip-spec of an unknown chip', args: () => ['chip-spec', 'nochip'], exit: 1, says: /nochip/ },
  { name: 'chip-spec of a file that is not JSON', args: (f) => ['chip-spec', f.junk.replace(/\.txt$/, '.json')], exit: 1, says: /junk\.json/ },

  {
    name: 'simulate --workers 2.5',
    args: (f) => ['simulate', f.program, '--workers', '2.5', '-o', join(f.dir, 'r.json')],
    exit: 2,
    says: /--workers must be an integer from 1 to \d+ \(4 per CPU core, at most 64\), got "2.5"/,
  },
  { name: 'simulate --workers 250', args: (f) => ['simulate', f.program, '--workers', '250'], exit: 2, says: /--workers must be an integer/ },
  { name: 'simulate --workers 0', args: (f) => ['simulate', f.program, '--workers', '0'], exit: 2, says: /--workers must be an integer/ },
  { name: 'simulate --seed 1.5', args: (f) => ['simulate', f.program, '--seed', '1.5'], exit: 2, says: /--seed must be an integer from 0 to 4294967295/ },
  { name: 'simulate --limit 0', args: (f) => ['simulate', f.program, '--limit', '0'], exit: 2, says: /--limit must be an integer from 1/ },
  { name: 'simulate -o over its program', args: (f) => ['simulate', f.program, '--limit', '5', '-o', f.program], exit: 2, says: /is the input .* of simulate/ },
  {
    name: 'simulate -o and --report naming one file',
    args: (f) => ['simulate', f.program, '--limit', '5', '-o', join(f.dir, 'r'), '--report', join(f.dir, 'r')],
    exit: 2,
    says: /--output and --report name the same file/,
  },
  {
    name: 'simulate --events with --encoding poisson',
    args: (f) => ['simulate', f.program, '--events', f.junk, '--encoding', 'poisson'],
    exit: 2,
    says: /--encoding encodes images/,
  },
  {
    name: 'simulate --profile bogus',
    args: (f) => ['simulate', f.program, '--profile', 'bogus', '-o', join(f.dir, 'r.json')],
    exit: 2,
    says: /--profile bogus: chip loihi2 has no such cost profile \(profiles: davies2018/,
  },
  {
    name: 'simulate on another chip',
    args: (f) => ['simulate', f.program, '--chip', 'tianjic', '--limit', '5', '-o', join(f.dir, 'r.json')],
    exit: 1,
    says: /was compiled for the builtin loihi2/,
  },

  {
    name: 'recost of a result naming a file as its chip',
    args: (f) => ['recost', join(f.dir, 'passwd-result.json'), '--profile', 'sanafe'],
    exit: 1,
    says: /chip '\/etc\/passwd', which is not builtin/,
    never: /root:/,
  },
  { name: 'recost without --profile', args: (f) => ['recost', f.junk], exit: 2, says: /Missing required argument: profile/ },
  { name: 'recost of a junk file', args: (f) => ['recost', f.junk, '--profile', 'sanafe'], exit: 1, says: /junk\.txt: not a simulation result/ },

  { name: 'report -o over its result', args: (f) => ['report', f.junk, '-o', f.junk], exit: 2, says: /is the input .* of report/ },
  { name: 'report of a missing result', args: (f) => ['report', join(f.dir, 'missing.json'), '-o', join(f.dir, 'r.html')], exit: 1, says: /missing\.json/ },

  { name: 'demo --report into a missing folder', args: (f) => ['demo', '--report', join(f.dir, 'missing', 'r.html')], exit: 2, says: /the folder .*missing does not exist/ },
  { name: 'demo --chip nochip', args: () => ['demo', '--chip', 'nochip'], exit: 1, says: /nochip/ },

  { name: 'events without a subcommand', args: () => ['events'], exit: 2, says: /name an events command/ },
  { name: 'events convert --limit -5', args: (f) => ['events', 'convert', '--limit', '-5', '-o', join(f.dir, 'ev')], exit: 2, says: /--limit must be an integer/ },
  { name: 'events convert -o naming a file', args: (f) => ['events', 'convert', '--limit', '2', '-o', f.junk], exit: 2, says: /is a file; events convert writes a folder/ },
  { name: 'events inspect of a missing file', args: (f) => ['events', 'inspect', join(f.dir, 'missing.bin')], exit: 1, says: /missing\.bin/ },

  { name: 'export -o over its input', args: (f) => ['export', f.model, '-o', f.model], exit: 2, says: /is the input .* of export/ },
  { name: 'export --calibration 1.5', args: (f) => ['export', f.model, '--calibration', '1.5', '-o', join(f.dir, 'm.nir')], exit: 2, says: /--calibration must be an integer/ },
  { name: 'export --format onnx', args: (f) => ['export', f.model, '--format', 'onnx', '-o', join(f.dir, 'm.onnx')], exit: 2, says: /Invalid values/ },

  { name: 'train --epochs 0', args: (f) => ['train', '--arch', f.arch, '--epochs', '0'], exit: 2, says: /--epochs must be an integer from 1/ },
  { name: 'train --threads 2.5', args: (f) => ['train', '--arch', f.arch, '--threads', '2.5'], exit: 2, says: /--threads must be an integer/ },
  { name: 'train --lr 0', args: (f) => ['train', '--arch', f.arch, '--lr', '0'], exit: 2, says: /--lr must be a number above 0/ },
  { name: 'train --momentum 1.5', args: (f) => ['train', '--arch', f.arch, '--momentum', '1.5'], exit: 2, says: /--momentum must be a number from 0 to 1/ },
  { name: 'train of a missing arch', args: (f) => ['train', '--arch', join(f.dir, 'missing.json')], exit: 1, says: /missing\.json: cannot read the arch file/ },

  { name: 'learn --samples 0', args: (f) => ['learn', f.program, '--samples', '0'], exit: 2, says: /--samples must be an integer from 1/ },
  { name: 'learn --seed -1', args: (f) => ['learn', f.program, '--seed', '-1'], exit: 2, says: /--seed must be an integer from 0/ },
  { name: 'learn --workers 0.5', args: (f) => ['learn', f.program, '--workers', '0.5'], exit: 2, says: /--workers must be an integer/ },
  {
    name: 'learn --profile bogus',
    args: (f) => ['learn', f.program, '--rule', 'ottt', '--profile', 'bogus'],
    exit: 2,
    says: /--profile bogus: chip loihi2 has no such cost profile/,
  },
  { name: 'learn -o over its program', args: (f) => ['learn', f.program, '--rule', 'ottt', '-o', f.program], exit: 2, says: /is the input .* of learn/ },
];

let shared: { program: string; arch: string };

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-bad-args-'));
  const program = join(dir, 'model.chip.pb');
  const compiled = runCli(['compile', bundledModel, '--chip', 'loihi2', '-o', program]);
  expect(compiled.status, compiled.stderr).toBe(0);
  shared = { program, arch: writeTinyArch('rate') };
}, 120_000);

/** A fresh folder for one case: a copy of the model and the program (inputs a case may name as its output), junk. */
function prepare(): Inputs {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-bad-args-case-'));
  const model = join(dir, 'model.snnmodel');
  copyFileSync(bundledModel, model);
  const program = join(dir, 'model.chip.pb');
  copyFileSync(shared.program, program);
  const junk = join(dir, 'junk.txt');
  writeFileSync(junk, 'not a file any spikechip command reads\n');
  writeFileSync(join(dir, 'junk.chip.pb'), 'not a chip program');
  writeFileSync(join(dir, 'junk.json'), '{ not json');
  writeFileSync(join(dir, 'passwd-result.json'), JSON.stringify({ chip: '/etc/passwd', counts: {}, samples: 1 }));
  return { dir, model, program, arch: shared.arch, junk };
}

/** Every file under `dir` with its bytes, to show that a refused run changed and added nothing. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(path, readFileSync(path).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

function expectOneLineRefusal(run: ReturnType<typeof runCli>, command: string | null, exit: number, says: RegExp): void {
  expect(run.status, run.stderr).toBe(exit);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain('    at ');
  const lines = run.stderr.replace(/\n$/, '').split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(command ? `spikechip ${command}: ` : 'spikechip: ')).toBe(true);
  expect(lines[0]).toMatch(says);
}

/** The command word(s) a case names, as the error prefix carries them. */
function commandOf(args: readonly string[]): string | null {
  const [first, second] = args;
  if (first === undefined) return null;
  return first === 'events' && second !== undefined && !second.startsWith('-') ? `${first} ${second}` : first;
}

// Concurrent: each case is a separate process, mostly Node's start-up, in its own folder.
describe.concurrent('every command with bad arguments: one line, no stack, non-zero exit, no file left', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const inputs = prepare();
      const args = c.args(inputs);
      const before = snapshot(inputs.dir);
      const run = await runCliAsync(args, inputs.dir);
      expectOneLineRefusal(run, commandOf(args), c.exit, c.says);
      if (c.never) expect(run.stderr).not.toMatch(c.never);
      expect(snapshot(inputs.dir)).toEqual(before);
    });
  }

  it('covers every command --help lists, and each refuses an unknown option in one line', async () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    const commands = [...help.stdout.matchAll(/^ {2}spikechip ([a-z-]+)/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThanOrEqual(14);
    const covered = new Set(cases.map((c) => c.args({ dir: '', model: '', program: '', arch: '', junk: '' })[0]));
    const runs: { command: string; inputs: Inputs; before: Map<string, string>; run: Awaited<ReturnType<typeof runCliAsync>> }[] = [];
    // Four at a time: enough to overlap start-ups without crowding a 2-core machine.
    for (let i = 0; i < commands.length; i += 4) {
      const batch = commands.slice(i, i + 4).map(async (command) => {
        const inputs = prepare();
        const before = snapshot(inputs.dir);
        return { command, inputs, before, run: await runCliAsync([command, '--no-such-option', '1'], inputs.dir) };
      });
      runs.push(...(await Promise.all(batch)));
    }
    for (const { command, inputs, before, run } of runs) {
      expect(run.status, `${command}: ${run.stderr}`).toBe(2);
      expect(run.stderr.replace(/\n$/, '').split('\n'), command).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^spikechip ${command}: `));
      expect(run.stderr).not.toContain('    at ');
      expect(snapshot(inputs.dir)).toEqual(before);
      // The cluster's commands (they talk to Redis) are covered by this unknown-option check only.
      if (!['worker', 'queue', 'sweep'].includes(command)) expect(covered.has(command), `no bad-argument case for ${command}`).toBe(true);
    }
  }, 120_000);
});
