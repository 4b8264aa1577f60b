import { describe, expect, it } from 'vitest';
import { LearningRuleError } from '../../../chips/errors.js';
import { parseLearningRule, parseLearningRules } from '../../../chips/learning/parse-rule.js';
import { ruleLimits } from '../../../chips/learning/rule-limits.js';
import { formatRule } from '../../../chips/learning/rule.js';
import { loihi2Spec } from '../../../chips/loihi2/spec.js';
import fc from 'fast-check';

const limits = ruleLimits(loihi2Spec.learning!);

function errorOf(rule: string, parse: (text: string) => unknown = (text) => parseLearningRules(text, limits)): LearningRuleError {
  try {
    parse(rule);
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
    expect(errorOf('dd = x0').message).toContain("target 'dd' is not modelled (the synaptic delay)");
    expect(errorOf('dw = x0*(x1+300)').message).toContain('outside -128..127');
    expect(errorOf('dw = x0 # y1').column).toBe(9);
  });

  it("reads the tag's rule dt and the tag t as a synaptic factor, with u<k> of one digit", () => {
    const [dw, dt] = parseLearningRules('dw = 2^-4*u2*t - 2^-7*u2*x1*y2; dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - u2*t', limits);
    expect(dw).toMatchObject({ target: 'dw', text: 'dw = 2^-4*u2*t - 2^-7*u2*x1*y2' });
    expect(dw!.products[0]).toEqual({ dependency: 'u', decimateExponent: 2, mantissa: 1, exponent: -4, factors: [{ variable: 't', constant: 0, sign: false }] });
    expect(dt).toMatchObject({ target: 'dt', text: 'dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - u2*t' });
    expect(dt!.products.map((p) => [p.decimateExponent, p.mantissa, p.exponent])).toEqual([
      [0, -1, -3],
      [2, 1, -3],
      [2, -1, 0],
    ]);
    expect(formatRule(dt!)).toBe('dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - 2^0*u2*t');
    const sign = parseLearningRule('dt = 2^-2*x0*sgn(t-3)*(t+1)', limits, 'dt');
    expect(sign.products[0]!.factors).toEqual([
      { variable: 't', constant: -3, sign: true },
      { variable: 't', constant: 1, sign: false },
    ]);
    expect(parseLearningRule('dw = u9*x1', limits).products[0]!.decimateExponent).toBe(9);
  });

  it('names the column of errors in tag rules: k of two digits, a repeated target, a rule where another is expected', () => {
    const k = errorOf('dw = x1*y2*u10');
    expect(k.column).toBe(12);
    expect(k.message).toContain("'u10': k of a u<k> dependency is one digit, 0..9");
    // the column counts in the whole text, across ';'
    const second = errorOf('dw = u0*x1*y2; dt = u0*t*z9');
    expect(second.column).toBe(26);
    expect(second.message).toContain("unknown variable 'z9'");
    const twice = errorOf('dt = u0*t; dw = u0*x1; dt = u0*x1');
    expect(twice.column).toBe(24);
    expect(twice.message).toContain("a second 'dt' rule");
    expect(errorOf('dw = x0*sgn(y1)').message).toContain('sgn() applies to the synaptic variables w and t only');
    expect(errorOf('dw = u0*x1; dt = u0*t', (text) => parseLearningRule(text, limits)).message).toContain("one 'dw' rule expected here, found 2 rules");
    expect(errorOf('dt = u0*t', (text) => parseLearningRule(text, limits, 'dw')).message).toContain("a 'dw' rule expected here, found 'dt'");
    expect(errorOf('dw = u0*x1 +').column).toBe(13);
  });

  it('refuses dt and t on a chip without a tag, naming the column', () => {
    const noTag = { ...limits, tagBits: 0 };
    const rule = errorOf('dw = u0*x1; dt = u0*x1', (text) => parseLearningRules(text, noTag));
    expect(rule.column).toBe(13);
    expect(rule.message).toContain("no synaptic tag, so no 'dt' rule (its spec has tagBits 0)");
    const factor = errorOf('dw = u0*x1*t', (text) => parseLearningRules(text, noTag));
    expect(factor.column).toBe(12);
    expect(factor.message).toContain("no synaptic tag 't'");
  });

  it('never throws anything but a LearningRuleError on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (tail) => {
        try {
          parseLearningRules(`dw = ${tail}`, limits);
        } catch (error) {
          expect(error).toBeInstanceOf(LearningRuleError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
