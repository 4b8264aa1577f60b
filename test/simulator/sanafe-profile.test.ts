import { describe, expect, it } from 'vitest';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { loihiSpec } from '../../chips/loihi/spec.js';
import type { ChipSpec, CostProfile } from '../../chips/spec/chip-spec.js';
import { parseChipSpec } from '../../chips/spec/read-chip-spec.js';
import { compile } from '../../compiler/compile.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { loadModel } from '../../models/load-model.js';
import type { CoreCounters } from '../../simulator/counters.js';
import { ChipSimulator } from '../../simulator/engine.js';
import { SimulationError } from '../../simulator/errors.js';
import { directPixels } from '../../simulator/inputs.js';
import { costEvents, type EventCounts } from '../../simulator/ledger.js';
import { buildRuntime, type LayerRuntime, type ProgramRuntime } from '../../simulator/runtime.js';
import { eventCounts } from '../../simulator/simulate.js';
import { fixturePath } from '../helpers/fixtures.js';

/*
 * The `sanafe` profile against SANA-FE itself (test/fixtures/sanafe-comparison: its net.nir, and SANA-FE's own
 * figures for it in the README), and against SANA-FE's rules worked out by hand from what the chip did (its spikes,
 * its potentials, the program's mapping) on the same network mapped three neurons to a core.
 */
const NET = fixturePath('sanafe-comparison', 'net.nir');
const T = 20;

/** SANA-FE's own figures for one inference of the comparison network (the fixture's README). */
const SANAFE_FIGURES = {
  spikes: 398,
  neuronAccesses: 2332,
  neuronsUpdated: 2048,
  messages: 398,
  synapticEvents: 8842,
  hops: 0,
  energyNJ: 549.2856,
  simpleLatencyUs: 53.0806,
  partsPJ: { access: 119_398.4, update: 44_236.8, spikeOut: 27_581.4, synapse: 313_891.0, message: 44_178.0 },
};

/** What the chip did in one inference, seen from outside the counters: spikes and potentials after each update. */
interface Observed {
  /** [layer][global step]: the neurons that fired (empty outside the layer's window). */
  readonly fired: number[][][];
  /** [layer][global step]: v after the update, null outside the layer's window. */
  readonly vAfter: (Int32Array | null)[][];
}

interface Run {
  readonly program: ChipProgram;
  readonly runtime: ProgramRuntime;
  readonly counts: EventCounts;
  readonly observed: Observed;
}

function compileNet(spec: ChipSpec): ChipProgram {
  const { model } = loadModel(NET, { timesteps: T });
  const result = compile(model, spec, { chips: 1, threshold: 'auto' });
  expect(result.ok).toBe(true);
  return result.program!;
}

/** One inference on the first test image (the first layer's weights are zero: any image gives the same run). */
function runNet(spec: ChipSpec): Run {
  const program = compileNet(spec);
  const runtime = buildRuntime(program, spec, 'net.chip.pb');
  const steps = runtime.stepsPerInference;
  const observed: Observed = {
    fired: runtime.layers.map(() => Array.from({ length: steps }, () => [])),
    vAfter: runtime.layers.map(() => Array.from({ length: steps }, () => null)),
  };
  const simulator = new ChipSimulator(runtime);
  // The learning hooks see every layer right after its update at local step t: a window on the chip's state.
  simulator.learning = {
    delivered() {},
    updated(layer: LayerRuntime, t: number, _counters: CoreCounters) {
      const g = layer.startStep + t;
      observed.vAfter[layer.index]![g] = Int32Array.from(layer.v);
      observed.fired[layer.index]![g] = [...layer.spikes.keys()].filter((n) => layer.spikes[n] === 1);
    },
  };
  const images = loadFashionMnist(defaultFashionMnistDir(), 'test', 1);
  const size = runtime.inputSize;
  simulator.infer(directPixels(images.images, 0, size, new Float32Array(size)));
  return { program, runtime, counts: eventCounts(runtime, simulator), observed };
}

interface ByHand {
  readonly neuronAccesses: number;
  readonly neuronsUpdated: number;
  readonly spikes: number;
  readonly messages: number;
  readonly synapticEvents: number;
  readonly hopsEastWest: number;
  readonly hopsNorthSouth: number;
  readonly energyPJ: number;
  readonly latencyPerStepNs: number[];
  readonly tiles: number;
}

/**
 * SANA-FE's rules applied by hand (DESIGN.md section 5; SANA-FE src/models.cpp, src/pipeline.hpp, src/chip.cpp,
 * src/schedule.cpp, src/utils.hpp) to what the chip did, for a network of dense layers: every mapped neuron is
 * accessed every step; it is updated when v before the step is non-zero, a spike of the previous step reached it,
 * its bias is non-zero, or it fires; a spike's messages (one per destination core), synaptic events and hops are
 * charged at its firing step; a step is max(slowest neuron phase, slowest message phase) + the barrier, the
 * barrier the table entry at or below the tiles used.
 */
function sanafeByHand(run: Run, profile: CostProfile): ByHand {
  const { program, runtime, observed } = run;
  const steps = runtime.stepsPerInference;
  const cost = (event: keyof CostProfile['events']) => ({ e: profile.events[event]?.energyPJ ?? 0, t: profile.events[event]?.latencyNs ?? 0 });
  const access = cost('neuronAccess');
  const update = cost('neuronUpdate');
  const spikeOut = cost('spikeOut');
  const synapse = cost('synapticOpDense');
  const messageOut = cost('messageOut');
  const messageIn = cost('messageIn');
  const eastWest = cost('hopEastWest');
  const northSouth = cost('hopNorthSouth');
  const coreOf = program.layers.map((layer, l) => {
    expect(layer.shape.slice(1)).toEqual([1, 1]);
    const of = new Int32Array(layer.shape[0]!).fill(-1);
    program.cores.forEach((core, index) => {
      if (core.layer !== l) return;
      expect(core.role).toBe('CORE_SOMA');
      for (let n = core.channels.begin; n < core.channels.end; n++) of[n] = index;
    });
    expect([...of].every((c) => c >= 0)).toBe(true);
    return of;
  });
  const tileOf = program.cores.map((c) => [c.chip * runtime.spec.mesh.widthTiles + c.tileX, c.tileY] as const);
  const tiles = new Set(tileOf.map(([x, y]) => `${x},${y}`)).size;
  let barrier = profile.barrierPerStep[0]!.latencyNs;
  for (const point of profile.barrierPerStep) if (point.tiles <= tiles) barrier = point.latencyNs;
  const bias = runtime.layers.map((l) => Array.from(l.biasMantissa, (m, n) => m * 2 ** l.biasExponent[n]!));
  const totals = { neuronAccesses: 0, neuronsUpdated: 0, spikes: 0, messages: 0, synapticEvents: 0, hopsEastWest: 0, hopsNorthSouth: 0, energyPJ: 0 };
  const latencyPerStepNs: number[] = [];
  for (let g = 0; g < steps; g++) {
    const neuronPhase = new Float64Array(program.cores.length);
    const messagePhase = new Float64Array(program.cores.length);
    program.layers.forEach((layer, l) => {
      const start = layer.startStep;
      const last = start + T - 1;
      const vBefore = g <= start ? null : observed.vAfter[l]![Math.min(g - 1, last)]!;
      const fired = new Set(observed.fired[l]![g]!);
      const reached = l > 0 && g > 0 && observed.fired[l - 1]![g - 1]!.length > 0;
      for (let n = 0; n < layer.shape[0]!; n++) {
        const core = coreOf[l]![n]!;
        totals.neuronAccesses++;
        totals.energyPJ += access.e;
        neuronPhase[core] = neuronPhase[core]! + access.t;
        if ((vBefore !== null && vBefore[n] !== 0) || reached || bias[l]![n] !== 0 || fired.has(n)) {
          totals.neuronsUpdated++;
          totals.energyPJ += update.e;
          neuronPhase[core] = neuronPhase[core]! + update.t;
        }
      }
      for (const n of fired) {
        const core = coreOf[l]![n]!;
        totals.spikes++;
        totals.energyPJ += spikeOut.e;
        neuronPhase[core] = neuronPhase[core]! + spikeOut.t;
        if (l + 1 === program.layers.length) continue;
        program.cores.forEach((target, t) => {
          if (target.layer !== l + 1 || n < target.fanIn.begin || n >= target.fanIn.end) return;
          const events = target.channels.end - target.channels.begin;
          const dx = Math.abs(tileOf[t]![0] - tileOf[core]![0]);
          const dy = Math.abs(tileOf[t]![1] - tileOf[core]![1]);
          totals.messages++;
          totals.synapticEvents += events;
          totals.hopsEastWest += dx;
          totals.hopsNorthSouth += dy;
          totals.energyPJ += messageOut.e + events * synapse.e + messageIn.e + dx * eastWest.e + dy * northSouth.e;
          neuronPhase[core] = neuronPhase[core]! + messageOut.t;
          messagePhase[t] = messagePhase[t]! + messageIn.t + events * synapse.t;
        });
      }
    });
    latencyPerStepNs.push(Math.max(...neuronPhase, ...messagePhase) + barrier);
  }
  return { ...totals, latencyPerStepNs, tiles };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('the sanafe profile follows SANA-FE (SLAM-Lab/SANA-FE at 8951ab0)', () => {
  const sanafe = loihiSpec.costProfiles.sanafe!;
  const comparison = runNet(loihiSpec);

  it('comparison network: the counts SANA-FE reported, event for event', () => {
    const { totals } = comparison.counts;
    expect(comparison.program.cores.length).toBe(3);
    expect(sum(totals.spikesOut)).toBe(SANAFE_FIGURES.spikes);
    expect(sum(totals.neuronAccesses)).toBe(SANAFE_FIGURES.neuronAccesses);
    expect(sum(totals.neuronsUpdated)).toBe(SANAFE_FIGURES.neuronsUpdated);
    expect(sum(totals.messagesOut)).toBe(SANAFE_FIGURES.messages);
    expect(sum(totals.synapticOps)).toBe(SANAFE_FIGURES.synapticEvents);
    expect(sum(totals.hopsEastWest) + sum(totals.hopsNorthSouth)).toBe(SANAFE_FIGURES.hops);
  });

  it('comparison network: 549.29 nJ and 53.08 us per inference, as SANA-FE gives them', () => {
    const costing = costEvents(comparison.counts, loihiSpec, 'sanafe');
    expect(Math.abs((costing.energyPerInferenceJ * 1e9) / SANAFE_FIGURES.energyNJ - 1)).toBeLessThan(1e-3);
    expect(Math.abs((costing.latencyPerInferenceS * 1e6) / SANAFE_FIGURES.simpleLatencyUs - 1)).toBeLessThan(1e-2);
    // Closer than the issue asks: the same figures to SANA-FE's printed digits.
    expect(costing.energyPerInferenceJ * 1e9).toBeCloseTo(SANAFE_FIGURES.energyNJ, 4);
    expect(costing.latencyPerInferenceS * 1e6).toBeCloseTo(SANAFE_FIGURES.simpleLatencyUs, 4);
    const parts = SANAFE_FIGURES.partsPJ;
    expect(costing.energyByEventJ.neuronAccesses! * 1e12).toBeCloseTo(parts.access, 6);
    expect(costing.energyByEventJ.neuronsUpdated! * 1e12).toBeCloseTo(parts.update, 6);
    expect(costing.energyByEventJ.spikesOut! * 1e12).toBeCloseTo(parts.spikeOut, 6);
    expect(costing.energyByEventJ.synapticOps! * 1e12).toBeCloseTo(parts.synapse, 6);
    expect(costing.energyByEventJ.messagesOut! * 1e12).toBeCloseTo(parts.message, 6);
    expect(costing.latencyPerStepS).toHaveLength(T + 2);
  });

  it('comparison network: the figures SANA-FE rules give by hand from the spikes and potentials', () => {
    const byHand = sanafeByHand(comparison, sanafe);
    const costing = costEvents(comparison.counts, loihiSpec, 'sanafe');
    expect(byHand.neuronsUpdated).toBe(SANAFE_FIGURES.neuronsUpdated);
    expect(costing.energyPerInferenceJ * 1e12).toBeCloseTo(byHand.energyPJ, 6);
    costing.latencyPerStepS.forEach((s, g) => expect(s * 1e9).toBeCloseTo(byHand.latencyPerStepNs[g]!, 6));
  });

  it('three neurons per core (37 cores over several tiles): the same rules, hops and the barrier step included', () => {
    const spec = parseChipSpec(JSON.stringify({ ...loihiSpec, name: 'loihi-3-neurons', core: { ...loihiSpec.core, maxNeurons: 3 } }), 'loihi-3-neurons.json');
    const run = runNet(spec);
    const byHand = sanafeByHand(run, spec.costProfiles.sanafe!);
    const { totals } = run.counts;
    expect(run.program.cores.length).toBe(22 + 11 + 4);
    expect(byHand.tiles).toBeGreaterThan(4);
    expect(byHand.hopsEastWest + byHand.hopsNorthSouth).toBeGreaterThan(0);
    expect(sum(totals.neuronAccesses)).toBe(byHand.neuronAccesses);
    expect(sum(totals.neuronsUpdated)).toBe(byHand.neuronsUpdated);
    expect(sum(totals.spikesOut)).toBe(byHand.spikes);
    expect(sum(totals.messagesOut)).toBe(byHand.messages);
    expect(sum(totals.synapticOps)).toBe(byHand.synapticEvents);
    expect(sum(totals.hopsEastWest)).toBe(byHand.hopsEastWest);
    expect(sum(totals.hopsNorthSouth)).toBe(byHand.hopsNorthSouth);
    // The same network, so the same spikes and neuron counts as on three cores; only the traffic grows.
    expect(byHand.spikes).toBe(SANAFE_FIGURES.spikes);
    expect(byHand.neuronsUpdated).toBe(SANAFE_FIGURES.neuronsUpdated);
    expect(byHand.messages).toBeGreaterThan(SANAFE_FIGURES.messages);
    const costing = costEvents(run.counts, spec, 'sanafe');
    expect(costing.energyPerInferenceJ * 1e12).toBeCloseTo(byHand.energyPJ, 6);
    costing.latencyPerStepS.forEach((s, g) => expect(s * 1e9).toBeCloseTo(byHand.latencyPerStepNs[g]!, 6));
  });

  it('davies2018 keeps its own counting on the same run: a layer during its T steps, active or inactive', () => {
    const { totals } = comparison.counts;
    expect(loihiSpec.costProfiles.davies2018!.accounting.neurons).toBe('layer-window');
    expect(sum(totals.neuronUpdatesActive)).toBe(1913);
    expect(sum(totals.neuronUpdatesInactive)).toBe(207);
    const costing = costEvents(comparison.counts, loihiSpec, 'davies2018');
    expect(costing.energyByEventJ.neuronAccesses).toBeUndefined();
    expect(costing.energyByEventJ.neuronUpdatesActive! * 1e12).toBeCloseTo(1913 * 81, 6);
    expect(costing.energyByEventJ.neuronUpdatesInactive! * 1e12).toBeCloseTo(207 * 52, 6);
  });

  it('a spike charges its traffic at its firing step: the same totals, one step earlier than its delivery', () => {
    const { perStep, perFiringStep } = comparison.counts;
    const steps = perStep.length;
    for (const kind of ['synapticOps', 'messagesOut', 'messagesIn'] as const) {
      for (let g = 0; g < steps; g++) expect(perFiringStep![g]![kind]).toEqual(g + 1 < steps ? perStep[g + 1]![kind] : perStep[0]![kind].map(() => 0));
    }
    expect(perFiringStep!.map((s) => s.neuronsUpdated)).toEqual(perStep.map((s) => s.neuronsUpdated));
  });

  it('a result written before these counts existed is refused by sanafe, by name, and still priced by davies2018', () => {
    const { perFiringStep: _dropped, ...old } = comparison.counts;
    expect(() => costEvents(old, loihiSpec, 'sanafe')).toThrow(SimulationError);
    expect(() => costEvents(old, loihiSpec, 'sanafe')).toThrow(/needs the counts' 'perFiringStep'.*simulate it again/);
    expect(costEvents(old, loihiSpec, 'davies2018').energyPerInferenceJ).toBe(costEvents(comparison.counts, loihiSpec, 'davies2018').energyPerInferenceJ);
  });
});
