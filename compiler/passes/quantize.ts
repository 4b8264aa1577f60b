import { quantizeBias, roundHalfAwayFromZero } from '../../chips/fixed-point/index.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { chipArithmetic, inputPlacement } from '../arithmetic.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { toLayers } from '../layers.js';
import type { ChipArithmetic, FloatLayer, FrozenModel, InputPlacement, QuantizedLayer, QuantizedNetwork } from '../stages.js';

/** Pixels travel as their 8-bit value; the 1/255 of the model's input scale moves into the first layer's scale. */
const PIXEL_PAYLOAD_BITS = 8;
/**
 * Real-valued input (a normalised image, a float tensor: any model whose input is not pixel / 255) travels as a
 * signed payload in fixed steps. Graded spikes (Loihi 2 carries up to 24 bits, DESIGN.md section 3): 16 bits in
 * steps of 2^-12, so values within +-8 keep 12 fractional bits and the current's range stays with the weights. An
 * ANN-mode core (Tianjic) takes 8-bit inputs and has no weight exponent to absorb a wider one: 8 bits in steps of
 * 2^-5 (values within +-4, 1/32 apart), a coarser input the quantization report and the accuracy gap show.
 */
export function realInputFormat(placement: InputPlacement): { readonly payloadBits: number; readonly step: number } {
  return placement === 'ann-core' ? { payloadBits: 8, step: 2 ** -5 } : { payloadBits: 16, step: 2 ** -12 };
}

/** |input| the first layer is scaled for when no calibration set says more: normalised images lie within +-3. */
export const DEFAULT_REAL_INPUT_BOUND = 4;

/** The largest |value| of a calibration set: the input range the first layer's scale must cover. */
export function inputBoundOf(values: Float32Array | undefined): number {
  if (!values || values.length === 0) return DEFAULT_REAL_INPUT_BOUND;
  let bound = 0;
  for (const v of values) bound = Math.max(bound, Math.abs(v));
  return bound > 0 ? bound : DEFAULT_REAL_INPUT_BOUND;
}

/** True when the model's input is not 8-bit pixels scaled by 1/255, so the chip takes it as graded values. */
export function realValuedInput(input: { readonly scale: number }): boolean {
  return Math.abs(input.scale * 255 - 1) > 1e-9;
}

/**
 * quantize: per layer, pick the weight exponent so the largest |w| uses the whole mantissa range, which fixes the
 * layer's scale S (v units per float unit); bias, thresholds and decays are scaled by the same S; every value is
 * rounded to nearest, ties away from zero. The largest exponent is taken whose S keeps the synaptic current from
 * wrapping, the threshold within its mantissa and the bias within its mantissa and exponent.
 * Reference: DESIGN.md section 4 (quantize); the Loihi datapath of section 3.
 */
export function quantize(model: FrozenModel, chip: ChipSpec, inputBound: number = DEFAULT_REAL_INPUT_BOUND): { network: QuantizedNetwork; diagnostics: Diagnostic[] } {
  const layered = toLayers(model);
  const arithmetic = chipArithmetic(chip);
  const placement = inputPlacement(chip);
  const diagnostics: Diagnostic[] = [];
  if (arithmetic.assumed.length > 0) {
    diagnostics.push(diagnostic('W-UNCONFIRMED', {}, {}, `chip ${chip.name} does not publish ${arithmetic.assumed.join(', ')}; Loihi's datapath values were assumed`));
  }
  if (realValuedInput(model.input) && placement !== 'host') {
    const format = realInputFormat(placement);
    diagnostics.push(
      diagnostic(
        'I-INPUT-RANGE',
        { layer: layered.layers[0]!.name },
        {},
        `real-valued input in ${format.payloadBits}-bit steps of 2^${Math.log2(format.step)}; the first layer's scale keeps its current in range for |input| <= ${inputBound.toPrecision(4)}`,
      ),
    );
  }
  const layers = layered.layers.map((layer, index) => {
    const quantized = quantizeLayer(layer, index, index === 0 ? placement : null, model.input.scale, model.timesteps, arithmetic, diagnostics, inputBound);
    if (layer.neuron && !chip.neuron.resetModes.includes(quantized.reset)) {
      const fallback = chip.neuron.resetModes[0]!;
      diagnostics.push(
        diagnostic(
          'W-RESET-MODE',
          { layer: layer.name },
          {},
          `the model resets by ${quantized.reset === 'subtract' ? 'subtraction (soft reset)' : 'zero'}, chip ${chip.name} only by ${chip.neuron.resetModes.join(', ')}: the chip runs with reset to ${fallback}, and simulate measures the accuracy gap`,
        ),
      );
      return { ...quantized, reset: fallback };
    }
    return quantized;
  });
  return {
    network: {
      name: model.name,
      source: model.source,
      sha256: model.sha256,
      timesteps: model.timesteps,
      input: model.input,
      placement,
      payloadBits: realValuedInput(model.input) && placement !== 'host' ? realInputFormat(placement).payloadBits : placement === 'graded' ? PIXEL_PAYLOAD_BITS : 0,
      layers,
    },
    diagnostics,
  };
}

function quantizeLayer(
  layer: FloatLayer,
  index: number,
  placement: InputPlacement | null,
  inputScale: number,
  T: number,
  a: ChipArithmetic,
  diagnostics: Diagnostic[],
  inputBound: number,
): QuantizedLayer {
  const onHost = placement === 'host';
  // Float value of one synaptic event: a spike (1, shared by a pooling window), a pixel's integer payload, or a
  // real value's payload in steps of REAL_INPUT_STEP.
  const real = placement !== null && realValuedInput({ scale: inputScale }) ? realInputFormat(placement) : null;
  const eventFactor = placement ? (real ? real.step : inputScale) : layer.poolFactor;
  // The largest real input is what the L1 bound assumes (the calibration set's, or a default), not the payload's range.
  const maxEvent = placement ? (real ? Math.min(2 ** (real.payloadBits - 1) - 1, Math.ceil(inputBound / real.step)) : 2 ** PIXEL_PAYLOAD_BITS - 1) : 1;
  // Every synapse set onto the layer (its branches too) adds to the same current: bound their sum.
  const terms = [
    { weight: layer.weight, factor: eventFactor, events: maxEvent * (layer.pooling ? layer.pooling.kernel[0] * layer.pooling.kernel[1] : 1) },
    ...layer.branches.map((b) => ({ weight: b.weight, factor: b.poolFactor, events: b.pooling ? b.pooling.kernel[0] * b.pooling.kernel[1] : 1 })),
  ];
  let maxWeight = 0;
  let maxFanInSum = 0;
  const outputs = layer.bias.length;
  const fanInSums = new Float64Array(outputs);
  for (const term of terms) maxWeight = Math.max(maxWeight, addFanInSums(term.weight, term.factor, term.events, fanInSums));
  for (const sum of fanInSums) maxFanInSum = Math.max(maxFanInSum, sum);
  let maxBias = 0;
  for (const b of layer.bias) maxBias = Math.max(maxBias, Math.abs(b));
  const thresholds = layer.neuron?.thresholds ?? null;
  const maxTheta = thresholds ? Math.max(...thresholds) : 0;
  const lambda = layer.neuron ? layer.neuron.decay : 1;

  const stateMax = 2 ** (a.stateBits - 1) - 1;
  const mantissaMax = 2 ** (a.weightBits - 1) - 1;
  const thresholdMax = 2 ** a.thresholdBits - 1;
  const biasMax = (2 ** (a.biasBits - 1) - 1) * 2 ** a.biasExponentMax;
  // A host-computed first layer brings its whole current as bias: bound it by the largest possible current.
  const biasBound = onHost ? maxFanInSum + maxBias : maxBias;
  // The output layer accumulates T steps of current in v without ever firing.
  const vBound = layer.kind === 'output' ? T * (maxFanInSum + maxBias) : 0;

  const fits = (S: number): string | null => {
    if (!onHost && maxFanInSum * S > stateMax) return 'current';
    if (thresholds && roundHalfAwayFromZero((maxTheta * S) / 2 ** a.thresholdShift) > thresholdMax) return 'threshold';
    if (biasBound * S > biasMax) return 'bias';
    if (vBound * S > stateMax) return 'voltage';
    return null;
  };
  // `span` is the mantissa the largest |w| maps to: the whole range, unless even the smallest exponent gives a
  // scale too large for the state, as on a chip with no weight exponent (Tianjic); then the span shrinks.
  // A host-computed layer has no weights on chip: its scale walks the same ladder of powers of two, largest first.
  const scaleFor = (exponent: number, span: number) =>
    maxWeight > 0 && !onHost ? (span * 2 ** (a.inputShift + exponent)) / maxWeight : 2 ** (a.inputShift + exponent) * 2 ** a.weightBits;

  let exponent = a.weightExponentMax;
  while (exponent > a.weightExponentMin && fits(scaleFor(exponent, mantissaMax)) !== null) exponent--;
  let span = mantissaMax;
  while (span > 1 && fits(scaleFor(exponent, span)) !== null) span--;
  const S = scaleFor(exponent, span);
  const failing = fits(S);
  if (failing) {
    const code = failing === 'threshold' ? 'E-THRESHOLD-RANGE' : failing === 'bias' ? 'E-BIAS-RANGE' : 'E-WEIGHT-RANGE';
    diagnostics.push(
      diagnostic(
        code,
        { layer: layer.name },
        {},
        `no weight exponent in [${a.weightExponentMin}, ${a.weightExponentMax}] keeps the ${failing} in range (largest |w| ${maxWeight.toPrecision(4)}, threshold ${maxTheta.toPrecision(4)}, bias ${maxBias.toPrecision(4)})`,
      ),
    );
  }

  const unit = 2 ** (a.inputShift + exponent);
  // [largest, sum of squares] of the mantissas' rounding errors, over the layer's weights then its branches'.
  const errors = new Float64Array(2);
  let count = 0;
  const mantissas = (weight: Float32Array, factor: number): Int32Array => {
    count += weight.length;
    return weightMantissas(weight, factor, S, unit, mantissaMax, errors);
  };
  const weights = onHost ? new Int32Array(0) : mantissas(layer.weight, eventFactor);
  const branches = layer.branches.map((b) => ({
    source: b.source,
    sourceShape: b.sourceShape,
    pooling: b.pooling,
    geometry: b.geometry,
    weights: mantissas(b.weight, b.poolFactor),
    delay: b.delay,
  }));

  const biasMantissa = new Int32Array(layer.bias.length);
  const biasExponent = new Uint32Array(layer.bias.length);
  let biasError = 0;
  if (!onHost) {
    for (let c = 0; c < layer.bias.length; c++) {
      const exact = layer.bias[c]! * S;
      const { mantissa, exponent: e } = quantizeBias(exact, a.biasBits, a.biasExponentMax);
      biasMantissa[c] = mantissa;
      biasExponent[c] = e;
      biasError = Math.max(biasError, Math.abs(mantissa * 2 ** e - exact));
    }
  }

  const thresholdMantissa = new Int32Array(thresholds ? T : 0);
  let thresholdError = 0;
  if (thresholds) {
    for (let t = 0; t < T; t++) {
      const exact = (thresholds[t]! * S) / 2 ** a.thresholdShift;
      thresholdMantissa[t] = Math.min(thresholdMax, Math.max(1, roundHalfAwayFromZero(exact)));
      thresholdError = Math.max(thresholdError, Math.abs(thresholdMantissa[t]! - exact) / exact);
    }
  }

  const decayOne = 2 ** a.decayBits;
  const dv = layer.kind === 'output' ? 0 : Math.min(decayOne - 1, roundHalfAwayFromZero(decayOne * (1 - lambda)));
  const decayChip = (decayOne - dv) / decayOne;
  if (layer.neuron && Math.abs(decayChip - lambda) > 1e-6) {
    diagnostics.push(diagnostic('W-DECAY', { layer: layer.name }, {}, `decay ${lambda} is realised as ${decayChip} (dv = ${dv}/${decayOne})`));
  }
  // Bias error in threshold units for spiking layers, in float output units for the output layer.
  const theta0 = thresholds ? thresholds[0]! * S : S;
  return {
    name: layer.name,
    kind: layer.kind,
    shape: layer.shape,
    sourceShape: layer.sourceShape,
    pooling: layer.pooling,
    geometry: layer.geometry,
    weights,
    weightExponent: exponent,
    weightBits: a.weightBits,
    scale: S,
    du: decayOne - a.currentDecayOffset,
    dv,
    thresholds: thresholdMantissa,
    reset: layer.neuron?.reset ?? 'zero',
    biasMantissa,
    biasExponent,
    startStep: layer.startStep,
    error: {
      weightMaxError: errors[0]!,
      weightRmsError: count ? Math.sqrt(errors[1]! / count) : 0,
      thresholdMaxError: thresholdError,
      biasMaxError: biasError / theta0,
      decayFloat: lambda,
      decayChip,
      thresholdPolicy: layer.neuron ? layer.neuron.policy : 'none',
    },
    host: onHost ? { weight: layer.weight, bias: layer.bias } : null,
    source: layer.source,
    branches,
  };
}

/**
 * Adds each output's sum of |w * factor| times `events` to fanInSums (weights in [output][...] order) and returns
 * the largest |w * factor|. A plain loop over typed arrays: VGGSNN's 9 M weights pass through it once per compile.
 */
function addFanInSums(weight: Float32Array, factor: number, events: number, fanInSums: Float64Array): number {
  const outputs = fanInSums.length;
  const perOutput = weight.length / outputs;
  let largest = 0;
  for (let o = 0; o < outputs; o++) {
    let sum = 0;
    const base = o * perOutput;
    for (let k = 0; k < perOutput; k++) {
      const w = Math.abs(weight[base + k]! * factor);
      if (w > largest) largest = w;
      sum += w;
    }
    fanInSums[o] = fanInSums[o]! + sum * events;
  }
  return largest;
}

/**
 * Each weight's mantissa at scale S and the exponent's unit, rounded to nearest (ties away from zero) and clamped
 * to +-mantissaMax; updates errors = [largest, sum of squares] of |exact - mantissa| / mantissaMax, in weight order.
 */
function weightMantissas(weight: Float32Array, factor: number, S: number, unit: number, mantissaMax: number, errors: Float64Array): Int32Array {
  const out = new Int32Array(weight.length);
  let worst = errors[0]!;
  let squares = errors[1]!;
  for (let i = 0; i < weight.length; i++) {
    const exact = (weight[i]! * factor * S) / unit;
    const rounded = roundHalfAwayFromZero(exact);
    const mantissa = rounded > mantissaMax ? mantissaMax : rounded < -mantissaMax ? -mantissaMax : rounded;
    out[i] = mantissa;
    const e = Math.abs(exact - mantissa) / mantissaMax;
    if (e > worst) worst = e;
    squares += e * e;
  }
  errors[0] = worst;
  errors[1] = squares;
  return out;
}
