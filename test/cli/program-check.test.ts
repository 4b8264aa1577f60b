import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { parseChipSpec } from '../../chips/spec/read-chip-spec.js';
import { chipSpecSha256 } from '../../chips/spec/spec-hash.js';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * simulate, learn and report run only a program that fits the chip it runs on, under the very spec it was compiled
 * for: the program records the spec's SHA-256, and a spec exported with `chip-spec`, edited and used to compile is
 * not the builtin of the same name.
 */

const bundledModel = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();
let dir: string;
let builtinProgram: string;
let editedSpec: string;
let editedProgram: string;

function compile(chip: string, output: string): void {
  const run = runCli(['compile', bundledModel, '--chip', chip, '-o', output]);
  expect(run.status, run.stderr).toBe(0);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spikechip-program-check-'));
  const exported = runCli(['chip-spec', 'loihi2']);
  expect(exported.status).toBe(0);
  writeFileSync(join(dir, 'loihi2.json'), exported.stdout);
  editedSpec = join(dir, 'loihi2-edited.json');
  const spec = JSON.parse(exported.stdout) as { costProfiles: Record<string, { events: { synapticOp: { energyPJ: number } } }> };
  for (const profile of Object.values(spec.costProfiles)) profile.events.synapticOp.energyPJ *= 10;
  writeFileSync(editedSpec, JSON.stringify(spec, null, 2));
  builtinProgram = join(dir, 'builtin.chip.pb');
  compile('loihi2', builtinProgram);
  editedProgram = join(dir, 'edited.chip.pb');
  compile(editedSpec, editedProgram);
}, 120_000);

describe('the spec a program was compiled for', () => {
  it('is recorded as the SHA-256 of its canonical JSON: an unedited export hashes as the builtin, an edited one not', () => {
    const builtinHash = chipSpecSha256(getChip('loihi2'));
    expect(chipSpecSha256(parseChipSpec(readFileSync(join(dir, 'loihi2.json')), 'loihi2.json'))).toBe(builtinHash);
    expect(decodeChipProgram(readFileSync(builtinProgram), 'builtin').chipSpecSha256).toBe(builtinHash);
    const edited = decodeChipProgram(readFileSync(editedProgram), 'edited');
    expect(edited.chipName).toBe('loihi2');
    expect(edited.chipSpecSha256).toBe(chipSpecSha256(parseChipSpec(readFileSync(editedSpec), 'edited')));
    expect(edited.chipSpecSha256).not.toBe(builtinHash);
  });

  it('simulate without --chip refuses a program compiled for an edited export, saying it needs that spec file', () => {
    const out = join(dir, 'refused.json');
    const run = runCli(['simulate', editedProgram, '--data', data, '--limit', '5', '-o', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^spikechip simulate: .*edited\.chip\.pb: was compiled for a user spec named 'loihi2' \(sha256 [0-9a-f]{12}\): pass that spec file with --chip <file\.json>; without --chip it would run on the builtin loihi2/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('runs it with that spec file, priced by the edited spec', () => {
    const withSpec = runCli(['simulate', editedProgram, '--chip', editedSpec, '--data', data, '--limit', '5', '--json']);
    expect(withSpec.status, withSpec.stderr).toBe(0);
    const builtin = runCli(['simulate', builtinProgram, '--data', data, '--limit', '5', '--json']);
    expect(builtin.status, builtin.stderr).toBe(0);
    const energy = (run: { stdout: string }) => (JSON.parse(run.stdout) as { energyPerInferenceJ: number }).energyPerInferenceJ;
    expect(energy(withSpec)).toBeGreaterThan(5 * energy(builtin));
  });

  it('saves the spec hash in the result, so recost and report never price or draw it with the builtin of the same name', () => {
    const result = join(dir, 'edited-result.json');
    const run = runCli(['simulate', editedProgram, '--chip', editedSpec, '--data', data, '--limit', '5', '-o', result]);
    expect(run.status, run.stderr).toBe(0);
    const recost = runCli(['recost', result, '--profile', 'davies2018']);
    expect(recost.status).toBe(1);
    expect(recost.stderr).toMatch(
      /^spikechip recost: .*edited-result\.json: was simulated on a user spec named 'loihi2' \(sha256 [0-9a-f]{12}\), not the builtin loihi2: pass that spec file with --chip <file\.json>\n$/,
    );
    expect(runCli(['recost', result, '--profile', 'davies2018', '--chip', editedSpec]).status).toBe(0);
    const report = runCli(['report', result, '-o', join(dir, 'edited.html')]);
    expect(report.status).toBe(1);
    expect(existsSync(join(dir, 'edited.html'))).toBe(false);
  });

  it('refuses the builtin program under the edited spec, and under another chip, naming the spec it needs', () => {
    const edited = runCli(['simulate', builtinProgram, '--chip', editedSpec, '--data', data, '--limit', '5']);
    expect(edited.status).toBe(1);
    expect(edited.stderr).toMatch(/was compiled for the builtin loihi2: run it with --chip loihi2 \(or without --chip\); --chip .*loihi2-edited\.json is 'loihi2'/);
    const learn = runCli(['learn', editedProgram, '--rule', 'ottt', '--data', data, '--samples', '4', '--test-limit', '4']);
    expect(learn.status).toBe(1);
    expect(learn.stderr).toMatch(/^spikechip learn: .*was compiled for a user spec named 'loihi2'/);
  });

  it('reads a version 1 program (no hash) and checks its spec by name', () => {
    const program = decodeChipProgram(readFileSync(builtinProgram), 'builtin');
    delete program.chipSpecSha256;
    const v1 = join(dir, 'v1.chip.pb');
    writeFileSync(v1, encodeChipProgram({ ...program, irVersion: 1 }));
    const run = runCli(['simulate', v1, '--data', data, '--limit', '5', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const other = runCli(['simulate', v1, '--chip', 'loihi', '--data', data, '--limit', '5']);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/was compiled for chip 'loihi2' \(an IR version 1 program, known by name only\), not 'loihi'/);
  });
});

describe('check before a run', () => {
  it("simulate, learn and report refuse a program check rejects, with check's diagnostics, and write nothing", () => {
    const program = decodeChipProgram(readFileSync(builtinProgram), 'builtin');
    const weights = program.layers[1]!.connection.conv?.weights ?? program.layers[1]!.connection.dense!.weights;
    weights[0] = 100_000;
    const broken = join(dir, 'broken.chip.pb');
    writeFileSync(broken, encodeChipProgram(program));
    const check = runCli(['check', broken, '--chip', 'loihi2']);
    expect(check.status).toBe(1);
    const diagnostics = check.stdout.split('\n').filter((l) => l.startsWith('  error'));
    expect(diagnostics.length).toBeGreaterThan(0);
    const out = join(dir, 'broken-result.json');
    for (const [command, args] of [
      ['simulate', ['simulate', broken, '--data', data, '--limit', '5', '-o', out]],
      ['learn', ['learn', broken, '--rule', 'ottt', '--data', data, '--samples', '4', '--test-limit', '4', '-o', join(dir, 'learned.chip.pb')]],
    ] as const) {
      const run = runCli(args);
      expect(run.status, command).toBe(1);
      const lines = run.stderr.replace(/\n$/, '').split('\n');
      expect(lines[0]).toMatch(
        new RegExp(`^spikechip ${command}: .*broken\\.chip\\.pb does not fit chip loihi2 \\(\\d+ errors?, as spikechip check prints them below\\); nothing was run$`),
      );
      for (const d of diagnostics) expect(lines).toContain(d);
      expect(run.stderr).not.toContain('    at ');
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'learned.chip.pb'))).toBe(false);
    const result = join(dir, 'result.json');
    const simulated = runCli(['simulate', builtinProgram, '--data', data, '--limit', '5', '-o', result]);
    expect(simulated.status, simulated.stderr).toBe(0);
    const report = runCli(['report', result, '--program', broken, '-o', join(dir, 'r.html')]);
    expect(report.status).toBe(1);
    expect(report.stderr).toMatch(/^spikechip report: .*broken\.chip\.pb does not fit chip loihi2/);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });
});
