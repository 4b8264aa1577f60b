/** Reference: DESIGN.md section 3 (users pass their own chip spec JSON; it must fail with a clear error) and
 * section 4 (a ChipProgram reader refuses a wrong version or a corrupt file with a clear error).
 * The errors chips/ throws for bad input, each naming where to look.
 */

/**
 * A chip spec that cannot be used: `file` is where it came from, `jsonPath` the offending field (`$` for the
 * whole document, `$.core.maxNeurons`, `$.neuron.resetModes[1]`), `expected` what the schema wants there and
 * `found` what the file has.
 */
export class ChipSpecError extends Error {
  override readonly name = 'ChipSpecError';
  constructor(
    readonly file: string,
    readonly jsonPath: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}: ${jsonPath}: expected ${expected}, found ${found}`);
  }
}

/** A chip name that is not among the builtin chips. */
export class UnknownChipError extends Error {
  override readonly name = 'UnknownChipError';
  constructor(
    readonly chipName: string,
    readonly knownNames: readonly string[],
  ) {
    super(`unknown chip "${chipName}"; builtin chips: ${knownNames.join(', ')} (or pass a chip spec JSON file)`);
  }
}

/**
 * A chip program file that cannot be used: truncated or corrupt bytes, another IR version, or a program whose
 * parts do not fit together. `detail` says what is wrong and names the layer or core concerned.
 */
export class ChipProgramError extends Error {
  override readonly name = 'ChipProgramError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/**
 * A learning rule (Lava's grammar, e.g. `dw = 2^-4*x1*y0 - 2^-4*x0*y1`) that cannot be used: `column` (1-based)
 * points at the offending token in `rule`, and the message repeats the rule with a caret under that column.
 */
export class LearningRuleError extends Error {
  override readonly name = 'LearningRuleError';
  constructor(
    readonly rule: string,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`learning rule, column ${column}: ${detail}\n  ${rule}\n  ${' '.repeat(Math.max(0, column - 1))}^`);
  }
}
