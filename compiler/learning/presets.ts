// Reference: DESIGN.md section 2 (OTTT: a[t] = lambda*a[t-1] + s[t], lambda = 1 - 1/tau, grad W[t] = delta[t] (x)
// a[t], updated every step or summed over T; rate-based rule of paper B: rates over T, one update at T) and
// section 5 (epoch 1 is OTTT's online update, epoch T with rate traces the rate-based rule); chips/learning for
// the fixed-point forms; lava-nc/lava connection.py and learning_rule.py for the tag `t` and the u<k> dependency.
import type { ChipProgram, LearningLayerConfig, TraceConfig } from '../../chips/ir/chip-program.js';
import type { ChipSpec, LearningEngine } from '../../chips/spec/chip-spec.js';
import { Xoshiro128StarStar } from '../../chips/fixed-point/prng.js';
import { accumulatorFractionBits } from '../../chips/learning/product-series.js';
import { TRACE_DECAY_BITS } from '../../chips/learning/traces.js';
import { chipArithmetic } from '../arithmetic.js';
import { CompileError } from '../errors.js';

export const LEARNING_PRESETS = ['ottt', 'ottt-accumulated', 'rate'] as const;
export type LearningPreset = (typeof LEARNING_PRESETS)[number];

/**
 * Default learning rates (model units, per sample: OTTT's per-step updates each take rate/T, and the accumulated
 * variant applies the same T products at once). Chosen on the float reference of the bundled model's last layer
 * (models/training/layer-rules), where plain SGD converges in one pass.
 */
export const DEFAULT_LEARNING_RATE: Readonly<Record<LearningPreset, number>> = { ottt: 0.02, 'ottt-accumulated': 0.02, rate: 0.05 };

/** Surrogate of both papers: alpha*sig(alpha x)*(1 - sig(alpha x)) with alpha = 4 (DESIGN.md section 2). */
export const SURROGATE_ALPHA = 4;
const SURROGATE_LUT_SIZE = 64;

export interface PresetInputs {
  readonly program: ChipProgram;
  readonly spec: ChipSpec;
  readonly layer: number;
  readonly learningRate: number;
}

const NO_TRACE: TraceConfig = { impulse: 0, decay: 0 };

/** What one learning layer's engine holds for a preset: its rule, traces and error scale, all chip integers. */
export function presetConfig(preset: LearningPreset, inputs: PresetInputs): LearningLayerConfig {
  const { program, spec, layer: index, learningRate } = inputs;
  const engine = spec.learning!;
  const layer = program.layers[index]!;
  const source = program.layers[index - 1]!;
  const T = program.timesteps;
  const traceMax = 2 ** engine.traceBits - 1;
  const area = poolingArea(program, index);
  const online = preset !== 'rate';
  // OTTT's trace keeps lambda = 1 - 1/tau of itself: the source neuron's own voltage decay (dv in 2^-12 units).
  const decay = online ? source.neuron.dv : 0;
  const lambda = 1 - decay / 2 ** TRACE_DECAY_BITS;
  let reach = 0;
  for (let k = 0; k < T; k++) reach += lambda ** k;
  // Trace steps per input spike: as many as keep the fullest trace (every pooled source spiking every step) in range.
  const perSpike = Math.floor(traceMax / (area * reach));
  if (perSpike < 1) throw new CompileError(layer.name, `a ${engine.traceBits}-bit trace cannot count ${area * reach} spikes per epoch`, 'E-LEARNING', layer.name);
  const x1: TraceConfig = { impulse: perSpike * 2 ** engine.impulseFractionalBits, decay };
  // OTTT's T updates per sample share the rate; the rate rule's trace sums T steps where the rule wants their mean.
  const stepRate = learningRate / T;
  // m = W * K for a float weight W, K = scale / (2^(shift + exponent) * area); with a the trace in pooled-input spikes,
  // the rule's expected change m_s*2^e * (E*err) * (X*a) must be -stepRate*K*err*a/area.
  const inputShift = chipArithmetic(spec).inputShift;
  const target = (stepRate * layer.scale) / (2 ** (inputShift + layer.connection.weightExponent) * area * area);
  const spiking = layer.kind === 'LAYER_SPIKING';
  // A spiking layer's post factor y3 is the surrogate in 1/traceMax units: the scale absorbs that factor.
  const { mantissa, exponent, errorScale } = solveScale(target, spiking ? perSpike * traceMax : perSpike, engine);
  const lut = spiking ? surrogateLut(layer.scale, traceMax) : { table: new Int32Array(0), shift: 0 };
  const post = spiking ? 'x1*y2*y3' : 'x1*y2';
  // The error unit's payload |E * err| < E with |softmax - onehot| < 1, so y2 never exceeds ceil(E).
  const rules =
    preset === 'ottt-accumulated'
      ? accumulatedRules({ layer, T, mantissa, exponent, post, engine, stepMax: T * traceMax * Math.min(traceMax, Math.ceil(errorScale)) * (spiking ? maxOf(lut.table) : 1) })
      : { rule: `dw = -${scaleText(mantissa, exponent)}*u0*${post}` };
  return {
    layer: index,
    ...rules,
    epochSteps: online ? 1 : T,
    x1,
    x2: NO_TRACE,
    y1: NO_TRACE,
    errorSource: 'ERROR_OUTPUT_COMPARISON',
    errorScale,
    errorTiming: online ? 'ERROR_PER_STEP' : 'ERROR_PER_EPOCH',
    surrogateLut: lut.table,
    surrogateShift: lut.shift,
    feedbackFrom: 0,
    feedbackKind: 'FEEDBACK_NONE',
    feedbackWeights: new Int32Array(0),
    learningRate,
  };
}

function scaleText(mantissa: number, exponent: number): string {
  return `${mantissa === 1 ? '' : `${mantissa}*`}2^${exponent}`;
}

function maxOf(values: Int32Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  return max;
}

interface AccumulatedInputs {
  readonly layer: ChipProgram['layers'][number];
  readonly T: number;
  /** The online rule's scale m*2^e: one step's product is -m*2^e * x1*y2(*y3) weight steps. */
  readonly mantissa: number;
  readonly exponent: number;
  readonly post: string;
  readonly engine: LearningEngine;
  /** Bound on sum over T steps of |x1*y2(*y3)|: the most the tag can be asked to hold, in units of the product. */
  readonly stepMax: number;
}

/**
 * OTTT's accumulated update on Loihi's tag, epoch 1 step: the tag sums each step's product p[t] = -m*2^e*x1*y2
 * (in tag units of 2^s weight steps) and the weight takes them once, at the last step of the sample:
 *
 *   dt = -m*2^(e-s)*u0*P + m*2^(e-s)*uK*P - uK*t      (P = x1*y2, or x1*y2*y3 on a spiking layer)
 *   dw = 2^s*uK*t - m*2^e*uK*P                          (2^K = T: uK holds in epochs T, 2T, ...: each sample's last step)
 *
 * Both rules read the tag as it was before the epoch (Lava's order), so at step T dw adds the tag, which holds
 * steps 1..T-1, and that step's own product directly; dt's two P products cancel exactly there and -uK*t clears
 * the tag for the next sample. s is the finest tag unit whose range holds the largest sum the T steps can reach,
 * so the tag never saturates and rounds to 2^s of a weight step instead of a whole step.
 */
function accumulatedRules(inputs: AccumulatedInputs): { rule: string; tagRule: string } {
  const { layer, T, mantissa, exponent, post, engine, stepMax } = inputs;
  const k = Math.log2(T);
  // Reference: lava-nc/lava symbolic_equation.py (Uk matches `u\d`: k is one digit).
  if (!Number.isInteger(k) || k > 9) {
    throw new CompileError(
      layer.name,
      `ottt-accumulated applies the tag every T = ${T} steps through the u<k> dependency, which runs every 2^k-th epoch (k = 0..9): T must be a power of two up to 512`,
      'E-LEARNING',
      layer.name,
    );
  }
  if (engine.tagBits === 0)
    throw new CompileError(
      layer.name,
      "ottt-accumulated sums each sample's updates in the synaptic tag, and this chip's learning engine has none (tagBits 0)",
      'E-LEARNING',
      layer.name,
    );
  const F = accumulatorFractionBits(engine.scaleExponentMin);
  const tagMax = 2 ** (engine.tagBits - 1) - 1;
  // Largest |sum of T products| in accumulator units (2^-F weight steps), and the finest tag unit 2^s holding it.
  const largest = mantissa * 2 ** (exponent + F) * stepMax;
  let s = engine.scaleExponentMin;
  while (largest > tagMax * 2 ** (s + F)) s++;
  const tagExponent = exponent - s;
  if (s > engine.scaleExponentMax || tagExponent < engine.scaleExponentMin || tagExponent > engine.scaleExponentMax) {
    throw new CompileError(
      layer.name,
      `the tag unit 2^${s} or the tag rule's scale 2^${tagExponent} is outside the rule scales 2^${engine.scaleExponentMin}..2^${engine.scaleExponentMax}`,
      'E-LEARNING',
      layer.name,
    );
  }
  const tagScale = scaleText(mantissa, tagExponent);
  return {
    rule: `dw = 2^${s}*u${k}*t - ${scaleText(mantissa, exponent)}*u${k}*${post}`,
    tagRule: `dt = -${tagScale}*u0*${post} + ${tagScale}*u${k}*${post} - u${k}*t`,
  };
}

export type FeedbackKind = 'transposed' | 'random';
const FEEDBACK_KIND = { transposed: 'FEEDBACK_TRANSPOSED', random: 'FEEDBACK_RANDOM' } as const;

/**
 * A hidden layer's preset: its error is the next layer's error sent back through feedback synapses, B = the next
 * layer's forward weights transposed (backprop) or fixed random ones of the same range (feedback alignment), and
 * its post factor y3 is the surrogate from the look-up table. With u = sum_k W[k][j] e_k, y2 = G * sum_k B y2_k
 * = E u, and the rule -c*u0*x1*y2*y3 gives c*E*(2^b - 1)*X = rate/T * K / area, as for the last layer.
 */
export function feedbackConfig(preset: LearningPreset, inputs: PresetInputs, next: LearningLayerConfig, kind: FeedbackKind, seed: number): LearningLayerConfig {
  const { program, spec, layer: index } = inputs;
  const layer = program.layers[index]!;
  if (preset === 'ottt-accumulated') {
    // The tag's unit is set by the largest sum it may hold: the output error is below one, but a fed-back error
    // (up to the trace maximum) times the surrogate bounds the sum so loosely that a 9-bit tag's unit would be
    // coarser than a weight step, and the tag would round away most of each step's update.
    throw new CompileError(
      layer.name,
      `ottt-accumulated learns the last layer only: a fed-back error times the surrogate can sum to more than a ${spec.learning!.tagBits}-bit tag holds at a useful resolution`,
      'E-LEARNING',
      layer.name,
    );
  }
  const after = program.layers[next.layer]!;
  const dense = after.connection.dense;
  if (!dense || after.connection.pooling) throw new CompileError(after.name, 'feedback needs a dense next layer reading this layer without pooling', 'E-LEARNING', after.name);
  const own = presetConfig(preset, inputs);
  const inputShift = chipArithmetic(spec).inputShift;
  // E, the payload per unit of the back-propagated sum, comes from the own preset: there, y2 = E*err.
  const payload = own.errorScale;
  const nextK = after.scale / (2 ** (inputShift + after.connection.weightExponent) * poolingArea(program, next.layer));
  const gain = payload / (nextK * next.errorScale);
  const weights = new Int32Array(dense.weights.length);
  if (kind === 'transposed') {
    weights.set(dense.weights);
  } else {
    let range = 0;
    for (const w of dense.weights) range = Math.max(range, Math.abs(w));
    const random = new Xoshiro128StarStar(seed);
    for (let i = 0; i < weights.length; i++) weights[i] = random.nextBelow(2 * range + 1) - range;
  }
  return { ...own, errorSource: 'ERROR_FEEDBACK', errorScale: gain, feedbackFrom: next.layer, feedbackKind: FEEDBACK_KIND[kind], feedbackWeights: weights };
}

/**
 * The smallest scale m*2^e whose error payload E = target / (m*2^e*X) fits the trace width: the error keeps as
 * many graded levels as the payload allows, and the smallest scale (the accumulator's LSB) is preferred.
 */
function solveScale(target: number, perSpike: number, engine: LearningEngine): { mantissa: number; exponent: number; errorScale: number } {
  const traceMax = 2 ** engine.traceBits - 1;
  const mantissaMax = 2 ** (engine.scaleMantissaBits - 1) - 1;
  for (let exponent = engine.scaleExponentMin; exponent <= engine.scaleExponentMax; exponent++) {
    for (let mantissa = 1; mantissa <= mantissaMax; mantissa++) {
      const errorScale = target / (mantissa * 2 ** exponent * perSpike);
      if (errorScale <= traceMax) return { mantissa, exponent, errorScale };
    }
  }
  throw new CompileError('learning', `learning rate too large for the chip's rule scales (needs ${target} per unit error and spike)`, 'E-LEARNING', null);
}

/** Source spikes one axon of the layer sums per step: the pooling window's area (1 without pooling). */
export function poolingArea(program: ChipProgram, index: number): number {
  const p = program.layers[index]!.connection.pooling;
  return p && !p.adaptive ? p.kernelH * p.kernelW : 1;
}

/** y3 = traceMax * sg(x) sampled at x = (v - threshold) / scale, 64 entries 2^shift voltage units apart around 0. */
function surrogateLut(scale: number, traceMax: number): { table: Int32Array; shift: number } {
  // The table spans x in [-2, 2): 64 steps of 4/64 model units.
  const shift = Math.max(0, Math.round(Math.log2((scale * 4) / SURROGATE_LUT_SIZE)));
  const table = new Int32Array(SURROGATE_LUT_SIZE);
  for (let k = 0; k < SURROGATE_LUT_SIZE; k++) {
    const x = ((k - SURROGATE_LUT_SIZE / 2 + 0.5) * 2 ** shift) / scale;
    const s = 1 / (1 + Math.exp(-SURROGATE_ALPHA * x));
    table[k] = Math.round((traceMax * SURROGATE_ALPHA * s * (1 - s)) / (SURROGATE_ALPHA / 4));
  }
  return { table, shift };
}
