import { EVENT_KINDS } from '../simulator/counters.js';
import type { SimulationRun } from '../simulator/simulate.js';
import { ClusterError } from './errors.js';

/** A SimulationRun as JSON (typed arrays as number arrays): numbers round-trip exactly through JSON. */
export type WireRun = Omit<SimulationRun, 'predictions' | 'outputs'> & { predictions: number[]; outputs: number[] };

export function runToWire(run: SimulationRun): WireRun {
  return { ...run, predictions: [...run.predictions], outputs: [...run.outputs] };
}

/**
 * Reads a shard's result back, checking it has the shape of a run of `samples` samples before it is merged; a
 * result that does not (a stale job of another version, a tampered key) fails the run instead of skewing it.
 */
export function runFromWire(value: unknown, samples: number, jobId: string): SimulationRun {
  const bad = (what: string): never => {
    throw new ClusterError(`job ${jobId}`, `its result is malformed: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const wire = value as Partial<WireRun>;
  if (wire.samples !== samples) bad(`${String(wire.samples)} samples, the shard has ${samples}`);
  if (!Number.isInteger(wire.correct) || wire.correct! < 0 || wire.correct! > samples) bad('correct is not a count of its samples');
  if (!isNumbers(wire.predictions) || wire.predictions.length !== samples) bad('predictions do not match its samples');
  if (!isNumbers(wire.outputs) || wire.outputs.length % Math.max(1, samples) !== 0) bad('outputs are not [samples, classes]');
  for (const key of ['layerSpikes', 'layerSynapticOps', 'layerStepSpikes'] as const) if (!isNumbers(wire[key])) bad(`${key} is not a list of numbers`);
  const counts = wire.counts;
  if (typeof counts !== 'object' || counts === null || counts.inferences !== samples) bad('its event counts are not of its samples');
  for (const kind of EVENT_KINDS) if (!isNumbers(counts!.totals?.[kind])) bad(`counts.totals.${kind} is not a list of numbers`);
  if (!Array.isArray(counts!.perStep) || !isNumbers(counts!.stepPeakLinkLoad) || !isNumbers(counts!.linkTotals)) bad('its per-step counts are missing');
  return { ...(wire as WireRun), predictions: Uint8Array.from(wire.predictions!), outputs: Float64Array.from(wire.outputs!) };
}

function isNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}
