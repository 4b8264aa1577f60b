import { describe, expect, it } from 'vitest';
import { LearningRuleError } from '../../../chips/errors.js';
import { parseLearningRule } from '../../../chips/learning/parse-rule.js';
import { ruleLimits } from '../../../chips/learning/rule-limits.js';
import { formatRule } from '../../../chips/learning/rule.js';
import { loihi2Spec } from '../../../chips/loihi2/spec.js';
import fc from 'fast-check';

const limits = ruleLimits(loihi2Spec.learning!);

function errorOf(rule: string): LearningRuleError {
  try {
    parseLearningRule(rule, limits);
  } catch (error) {
    if (error instanceof LearningRuleError) return error;
    throw error;
  }
  throw new Error(`no error for ${rule}`);
}

describe('parseLearningRule', () => {
  it('reads STDP in Lava grammar: one scale and one dependency per product', () => {
    const rule = parseLearningRule('dw = 2^-4*x1*y0 - 2^-4*x0*y1', limits);
    expect(rule.products).toEqual([
      { dependency: 'y0', decimateExponent: 0, mantissa: 1, exponent: -4, factors: [{ variable: 'x1', constant: 0, sign: false }] },
      { dependency: 'x0', decimateExponent: 0, mantissa: -1, exponent: -4, factors: [{ variable: 'y1', constant: 0, sign: false }] },
    ]);
    expect(formatRule(rule)).toBe('dw = 2^-4*y0*x1 - 2^-4*x0*y1');
  });

  it('folds integers into the scale and normalises an even mantissa as Lava does', () => {
    const rule = parseLearningRule('dw = -16*2^-7*u0*x1*y2 + 3*2^-2*u1*(w-4)*sgn(w+1)', limits);
    expect(rule.products[0]).toMatchObject({ dependency: 'u', mantissa: -4, exponent: -5 });
    expect(rule.products[1]).toMatchObject({ dependency: 'u', decimateExponent: 1, mantissa: 3, exponent: -2 });
    expect(rule.products[1]!.factors).toEqual([
      { variable: 'w', constant: -4, sign: false },
      { variable: 'w', constant: 1, sign: true },
    ]);
  });

  it('names the column of a syntax error, an unknown variable and an out-of-range scale', () => {
    expect(errorOf('dw = 2^-4*x1*').column).toBe(14);
    expect(errorOf('dw = 2^-4*x1**y0').column).toBe(14);
    const unknown = errorOf('dw = 2^-4*x0*z1');
    expect(unknown.column).toBe(14);
    expect(unknown.message).toContain("unknown variable 'z1'");
    const scale = errorOf('dw = x0*y1 + 2^-9*x0*y1');
    expect(scale.column).toBe(14);
    expect(scale.message).toContain('scale exponent -9 is outside -7..8');
    expect(errorOf('dw = 9*x0*y1').message).toContain('mantissa 9 does not fit 4 bits');
    expect(errorOf('dw = 2^-4*x1*y1').message).toContain('no dependency');
    expect(errorOf('dd = x0').message).toContain("target 'dd' is not modelled");
    expect(errorOf('dw = x0*(x1+300)').message).toContain('outside -128..127');
    expect(errorOf('dw = x0 # y1').column).toBe(9);
  });

  it('never throws anything but a LearningRuleError on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (tail) => {
        try {
          parseLearningRule(`dw = ${tail}`, limits);
        } catch (error) {
          expect(error).toBeInstanceOf(LearningRuleError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
