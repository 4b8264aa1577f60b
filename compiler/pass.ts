// Reference: DESIGN.md section 4 (a named list of passes, each printable for golden tests) and section 7 (one readable pipeline).
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { Diagnostic } from './diagnostics.js';
import type { FreezeOptions } from './passes/freeze-thresholds.js';
import type { LearningOptions } from './passes/configure-learning.js';
import type { ChipBudget } from './passes/place.js';

export interface CompileOptions {
  readonly chips: ChipBudget;
  readonly threshold: FreezeOptions['threshold'];
  readonly calibration?: FreezeOptions['calibration'];
  /** On-chip learning: which layers learn which rule. */
  readonly learning?: LearningOptions;
}

/** What every pass may read besides its input: the chip, the user's options, and the model file's hash. */
export interface PassContext {
  readonly chip: ChipSpec;
  readonly options: CompileOptions;
  /** SHA-256 (hex) of the canonical model file the compilation started from. */
  readonly modelSha256: string;
}

export interface PassResult<Output> {
  readonly output: Output;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * One compiler pass: a name users select it by (`compile --print-after <name>`), a run from the previous pass's
 * output to its own, and the text form of its output for golden files.
 */
export interface Pass<Input, Output> {
  readonly name: string;
  run(input: Input, context: PassContext): PassResult<Output>;
  print(output: Output): string;
}

/** A pass with its types forgotten, as the pass list holds it; Pipeline.then checked the types when the list was built. */
export type AnyPass = Pass<never, unknown>;

/** One pass's output as the compilation keeps it, for printing and tests. */
export interface Stage {
  readonly pass: AnyPass;
  readonly output: unknown;
}

/**
 * The pass list, built one `then` at a time so that each pass's input type must be the previous pass's output
 * type, while the list itself stays a plain array to loop over.
 */
export class Pipeline<Input, Output> {
  private constructor(readonly passes: readonly AnyPass[]) {}

  static from<Input>(): Pipeline<Input, Input> {
    return new Pipeline<Input, Input>([]);
  }

  then<Next>(pass: Pass<Output, Next>): Pipeline<Input, Next> {
    if (this.passes.some((p) => p.name === pass.name)) throw new Error(`two compiler passes are named ${pass.name}`);
    return new Pipeline<Input, Next>([...this.passes, pass as unknown as AnyPass]);
  }

  /** Every pass in order; each pass's output, and every diagnostic in pass order. */
  run(input: Input, context: PassContext): { output: Output; stages: Stage[]; diagnostics: Diagnostic[] } {
    let value: unknown = input;
    const stages: Stage[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const pass of this.passes) {
      const result = (pass as unknown as Pass<unknown, unknown>).run(value, context);
      value = result.output;
      stages.push({ pass, output: value });
      diagnostics.push(...result.diagnostics);
    }
    return { output: value as Output, stages, diagnostics };
  }
}

/** The output of `pass` among a compilation's stages, typed by the pass. */
export function stageOutput<Output>(stages: readonly Stage[], pass: Pass<never, Output>): Output {
  const stage = stages.find((s) => s.pass.name === pass.name);
  if (!stage) throw new Error(`no stage of pass ${pass.name} in this compilation`);
  return stage.output as Output;
}

/** The text form of the stage after the pass named `name`. */
export function printStage(stages: readonly Stage[], name: string): string {
  const stage = stages.find((s) => s.pass.name === name);
  if (!stage) throw new Error(`no compiler pass is named ${name} (passes: ${stages.map((s) => s.pass.name).join(', ')})`);
  return (stage.pass as unknown as Pass<unknown, unknown>).print(stage.output);
}
