import { describe, expect, it } from 'vitest';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { validateChipProgram } from '../../chips/ir/validate-chip-program.js';
import { LearningRuleError } from '../../chips/errors.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { CompileError } from '../../compiler/errors.js';
import { configureLearning } from '../../compiler/passes/configure-learning.js';
import { loadModel } from '../../models/load-model.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';
import { join } from 'node:path';

const model = loadModel(join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel'), {}).model;
const loihi2 = getChip('loihi2');
const base = compile(model, loihi2, { chips: 1, threshold: 'auto' }).program!;

describe('configure-learning', () => {
  it('writes the ottt preset of the last layer: eligibility trace with the source decay, epoch 1, error per step', () => {
    const program = configureLearning(base, loihi2, { rule: 'ottt', layers: 'last' });
    const config = program.learning.layerConfigs![0]!;
    expect(program.learning.layers).toEqual([2]);
    // lambda = 0.5 (the source layer's dv 2048); 2x2 pooling: at most 4 spikes per axon and step, 4*(1+.5+.25+.125)
    // = 7.5 spikes of trace, so 16 trace steps per spike (2048 in 2^-7 units) keep it within 127.
    expect(config).toMatchObject({
      layer: 2,
      epochSteps: 1,
      x1: { impulse: 2048, decay: 2048 },
      errorTiming: 'ERROR_PER_STEP',
      errorSource: 'ERROR_OUTPUT_COMPARISON',
      feedbackKind: 'FEEDBACK_NONE',
    });
    expect(config.rule).toBe('dw = -2^-7*u0*x1*y2');
    expect(config.surrogateLut.length).toBe(0);
    // m_s 2^e * E * X = rate/T * scale / (2^(6 + exp) * area^2)
    const layer = program.layers[2]!;
    const expected = ((config.learningRate / 4) * layer.scale) / (2 ** (6 + layer.connection.weightExponent) * 16);
    expect(2 ** -7 * config.errorScale * 16).toBeCloseTo(expected, 10);
  });

  it('writes the rate preset: no decay, epoch T, error of the mean output', () => {
    const config = configureLearning(base, loihi2, { rule: 'rate', layers: 'last' }).learning.layerConfigs![0]!;
    expect(config).toMatchObject({ epochSteps: 4, x1: { impulse: 7 * 128, decay: 0 }, errorTiming: 'ERROR_PER_EPOCH' });
  });

  it('round-trips through the .chip.pb and prints', () => {
    const program = configureLearning(base, loihi2, { rule: 'ottt', layers: 'last' });
    expect(decodeChipProgram(encodeChipProgram(program), 'test')).toEqual(program);
    expect(printChipProgram(program)).toContain('(classifier.0): "dw = -2^-7*u0*x1*y2", epoch 1 step');
    // a program without learning still reads back without layer configs
    expect(decodeChipProgram(encodeChipProgram(base), 'test').learning.layerConfigs).toBeUndefined();
  });

  it('stores the tag rule of ottt-accumulated and of a written rule set beside the weight rule, and reads it back', () => {
    const program = configureLearning(base, loihi2, { rule: 'ottt-accumulated', layers: 'last' });
    const config = program.learning.layerConfigs![0]!;
    expect(config.tagRule).toBe('dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - u2*t');
    expect(decodeChipProgram(encodeChipProgram(program), 'test')).toEqual(program);
    expect(printChipProgram(program)).toContain('"dw = 2^-4*u2*t - 2^-7*u2*x1*y2", tag "dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - u2*t", epoch 1 step');
    const written = configureLearning(base, loihi2, { rule: ' dw = 2^-4*u1*t ; dt = 2^-2*u0*x1*y2 - u1*t', layers: 'last' }).learning.layerConfigs![0]!;
    expect([written.rule, written.tagRule]).toEqual(['dw = 2^-4*u1*t', 'dt = 2^-2*u0*x1*y2 - u1*t']);
    // a program written before the tag existed has no tag_rule: it reads back without one, byte for byte the same
    const ottt = configureLearning(base, loihi2, { rule: 'ottt', layers: 'last' });
    const bytes = encodeChipProgram(ottt);
    expect('tagRule' in decodeChipProgram(bytes, 'test').learning.layerConfigs![0]!).toBe(false);
    expect(Buffer.from(encodeChipProgram(decodeChipProgram(bytes, 'test'))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses a tag rule without a weight rule, and a bad tag rule', () => {
    expect(() => configureLearning(base, loihi2, { rule: 'dt = u0*x1*y2', layers: 'last' })).toThrow(/has no 'dw' rule/);
    expect(() => configureLearning(base, loihi2, { rule: 'dw = u0*x1*y2; dt = u0*x1*z2', layers: 'last' })).toThrow(LearningRuleError);
  });

  it('validates the layer configs of a program it reads', () => {
    const program = configureLearning(base, loihi2, { rule: 'ottt', layers: 'last' });
    const config = program.learning.layerConfigs![0]!;
    const broken = (patch: object) => ({ ...program, learning: { ...program.learning, layerConfigs: [{ ...config, ...patch }] } });
    expect(() => validateChipProgram(broken({ epochSteps: 0 }), 'p.chip.pb')).toThrow(/layer config 0: epoch_steps is 0/);
    expect(() => validateChipProgram(broken({ layer: 1 }), 'p.chip.pb')).toThrow(/layer 1 is not among the learning layers/);
    expect(program.learning).toMatchObject({ rule: 'ottt', ruleKind: 'LEARNING_OTTT' });
    expect(() => validateChipProgram(broken({ errorTiming: 'ERROR_TIMING_UNSPECIFIED' }), 'p.chip.pb')).toThrow(/layer config 0: error_timing is unspecified/);
    expect(() => validateChipProgram(broken({ errorSource: 'ERROR_FEEDBACK', feedbackFrom: 2, feedbackWeights: new Int32Array(100) }), 'p.chip.pb')).toThrow(
      /error_source is ERROR_FEEDBACK, yet feedback_kind is FEEDBACK_NONE/,
    );
    expect(() =>
      validateChipProgram(broken({ errorSource: 'ERROR_FEEDBACK', feedbackKind: 'FEEDBACK_RANDOM', feedbackFrom: 2, feedbackWeights: new Int32Array(3) }), 'p.chip.pb'),
    ).toThrow(/3 feedback weights, expected 100/);
  });

  it('refuses a bad rule naming its column, conv and hidden layers, and a chip without a learning engine', () => {
    expect(() => configureLearning(base, loihi2, { rule: 'dw = 2^-4*x1*y9', layers: 'last' })).toThrow(LearningRuleError);
    expect(() => configureLearning(base, loihi2, { rule: 'ottt', layers: ['features.2.synapse'] })).toThrow(/only dense layers/);
    expect(() => configureLearning(base, loihi2, { rule: 'ottt', layers: ['nope'] })).toThrow(/no layer 'nope'/);
    expect(() => configureLearning(base, loihi2, { rule: 'dw = u0*x1*y2', layers: 'last', epochSteps: 64 })).toThrow(/outside 1..63/);
    const tianjic = getChip('tianjic');
    const t = compile(model, tianjic, { chips: 'auto', threshold: 'auto' }).program!;
    expect(() => configureLearning(t, tianjic, { rule: 'ottt', layers: 'last' })).toThrow(CompileError);
  });
});
