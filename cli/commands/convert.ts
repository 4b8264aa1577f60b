import type { Argv } from 'yargs';
import { calibrationInput } from '../calibration-input.js';
import { serializeModel } from '../../models/format/model-file.js';
import { lifKey, lifNodes } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { NIR_OPTIONS, topologyOptions } from '../model-option.js';
import { usesOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { calibrateOtsParallel } from '../../models/reference/calibrate-ots-parallel.js';
import { emit } from '../output.js';
import { count, text, threads } from '../arguments.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';

interface ConvertArgs {
  checkpoint: string;
  arch?: string;
  preset?: string;
  calibration: number;
  data?: string;
  workers?: number;
  output: string;
  json: boolean;
}

export function registerConvert(yargs: Argv): Argv {
  return yargs.command<ConvertArgs>(
    'convert <checkpoint>',
    'Convert a PyTorch checkpoint (+ arch.json) into a spikechip model file, freezing OTS thresholds',
    (y) =>
      y
        .positional('checkpoint', { type: 'string', demandOption: true, describe: 'checkpoint.pth (or a model file to re-calibrate)' })
        .option('arch', { type: 'string', describe: 'snn-arch/1 file' })
        .option('preset', { type: 'string', describe: 'seed-code architecture preset instead of --arch' })
        .options(NIR_OPTIONS)
        .option('calibration', { type: 'number', default: 1024, coerce: count('calibration', 0), describe: 'freeze OTS on the first N training images (0: leave unfrozen)' })
        .option('data', { type: 'string', describe: 'dataset for calibration: any --data eval reads (default: Fashion-MNIST)' })
        .option('workers', {
          type: 'number',
          coerce: threads('workers'),
          describe: 'worker threads for OTS calibration (default: one per CPU core; the tables do not depend on it)',
        })
        .option('output', { alias: 'o', type: 'string', demandOption: true, coerce: text('output'), describe: 'the .snnmodel file to write' })
        .option('json', { type: 'boolean', default: false }) as Argv<ConvertArgs>,
    async (args) => {
      checkOutputs('convert', [{ option: 'output', path: args.output }], [args.checkpoint, args.arch, args.data]);
      let { model } = loadModel(args.checkpoint, topologyOptions(args));
      let calibration: { images: number; source: string } | null = null;
      if (usesOts(model) && args.calibration > 0) {
        const train = calibrationInput(model, { count: args.calibration, ...(args.data ? { data: args.data } : {}) });
        model = withFrozenThresholds(model, await calibrateOtsParallel(model, train.input, train.count, args.workers));
        calibration = { images: train.count, source: train.source };
      }
      writeOutputFile(args.output, serializeModel(model));
      const thresholds = Object.fromEntries(
        lifNodes(model).map((n) => [lifKey(n), n.threshold.kind === 'ots' ? (n.threshold.frozen ? [...n.threshold.frozen] : null) : n.threshold.value]),
      );
      const result = { model: model.name, output: args.output, calibration, thresholds };
      emit(args.json, result, () =>
        [
          `wrote ${args.output} (model ${model.name})`,
          calibration ? `OTS frozen on ${calibration.images} training images from ${calibration.source}` : 'no OTS calibration',
          ...Object.entries(thresholds).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
        ].join('\n'),
      );
    },
  );
}
