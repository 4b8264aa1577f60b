import type { Argv } from 'yargs';
import { readChipProgramFile } from '../../chips/ir/chip-program-codec.js';
import { check } from '../../compiler/check.js';
import { hasErrors } from '../../compiler/diagnostics.js';
import { resolveChip } from '../chip-option.js';
import { UsageError } from '../failure.js';
import { emit } from '../output.js';
import { compileOptions, formatDiagnostics, runCompile, type CompileArgs } from './compile.js';
import { quantizationReport } from '../quantization-report.js';

export function registerCheck(yargs: Argv): Argv {
  return yargs.command<CompileArgs>(
    'check <model>',
    'Check a model (compiled on the fly) or a .chip.pb against a chip: which layer and core break which limit, by how much',
    (y) => compileOptions(y),
    async (args) => {
      if (args.model.endsWith('.pb')) {
        if (args.printAfter !== undefined) throw new UsageError(`--print-after prints a stage of compiling a model; ${args.model} is compiled already`);
        const program = readChipProgramFile(args.model);
        const chip = resolveChip(args.chip);
        const diagnostics = check(program, chip);
        const ok = !hasErrors(diagnostics);
        const quantizationError = quantizationReport(program);
        const report = { program: args.model, chip: chip.name, ok, chipsUsed: program.chipCount, coresUsed: program.cores.length, quantizationError, diagnostics };
        emit(args.json, report, () => [`${ok ? 'fits' : 'does not fit'}: ${args.model} on ${chip.name}`, ...formatDiagnostics(diagnostics)].join('\n'));
        if (!ok) process.exitCode = 1;
        return;
      }
      await runCompile(args, false);
    },
  );
}
