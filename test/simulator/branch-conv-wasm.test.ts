import { afterEach, describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import type { Model, ModelNode } from '../../models/graph/model.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { isDiagonalTable } from '../../simulator/scatter.js';
import { simulateImages } from '../../simulator/simulate.js';
import { ChipWasm } from '../../simulator/wasm/chip-wasm.js';
import { lcg, randomData, syntheticModel } from '../compiler/helpers.js';

function conv(name: string, cout: number, cin: number, k: number, stride: number, pad: number, next: () => number, input?: string): ModelNode {
  return {
    kind: 'conv2d',
    name,
    weight: { shape: [cout, cin, k, k], data: randomData(next, cout * cin * k * k, 0.8) },
    bias: { shape: [cout], data: randomData(next, cout, 0.2) },
    stride: [stride, stride],
    padding: [pad, pad],
    ...(input ? { input } : {}),
  };
}

function lif(name: string, threshold: number): ModelNode {
  return { kind: 'lif', name, prefix: null, decay: 0.5, threshold: { kind: 'fixed', value: threshold }, reset: 'subtract' };
}

/**
 * A ResNet downsampling block: conv3 + a strided 1x1 conv shortcut of lif1 -> lif3. Six channels, so the 32-bit
 * kernel runs one vector of four and a scalar tail of two per row.
 */
function downsamplingBlock(): Model {
  const next = lcg(5);
  return {
    ...syntheticModel(),
    name: 'resnet-down',
    nodes: [
      conv('conv1', 6, 1, 3, 1, 1, next),
      lif('lif1', 0.3),
      conv('conv2', 6, 6, 3, 2, 1, next),
      lif('lif2', 0.3),
      conv('conv3', 6, 6, 3, 1, 1, next),
      conv('down', 6, 6, 1, 2, 0, next, 'lif1'),
      { kind: 'add', name: 'add', input: 'conv3', from: 'down' },
      lif('lif3', 0.3),
      { kind: 'flatten', name: 'flatten' },
      { kind: 'linear', name: 'fc', weight: { shape: [3, 96], data: randomData(next, 288, 0.5) }, bias: { shape: [3], data: randomData(next, 3, 0.1) } },
    ],
  };
}

describe('a strided conv shortcut delivered by the 32-bit WebAssembly scatter', () => {
  const previous = process.env.SPIKECHIP_NO_WASM;
  afterEach(() => {
    if (previous === undefined) delete process.env.SPIKECHIP_NO_WASM;
    else process.env.SPIKECHIP_NO_WASM = previous;
  });

  it('gives the result object of the scalar TypeScript scatter', () => {
    const spec = getChip('loihi2');
    const program = compile(downsamplingBlock(), spec, { chips: 'auto', threshold: 'auto' }).program!;
    const count = 8;
    const next = lcg(17);
    const size = program.input.shape.reduce((a, b) => a * b, 1);
    const images = Uint8Array.from({ length: count * size }, () => Math.floor(next() * 256));
    const run = (noWasm: boolean) => {
      if (noWasm) process.env.SPIKECHIP_NO_WASM = '1';
      else delete process.env.SPIKECHIP_NO_WASM;
      const runtime = buildRuntime(program, spec, 'resnet-down.chip.pb');
      const shortcuts = runtime.layers.flatMap((l) => l.branches);
      expect(shortcuts.length).toBe(1);
      expect(shortcuts[0]!.synapses.synapses.kind).toBe('conv');
      expect(isDiagonalTable(shortcuts[0]!.synapses)).toBe(false);
      return { source: shortcuts[0]!.source, run: simulateImages(runtime, { images, labels: new Uint8Array(count), count, first: 0 }, 'direct', 1, undefined, ['all']) };
    };
    const scalar = run(true);
    const simd = run(false);
    expect(simd.run).toEqual(scalar.run);
    // The shortcut carried spikes.
    expect(scalar.run.layerSpikes[scalar.source]).toBeGreaterThan(0);
    // And the SIMD run took the kernel for it.
    const runtime = buildRuntime(program, spec, 'resnet-down.chip.pb');
    const fed = runtime.layers.find((l) => l.branches.length > 0)!;
    expect(
      ChipWasm.create(
        runtime,
        runtime.layers.map(() => true),
      )!.branchEvents(fed.index, 0),
    ).not.toBeNull();
  });

  it('keeps the WebAssembly kernels for a second run on the same runtime, with the same result', () => {
    delete process.env.SPIKECHIP_NO_WASM;
    const spec = getChip('loihi2');
    const program = compile(downsamplingBlock(), spec, { chips: 'auto', threshold: 'auto' }).program!;
    const count = 4;
    const next = lcg(23);
    const size = program.input.shape.reduce((a, b) => a * b, 1);
    const images = Uint8Array.from({ length: count * size }, () => Math.floor(next() * 256));
    const runtime = buildRuntime(program, spec, 'resnet-down.chip.pb');
    const data = { images, labels: new Uint8Array(count), count, first: 0 };
    const first = simulateImages(runtime, data, 'direct', 1, undefined, ['all']);
    const wasm = ChipWasm.create(
      runtime,
      runtime.layers.map(() => true),
    );
    expect(wasm).not.toBeNull();
    // The second run's simulator is handed the same arena, so it runs the kernels, not the scalar fallback.
    expect(
      ChipWasm.create(
        runtime,
        runtime.layers.map(() => true),
      ),
    ).toBe(wasm);
    expect(simulateImages(runtime, data, 'direct', 1, undefined, ['all'])).toEqual(first);
    process.env.SPIKECHIP_NO_WASM = '1';
    expect(simulateImages(buildRuntime(program, spec, 'resnet-down.chip.pb'), data, 'direct', 1, undefined, ['all'])).toEqual(first);
  });
});
