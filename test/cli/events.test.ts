import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { aedat3File } from '../helpers/aedat3.js';
import { runCli } from '../helpers/run-cli.js';

const bundled = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();
const scratch = () => mkdtempSync(join(tmpdir(), 'spikechip-events-'));

describe('spikechip events and simulate --events', () => {
  it('converts 20 bundled test images to N-MNIST files and simulates them on loihi2, deterministically', () => {
    const dir = scratch();
    const events = join(dir, 'events');
    const convert = runCli(['events', 'convert', '--data', data, '--limit', '20', '--seed', '3', '-o', events, '--json']);
    expect(convert.status, convert.stderr).toBe(0);
    const summary = JSON.parse(convert.stdout) as { images: number; events: number };
    expect(summary.images).toBe(20);
    const files = readdirSync(events).flatMap((label) => readdirSync(join(events, label)).map((f) => join(label, f)));
    expect(files).toHaveLength(20);
    expect(files.every((f) => /^\d\/\d{5}\.bin$/.test(f))).toBe(true);

    const inspect = runCli(['events', 'inspect', join(events, files[0]!), '--json']);
    expect(inspect.status, inspect.stderr).toBe(0);
    const info = JSON.parse(inspect.stdout) as { events: number; durationUs: number; on: number; off: number; sensor: number[] };
    expect(info.events).toBe(info.on + info.off);
    expect(info.events).toBeGreaterThan(0);
    expect(info.durationUs).toBeGreaterThan(250_000);
    expect(info.sensor).toEqual([34, 34]);

    const program = join(dir, 'model.chip.pb');
    const compile = runCli(['compile', bundled, '--chip', 'loihi2', '-o', program]);
    expect(compile.status, compile.stderr).toBe(0);
    const args = ['simulate', program, '--events', events, '--json'];
    const a = runCli(args);
    expect(a.status, a.stderr).toBe(0);
    const report = JSON.parse(a.stdout) as { samples: number; accuracy: number | null; encoding: string; perLayer: { name: string; spikes: number }[] };
    expect(report.samples).toBe(20);
    expect(report.encoding).toBe('events');
    expect(typeof report.accuracy).toBe('number');
    // Every spiking layer fires; the last layer is the readout (no neuron, accumulated voltage only).
    for (const layer of report.perLayer.slice(0, -1)) expect(layer.spikes, layer.name).toBeGreaterThan(0);
    const b = runCli(args);
    expect(b.stdout).toBe(a.stdout);
    // Worker threads split the samples; one thread gives the same bytes.
    expect(runCli([...args, '--workers', '1']).stdout).toBe(a.stdout);
    const again = runCli(['events', 'convert', '--data', data, '--limit', '20', '--seed', '3', '-o', join(dir, 'again'), '--json']);
    expect(again.status).toBe(0);
    for (const f of files) expect(readFileSync(join(dir, 'again', f))).toEqual(readFileSync(join(events, f)));

    // One unlabelled AEDAT 3.1 file: accuracy is null.
    const aedat = join(dir, 'one.aedat');
    writeFileSync(
      aedat,
      aedat3File([
        {
          type: 1,
          events: [
            { x: 10, y: 10, p: 1, t: 0 },
            { x: 12, y: 20, p: 0, t: 5000 },
          ],
        },
      ]),
    );
    const single = runCli(['simulate', program, '--events', aedat, '--json']);
    expect(single.status, single.stderr).toBe(0);
    expect(JSON.parse(single.stdout)).toMatchObject({ samples: 1, accuracy: null });
  });

  it('reports a truncated event file with its name and byte offset, and exits 1', () => {
    const dir = scratch();
    const file = join(dir, 'cut.bin');
    writeFileSync(file, Uint8Array.from([1, 2, 3, 4, 5, 6, 7]));
    const run = runCli(['events', 'inspect', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}: truncated N-MNIST event file`);
    expect(run.stderr).toMatch(/byte offset 5/);
  });

  it('refuses event input for a program whose first layer runs on the host (loihi)', () => {
    const dir = scratch();
    const events = join(dir, 'events');
    expect(runCli(['events', 'convert', '--data', data, '--limit', '2', '-o', events]).status).toBe(0);
    const program = join(dir, 'loihi.chip.pb');
    expect(runCli(['compile', bundled, '--chip', 'loihi', '-o', program]).status).toBe(0);
    const run = runCli(['simulate', program, '--events', events]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/event input needs a chip that takes input events/);
  });
});
