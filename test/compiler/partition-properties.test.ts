import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChipProgram, Core } from '../../chips/ir/chip-program.js';
import { getChip } from '../../chips/registry.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { compile, partitionPass, type Compilation } from '../../compiler/compile.js';
import { stageOutput } from '../../compiler/pass.js';
import { coreSlice, layerView } from '../../compiler/ir-view.js';
import { fanInWidth, sliceUsage, type LayerView } from '../../compiler/usage.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { denseModel, syntheticModel, withCoreLimits, type SyntheticModelOptions } from './helpers.js';

/**
 * Property tests of partition and route (DESIGN.md section 7: "partitioning keeps every synapse once, routing
 * delivers every packet once"), on random small models and random per-core limits. Everything is recomputed by
 * brute force over neurons from the emitted ChipProgram, independently of the closed forms in the passes, and
 * checked against the traffic the simulator's runtime builds from the same program.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

interface Case {
  readonly chip: 'loihi' | 'loihi2' | 'tianjic';
  /** A conv model as the fixtures are, or (one case in five) a dense one whose first layer reads the pixels. */
  readonly model: { readonly conv: SyntheticModelOptions } | { readonly dense: DenseOptions };
  readonly limits: { maxNeurons: number; maxInputAxons: number; maxOutputAxons: number; synapseBits: number; maxFanIn: number | null };
}

const conv = (size: number, k: number, stride: number, pad: number) => Math.floor((size + 2 * pad - k) / stride) + 1;

/** Every intermediate grid of the synthetic model is at least 1x1. */
function validModel(m: SyntheticModelOptions): boolean {
  const [, h, w] = m.input!;
  for (const size of [h, w]) {
    const first = conv(size, m.conv1Kernel!, m.conv1Stride!, m.conv1Padding!);
    const pooled = Math.floor(first / m.pool!);
    if (first < 1 || pooled < 1) return false;
    const second = conv(pooled, m.conv2Kernel!, m.conv2Stride!, m.conv2Padding!);
    if (second < 1 || Math.floor(second / m.pool2!) < 1) return false;
  }
  return true;
}

type DenseOptions = NonNullable<Parameters<typeof denseModel>[0]>;

const convArb: fc.Arbitrary<SyntheticModelOptions> = fc
  .record({
    seed: fc.nat(),
    input: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 3, max: 10 }), fc.integer({ min: 3, max: 10 })),
    conv1Channels: fc.integer({ min: 1, max: 6 }),
    conv1Kernel: fc.integer({ min: 1, max: 3 }),
    conv1Stride: fc.integer({ min: 1, max: 3 }),
    conv1Padding: fc.integer({ min: 0, max: 1 }),
    pool: fc.integer({ min: 1, max: 3 }),
    conv2Channels: fc.integer({ min: 1, max: 6 }),
    conv2Kernel: fc.integer({ min: 1, max: 3 }),
    conv2Stride: fc.integer({ min: 1, max: 3 }),
    conv2Padding: fc.integer({ min: 0, max: 1 }),
    pool2: fc.integer({ min: 1, max: 2 }),
    outputs: fc.integer({ min: 1, max: 5 }),
  })
  .filter(validModel);

const denseArb: fc.Arbitrary<DenseOptions> = fc.record({
  seed: fc.nat(),
  input: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
  hidden: fc.integer({ min: 1, max: 40 }),
  outputs: fc.integer({ min: 1, max: 5 }),
});

const modelArb = fc.oneof({ arbitrary: convArb.map((conv) => ({ conv })), weight: 4 }, { arbitrary: denseArb.map((dense) => ({ dense })), weight: 1 });

/**
 * Limits small enough that layers split into many cores and fan-ins into partial sums. Output axons go from well
 * below the neuron limit (a partial-sum core then serves a box smaller than the soma would allow) to well above.
 */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    chip: fc.constantFrom('loihi2' as const, 'tianjic' as const, 'loihi2' as const, 'tianjic' as const, 'loihi' as const),
    model: modelArb,
    maxNeurons: fc.integer({ min: 2, max: 300 }),
    maxInputAxons: fc.integer({ min: 4, max: 300 }),
    extraOutputAxons: fc.integer({ min: -300, max: 400 }),
    synapseBytes: fc.integer({ min: 64, max: 40_000 }),
    maxFanIn: fc.option(fc.integer({ min: 8, max: 256 }), { nil: null }),
  })
  .map(({ chip, model, maxNeurons, maxInputAxons, extraOutputAxons, synapseBytes, maxFanIn }) => ({
    chip,
    model,
    limits: {
      maxNeurons,
      maxInputAxons,
      maxOutputAxons: Math.max(1, maxNeurons + extraOutputAxons),
      synapseBits: synapseBytes * 8,
      // Only a crossbar chip bounds the fan-in.
      maxFanIn: chip === 'tianjic' ? (maxFanIn ?? 256) : null,
    },
  }));

function build(c: Case): { spec: ChipSpec; result: Compilation } {
  const spec = withCoreLimits(getChip(c.chip), c.limits);
  const model = 'conv' in c.model ? syntheticModel(c.model.conv) : denseModel(c.model.dense);
  return { spec, result: compile(model, spec, { chips: 'auto', threshold: 'auto' }) };
}

/** Every layer got a tiling (no partition diagnostic), so the program holds every layer's cores. */
function everyLayerPartitioned(result: Compilation): boolean {
  return stageOutput(result.stages, partitionPass).partition.slices.every((slices) => slices.length > 0);
}

function synapseLimit(spec: ChipSpec): number {
  const m = spec.core.synapseMemory;
  return m.kind === 'grouped-words' ? m.totalBits : spec.core.sramBytes! * 8;
}

function views(program: ChipProgram): LayerView[] {
  return program.layers.map(layerView);
}

const inBox = (core: Core, c: number, y: number, x: number) =>
  c >= core.channels.begin && c < core.channels.end && y >= core.rows.begin && y < core.rows.end && x >= core.cols.begin && x < core.cols.end;
const inFanIn = (core: Core, f: number) => f >= core.fanIn.begin && f < core.fanIn.end;

/** Whether source neuron (c, y, x) of the layer before `layer` has a synapse on core `target` of `layer`. */
function feeds(layer: LayerView, target: Core, c: number, y: number, x: number): boolean {
  const [ps, qs] = layer.pooling ? layer.pooling.stride : [1, 1];
  const grid = layer.pooling ? layer.pooling.pooledShape : layer.sourceShape;
  const py = Math.floor(y / ps);
  const px = Math.floor(x / qs);
  if (py >= grid[1] || px >= grid[2]) return false; // dropped by a floor-rounding pool
  const g = layer.geometry;
  if (g.kind === 'dense') return inFanIn(target, (c * grid[1] + py) * grid[2] + px);
  if (!inFanIn(target, c)) return false;
  const reaches = (p: number, range: { begin: number; end: number }, stride: number, pad: number, k: number) => {
    for (let o = range.begin; o < range.end; o++) {
      const tap = p - (o * stride - pad);
      if (tap >= 0 && tap < k) return true;
    }
    return false;
  };
  return reaches(py, target.rows, g.stride[0], g.padding[0], g.kernel[0]) && reaches(px, target.cols, g.stride[1], g.padding[1], g.kernel[1]);
}

const params = { numRuns: RUNS, seed: Number(process.env.PROPERTY_SEED ?? 20_240_611) };

describe('partition under random per-core limits', () => {
  it('keeps every core within every limit of the spec when the program compiles without errors', () => {
    let compiled = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { spec, result } = build(c);
        if (!result.ok) return;
        compiled++;
        const program = result.program!;
        const layers = views(program);
        const limit = spec.core;
        for (const core of program.cores) {
          const u = core.usage;
          const label = `core ${core.id} (layer ${core.layer})`;
          expect(u.neurons, label).toBeLessThanOrEqual(limit.maxNeurons);
          expect(u.inputAxons, label).toBeLessThanOrEqual(limit.maxInputAxons);
          expect(u.outputAxons, label).toBeLessThanOrEqual(limit.maxOutputAxons);
          expect(u.synapseBits, label).toBeLessThanOrEqual(synapseLimit(spec));
          if (limit.maxFanIn !== null) expect(u.fanIn, label).toBeLessThanOrEqual(limit.maxFanIn);
          const again = sliceUsage(layers[core.layer]!, coreSlice(core), spec, false);
          expect(again.neurons, label).toBe(u.neurons);
          expect(again.synapseBits, label).toBe(u.synapseBits);
          expect(again.synapses, label).toBe(u.synapses);
          expect(again.fanIn, label).toBe(u.fanIn);
          expect(u.inputAxons, label).toBeGreaterThanOrEqual(again.inputAxons);
          expect(again.neurons, label).toBeLessThanOrEqual(limit.maxNeurons);
          expect(again.inputAxons, label).toBeLessThanOrEqual(limit.maxInputAxons);
          expect(again.synapseBits, label).toBeLessThanOrEqual(synapseLimit(spec));
          if (limit.maxFanIn !== null) expect(again.fanIn, label).toBeLessThanOrEqual(limit.maxFanIn);
        }
      }),
      params,
    );
    // The property is not vacuous: most random cases compile.
    expect(compiled).toBeGreaterThan(RUNS / 2);
  });

  it('reports no resource error whenever it found a tiling for every layer', () => {
    const resource = new Set(['E-NEURONS', 'E-IN-AXONS', 'E-OUT-AXONS', 'E-SYNMEM', 'E-FANIN']);
    fc.assert(
      fc.property(caseArb, (c) => {
        const { result } = build(c);
        if (!everyLayerPartitioned(result)) return;
        expect(result.diagnostics.filter((d) => resource.has(d.code)).map((d) => d.message)).toEqual([]);
      }),
      params,
    );
  });

  it('places every synapse on exactly one core, and the soma boxes tile every layer', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { result } = build(c);
        if (!everyLayerPartitioned(result)) return;
        const program = result.program!;
        const layers = views(program);
        program.layers.forEach((layer, index) => {
          const view = layers[index]!;
          const cores = program.cores.filter((core) => core.layer === index);
          const soma = cores.filter((core) => core.role === 'CORE_SOMA');
          const partial = cores.filter((core) => core.role === 'CORE_PARTIAL');
          const [C, H, W] = view.shape;
          const onHost = view.weights.length === 0;
          const annInput = index === 0 && program.input.placement === 'INPUT_ANN_CORE';
          const F = onHost ? 0 : fanInWidth(view);
          expect(onHost, `layer ${layer.name} on host`).toBe(index === 0 && program.input.placement === 'INPUT_HOST');
          // Soma boxes: inside the layer, disjoint, covering it.
          for (const core of soma) {
            expect(core.channels.begin).toBeGreaterThanOrEqual(0);
            expect(core.rows.begin).toBeGreaterThanOrEqual(0);
            expect(core.cols.begin).toBeGreaterThanOrEqual(0);
            expect(core.channels.end).toBeLessThanOrEqual(C);
            expect(core.rows.end).toBeLessThanOrEqual(H);
            expect(core.cols.end).toBeLessThanOrEqual(W);
            expect(core.somaCore).toBe(core.id);
            if (annInput || onHost) expect(core.fanIn).toEqual({ begin: 0, end: 0 });
          }
          // Partial cores: the box of a soma core of the same layer, and that core as their soma.
          for (const core of partial) {
            const owner = soma.find((s) => s.id === core.somaCore);
            expect(owner, `soma of partial core ${core.id}`).toBeDefined();
            expect([owner!.channels, owner!.rows, owner!.cols]).toEqual([core.channels, core.rows, core.cols]);
            expect(core.annMode).toBe(annInput);
          }
          for (let ch = 0; ch < C; ch++) {
            for (let y = 0; y < H; y++) {
              for (let x = 0; x < W; x++) {
                expect(soma.filter((core) => inBox(core, ch, y, x)).length, `layer ${layer.name} neuron (${ch},${y},${x}) soma`).toBe(1);
                for (let f = 0; f < F; f++) {
                  const holders = cores.filter((core) => inBox(core, ch, y, x) && inFanIn(core, f));
                  expect(holders.length, `layer ${layer.name} neuron (${ch},${y},${x}) fan-in ${f}`).toBe(1);
                  if (annInput) expect(holders[0]!.role).toBe('CORE_PARTIAL');
                }
              }
            }
          }
          // No core reads a fan-in index outside the layer's fan-in.
          for (const core of cores) expect(core.fanIn.end).toBeLessThanOrEqual(F);
        });
      }),
      params,
    );
  });

  it('routes every connection once: routes equal the brute-force (source core, destination core) pairs with their fan-out', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { spec, result } = build(c);
        if (!everyLayerPartitioned(result)) return;
        const program = result.program!;
        const layers = views(program);
        const byId = new Map(program.cores.map((core) => [core.id, core]));
        for (const core of program.cores) {
          const destinations = core.routes.map((r) => r.destinationCore);
          expect(new Set(destinations).size, `core ${core.id} routes`).toBe(destinations.length);
          if (core.role === 'CORE_PARTIAL') {
            const size = (core.channels.end - core.channels.begin) * (core.rows.end - core.rows.begin) * (core.cols.end - core.cols.begin);
            expect(core.routes.map((r) => [r.destinationCore, r.fanOut])).toEqual([[core.somaCore, size]]);
            continue;
          }
          const next = core.layer + 1 < program.layers.length ? layers[core.layer + 1]! : null;
          const expected = new Map<number, number>();
          let reaching = 0;
          if (next) {
            const targets = program.cores.filter((t) => t.layer === core.layer + 1);
            for (let ch = core.channels.begin; ch < core.channels.end; ch++) {
              for (let y = core.rows.begin; y < core.rows.end; y++) {
                for (let x = core.cols.begin; x < core.cols.end; x++) {
                  let any = false;
                  for (const t of targets) {
                    if (!feeds(next, t, ch, y, x)) continue;
                    expected.set(t.id, (expected.get(t.id) ?? 0) + 1);
                    any = true;
                  }
                  if (any) reaching++;
                }
              }
            }
          }
          const actual = new Map(core.routes.map((r) => [r.destinationCore, r.fanOut]));
          expect(actual, `routes of core ${core.id} (layer ${core.layer})`).toEqual(expected);
          for (const r of core.routes) {
            const to = byId.get(r.destinationCore)!;
            expect(to.layer).toBe(core.layer + 1);
            expect(r.multicast).toBe(spec.mesh.multicast);
            // Dimension-order route between the two tiles; chips sit side by side east-west.
            const x = (k: Core) => k.chip * spec.mesh.widthTiles + k.tileX;
            expect([r.hopsEastWest, r.hopsNorthSouth, r.chipCrossings]).toEqual([Math.abs(x(to) - x(core)), Math.abs(to.tileY - core.tileY), Math.abs(to.chip - core.chip)]);
          }
          // Output axons: one per connection without multicast; with multicast one per neuron that reaches a core.
          const connections = [...expected.values()].reduce((a, b) => a + b, 0);
          expect(core.usage.outputAxons).toBe(spec.mesh.multicast ? reaching : connections);
        }
      }),
      params,
    );
  });
});

describe('place under random per-core limits', () => {
  it('puts every core at its own slot of the mesh, numbered chip * coresPerChip + index, in layer order', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { spec, result } = build(c);
        const program = result.program!;
        const { coresPerChip, widthTiles, heightTiles, coresPerTile } = spec.mesh;
        const positions = new Set<string>();
        program.cores.forEach((core, n) => {
          expect(core.id).toBe(n);
          expect(core.chip).toBe(Math.floor(core.id / coresPerChip));
          expect(core.chip).toBeLessThan(program.chipCount);
          expect(core.tileX).toBeLessThan(widthTiles);
          expect(core.tileY).toBeLessThan(heightTiles);
          expect(core.slot).toBeLessThan(coresPerTile);
          positions.add(`${core.chip}:${core.tileX}:${core.tileY}:${core.slot}`);
          if (n > 0) expect(core.layer).toBeGreaterThanOrEqual(program.cores[n - 1]!.layer);
        });
        expect(positions.size).toBe(program.cores.length);
        expect(program.chipCount).toBe(Math.max(1, Math.ceil(program.cores.length / coresPerChip)));
      }),
      params,
    );
  });
});

describe('route against the simulator runtime', () => {
  it('routes, output axons and crossbar input axons count exactly what the runtime sends', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { spec, result } = build(c);
        if (!everyLayerPartitioned(result)) return;
        const program = result.program!;
        // Core ids are their index in program.cores (see the place property), as the runtime numbers them.
        const runtime = buildRuntime(program, spec, 'property');
        runtime.layers.forEach((layer, index) => {
          const destinations = (axon: number) => layer.groupCore.subarray(layer.groupCoreStart[layer.axonGroup[axon]!]!, layer.groupCoreStart[layer.axonGroup[axon]! + 1]!);
          // A crossbar core has one input axon per source position (and channel) whose spikes reach it.
          if (spec.core.synapseMemory.kind !== 'grouped-words' && layer.synapses.kind !== 'host') {
            const axons = new Int32Array(program.cores.length);
            for (let a = 0; a < layer.axonGroup.length; a++) for (const core of destinations(a)) axons[core]!++;
            for (const core of program.cores.filter((k) => k.layer === index)) expect(core.usage.inputAxons, `input axons of core ${core.id}`).toBe(axons[core.id]);
          }
          if (index === 0) return;
          const source = runtime.layers[index - 1]!;
          const sent = new Map<number, Map<number, number>>();
          const reaching = new Map<number, number>();
          for (let n = 0; n < source.neurons; n++) {
            const axon = layer.axonOf[n]!;
            if (axon < 0 || destinations(axon).length === 0) continue;
            const from = source.coreOfNeuron[n]!;
            reaching.set(from, (reaching.get(from) ?? 0) + 1);
            const fanOut = sent.get(from) ?? new Map<number, number>();
            for (const to of destinations(axon)) fanOut.set(to, (fanOut.get(to) ?? 0) + 1);
            sent.set(from, fanOut);
          }
          for (const core of program.cores.filter((k) => k.layer === index - 1 && k.role === 'CORE_SOMA')) {
            const fanOut = sent.get(core.id) ?? new Map<number, number>();
            expect(new Map(core.routes.map((r) => [r.destinationCore, r.fanOut])), `routes of core ${core.id}`).toEqual(fanOut);
            const connections = [...fanOut.values()].reduce((a, b) => a + b, 0);
            expect(core.usage.outputAxons, `output axons of core ${core.id}`).toBe(spec.mesh.multicast ? (reaching.get(core.id) ?? 0) : connections);
          }
        });
      }),
      params,
    );
  });
});

describe('source positions between kernel windows', () => {
  // With stride > kernel the source rows and columns between two windows are read by no synapse: the runtime
  // sends them nowhere, so neither the routes nor the usage count them.
  const model = syntheticModel({
    input: [1, 3, 3],
    conv1Channels: 1,
    conv1Kernel: 1,
    conv1Padding: 0,
    pool: 1,
    conv2Channels: 1,
    conv2Kernel: 1,
    conv2Stride: 2,
    conv2Padding: 0,
    outputs: 1,
  });

  it('counts only the source neurons a strided 1x1 conv reads', () => {
    const program = compile(model, getChip('loihi2'), { chips: 'auto', threshold: 'auto' }).program!;
    const [source, target] = program.cores;
    expect(program.layers[1]!.shape).toEqual([1, 2, 2]);
    expect(source!.routes.map((r) => [r.destinationCore, r.fanOut])).toEqual([[target!.id, 4]]);
    // Loihi 2 multicasts: one output axon per neuron that reaches a core.
    expect(source!.usage.outputAxons).toBe(4);
  });

  it('gives a crossbar core one input axon per source position its windows read', () => {
    const program = compile(model, getChip('tianjic'), { chips: 'auto', threshold: 'auto' }).program!;
    const soma = (layer: number) => program.cores.filter((core) => core.layer === layer && core.role === 'CORE_SOMA');
    const [source] = soma(0);
    const [target] = soma(1);
    expect([soma(0).length, soma(1).length]).toEqual([1, 1]);
    expect(source!.routes.map((r) => [r.destinationCore, r.fanOut])).toEqual([[target!.id, 4]]);
    // Four axons (the source corners) into a crossbar of four neurons.
    expect([target!.usage.inputAxons, target!.usage.synapses]).toEqual([4, 16]);
  });
});

describe('partial-sum cores and output axons', () => {
  // A partial-sum core sends one partial sum per neuron of its box to the soma core; the output layer has no next
  // layer to bound its box through, so the partitioner bounds it by the output axons directly.
  it('keeps the output layer partial-sum cores within the output-axon limit', () => {
    const model = syntheticModel({ seed: 3, input: [1, 4, 8], conv1Channels: 3, conv1Kernel: 1, conv1Padding: 0, pool: 1, conv2Channels: 6, conv2Kernel: 1, outputs: 5 });
    const spec = withCoreLimits(getChip('tianjic'), { maxNeurons: 10, maxInputAxons: 226, maxOutputAxons: 4 });
    const result = compile(model, spec, { chips: 'auto', threshold: 'auto' });
    expect(everyLayerPartitioned(result)).toBe(true);
    expect(result.diagnostics.filter((d) => d.code === 'E-OUT-AXONS').map((d) => d.message)).toEqual([]);
    const output = result.program!.cores.filter((core) => core.layer === result.program!.layers.length - 1);
    expect(output.some((core) => core.role === 'CORE_PARTIAL')).toBe(true);
  });

  it('gives every partial-sum core of every layer a box within the output-axon limit', () => {
    let partials = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { spec, result } = build(c);
        for (const core of result.program!.cores) {
          if (core.role !== 'CORE_PARTIAL') continue;
          partials++;
          const box = (core.channels.end - core.channels.begin) * (core.rows.end - core.rows.begin) * (core.cols.end - core.cols.begin);
          expect(box, `partial-sum core ${core.id} (layer ${core.layer})`).toBeLessThanOrEqual(spec.core.maxOutputAxons);
          expect(core.usage.outputAxons).toBe(box);
        }
      }),
      params,
    );
    // Not vacuous: the random limits split fan-ins.
    expect(partials).toBeGreaterThan(0);
  });
});
