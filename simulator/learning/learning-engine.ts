// Reference: DESIGN.md sections 3 and 5 (Loihi's learning engine: 7-bit traces with impulses, per-step decay and
// stochastic rounding; the rule, a sum of products, evaluated at the end of every learning epoch; a 16-bit
// accumulator; weights re-rounded to their precision; learning costs energy like everything else); the tag rule
// and its order: lava-nc/lava src/lava/magma/core/model/py/connection.py (dw and dt both read w and t as they
// were before the epoch's learning phase).
import type { LearningLayerConfig } from '../../chips/ir/chip-program.js';
import { Xoshiro128StarStar } from '../../chips/fixed-point/prng.js';
import { stochasticRound } from '../../chips/fixed-point/stochastic-round.js';
import { parseLearningRule } from '../../chips/learning/parse-rule.js';
import { accumulatorFractionBits, saturateSigned, uHolds, updateTag, updateWeight } from '../../chips/learning/product-series.js';
import { readsTag, type LearningRule, type RuleFactor, type RuleProduct } from '../../chips/learning/rule.js';
import { ruleLimits } from '../../chips/learning/rule-limits.js';
import { stepTrace } from '../../chips/learning/traces.js';
import type { CoreCounters } from '../counters.js';
import { SimulationError } from '../errors.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { crossEntropyError } from './output-error.js';

/** What the engine needs from the simulator each step (the hooks in engine.ts). */
export interface LearningHooks {
  /** The layer's synapses received `count` spikes of `source` (its spike list) this step. */
  delivered(layer: LayerRuntime, source: LayerRuntime, count: number): void;
  /** The layer's neurons were updated at local step t; learning events are counted into `counters`. */
  updated(layer: LayerRuntime, t: number, counters: CoreCounters): void;
}

const PRE = new Set(['x0', 'x1', 'x2']);
const POST = new Set(['y0', 'y1', 'y2', 'y3']);

/** Product p changes the weight (TARGET_WEIGHT) or the tag (TARGET_TAG). */
const TARGET_WEIGHT = 0;
const TARGET_TAG = 1;

/**
 * One learning layer's engine state: traces per axon and per neuron, the tag per synapse (laid out as the weights,
 * axon-major), all typed arrays allocated once.
 */
class LayerLearning {
  readonly rule: LearningRule;
  /** The tag's rule, or null where the layer has none. */
  readonly tagRule: LearningRule | null;
  /** The products of the weight rule, then those of the tag rule. */
  readonly products: readonly RuleProduct[];
  readonly targets: Uint8Array;
  /** Per synapse; empty where no rule reads or writes the tag. */
  readonly tags: Int16Array;
  readonly random: Xoshiro128StarStar;
  readonly axons: number;
  readonly outputs: number;
  readonly spikesIn: Int32Array;
  readonly x0: Int32Array;
  readonly x1: Int32Array;
  readonly x2: Int32Array;
  readonly y0: Int32Array;
  readonly y1: Int32Array;
  readonly y2: Int32Array;
  readonly y3: Int32Array;
  /** v at the start of the step and of the epoch, for the output the error unit reads. */
  readonly vStep: Int32Array;
  readonly vEpoch: Int32Array;
  readonly output: Float64Array;
  readonly error: Float64Array;
  /** Per product: its factor on the pre side per axon, on the post side per neuron, and its per-synapse factors (w, t). */
  readonly prePart: Float64Array[];
  readonly postPart: Float64Array[];
  readonly synapseFactors: RuleFactor[][];
  readonly coefficients: Float64Array;
  readonly active: Uint8Array;
  stepInEpoch = 0;
  epoch = 0;
  updates = 0;
  /** For a hidden layer: the layer whose error comes back through the feedback synapses. */
  next: LayerLearning | null = null;

  constructor(
    readonly config: LearningLayerConfig,
    readonly layer: LayerRuntime,
    runtime: ProgramRuntime,
    seed: number,
  ) {
    const engine = runtime.spec.learning!;
    const limits = ruleLimits(engine);
    this.rule = parseLearningRule(config.rule, limits, 'dw');
    this.tagRule = config.tagRule ? parseLearningRule(config.tagRule, limits, 'dt') : null;
    this.products = [...this.rule.products, ...(this.tagRule?.products ?? [])];
    this.targets = Uint8Array.from(this.products, (_, p) => (p < this.rule.products.length ? TARGET_WEIGHT : TARGET_TAG));
    this.random = new Xoshiro128StarStar(BigInt(seed) * 7919n + BigInt(config.layer));
    if (layer.synapses.kind !== 'dense') throw new SimulationError(layer.name, 'only dense layers learn on chip');
    this.outputs = layer.neurons;
    this.axons = layer.axonSpikes.length;
    const a = this.axons;
    const n = this.outputs;
    this.spikesIn = new Int32Array(a);
    this.x0 = new Int32Array(a);
    this.x1 = new Int32Array(a);
    this.x2 = new Int32Array(a);
    this.y0 = new Int32Array(n);
    this.y1 = new Int32Array(n);
    this.y2 = new Int32Array(n);
    this.y3 = new Int32Array(n);
    this.vStep = new Int32Array(n);
    this.vEpoch = new Int32Array(n);
    this.output = new Float64Array(n);
    this.error = new Float64Array(n);
    const F = accumulatorFractionBits(engine.scaleExponentMin);
    this.tags = new Int16Array(this.tagRule || readsTag(this.rule) ? a * n : 0);
    this.prePart = this.products.map(() => new Float64Array(a));
    this.postPart = this.products.map(() => new Float64Array(n));
    this.synapseFactors = this.products.map((p) => p.factors.filter((f) => f.variable === 'w' || f.variable === 't'));
    this.coefficients = Float64Array.from(this.products, (p) => p.mantissa * 2 ** (p.exponent + F));
    this.active = new Uint8Array(this.products.length);
  }

  /** Traces restart with the sample, as the neurons do; the tag is synaptic state, which only its rule changes. */
  beginSample(): void {
    for (const array of [this.x0, this.x1, this.x2, this.y0, this.y1, this.y2, this.y3, this.vStep, this.vEpoch, this.spikesIn]) array.fill(0);
    this.stepInEpoch = 0;
  }
}

/**
 * The learning phase of every learning layer's cores. Each step: pre traces (per input axon) take the spikes
 * delivered, post traces the layer's own spikes, y2 the error unit's graded spike, y3 the surrogate from the
 * look-up table; at the end of each epoch the rules (dw and, where there is one, dt) update every synapse one of
 * their products can change. Traces restart with each sample, as the neurons do; epochs are counted over the
 * whole run, as the chip's time step is, so u<k> runs in every 2^k-th epoch of the run.
 */
export class LearningEngine implements LearningHooks {
  private readonly byLayer: (LayerLearning | null)[];
  readonly layers: LayerLearning[];
  private label = 0;

  constructor(
    readonly runtime: ProgramRuntime,
    seed: number,
  ) {
    const configs = runtime.program.learning.layerConfigs ?? [];
    if (configs.length === 0) throw new SimulationError(runtime.program.chipName, 'the program has no learning configuration: compile it with --learning <preset|rule>');
    if (!runtime.spec.learning) throw new SimulationError(runtime.spec.name, 'this chip has no learning engine');
    this.layers = configs.map((c) => new LayerLearning(c, runtime.layers[c.layer]!, runtime, seed));
    this.byLayer = runtime.layers.map((l) => this.layers.find((x) => x.layer === l) ?? null);
    for (const l of this.layers) {
      if (l.config.errorSource !== 'ERROR_FEEDBACK') continue;
      l.next = this.byLayer[l.config.feedbackFrom] ?? null;
      if (!l.next) throw new SimulationError(l.layer.name, `its feedback comes from layer ${l.config.feedbackFrom}, which does not learn`);
    }
  }

  /** Starts a sample whose label the error unit compares with. */
  beginSample(label: number): void {
    this.label = label;
    for (const l of this.layers) l.beginSample();
  }

  /** Synaptic updates so far, all layers. */
  get synapticUpdates(): number {
    return this.layers.reduce((n, l) => n + l.updates, 0);
  }

  delivered(layer: LayerRuntime, source: LayerRuntime, count: number): void {
    const l = this.byLayer[layer.index];
    if (!l) return;
    for (let s = 0; s < count; s++) {
      const axon = layer.axonOf[source.spikeList[s]!]!;
      if (axon >= 0) l.spikesIn[axon] = l.spikesIn[axon]! + 1;
    }
  }

  updated(layer: LayerRuntime, t: number, counters: CoreCounters): void {
    const l = this.byLayer[layer.index];
    if (!l) return;
    const engine = this.runtime.spec.learning!;
    const traceMax = 2 ** engine.traceBits - 1;
    const fraction = engine.impulseFractionalBits;
    const { config, random } = l;
    for (let a = 0; a < l.axons; a++) {
      const s = l.spikesIn[a]!;
      if (s !== 0) l.x0[a] = 1;
      l.x1[a] = stepTrace(l.x1[a]!, s, config.x1, fraction, traceMax, random);
      if (config.x2.impulse !== 0) l.x2[a] = stepTrace(l.x2[a]!, s, config.x2, fraction, traceMax, random);
      l.spikesIn[a] = 0;
    }
    for (let o = 0; o < l.outputs; o++) {
      const spiked = layer.spiking && layer.spikes[o] === 1 ? 1 : 0;
      if (spiked) l.y0[o] = 1;
      if (config.y1.impulse !== 0) l.y1[o] = stepTrace(l.y1[o]!, spiked, config.y1, fraction, traceMax, random);
      l.y3[o] = this.postFactor(l, layer, o, t, traceMax);
    }
    l.stepInEpoch++;
    const epochEnd = l.stepInEpoch === config.epochSteps || t === this.runtime.program.timesteps - 1;
    if (config.errorTiming === 'ERROR_PER_STEP' || epochEnd) {
      if (l.next) this.feedBack(l, counters, traceMax);
      else this.writeError(l, layer, traceMax);
    }
    l.vStep.set(layer.v);
    if (!epochEnd) return;
    this.applyRule(l, layer, counters);
    l.stepInEpoch = 0;
    l.epoch++;
    l.x0.fill(0);
    l.y0.fill(0);
    l.vEpoch.set(layer.v);
  }

  /** y3: the surrogate of (v - threshold) from the layer's look-up table; a non-spiking layer's factor is 1. */
  private postFactor(l: LayerLearning, layer: LayerRuntime, o: number, t: number, traceMax: number): number {
    const lut = l.config.surrogateLut;
    if (lut.length === 0) return traceMax;
    const shift = this.runtime.datapath.thresholdShift;
    const threshold = (layer.thresholds[Math.min(t, layer.thresholds.length - 1)] ?? 0) * 2 ** shift;
    const index = Math.floor((layer.v[o]! - threshold) / 2 ** l.config.surrogateShift) + lut.length / 2;
    return lut[index < 0 ? 0 : index >= lut.length ? lut.length - 1 : index]!;
  }

  /** y2: the error unit's graded spike, error * errorScale rounded stochastically, saturated to +-traceMax. */
  private writeError(l: LayerLearning, layer: LayerRuntime, traceMax: number): void {
    const steps = l.config.errorTiming === 'ERROR_PER_STEP' ? 1 : Math.max(1, l.stepInEpoch);
    const since = l.config.errorTiming === 'ERROR_PER_STEP' ? l.vStep : l.vEpoch;
    for (let o = 0; o < l.outputs; o++) l.output[o] = (layer.v[o]! - since[o]!) / (steps * layer.scale);
    crossEntropyError(l.output, this.label, l.error);
    for (let o = 0; o < l.outputs; o++) {
      const y = stochasticRound(l.error[o]! * l.config.errorScale, l.random);
      l.y2[o] = y > traceMax ? traceMax : y < -traceMax ? -traceMax : y;
    }
  }

  /**
   * y2 of a hidden layer: the next layer's error graded spikes (its latest y2, one step behind as spikes travel)
   * through the feedback synapses, sum_k B[k][j] * y2_k, times the configured gain, rounded stochastically and
   * saturated. Each error neuron that sends a non-zero payload costs one synaptic op per neuron it reaches.
   */
  private feedBack(l: LayerLearning, counters: CoreCounters, traceMax: number): void {
    const next = l.next!;
    const B = l.config.feedbackWeights;
    const n = l.outputs;
    const coreOf = l.layer.coreOfNeuron;
    l.error.fill(0);
    for (let k = 0; k < next.outputs; k++) {
      const y = next.y2[k]!;
      if (y === 0) continue;
      const row = k * n;
      for (let j = 0; j < n; j++) {
        l.error[j] = l.error[j]! + B[row + j]! * y;
        const core = coreOf[j]!;
        counters.synapticOps[core] = counters.synapticOps[core]! + 1;
      }
    }
    for (let j = 0; j < n; j++) {
      const y = stochasticRound(l.error[j]! * l.config.errorScale, l.random);
      l.y2[j] = y > traceMax ? traceMax : y < -traceMax ? -traceMax : y;
    }
  }

  /**
   * End of an epoch: every synapse whose axon's pre side of some active product is non-zero gets
   * dw = sum_p coefficient_p * pre_p[axon] * post_p[neuron] * synapse factors (16-bit accumulator), and dt likewise
   * from the tag rule's products; both read w and t as they were before this epoch, then the weight and the tag
   * are re-rounded. Products factor into a pre part and a post part, so each is computed once per axon and
   * neuron. A synapse visited is one synaptic update, whichever of its variables change: the engine reads and
   * writes its synapse entry once.
   */
  private applyRule(l: LayerLearning, layer: LayerRuntime, counters: CoreCounters): void {
    const engine = this.runtime.spec.learning!;
    const F = accumulatorFractionBits(engine.scaleExponentMin);
    const weightBits = this.runtime.program.layers[layer.index]!.connection.weightBits;
    const products = l.products;
    const values = { x0: l.x0, x1: l.x1, x2: l.x2, y0: l.y0, y1: l.y1, y2: l.y2, y3: l.y3 } as const;
    // The number of the epoch ending now, from 1 (Lava's time_step / t_epoch).
    const epochNumber = l.epoch + 1;
    for (let p = 0; p < products.length; p++) {
      const product = products[p]!;
      l.active[p] = product.dependency !== 'u' || uHolds(product.decimateExponent, epochNumber) ? 1 : 0;
      const pre = l.prePart[p]!;
      const post = l.postPart[p]!;
      for (let a = 0; a < l.axons; a++) pre[a] = product.dependency === 'x0' ? l.x0[a]! : 1;
      for (let o = 0; o < l.outputs; o++) post[o] = product.dependency === 'y0' ? l.y0[o]! : 1;
      for (const f of product.factors) {
        const side = PRE.has(f.variable) ? pre : POST.has(f.variable) ? post : null;
        if (!side) continue;
        const source = values[f.variable as keyof typeof values];
        for (let i = 0; i < side.length; i++) {
          const v = source[i]! + f.constant;
          side[i] = side[i]! * (f.sign ? Math.sign(v) : v);
        }
      }
    }
    const synapses = layer.synapses;
    if (synapses.kind !== 'dense') return;
    const weights = synapses.weights;
    const tags = l.tags;
    const hasTag = l.tagRule !== null;
    const tagBits = engine.tagBits;
    const outF = l.outputs;
    const coreOf = layer.coreOfNeuron;
    let updates = 0;
    for (let a = 0; a < l.axons; a++) {
      let live = false;
      for (let p = 0; p < products.length; p++) if (l.active[p] && l.prePart[p]![a] !== 0) live = true;
      if (!live) continue;
      const row = a * outF;
      for (let o = 0; o < outF; o++) {
        let dw = 0;
        let dt = 0;
        const w = weights[row + o]!;
        const t = tags.length > 0 ? tags[row + o]! : 0;
        for (let p = 0; p < products.length; p++) {
          if (!l.active[p]) continue;
          let v = l.coefficients[p]! * l.prePart[p]![a]! * l.postPart[p]![o]!;
          if (v === 0) continue;
          for (const f of l.synapseFactors[p]!) {
            const x = (f.variable === 'w' ? w : t) + f.constant;
            v *= f.sign ? Math.sign(x) : x;
          }
          if (l.targets[p] === TARGET_WEIGHT) dw += v;
          else dt += v;
        }
        weights[row + o] = updateWeight(w, saturateSigned(dw, engine.accumulatorBits), F, weightBits, l.random);
        if (hasTag) tags[row + o] = updateTag(t, saturateSigned(dt, engine.accumulatorBits), F, tagBits, l.random);
        const core = coreOf[o]!;
        counters.synapticUpdates[core] = counters.synapticUpdates[core]! + 1;
        updates++;
      }
    }
    l.updates += updates;
  }
}
