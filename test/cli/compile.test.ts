import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { HAS_VGG_FIXTURE, VGG_FIXTURE, fixturePath } from '../helpers/fixtures.js';
import { PASS_NAMES } from '../../compiler/compile.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

const bundled = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const scratch = () => mkdtempSync(join(tmpdir(), 'spikechip-compile-'));

interface CompileJson {
  ok: boolean;
  chipsUsed: number;
  coresUsed: number;
  diagnostics: { code: string; severity: string; layer: string | null; core: number | null; value: number | null; limit: number | null; message: string }[];
  quantizationError: Record<string, { weightMaxError: number }>;
  output: string | null;
}

describe('spikechip compile', () => {
  it('compiles the bundled model for loihi2 and writes a readable chip program', () => {
    const out = join(scratch(), 'bundled.chip.pb');
    const run = runCli(['compile', bundled, '--chip', 'loihi2', '-o', out, '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as CompileJson;
    expect(result).toMatchObject({ ok: true, chipsUsed: 1, output: out });
    expect(Object.keys(result.quantizationError)).toEqual(['features.0.synapse', 'features.2.synapse', 'classifier.0']);
    expect(result.diagnostics.map((d) => d.code)).toContain('I-INPUT-GRADED');
    const program = decodeChipProgram(readFileSync(out), out);
    expect(program.cores).toHaveLength(result.coresUsed);
    const inspect = runCli(['inspect', out]);
    expect(inspect.status).toBe(0);
    expect(inspect.stdout).toMatch(/utilisation \(limits of chip spec loihi2\)/);
  });

  it('compiles a checkpoint with calibration on the training images', () => {
    const out = join(scratch(), 'ratebp.chip.pb');
    const run = runCli([
      'compile',
      fixturePath('ratebp-fmnist-conv', 'checkpoint.pth'),
      '--arch',
      fixturePath('ratebp-fmnist-conv', 'arch.json'),
      '--chip',
      'tianjic',
      '--chips',
      'auto',
      '-o',
      out,
      '--json',
    ]);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as CompileJson).chipsUsed).toBeGreaterThanOrEqual(1);
  });

  it('exits non-zero on an error diagnostic and writes no file', () => {
    const out = join(scratch(), 'never.chip.pb');
    const run = runCli(['compile', bundled, '--chip', 'tianjic', '--chips', '1', '-o', out, '--json']);
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as CompileJson;
    const chips = result.diagnostics.find((d) => d.code === 'E-CHIPS')!;
    expect(chips).toMatchObject({ severity: 'error', limit: 1 });
    expect(existsSync(out)).toBe(false);
  });

  it('reads a user chip spec file and names the bad field of a broken one', () => {
    const dir = scratch();
    const broken = join(dir, 'broken-chip.json');
    writeFileSync(broken, JSON.stringify({ format: 'spikechip-chip/1', name: 'mine' }));
    const run = runCli(['compile', bundled, '--chip', broken, '-o', join(dir, 'x.chip.pb')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/broken-chip\.json: \$\./);
    expect(existsSync(join(dir, 'x.chip.pb'))).toBe(false);
  });
});

describe('spikechip check', () => {
  it('checks a compiled program against a tighter user chip and names layer, core, value and limit', () => {
    const dir = scratch();
    const out = join(dir, 'bundled.chip.pb');
    expect(runCli(['compile', bundled, '--chip', 'loihi2', '-o', out]).status).toBe(0);
    const spec = JSON.parse(runCli(['chip-spec', 'loihi2']).stdout) as { core: Record<string, unknown> };
    spec.core.maxNeurons = 1000;
    const tight = join(dir, 'tight.json');
    writeFileSync(tight, JSON.stringify({ ...spec, name: 'tight' }));
    const run = runCli(['check', out, '--chip', tight, '--json']);
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as CompileJson;
    expect(Object.keys(result.quantizationError)).toEqual(['features.0.synapse', 'features.2.synapse', 'classifier.0']);
    expect(result).toMatchObject({ chipsUsed: 1, coresUsed: 10 });
    const neurons = result.diagnostics.filter((d) => d.code === 'E-NEURONS');
    expect(neurons.length).toBeGreaterThan(0);
    expect(neurons[0]).toMatchObject({ severity: 'error', layer: 'features.0.synapse', core: 0, value: 1792, limit: 1000 });
    expect(neurons[0]!.message).toBe('E-NEURONS layer features.0.synapse core 0: 1,792 neurons > 1,000');
  });

  it('refuses a truncated chip program with a clear error', () => {
    const dir = scratch();
    const out = join(dir, 'bundled.chip.pb');
    expect(runCli(['compile', bundled, '--chip', 'loihi2', '-o', out]).status).toBe(0);
    const bytes = readFileSync(out);
    writeFileSync(out, bytes.subarray(0, bytes.length >> 1));
    const run = runCli(['check', out, '--chip', 'loihi2']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bundled\.chip\.pb: truncated or corrupt chip program/);
  });

  it('prints the stage after any pass with --print-after: the golden text of that pass, in text and in --json', async () => {
    const dir = scratch();
    const runs = await Promise.all(
      PASS_NAMES.map((pass) => runCliAsync(['compile', bundled, '--chip', 'loihi2', '-o', join(dir, `${pass}.chip.pb`), '--print-after', pass, '--json'])),
    );
    PASS_NAMES.forEach((pass, index) => {
      expect(runs[index]!.status, runs[index]!.stderr).toBe(0);
      const golden = readFileSync(join('test', 'golden', 'passes', `${String(index + 1).padStart(2, '0')}-${pass}.txt`), 'utf8');
      expect((JSON.parse(runs[index]!.stdout) as { printedAfter: { pass: string; text: string } }).printedAfter).toEqual({ pass, text: golden });
    });
    const text = runCli(['check', bundled, '--chip', 'loihi2', '--print-after', 'lower-to-synapses']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^# after lower-to-synapses\n[^]*\n\ncompiled osr-fmnist-conv for loihi2/);
  });

  it('refuses --print-after of no pass, and of a program compiled already, in one line', () => {
    const unknown = runCli(['compile', bundled, '--chip', 'loihi2', '-o', join(scratch(), 'x.chip.pb'), '--print-after', 'lower']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/print-after.*"lower".*read-out-output/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const out = join(scratch(), 'bundled.chip.pb');
    expect(runCli(['compile', bundled, '--chip', 'loihi2', '-o', out]).status).toBe(0);
    const compiled = runCli(['check', out, '--chip', 'loihi2', '--print-after', 'route']);
    expect(compiled.status).not.toBe(0);
    expect(compiled.stderr.trim()).toMatch(/^[^\n]*--print-after prints a stage of compiling a model; .*bundled\.chip\.pb is compiled already/);
  });

  it.skipIf(!HAS_VGG_FIXTURE)(`compiles the VGGSNN with --chips auto and reports how many chips (needs ${VGG_FIXTURE})`, () => {
    const out = join(scratch(), 'vgg.chip.pb');
    const run = runCli([
      'compile',
      join(VGG_FIXTURE, 'checkpoint.pth'),
      '--chip',
      'loihi2',
      '--chips',
      'auto',
      '--calibration-input',
      join(VGG_FIXTURE, 'calibration-32x3x32x32.f32'),
      '--calibration',
      '8',
      '-o',
      out,
      '--json',
    ]);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as CompileJson;
    expect(result.chipsUsed).toBeGreaterThan(1);
    expect(result.diagnostics.find((d) => d.code === 'I-CHIPS')!.message).toContain(`on ${result.chipsUsed} chips`);
  });
});
