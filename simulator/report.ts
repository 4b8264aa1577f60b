import type { ChipProgram } from '../chips/ir/chip-program.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { costEvents, type Costing, type EventCounts } from './ledger.js';
import { MeshLinks } from './mesh-links.js';
import type { ChipNeuroBench } from './neurobench-chip.js';
import type { SpikeRaster } from './raster.js';
import type { SimulationRun } from './simulate.js';

export interface SimulationReport {
  readonly chip: string;
  readonly model: string;
  readonly samples: number;
  readonly correct: number;
  /** null when the samples carry no labels (unlabelled event recordings). */
  readonly accuracy: number | null;
  readonly encoding: string;
  readonly seed: number;
  readonly profile: string;
  readonly energyPerInferenceJ: number;
  readonly latencyPerInferenceS: number;
  readonly latencyPerStepS: number[];
  readonly stepsPerInference: number;
  readonly spikesPerInference: number;
  readonly synapticOpsPerInference: number;
  /** Per layer, per inference: spikes, synaptic ops, energy, and spikes at each global step (for probes). */
  readonly perLayer: {
    name: string;
    spikes: number;
    synapticOps: number;
    energyJ: number;
    spikesPerStep: number[];
    /** Neurons of the layer and whether they spike (an output layer accumulates), to turn spikes into rates. */
    neurons?: number;
    spiking?: boolean;
  }[];
  readonly bottleneckCore: { id: number; layer: string };
  /** Per global step: packets on the busiest mesh link, per inference. */
  readonly peakLinkLoadPerStep: number[];
  readonly busiestLink: { from: readonly [number, number]; to: readonly [number, number]; packetsPerInference: number } | null;
  readonly energyByEventJ: Record<string, number>;
  readonly unpricedEvents: string[];
  readonly inputPlacement: string;
  readonly predictions: number[];
  /** Raw event counts, so `spikechip recost` can price the run with another profile without re-running. */
  readonly counts: EventCounts;
  /** Spikes of chosen layers in the first sample (simulate --raster). */
  readonly raster?: SpikeRaster;
  /** The float model's accuracy on the same images (simulate --float-reference, demo), beside the chip's. */
  readonly floatReference?: FloatReference;
  /** The chip's read-out per sample in model units: the output layer's mean over T (simulate --outputs). */
  readonly outputs?: number[][];
  /** The float model's outputs on the same samples, and how the chip's compare (simulate --outputs --float-reference). */
  readonly floatOutputs?: number[][];
  readonly outputComparison?: unknown;
  /** NeuroBench's metrics: the float model's (with a float reference) and the chip's own events' (`chip`). */
  readonly neurobench?: object & { readonly chip?: ChipNeuroBench };
}

export interface FloatReference {
  readonly model: string;
  readonly samples: number;
  readonly accuracy: number;
  /** How OTS thresholds ran in the float model: frozen or dynamic. */
  readonly thresholds: string;
}

export function buildReport(
  program: ChipProgram,
  spec: ChipSpec,
  run: SimulationRun,
  options: { encoding: string; seed: number; profile?: string; labelled?: boolean },
): SimulationReport {
  const cost = costEvents(run.counts, spec, options.profile);
  const report = assemble(program.chipName, program.source.name, program.input.placement, run, cost, options);
  return {
    ...report,
    perLayer: report.perLayer.map((l, i) => {
      const layer = program.layers[i]!;
      return { ...l, neurons: layer.shape.reduce((a, b) => a * b, 1), spiking: layer.kind === 'LAYER_SPIKING' };
    }),
    ...(run.raster ? { raster: run.raster } : {}),
  };
}

/** Prices a saved report's counts with another profile of the same chip. */
export function recost(report: SimulationReport, spec: ChipSpec, profile: string): SimulationReport {
  const cost = costEvents(report.counts, spec, profile);
  const run: SimulationRun = {
    samples: report.samples,
    correct: report.correct,
    predictions: Uint8Array.from(report.predictions),
    outputs: new Float64Array(0),
    counts: report.counts,
    layerSpikes: report.perLayer.map((l) => l.spikes * report.samples),
    layerSynapticOps: report.perLayer.map((l) => l.synapticOps * report.samples),
    layerStepSpikes: report.perLayer.flatMap((l) => l.spikesPerStep.map((s) => s * report.samples)),
  };
  const priced = assemble(report.chip, report.model, report.inputPlacement, run, cost, { encoding: report.encoding, seed: report.seed, labelled: report.accuracy !== null });
  return {
    ...priced,
    perLayer: priced.perLayer.map((l, i) => {
      const { neurons, spiking } = report.perLayer[i]!;
      return { ...l, ...(neurons !== undefined ? { neurons } : {}), ...(spiking !== undefined ? { spiking } : {}) };
    }),
    ...(report.raster ? { raster: report.raster } : {}),
    ...(report.floatReference ? { floatReference: report.floatReference } : {}),
  };
}

function assemble(
  chip: string,
  model: string,
  inputPlacement: string,
  run: SimulationRun,
  cost: Costing,
  options: { encoding: string; seed: number; labelled?: boolean },
): SimulationReport {
  const steps = run.counts.perStep.length;
  const n = Math.max(1, run.samples);
  const names = run.counts.layerNames;
  return {
    chip,
    model,
    samples: run.samples,
    correct: run.correct,
    accuracy: options.labelled === false ? null : run.samples ? run.correct / run.samples : 0,
    encoding: options.encoding,
    seed: options.seed,
    profile: cost.profile,
    energyPerInferenceJ: cost.energyPerInferenceJ,
    latencyPerInferenceS: cost.latencyPerInferenceS,
    latencyPerStepS: cost.latencyPerStepS,
    stepsPerInference: cost.latencyPerStepS.length,
    spikesPerInference: run.layerSpikes.reduce((a, b) => a + b, 0) / n,
    synapticOpsPerInference: run.layerSynapticOps.reduce((a, b) => a + b, 0) / n,
    perLayer: names.map((name, i) => ({
      name,
      spikes: run.layerSpikes[i]! / n,
      synapticOps: run.layerSynapticOps[i]! / n,
      energyJ: cost.energyByLayerJ[name] ?? 0,
      spikesPerStep: run.layerStepSpikes.slice(i * steps, (i + 1) * steps).map((s) => s / n),
    })),
    bottleneckCore: { id: run.counts.coreIds[cost.bottleneckCore] ?? cost.bottleneckCore, layer: names[run.counts.coreLayer[cost.bottleneckCore]!]! },
    peakLinkLoadPerStep: run.counts.stepPeakLinkLoad.map((p) => p / n),
    busiestLink: busiestLink(run.counts, n),
    energyByEventJ: cost.energyByEventJ,
    unpricedEvents: cost.unpriced,
    inputPlacement,
    predictions: [...run.predictions],
    counts: run.counts,
  };
}

function busiestLink(counts: EventCounts, inferences: number): SimulationReport['busiestLink'] {
  let best = -1;
  counts.linkTotals.forEach((p, i) => {
    if (p > 0 && (best < 0 || p > counts.linkTotals[best]!)) best = i;
  });
  if (best < 0) return null;
  const [from, to] = new MeshLinks(counts.meshTiles[0], counts.meshTiles[1]).ends(best);
  return { from, to, packetsPerInference: counts.linkTotals[best]! / inferences };
}
