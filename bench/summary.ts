import type { ChipSimulationBench } from './chip-simulation.js';
import type { CompileBench } from './compile-vgg.js';
import type { CubaBench } from './cuba.js';
import type { FloatReferenceBench } from './float-reference.js';

export interface BenchResult {
  readonly floatReference?: FloatReferenceBench;
  readonly chipSimulation?: ChipSimulationBench;
  readonly compileVggLoihi2?: CompileBench | { readonly skipped: string };
  readonly cuba?: readonly CubaBench[];
}

const count = (x: number) => Math.round(x).toLocaleString('en-US');
const millions = (x: number | null) => (x === null ? 'not measured' : `${count(x / 1e6)} M`);
const ratio = (x: number | null) => (x === null ? '-' : x.toFixed(2));

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
      `VGGSNN compile    ${v.chip}: ${v.compileSeconds.toFixed(2)} s (goal ${v.goalSeconds} s), ${count(v.coresUsed)} cores on ${v.chipsUsed} chips; ` +
        `freezing OTS first ${v.calibrationSeconds.toFixed(1)} s`,
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
  return `${lines.join('\n')}\n`;
}
