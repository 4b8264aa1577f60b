import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { PASS_NAMES, PIPELINE, compile, foldNormPass, partitionPass, quantizePass, readOutOutputPass } from '../../compiler/compile.js';
import { diagnostic } from '../../compiler/diagnostics.js';
import { Pipeline, printStage, stageOutput, type Pass, type PassContext } from '../../compiler/pass.js';
import type { Model } from '../../models/graph/model.js';
import { denseModel } from './helpers.js';

const context = (): PassContext => ({ chip: getChip('loihi2'), options: { chips: 1, threshold: 'auto' }, modelSha256: 'test' });

describe('the pass list', () => {
  it('holds the passes of DESIGN.md section 4 in order, lowering and routing included, then learning', () => {
    expect(PASS_NAMES).toEqual(['read-out-output', 'fold-norm', 'freeze-thresholds', 'quantize', 'lower-to-synapses', 'partition', 'place', 'route', 'emit', 'configure-learning']);
    expect(PIPELINE.passes.map((pass) => pass.name)).toEqual(PASS_NAMES);
  });

  it('keeps every pass output as a stage, in pass order, each printable by its name', () => {
    const { stages, program } = compile(denseModel(), getChip('loihi2'), { chips: 1, threshold: 'auto' });
    expect(stages.map((stage) => stage.pass.name)).toEqual(PASS_NAMES);
    expect(stages[stages.length - 1]!.output).toBe(program);
    expect(stageOutput(stages, partitionPass).partition.slices).toHaveLength(2);
    for (const name of PASS_NAMES) expect(printStage(stages, name)).not.toBe('');
    expect(printStage(stages, 'quantize')).toMatch(/^# after quantize/);
    expect(() => printStage(stages, 'lower')).toThrow('no compiler pass is named lower (passes: read-out-output, fold-norm, ');
  });

  it('hands each pass the previous output and gathers diagnostics in pass order', () => {
    const seen: number[] = [];
    const add = (name: string, amount: number): Pass<number, number> => ({
      name,
      run: (input) => {
        seen.push(input);
        return { output: input + amount, diagnostics: [diagnostic('I-CHIPS', {}, {}, name)] };
      },
      print: (output) => `${name}: ${output}`,
    });
    const pipeline = Pipeline.from<number>().then(add('one', 1)).then(add('ten', 10));
    const { output, stages, diagnostics } = pipeline.run(5, context());
    expect([output, seen]).toEqual([16, [5, 6]]);
    expect(diagnostics.map((d) => d.message)).toEqual(['I-CHIPS: one', 'I-CHIPS: ten']);
    expect(stages.map((stage) => printStage([stage], stage.pass.name))).toEqual(['one: 6', 'ten: 16']);
  });

  it('refuses, when the list is built, a pass whose input is not the previous output, and two passes of one name', () => {
    // @ts-expect-error quantize takes a FrozenModel, not the FoldedModel fold-norm gives
    expect(() => Pipeline.from<Model>().then(readOutOutputPass).then(foldNormPass).then(quantizePass)).not.toThrow();
    expect(() => Pipeline.from<Model>().then(readOutOutputPass).then(readOutOutputPass)).toThrow('two compiler passes are named read-out-output');
  });
});
