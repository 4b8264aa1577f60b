import { ChipProgramError } from '../chips/errors.js';
import type { ChipProgram } from '../chips/ir/chip-program.js';
import { builtinChips } from '../chips/registry.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { findCostProfile } from '../chips/spec/cost-lookup.js';
import { chipSpecSha256 } from '../chips/spec/spec-hash.js';
import { check } from '../compiler/check.js';
import { hasErrors } from '../compiler/diagnostics.js';
import { resolveChip } from './chip-option.js';
import { formatDiagnostics } from './commands/compile.js';
import { DoesNotFitError, UsageError } from './failure.js';

/**
 * The builtin chip a file records by name (a program's chip_name, a result's `chip`), or null. Only the name is
 * looked up among the builtins: a path written inside a data file is never opened.
 */
export function recordedBuiltin(name: string): ChipSpec | null {
  return Object.hasOwn(builtinChips, name) ? (builtinChips as Record<string, ChipSpec>)[name]! : null;
}

/**
 * The chip to run a program on: `--chip` (a builtin name or a spec file), else the builtin it names. The spec must
 * be the one it was compiled for: the same SHA-256 of the canonical spec JSON, or, for a version 1 program, which
 * has no hash, the same name.
 */
export function programChip(program: ChipProgram, chip: string | undefined, file: string): ChipSpec {
  const spec = chip ? resolveChip(chip) : recordedBuiltin(program.chipName);
  if (!spec) throw new ChipProgramError(file, `was compiled for the chip spec '${program.chipName}', which is not builtin: pass that spec file with --chip <file.json>`);
  const recorded = program.chipSpecSha256;
  if (recorded === undefined) {
    if (spec.name !== program.chipName)
      throw new ChipProgramError(
        file,
        `was compiled for chip '${program.chipName}' (an IR version 1 program, known by name only), not '${spec.name}': run it with --chip ${program.chipName} or its spec file`,
      );
    return spec;
  }
  const actual = chipSpecSha256(spec);
  if (actual === recorded) return spec;
  const builtin = Object.values(builtinChips as Record<string, ChipSpec>).find((b) => chipSpecSha256(b) === recorded);
  const needed = builtin
    ? `the builtin ${builtin.name}: run it with --chip ${builtin.name} (or without --chip)`
    : `a user spec named '${program.chipName}' (sha256 ${short(recorded)}): pass that spec file with --chip <file.json>`;
  const given = chip ? `--chip ${chip} is '${spec.name}' (sha256 ${short(actual)})` : `without --chip it would run on the builtin ${spec.name} (sha256 ${short(actual)})`;
  throw new ChipProgramError(file, `was compiled for ${needed}; ${given}, a different spec`);
}

/**
 * `check` before a run: a program that does not fit the chip it is about to run on is refused, with the
 * diagnostics as `spikechip check` prints them.
 */
export function checkBeforeRun(program: ChipProgram, spec: ChipSpec, file: string): void {
  const diagnostics = check(program, spec);
  if (!hasErrors(diagnostics)) return;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  throw new DoesNotFitError(
    `${file} does not fit chip ${spec.name} (${errors} error${errors === 1 ? '' : 's'}, as spikechip check prints them below); nothing was run`,
    formatDiagnostics(diagnostics),
  );
}

/** The chip and the check in one: what simulate, learn and report do before they touch a program. */
export function runnableProgramChip(program: ChipProgram, chip: string | undefined, file: string): ChipSpec {
  const spec = programChip(program, chip, file);
  checkBeforeRun(program, spec, file);
  return spec;
}

/** `--profile` names one of the chip's cost profiles: checked before the run it would price. */
export function checkProfile(spec: ChipSpec, profile: string | undefined): void {
  if (profile === undefined || findCostProfile(spec, profile)) return;
  throw new UsageError(`--profile ${profile}: chip ${spec.name} has no such cost profile (profiles: ${Object.keys(spec.costProfiles).join(', ')})`);
}

function short(sha256: string): string {
  return sha256.slice(0, 12);
}
