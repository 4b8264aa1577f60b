import type { ChipSimulationBench } from './chip-simulation.js';
import type { CompileBench } from './compile-vgg.js';
import type { CubaBench } from './cuba.js';
import type { FloatReferenceBench } from './float-reference.js';
import type { QueueBench } from './queue.js';
import type { LargeModelBench, SkippedLargeModel } from './large-models.js';

export interface BenchResult {
  readonly floatReference?: FloatReferenceBench;
  readonly chipSimulation?: ChipSimulationBench;
  readonly compileVggLoihi2?: CompileBench | { readonly skipped: string };
  readonly cuba?: readonly CubaBench[];
  readonly queue?: QueueBench;
  readonly models?: readonly (LargeModelBench | SkippedLargeModel)[];
}

const count = (x: number) => Math.round(x).toLocaleString('en-US');
const millions = (x: number | null) => (x === null ? 'not measured' : `${count(x / 1e6)} M`);
const ratio = (x: number | null) => (x === null ? '-' : x.toFixed(2));
const rate = (x: number | null) => (x === null ? 'null' : `${x.toFixed(x < 10 ? 2 : 1)} images/s`);
const seconds = (x: number | null) => (x === null ? 'null' : `${x.toFixed(2)} s`);

/** The bench's figures as lines a person reads; `--json` prints the object itself. */
export function benchSummary(result: BenchResult): string {
  const lines: string[] = [];
  const f = result.floatReference;
  if (f) {
    lines.push(
      `float reference   ${f.model}, ${count(f.images)} images: ${count(f.imagesPerSec)} images/s, accuracy ${(100 * f.accuracy).toFixed(2)} % ` +
        `(PyTorch's ${count(f.pytorchAnchorImagesPerSec)} images/s is quoted, not measured)`,
    );
  }
  const c = result.chipSimulation;
  if (c) {
    const beside = f ? `, ${(c.imagesPerSec / f.imagesPerSec).toFixed(2)}x the float reference` : '';
    lines.push(
      `chip simulation   ${c.chip}, ${count(c.images)} images, ${c.workers} workers: ${count(c.imagesPerSec)} images/s${beside}, accuracy ${(100 * c.accuracy).toFixed(2)} %`,
    );
  }
  const v = result.compileVggLoihi2;
  if (v && 'skipped' in v) lines.push(`VGGSNN compile    skipped: ${v.skipped}`);
  else if (v) {
    lines.push(
      `VGGSNN compile    ${v.chip}: ${(v.calibrationSeconds + v.compileSeconds).toFixed(2)} s with OTS freezing (goal ${v.goalSeconds} s): ` +
        `freezing OTS ${v.calibrationSeconds.toFixed(2)} s, compile ${v.compileSeconds.toFixed(2)} s, ${count(v.coresUsed)} cores on ${v.chipsUsed} chips`,
    );
  }
  for (const b of result.cuba ?? []) {
    lines.push(
      `CUBA N = ${count(b.N).padEnd(7)}  ${b.busy ? 'beside a CPU-bound process: ' : ''}${millions(b.eventsPerSec)} synaptic events/s in ${b.threads} threads ` +
        `(1 thread ${millions(b.eventsPerSecOneThread)}, scalar ${millions(b.eventsPerSecScalar)}), ${count(b.spikes)} spikes, best of ${b.runsPerFigure} runs`,
      `                  C fastest ${millions(b.cEventsPerSec)} (ratio ${ratio(b.ratioToC)}), C plain ${millions(b.cPlainEventsPerSec)}, ` +
        `Brian2 C++ standalone ${millions(b.brian2CppEventsPerSec)} (ratio ${ratio(b.ratioToBrian2)})`,
    );
  }
  for (const m of result.models ?? []) {
    if ('skipped' in m) {
      lines.push(`${m.name.padEnd(18)}skipped: ${m.skipped}`);
      continue;
    }
    lines.push(
      `${m.name.padEnd(18)}float ${rate(m.floatImagesPerSec)}, chip ${rate(m.chipImagesPerSec)}, PyTorch ${rate(m.pytorchImagesPerSec)}` +
        `${m.pytorchBatch === null ? '' : ` at batch ${m.pytorchBatch}`} ` +
        `(float/PyTorch ${ratio(m.floatToPytorch)}, chip/PyTorch ${ratio(m.chipToPytorch)})`,
      `                  compile ${seconds(m.compileSeconds)} + OTS calibration ${seconds(m.calibrationSeconds)}` +
        `${m.chips === null ? '' : `, ${count(m.cores ?? 0)} cores on ${m.chips} chips`}, peak RSS ${count(m.peakRssBytes / 2 ** 20)} MiB` +
        `${m.floatWorkerPeakRssBytes === null ? '' : ` (each float worker process ${count(m.floatWorkerPeakRssBytes / 2 ** 20)} MiB)`}`,
      ...m.notes.map((note) => `                  null because ${note}`),
    );
  }
  const q = result.queue;
  if (q && 'skipped' in q) lines.push(`queue             skipped: ${q.skipped}`);
  else if (q) {
    const spread = (median: number, [low, high]: readonly [number, number]) => `${median.toFixed(2)} (${low.toFixed(2)}-${high.toFixed(2)})`;
    lines.push(
      `queue             ${count(q.images)} images, ${q.workers} worker processes through Redis against ${q.workers} local threads, ${q.rounds.length} rounds: ` +
        `queue/local ${spread(q.queueToLocal, q.queueToLocalRange)} cold, ${spread(q.queueWarmToLocal, q.queueWarmToLocalRange)} warm (median, lowest-highest)` +
        (q.cpuQueueToLocal === null ? '' : `; in CPU time ${q.cpuQueueToLocal.toFixed(2)} cold, ${q.cpuQueueWarmToLocal!.toFixed(2)} warm`),
      ...q.rounds.map(
        (r, i) =>
          `                  round ${i + 1}: local ${count(r.localImagesPerSec)} images/s, queue ${count(r.queueColdImagesPerSec)} cold, ${count(r.queueWarmImagesPerSec)} warm` +
          (r.cpuSeconds ? ` (CPU ${r.cpuSeconds.local.toFixed(1)} s, ${r.cpuSeconds.queueCold.toFixed(1)} s, ${r.cpuSeconds.queueWarm.toFixed(1)} s)` : ''),
      ),
      `                  ${q.jobs} jobs of ${q.shardSize} images; per-job overhead ${q.perJobOverheadMs.toFixed(1)} ms${q.perJobCpuMs === null ? '' : `, ${q.perJobCpuMs.toFixed(1)} ms of CPU`} (from shards of ${q.smallShardSize})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
