import type { Argv } from 'yargs';
import { encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { validateChipProgram } from '../../chips/ir/validate-chip-program.js';
import type { ChipBudget } from '../../compiler/passes/place.js';
import { calibrateFolded } from '../../compiler/float/calibrate-folded.js';
import { PASS_NAMES, compile, type Compilation } from '../../compiler/compile.js';
import { printStage } from '../../compiler/pass.js';
import { CompileError } from '../../compiler/errors.js';
import type { LearningOptions } from '../../compiler/passes/configure-learning.js';
import type { Diagnostic } from '../../compiler/diagnostics.js';
import { loadModel } from '../../models/load-model.js';
import { NIR_OPTIONS, topologyOptions } from '../model-option.js';
import { hasFrozenThresholds, usesOts } from '../../models/reference/calibrate-ots.js';
import { calibrationInput } from '../calibration-input.js';
import { resolveChip } from '../chip-option.js';
import { emit } from '../output.js';
import { chipBudget, count, integerIn, numberIn, text, threads } from '../arguments.js';
import { UsageError } from '../failure.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';
import { quantizationReport } from '../quantization-report.js';

export interface CompileArgs {
  model: string;
  arch?: string;
  preset?: string;
  chip: string;
  chips: ChipBudget;
  calibration?: number;
  calibrationInput?: string;
  data?: string;
  workers?: number;
  threshold: 'auto' | 'schedule' | 'mean';
  learning?: string;
  learnLayers?: string;
  learningRate?: number;
  learningEpoch?: number;
  feedback?: 'transposed' | 'random';
  output?: string;
  printAfter?: string;
  json: boolean;
  timing: boolean;
}

export function compileOptions(y: Argv): Argv<CompileArgs> {
  return y
    .positional('model', { type: 'string', demandOption: true, describe: 'checkpoint.pth, .snnmodel or .nir file' })
    .option('arch', { type: 'string', describe: 'snn-arch/1 file for a .pth checkpoint' })
    .option('preset', { type: 'string', describe: 'seed-code architecture preset instead of --arch' })
    .options(NIR_OPTIONS)
    .option('chip', { type: 'string', demandOption: true, describe: 'loihi | loihi2 | tianjic | a chip spec JSON file' })
    .option('chips', { type: 'string', default: '1', coerce: chipBudget(), describe: "chips available: a number, or 'auto' for as many as needed" })
    .option('calibration', {
      type: 'number',
      coerce: count('calibration'),
      describe: 'freeze OTS on the first N calibration images (default: the frozen table in the model, else 1024)',
    })
    .option('calibration-input', { type: 'string', coerce: text('calibration-input'), describe: 'raw float32 NCHW file of calibration inputs (instead of Fashion-MNIST)' })
    .option('data', { type: 'string', describe: 'dataset for calibration: any --data eval reads (default: Fashion-MNIST)' })
    .option('workers', { type: 'number', coerce: threads('workers'), describe: 'worker threads for OTS calibration (default: one per CPU core; the tables do not depend on it)' })
    .option('threshold', {
      choices: ['auto', 'schedule', 'mean'] as const,
      default: 'auto' as const,
      describe: "OTS thresholds on chip: per-step 'schedule', their 'mean', or 'auto' (schedule where the chip has a table)",
    })
    .option('learning', {
      type: 'string',
      describe: "on-chip learning: a preset (ottt | ottt-accumulated | rate) or rules in Lava's grammar, e.g. 'dw = 2^-4*x1*y0 - 2^-4*x0*y1', with the tag's 'dw = ...; dt = ...'",
    })
    .option('learn-layers', { type: 'string', describe: "layers that learn: 'last' (default) or comma-separated names" })
    .option('learning-rate', { type: 'number', coerce: numberIn('learning-rate', 0, Infinity, true), describe: 'learning rate in model units (default per preset)' })
    .option('learning-epoch', { type: 'number', coerce: integerIn('learning-epoch', 1, 63), describe: 'learning epoch of a written rule, 1..63 steps (presets fix their own)' })
    .option('feedback', { choices: ['transposed', 'random'] as const, describe: 'error of a hidden learning layer: the next layer weights transposed, or fixed random feedback' })
    .option('print-after', { choices: PASS_NAMES, describe: 'also print the text form of the stage after this pass (--json: as printedAfter)' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .option('timing', { type: 'boolean', default: false, describe: "include the compile's wall-clock seconds (without it the output is byte-reproducible)" })
    .check((args) => {
      learningOptions(args as unknown as CompileArgs);
      return true;
    }) as Argv<CompileArgs>;
}

export async function runCompile(args: CompileArgs, write: boolean) {
  if (write) checkOutputs('compile', [{ option: 'output', path: args.output }], [args.model, args.arch, args.calibrationInput, args.chip, args.data]);
  const { model } = loadModel(args.model, topologyOptions(args));
  const chip = resolveChip(args.chip);
  const chips = args.chips;
  const needsCalibration = usesOts(model) && (args.calibration !== undefined || args.calibrationInput !== undefined || !hasFrozenThresholds(model));
  const calibration = needsCalibration
    ? calibrationInput(model, {
        ...(args.calibration !== undefined ? { count: args.calibration } : {}),
        ...(args.calibrationInput ? { file: args.calibrationInput } : {}),
        ...(args.data ? { data: args.data } : {}),
      })
    : null;
  const started = performance.now();
  // The pass would calibrate on one thread: the same tables come from every core first.
  const tables = calibration ? await calibrateFolded(model, calibration.input, calibration.count, args.workers) : null;
  const learning = learningOptions(args);
  const result = compileOrReport(args.json, () =>
    compile(model, chip, { chips, threshold: args.threshold, ...(calibration ? { calibration: { ...calibration, tables: tables! } } : {}), ...(learning ? { learning } : {}) }),
  );
  const seconds = (performance.now() - started) / 1000;
  const program = result.program;
  const report = {
    model: model.name,
    chip: chip.name,
    ok: result.ok,
    chipsUsed: program?.chipCount ?? 0,
    coresUsed: program?.cores.length ?? 0,
    inputPlacement: program?.input.placement ?? null,
    calibration: calibration ? { images: calibration.count, source: calibration.source } : null,
    quantizationError: quantizationReport(program),
    diagnostics: result.diagnostics,
    output: write && result.ok && program && args.output ? args.output : null,
    ...(args.printAfter ? { printedAfter: result.stages.length > 0 ? { pass: args.printAfter, text: printStage(result.stages, args.printAfter) } : null } : {}),
    ...(args.timing ? { seconds } : {}),
  };
  if (write && result.ok && program && args.output) {
    validateChipProgram(program, args.output);
    writeOutputFile(args.output, encodeChipProgram(program));
  }
  emit(args.json, report, () => formatCompile(report));
  if (!result.ok) process.exitCode = 1;
  return report;
}

/**
 * With --json a model the compiler cannot lower is a report like any other (ok false, the error as a diagnostic
 * with its code and layer, nothing written); the text output keeps the one-line failure.
 */
function compileOrReport(json: boolean, run: () => Compilation): Compilation {
  try {
    return run();
  } catch (error) {
    if (!json || !(error instanceof CompileError)) throw error;
    return { program: null, diagnostics: [error.toDiagnostic()], ok: false, stages: [] };
  }
}

/** The usage error (cli/failure.ts), under the name the commands import it by. */
export { UsageError as UsageFailure } from '../failure.js';

export function learningOptions(args: {
  learning?: string | undefined;
  learnLayers?: string | undefined;
  learningRate?: number | undefined;
  learningEpoch?: number | undefined;
  feedback?: 'transposed' | 'random' | undefined;
}): LearningOptions | undefined {
  if (args.learning === undefined) {
    for (const [option, value] of [
      ['learn-layers', args.learnLayers],
      ['learning-rate', args.learningRate],
      ['learning-epoch', args.learningEpoch],
      ['feedback', args.feedback],
    ] as const) {
      if (value !== undefined) throw new UsageError(`--${option} needs --learning <preset|rule>`);
    }
    return undefined;
  }
  const layers = args.learnLayers === undefined || args.learnLayers === 'last' ? 'last' : args.learnLayers.split(',').map((s) => s.trim());
  return {
    rule: args.learning,
    layers,
    ...(args.learningRate !== undefined ? { learningRate: args.learningRate } : {}),
    ...(args.learningEpoch !== undefined ? { epochSteps: args.learningEpoch } : {}),
    ...(args.feedback ? { feedback: args.feedback } : {}),
  };
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `  ${d.severity.padEnd(7)} ${d.message}`);
}

function formatCompile(r: {
  model: string;
  chip: string;
  ok: boolean;
  chipsUsed: number;
  coresUsed: number;
  inputPlacement: string | null;
  diagnostics: readonly Diagnostic[];
  output: string | null;
  quantizationError: Record<string, { weightMaxError: number; thresholdMaxError: number; weightExponent: number }>;
  printedAfter?: { pass: string; text: string } | null;
}): string {
  return [
    r.printedAfter ? `${r.printedAfter.text}\n` : '',
    `${r.ok ? 'compiled' : 'cannot compile'} ${r.model} for ${r.chip}: ${r.coresUsed.toLocaleString('en-US')} cores on ${r.chipsUsed} chip${r.chipsUsed === 1 ? '' : 's'}`,
    ...formatDiagnostics(r.diagnostics),
    'quantization (per layer: weight exponent, largest weight error in mantissa units of the largest weight, largest threshold error):',
    ...Object.entries(r.quantizationError).map(
      ([name, q]) =>
        `  ${name.padEnd(22)} exp ${String(q.weightExponent).padStart(3)}  weight ${(q.weightMaxError * 100).toFixed(2)} %  threshold ${(q.thresholdMaxError * 100).toFixed(3)} %`,
    ),
    r.output ? `wrote ${r.output}` : r.ok ? '' : 'no output written: fix the errors above',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export function registerCompile(yargs: Argv): Argv {
  return yargs.command<CompileArgs>(
    'compile <model>',
    'Compile a trained SNN to a chip program (.chip.pb): fold, freeze, quantize, lower, partition, place, route, check',
    (y) =>
      compileOptions(y).option('output', { alias: 'o', type: 'string', demandOption: true, coerce: text('output'), describe: 'the .chip.pb file to write' }) as Argv<CompileArgs>,
    async (args) => {
      await runCompile(args, true);
    },
  );
}
