import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { writeChipProgramFile } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { evaluate } from '../../models/reference/evaluate.js';
import { emit, percent } from '../output.js';
import { text } from '../arguments.js';
import { checkOutputs, holdTemporary } from '../output-file.js';
import { describeWritten, writeHtmlReport } from './report.js';
import { simulateFile } from './simulate.js';

interface DemoArgs {
  chip: string;
  data?: string;
  report?: string;
  json: boolean;
}

/** The README's main job: compile the bundled model for a chip, simulate it, compare with the float reference. */
export function registerDemo(yargs: Argv): Argv {
  return yargs.command<DemoArgs>(
    'demo',
    'Compile the bundled model for loihi2, simulate it on the bundled Fashion-MNIST subset, compare with the float reference',
    (y) =>
      y
        .option('chip', { type: 'string', default: 'loihi2', describe: 'loihi | loihi2 | tianjic' })
        .option('data', { type: 'string', describe: 'Fashion-MNIST directory (default: the bundled subset)' })
        .option('report', { type: 'string', coerce: text('report'), describe: 'also write an HTML report of the chip run, with the float accuracy beside it' })
        .option('json', { type: 'boolean', default: false }) as Argv<DemoArgs>,
    async (args) => {
      checkOutputs('demo', [{ option: 'report', path: args.report }], [args.data]);
      const model = readModelFile(bundledModelPath());
      const chip = getChip(args.chip);
      const compiled = compile(model, chip, { chips: 'auto', threshold: 'auto' });
      const scratch = holdTemporary(mkdtempSync(join(tmpdir(), 'spikechip-demo-')));
      const dir = scratch.path;
      try {
        const programFile = join(dir, `${model.name}.${chip.name}.chip.pb`);
        writeChipProgramFile(programFile, compiled.program!);
        const data = args.data ?? bundledFashionMnistDir();
        const float = evaluate(model, imageSamples(loadFashionMnist(data, 'test'), model), { mode: 'frozen', batch: 500 });
        const report = await simulateFile({ program: programFile, data, seed: 1, encoding: 'direct', quiet: args.json, ...(args.report ? { raster: ['all'] } : {}) });
        const html = args.report
          ? writeHtmlReport(
              {
                result: { ...report, floatReference: { model: model.name, samples: float.samples, accuracy: float.accuracy, thresholds: 'frozen' } },
                spec: chip,
                program: compiled.program!,
              },
              args.report,
            )
          : null;
        const result = {
          model: model.name,
          chip: chip.name,
          samples: report.samples,
          floatAccuracy: float.accuracy,
          chipAccuracy: report.accuracy ?? 0,
          accuracyGap: (report.accuracy ?? 0) - float.accuracy,
          coresUsed: compiled.program!.cores.length,
          chipsUsed: compiled.program!.chipCount,
          diagnostics: compiled.diagnostics.map((d) => d.message),
          energyPerInferenceJ: report.energyPerInferenceJ,
          latencyPerInferenceS: report.latencyPerInferenceS,
          spikesPerInference: report.spikesPerInference,
          synapticOpsPerInference: report.synapticOpsPerInference,
          bottleneckCore: report.bottleneckCore,
          profile: report.profile,
          ...(html ? { report: html } : {}),
        };
        emit(args.json, result, () =>
          [
            `${model.name} compiled for ${chip.name}: ${result.coresUsed} cores on ${result.chipsUsed} chip(s)`,
            ...compiled.diagnostics.filter((d) => d.severity !== 'info').map((d) => `  ${d.severity} ${d.message}`),
            `accuracy on ${report.samples} test images: chip ${percent(result.chipAccuracy)} | float reference ${percent(float.accuracy)} (gap ${(result.accuracyGap * 100).toFixed(2)} points)`,
            `energy per inference: ${(report.energyPerInferenceJ * 1e6).toFixed(3)} uJ (${report.profile})`,
            `latency per inference: ${(report.latencyPerInferenceS * 1e6).toFixed(2)} us; bottleneck core ${report.bottleneckCore.id} (${report.bottleneckCore.layer})`,
            `spikes per inference: ${report.spikesPerInference.toFixed(0)}; synaptic ops per inference: ${report.synapticOpsPerInference.toFixed(0)}`,
            ...(html ? [describeWritten(html)] : []),
          ].join('\n'),
        );
      } finally {
        scratch.release();
      }
    },
  );
}
