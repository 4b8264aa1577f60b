// Reference: lava-nc/lava src/lava/magma/core/learning/product_series.py, symbolic_equation.py, string_symbols.py
// and constants.py: the grammar of a learning rule (target `dw` or `dt`, products separated by + and -, factors by
// *, literals `2^e` and integers folded into one scale per product, normalised while the mantissa is even and too
// wide; scale mantissa 4 bits signed, exponent -7..8; additive constants 8 bits); x0, y0 and u<k> are the
// dependencies, k one digit (symbolic_equation.py Uk matches `u\d`); w and t (the tag) are the synaptic variables.
import { LearningRuleError } from '../errors.js';
import { RULE_VARIABLES, type Dependency, type LearningRule, type RuleFactor, type RuleLimits, type RuleProduct, type RuleTarget, type RuleVariable } from './rule.js';

interface Token {
  readonly kind: 'name' | 'int' | 'op' | 'end';
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

const OPERATORS = '=+-*^();';
/** Largest k of a u<k> dependency: one decimal digit. Reference: lava-nc/lava symbolic_equation.py (Uk: `u\d`). */
const DECIMATE_EXPONENT_MAX = 9;
const TARGETS: readonly RuleTarget[] = ['dw', 'dt'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), column: start + 1 });
    } else if (/[0-9]/.test(c)) {
      const start = i;
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      if (text[i] === '.') throw new LearningRuleError(text, i + 1, 'only integers and powers of two (2^e) are allowed, not decimals');
      tokens.push({ kind: 'int', text: text.slice(start, i), column: start + 1 });
    } else if (OPERATORS.includes(c)) {
      tokens.push({ kind: 'op', text: c, column: i + 1 });
      i++;
    } else {
      throw new LearningRuleError(text, i + 1, `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}

/**
 * Parses one rule (`dw = ...`, or `dt = ...` with target 'dt') against the chip's limits; throws
 * LearningRuleError naming the column.
 */
export function parseLearningRule(text: string, limits: RuleLimits, target: RuleTarget = 'dw'): LearningRule {
  const rules = parseLearningRules(text, limits);
  const rule = rules[0]!;
  if (rules.length > 1) throw new LearningRuleError(text, text.indexOf(';') + 1, `one '${target}' rule expected here, found ${rules.length} rules`);
  if (rule.target !== target) throw new LearningRuleError(text, text.search(/\S/) + 1, `a '${target}' rule expected here, found '${rule.target}'`);
  return rule;
}

/**
 * Parses rules separated by ';' (`dw = ...; dt = ...`), each target at most once, against the chip's limits;
 * throws LearningRuleError naming the column in the whole text.
 */
export function parseLearningRules(text: string, limits: RuleLimits): LearningRule[] {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token => tokens[at]!;
  const next = (): Token => tokens[at++]!;
  const fail = (token: Token, detail: string): never => {
    throw new LearningRuleError(text, token.column, detail);
  };
  const expect = (op: string, what: string): Token => {
    const token = next();
    if (token.kind !== 'op' || token.text !== op) fail(token, `expected ${what}, found ${describe(token)}`);
    return token;
  };
  const hasTag = limits.tagBits > 0;
  const known = RULE_VARIABLES.filter((v) => v === 'x0' || v === 'y0' || v === 'w' || (v === 't' && hasTag) || limits.traces.includes(v));
  const variableOf = (token: Token): RuleVariable => {
    if (token.text === 't' && !hasTag) fail(token, "this chip's learning engine has no synaptic tag 't' (its spec has tagBits 0)");
    if (!(known as readonly string[]).includes(token.text)) {
      const hint = token.text === 'd' ? ' (the synaptic delay d is not modelled)' : '';
      fail(token, `unknown variable '${token.text}'${hint}; known: ${known.join(', ')}, and the dependencies x0, y0, u<k>`);
    }
    return token.text as RuleVariable;
  };
  const constantBound = 2 ** (limits.constantBits - 1);
  const readConstant = (sign: number): number => {
    const token = next();
    if (token.kind !== 'int') fail(token, `expected an integer constant, found ${describe(token)}`);
    const value = sign * Number(token.text);
    if (value < -constantBound || value >= constantBound) fail(token, `constant ${value} is outside ${-constantBound}..${constantBound - 1} (${limits.constantBits}-bit)`);
    return value;
  };

  const readTarget = (): RuleTarget => {
    const target = next();
    if (target.kind !== 'name') fail(target, `expected the target 'dw' or 'dt', found ${describe(target)}`);
    if (target.text === 'dd') fail(target, "target 'dd' is not modelled (the synaptic delay); 'dw' (the weight) and 'dt' (the tag) are");
    if (!(TARGETS as readonly string[]).includes(target.text)) fail(target, `target '${target.text}' is not modelled; 'dw' (the weight) and 'dt' (the tag) are`);
    if (target.text === 'dt' && !hasTag) fail(target, "this chip's learning engine has no synaptic tag, so no 'dt' rule (its spec has tagBits 0)");
    if (seen.has(target.text)) fail(target, `a second '${target.text}' rule: each target has one rule`);
    seen.add(target.text);
    return target.text as RuleTarget;
  };

  const readProducts = (): RuleProduct[] => {
    const products: RuleProduct[] = [];
    let sign = 1;
    if (peek().kind === 'op' && (peek().text === '+' || peek().text === '-')) sign = next().text === '-' ? -1 : 1;
    for (;;) {
      const start = peek();
      let mantissa = sign;
      let exponent = 0;
      let dependency: { dependency: Dependency; decimate: number } | null = null;
      const factors: RuleFactor[] = [];
      for (;;) {
        const token = next();
        if (token.kind === 'int') {
          let value = Number(token.text);
          if (peek().kind === 'op' && peek().text === '^') {
            next();
            if (value !== 2) fail(token, `only powers of two are allowed as scales, found ${value}^...`);
            let expSign = 1;
            if (peek().kind === 'op' && (peek().text === '-' || peek().text === '+')) expSign = next().text === '-' ? -1 : 1;
            const e = next();
            if (e.kind !== 'int') fail(e, `expected an exponent after '^', found ${describe(e)}`);
            exponent += expSign * Number(e.text);
            value = 1;
          }
          mantissa *= value;
        } else if (token.kind === 'name' && /^u[0-9]*$/.test(token.text)) {
          if (dependency) fail(token, `a product has one dependency; it already has ${dependency.dependency}`);
          if (token.text.length > 2) fail(token, `'${token.text}': k of a u<k> dependency is one digit, 0..${DECIMATE_EXPONENT_MAX} (the product runs every 2^k-th epoch)`);
          dependency = { dependency: 'u', decimate: token.text.length > 1 ? Number(token.text.slice(1)) : 0 };
        } else if (token.kind === 'name' && token.text === 'sgn') {
          expect('(', "'(' after sgn");
          const v = next();
          if (v.kind !== 'name') fail(v, `expected a variable inside sgn(), found ${describe(v)}`);
          const variable = variableOf(v);
          if (variable !== 'w' && variable !== 't') fail(v, `sgn() applies to the synaptic variables w and t only, not '${variable}'`);
          let constant = 0;
          if (peek().kind === 'op' && (peek().text === '+' || peek().text === '-')) constant = readConstant(next().text === '-' ? -1 : 1);
          expect(')', "')' closing sgn(");
          factors.push({ variable, constant, sign: true });
        } else if (token.kind === 'name') {
          const variable = variableOf(token);
          if ((variable === 'x0' || variable === 'y0') && !dependency) dependency = { dependency: variable, decimate: 0 };
          else factors.push({ variable, constant: 0, sign: false });
        } else if (token.kind === 'op' && token.text === '(') {
          let innerSign = 1;
          if (peek().kind === 'op' && (peek().text === '+' || peek().text === '-')) innerSign = next().text === '-' ? -1 : 1;
          const v = next();
          if (v.kind !== 'name') fail(v, `expected '(variable + constant)', found ${describe(v)}`);
          const variable = variableOf(v);
          if (innerSign < 0) fail(v, `write -(${variable} ...) as a negative scale; a factor's variable cannot be negated`);
          const op = next();
          if (op.kind !== 'op' || (op.text !== '+' && op.text !== '-')) fail(op, `expected '+' or '-' and a constant after ${variable}, found ${describe(op)}`);
          const constant = readConstant(op.text === '-' ? -1 : 1);
          expect(')', "')'");
          factors.push({ variable, constant, sign: false });
        } else {
          fail(token, `expected a variable, an integer or 2^e, found ${describe(token)}`);
        }
        if (peek().kind === 'op' && peek().text === '*') {
          next();
          continue;
        }
        break;
      }
      const gate = dependency ?? fail(start, 'this product has no dependency: multiply it by x0 (pre spike), y0 (post spike) or u<k> (every 2^k-th epoch)');
      // Normalise as Lava does: halve an even mantissa that is too wide, raising the exponent.
      const mantissaMax = 2 ** (limits.scaleMantissaBits - 1) - 1;
      while (Math.abs(mantissa) > mantissaMax && mantissa % 2 === 0) {
        mantissa /= 2;
        exponent += 1;
      }
      if (mantissa < -(mantissaMax + 1) || mantissa > mantissaMax) {
        fail(start, `scale mantissa ${mantissa} does not fit ${limits.scaleMantissaBits} bits (${-(mantissaMax + 1)}..${mantissaMax}): write the scale as m*2^e`);
      }
      if (exponent < limits.scaleExponentMin || exponent > limits.scaleExponentMax) {
        fail(start, `scale exponent ${exponent} is outside ${limits.scaleExponentMin}..${limits.scaleExponentMax}`);
      }
      products.push({ dependency: gate.dependency, decimateExponent: gate.decimate, mantissa, exponent, factors });
      const after = peek();
      if (after.kind === 'end' || (after.kind === 'op' && after.text === ';')) return products;
      next();
      if (after.kind !== 'op' || (after.text !== '+' && after.text !== '-')) fail(after, `expected '+', '-', '*', ';' or the end of the rule, found ${describe(after)}`);
      sign = after.text === '-' ? -1 : 1;
    }
  };

  const seen = new Set<string>();
  const rules: LearningRule[] = [];
  for (;;) {
    const first = peek();
    const target = readTarget();
    expect('=', "'=' after the target");
    const products = readProducts();
    const end = next();
    rules.push({ target, products, text: text.slice(first.column - 1, end.column - 1).trim() });
    if (end.kind === 'end') return rules;
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the rule' : `'${token.text}'`;
}
