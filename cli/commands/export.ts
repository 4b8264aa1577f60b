import type { Argv } from 'yargs';
import { frozenFloatModel } from '../../compiler/float/frozen-model.js';
import { loadModel } from '../../models/load-model.js';
import type { ThresholdFix } from '../../models/nir/fix-thresholds.js';
import { modelToNir } from '../../models/nir/model-to-nir.js';
import { writeNir } from '../../models/nir/write-nir.js';
import { hasFrozenThresholds, usesOts } from '../../models/reference/calibrate-ots.js';
import { calibrationInput } from '../calibration-input.js';
import { NIR_OPTIONS, topologyOptions } from '../model-option.js';
import { emit } from '../output.js';
import { count, text } from '../arguments.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';

interface ExportArgs {
  model: string;
  arch?: string;
  preset?: string;
  format: 'nir';
  output: string;
  threshold: ThresholdFix;
  calibration?: number;
  data?: string;
  json: boolean;
}

/**
 * export: the model as the compiler sees it after fold-norm and freeze-thresholds (norms folded into the weights,
 * OTS thresholds frozen), written as NIR. NIR has one threshold per neuron, so a varying table needs a choice
 * (--threshold first | mean); NIR has no subtractive reset, so such layers get a warning (spikechip's own reader
 * finds the reset in the file).
 */
export function registerExport(yargs: Argv): Argv {
  return yargs.command<ExportArgs>(
    'export <model>',
    'Write a model, folded and with frozen thresholds, in another format (NIR)',
    (y) =>
      y
        .positional('model', { type: 'string', demandOption: true, describe: 'checkpoint.pth, .snnmodel or .nir file' })
        .option('arch', { type: 'string', describe: 'snn-arch/1 file for a .pth checkpoint' })
        .option('preset', { type: 'string', describe: 'seed-code architecture preset instead of --arch' })
        .options(NIR_OPTIONS)
        .option('format', { choices: ['nir'] as const, default: 'nir' as const, describe: 'output format' })
        .option('output', { alias: 'o', type: 'string', demandOption: true, coerce: text('output'), describe: 'the file to write' })
        .option('threshold', {
          choices: ['exact', 'first', 'mean'] as const,
          default: 'exact' as const,
          describe: "per-step thresholds: refuse ('exact'), step 1's value, or their mean",
        })
        .option('calibration', { type: 'number', coerce: count('calibration'), describe: 'freeze OTS on the first N training images (default: the table in the model, else 1024)' })
        .option('data', { type: 'string', describe: 'Fashion-MNIST directory for calibration' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as Argv<ExportArgs>,
    (args) => {
      checkOutputs('export', [{ option: 'output', path: args.output }], [args.model, args.arch, args.data]);
      const { model } = loadModel(args.model, topologyOptions(args));
      const needsCalibration = usesOts(model) && (args.calibration !== undefined || !hasFrozenThresholds(model));
      const calibration = needsCalibration
        ? calibrationInput(model, { ...(args.calibration !== undefined ? { count: args.calibration } : {}), ...(args.data ? { data: args.data } : {}) })
        : null;
      const fixed = frozenFloatModel(model, args.threshold, calibration ?? undefined);
      const { nir, subtractiveReset } = modelToNir(fixed.model);
      const bytes = writeNir(nir);
      writeOutputFile(args.output, bytes);
      const warnings = [
        ...fixed.notes,
        ...(subtractiveReset.length > 0
          ? [`layers ${subtractiveReset.join(', ')} reset by subtraction, which NIR cannot state: other readers will reset them to zero (spikechip reads /spikechip/reset)`]
          : []),
      ];
      const report = { model: model.name, format: args.format, output: args.output, nodes: nir.graph.nodes.length, bytes: bytes.length, dt: nir.hints?.dt ?? null, warnings };
      emit(args.json, report, () =>
        [`wrote ${args.output}: ${report.nodes} NIR nodes, ${bytes.length.toLocaleString('en-US')} bytes (dt ${report.dt} s)`, ...warnings.map((w) => `  warning: ${w}`)].join(
          '\n',
        ),
      );
    },
  );
}
