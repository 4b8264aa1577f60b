import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { decodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { ReportError } from '../../report/errors.js';
import { renderHtmlReport, reportPlots } from '../../report/html-report.js';
import { readSimulationResult } from '../../report/read-result.js';
import type { ReportInput } from '../../report/report-input.js';
import type { SimulationReport } from '../../simulator/report.js';
import { resolveChip } from '../chip-option.js';
import { emit } from '../output.js';
import { text } from '../arguments.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';
import { recordedBuiltin, runnableProgramChip } from '../program-chip.js';
import { chipSpecSha256 } from '../../chips/spec/spec-hash.js';

interface ReportArgs {
  result: string;
  program?: string;
  chip?: string;
  output: string;
  json: boolean;
}

/**
 * The chip a result ran on: `--chip` (a builtin name or a spec file), else the builtin the result names; the name
 * inside the result is never opened as a file.
 */
export function resultChip(result: SimulationReport, resultFile: string, chip: string | undefined): ChipSpec {
  if (chip) return resolveChip(chip);
  const spec = recordedBuiltin(result.chip);
  if (!spec) throw new ReportError(resultFile, `was simulated on chip '${result.chip}', which is not builtin: pass its spec with --chip <file.json>`);
  // Results written before the hash was saved have none: their spec is known by name only.
  const recorded = (result as { chipSpecSha256?: unknown }).chipSpecSha256;
  if (recorded !== undefined && recorded !== chipSpecSha256(spec)) {
    throw new ReportError(
      resultFile,
      `was simulated on a user spec named '${result.chip}' (sha256 ${String(recorded).slice(0, 12)}), not the builtin ${result.chip}: pass that spec file with --chip <file.json>`,
    );
  }
  return spec;
}

function readProgram(file: string, result: SimulationReport, resultFile: string): ChipProgram {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ReportError(file, `cannot read the chip program (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const program = decodeChipProgram(bytes, file);
  if (program.chipName !== result.chip || program.cores.length !== result.counts.coreIds.length) {
    throw new ReportError(
      file,
      `is not the program of ${resultFile} (program: chip ${program.chipName}, ${program.cores.length} cores; result: chip ${result.chip}, ${result.counts.coreIds.length} cores)`,
    );
  }
  return program;
}

/** Writes the HTML report and tells what it drew: shared by `report` and `simulate --report`. */
export function writeHtmlReport(input: ReportInput, output: string): { output: string; plots: { id: string; title: string; drawn: boolean }[] } {
  const plots = reportPlots(input);
  writeOutputFile(output, renderHtmlReport(input, plots));
  return { output, plots: plots.map((p) => ({ id: p.id, title: p.title, drawn: p.svg !== null })) };
}

export function registerReport(yargs: Argv): Argv {
  return yargs.command<ReportArgs>(
    'report <result>',
    'Draw a saved simulation result (simulate -o result.json) as one self-contained HTML page of plots',
    (y) =>
      y
        .positional('result', { type: 'string', demandOption: true, describe: 'the JSON written by simulate -o' })
        .option('program', { type: 'string', coerce: text('program'), describe: 'the .chip.pb that was simulated: places cores on the mesh' })
        .option('chip', { type: 'string', coerce: text('chip'), describe: 'chip spec JSON, for a result simulated on a user chip' })
        .option('output', { alias: 'o', type: 'string', demandOption: true, coerce: text('output'), describe: 'the HTML file to write' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as Argv<ReportArgs>,
    (args) => {
      checkOutputs('report', [{ option: 'output', path: args.output }], [args.result, args.program, args.chip]);
      const result = readSimulationResult(args.result);
      const program = args.program ? readProgram(args.program, result, args.result) : null;
      // With the program, the chip is the one it was compiled for, and it must pass check as for a run.
      const spec = program ? runnableProgramChip(program, args.chip, args.program!) : resultChip(result, args.result, args.chip);
      const written = writeHtmlReport({ result, spec, program }, args.output);
      emit(args.json, written, () => describeWritten(written));
    },
  );
}

export function describeWritten(written: ReturnType<typeof writeHtmlReport>): string {
  const missing = written.plots.filter((p) => !p.drawn).map((p) => p.title);
  return `wrote ${written.output}: ${written.plots.length - missing.length} plots${missing.length ? ` (not drawn, data missing: ${missing.join(', ')})` : ''}`;
}
