import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OutputError, UsageError } from '../../cli/failure.js';
import { checkOutputs, writeOutputFile } from '../../cli/output-file.js';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { readIdxFile } from '../../models/datasets/idx.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const bundledModel = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();
const scratch = () => mkdtempSync(join(tmpdir(), 'spikechip-outputs-'));

/** Every file under `dir`, relative, sorted: temporary files included (they start with a dot). */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('the atomic writer', () => {
  it('writes the whole file under its name and leaves nothing else', () => {
    const dir = scratch();
    writeOutputFile(join(dir, 'a.json'), '{"a":1}\n');
    writeOutputFile(join(dir, 'a.json'), '{"a":2}\n');
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"a":2}\n');
    expect(filesUnder(dir)).toEqual(['a.json']);
  });

  it('on a failed rename removes its temporary file and names the real path', () => {
    const dir = scratch();
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'inside'), { recursive: true });
    expect(() => writeOutputFile(target, 'x')).toThrow(OutputError);
    expect(() => writeOutputFile(target, 'x')).toThrow(new RegExp(`^${target}: cannot be written \\(E[A-Z]+\\)$`));
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('refuses, before a run, an output that is an input: the same path, a symbolic link, a hard link, a file in an input folder', () => {
    const dir = scratch();
    const input = join(dir, 'in.snnmodel');
    copyFileSync(bundledModel, input);
    symlinkSync(input, join(dir, 'soft'));
    linkSync(input, join(dir, 'hard'));
    for (const output of [input, join(dir, 'soft'), join(dir, 'hard'), join(dir, '.', 'in.snnmodel')]) {
      expect(() => checkOutputs('convert', [{ option: 'output', path: output }], [input])).toThrow(UsageError);
    }
    expect(() => checkOutputs('eval', [{ option: 'output', path: input }], [dir])).toThrow(/is a file inside the input folder/);
    expect(() => checkOutputs('convert', [{ option: 'output', path: join(dir, 'new.snnmodel') }], [input, undefined])).not.toThrow();
  });
});

describe('commands never write over their inputs', () => {
  it('compile, convert and export refuse -o equal to the input (also as a hard link) and leave it intact', () => {
    const dir = scratch();
    const model = join(dir, 'model.snnmodel');
    copyFileSync(bundledModel, model);
    linkSync(model, join(dir, 'alias.snnmodel'));
    const bytes = readFileSync(model);
    for (const args of [
      ['compile', model, '--chip', 'loihi2', '-o', model],
      ['convert', model, '-o', join(dir, 'alias.snnmodel')],
      ['export', model, '-o', model],
    ]) {
      const run = runCli(args);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/writing it would destroy the input/);
      expect(readFileSync(model).equals(bytes)).toBe(true);
    }
    expect(filesUnder(dir)).toEqual(['alias.snnmodel', 'model.snnmodel']);
  });
});

/** An idx test split of the bundled images repeated `times` times, in a folder of its own. */
function largeTestSet(times: number): string {
  const dir = scratch();
  const images = readIdxFile(join(data, 't10k-images-idx3-ubyte.gz'));
  const labels = readIdxFile(join(data, 't10k-labels-idx1-ubyte.gz'));
  const count = images.dims[0]! * times;
  const header = (magic: number, dims: number[]) => {
    const h = Buffer.alloc(4 + 4 * dims.length);
    h.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return h;
  };
  const repeat = (bytes: Uint8Array) => Buffer.concat(Array.from({ length: times }, () => Buffer.from(bytes)));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Buffer.concat([header(0x803, [count, 28, 28]), repeat(images.data)]));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), Buffer.concat([header(0x801, [count]), repeat(labels.data)]));
  return dir;
}

describe('a run stopped by a signal', () => {
  let program: string;
  beforeAll(() => {
    program = join(scratch(), 'model.chip.pb');
    const run = runCli(['compile', bundledModel, '--chip', 'loihi2', '-o', program]);
    expect(run.status, run.stderr).toBe(0);
  }, 120_000);

  /** Starts the CLI, sends `signal` once `ready()` holds (polled), and resolves with how it ended. */
  function interrupt(args: string[], signal: NodeJS.Signals, ready: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli', 'main.js'), ...args], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
    return new Promise((done, fail) => {
      const poll = setInterval(() => {
        if (ready()) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 20);
      child.on('error', fail);
      child.on('exit', (code, stopped) => {
        clearInterval(poll);
        done({ code, signal: stopped });
      });
    });
  }

  it('SIGINT during simulate -o leaves neither the result nor a temporary file', async () => {
    const dir = scratch();
    // A test set long enough (the bundled 1000 images 40 times) that the signal lands while it runs, however fast.
    const long = largeTestSet(40);
    const started = Date.now();
    const end = await interrupt(
      ['simulate', program, '--data', long, '--workers', '1', '-o', join(dir, 'result.json'), '--report', join(dir, 'r.html')],
      'SIGINT',
      () => Date.now() - started > 1500,
    );
    expect(end.signal ?? end.code).not.toBe(0);
    expect(filesUnder(dir)).toEqual([]);
  }, 60_000);

  it('SIGTERM while events convert writes its files stops it between files: only whole files, no temporary file', async () => {
    const dir = scratch();
    const out = join(dir, 'events');
    const end = await interrupt(['events', 'convert', '--data', data, '-o', out], 'SIGTERM', () => existsSync(out) && filesUnder(out).length >= 3);
    expect(end.signal).toBe('SIGTERM');
    const files = filesUnder(out);
    expect(files.filter((f) => f.includes('.partial-') || f.split('/').pop()!.startsWith('.'))).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.length).toBeLessThan(1000);
    for (const f of files) expect(readFileSync(join(out, f)).length % 5, f).toBe(0);
  }, 60_000);
});
