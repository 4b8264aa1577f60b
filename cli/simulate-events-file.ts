import { readFileSync } from 'node:fs';
import { decodeChipProgram } from '../chips/ir/chip-program-codec.js';
import { simulateEventDataset } from '../simulator/event-dataset.js';
import { buildReport, type SimulationReport } from '../simulator/report.js';
import { checkProfile, runnableProgramChip } from './program-chip.js';
import { loadEventSamples } from './event-samples.js';
import { progressBar } from './output.js';

/** A simulation report of event input: accuracy is null when the files carry no labels (not in class folders). */
export type EventSimulationReport = SimulationReport & { readonly events: string };

/** `simulate --events`: event files binned into the program's T steps and input grid (simulator/event-input.ts). */
export async function simulateEventsFile(args: {
  program: string;
  events: string;
  chip?: string | undefined;
  limit?: number | undefined;
  profile?: string | undefined;
  workers?: number | undefined;
  raster?: readonly string[] | undefined;
  quiet: boolean;
}): Promise<EventSimulationReport> {
  const bytes = readFileSync(args.program);
  const program = decodeChipProgram(bytes, args.program);
  const spec = runnableProgramChip(program, args.chip, args.program);
  checkProfile(spec, args.profile);
  const { files: _files, ...samples } = loadEventSamples(args.events, args.limit);
  const bar = progressBar('simulate', !args.quiet);
  const run = await simulateEventDataset({
    programBytes: bytes,
    programFile: args.program,
    spec,
    samples,
    ...(args.workers ? { workers: args.workers } : {}),
    ...(args.raster ? { raster: args.raster } : {}),
    onProgress: (done) => bar.update(done, samples.count),
  });
  bar.stop();
  const report = buildReport(program, spec, run, { encoding: 'events', seed: 0, labelled: samples.labels !== null, ...(args.profile ? { profile: args.profile } : {}) });
  return { ...report, events: args.events };
}
