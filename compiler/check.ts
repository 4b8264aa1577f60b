import type { ChipProgram } from '../chips/ir/chip-program.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { coreSlice, layerView } from './ir-view.js';
import { sliceUsage } from './usage.js';

/**
 * check: validates a ChipProgram against a chip spec and returns coded diagnostics, each with the layer, the core,
 * the measured value and the limit. Never throws for a program that does not fit: that is what it reports.
 * Reference: DESIGN.md section 4 (check), section 7 ("validation returns (used, limit) pairs").
 */
export function check(program: ChipProgram, spec: ChipSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const c = spec.core;
  const synapseLimit = c.synapseMemory.kind === 'grouped-words' ? c.synapseMemory.totalBits : c.sramBytes !== null ? c.sramBytes * 8 : null;
  const views = program.layers.map(layerView);
  // A learning layer's synapses store the engine's tag beside each weight.
  const learning = new Set(program.learning?.layers ?? []);
  for (const core of program.cores) {
    const layer = program.layers[core.layer]!;
    const usage = sliceUsage(views[core.layer]!, coreSlice(core), spec, learning.has(core.layer));
    const where = { layer: layer.name, core: core.id };
    if (usage.neurons > c.maxNeurons) out.push(diagnostic('E-NEURONS', where, { value: usage.neurons, limit: c.maxNeurons }, 'neurons'));
    const inputAxons = Math.max(usage.inputAxons, core.usage.inputAxons);
    if (inputAxons > c.maxInputAxons) out.push(diagnostic('E-IN-AXONS', where, { value: inputAxons, limit: c.maxInputAxons }, 'input axons'));
    if (core.usage.outputAxons > c.maxOutputAxons) out.push(diagnostic('E-OUT-AXONS', where, { value: core.usage.outputAxons, limit: c.maxOutputAxons }, 'output axons'));
    if (synapseLimit !== null && usage.synapseBits > synapseLimit) out.push(diagnostic('E-SYNMEM', where, { value: usage.synapseBits, limit: synapseLimit }, 'bits'));
    if (c.maxFanIn !== null && usage.fanIn > c.maxFanIn) out.push(diagnostic('E-FANIN', where, { value: usage.fanIn, limit: c.maxFanIn }, 'inputs per neuron'));
  }
  const w = spec.numberFormat.weight;
  program.layers.forEach((layer) => {
    const where = { layer: layer.name };
    const mantissaMax = 2 ** (layer.connection.weightBits - 1) - 1;
    const weights = layer.connection.conv?.weights ?? layer.connection.dense?.weights ?? new Int32Array(0);
    const largest = largestMagnitude(weights);
    if (layer.connection.weightBits > w.mantissaBits) out.push(diagnostic('E-WEIGHT-RANGE', where, { value: layer.connection.weightBits, limit: w.mantissaBits }, 'weight bits'));
    if (largest > mantissaMax) out.push(diagnostic('E-WEIGHT-RANGE', where, { value: largest, limit: mantissaMax }, 'weight mantissa'));
    const e = layer.connection.weightExponent;
    if (weights.length > 0 && (e < w.exponentMin || e > w.exponentMax)) {
      out.push(diagnostic('E-WEIGHT-RANGE', where, {}, `weight exponent ${e} is outside [${w.exponentMin}, ${w.exponentMax}]`));
    }
    const thresholdBits = spec.numberFormat.threshold.mantissaBits;
    const thresholds = layer.neuron.thresholdMantissa;
    if (thresholdBits !== null) {
      const largestThreshold = Math.max(0, ...thresholds);
      if (largestThreshold > 2 ** thresholdBits - 1)
        out.push(diagnostic('E-THRESHOLD-RANGE', where, { value: largestThreshold, limit: 2 ** thresholdBits - 1 }, 'threshold mantissa'));
    }
    if (!spec.neuron.thresholdSchedule && thresholds.some((t) => t !== thresholds[0])) {
      out.push(diagnostic('E-THRESHOLD-SCHEDULE', where, {}, `a per-step threshold table on chip ${spec.name}, which has none: compile with --threshold mean`));
    }
    const bias = spec.numberFormat.bias;
    if (bias) {
      const biasMax = 2 ** (bias.mantissaBits - 1) - 1;
      const worst = largestMagnitude(layer.neuron.biasMantissa);
      if (worst > biasMax) out.push(diagnostic('E-BIAS-RANGE', where, { value: worst, limit: biasMax }, 'bias mantissa'));
      const largestExponent = Math.max(0, ...layer.neuron.biasExponent);
      if (largestExponent > bias.exponentMax) out.push(diagnostic('E-BIAS-RANGE', where, { value: largestExponent, limit: bias.exponentMax }, 'bias exponent'));
    }
    const reset = layer.neuron.reset === 'RESET_SUBTRACT' ? 'subtract' : 'zero';
    if (layer.kind === 'LAYER_SPIKING' && !spec.neuron.resetModes.includes(reset)) {
      out.push(diagnostic('E-UNSUPPORTED', where, {}, `reset by ${reset} on chip ${spec.name}, which resets by ${spec.neuron.resetModes.join(', ')}`));
    }
  });
  const first = program.layers[0]?.name ?? null;
  switch (program.input.placement) {
    case 'INPUT_GRADED_SPIKES':
      if (!spec.neuron.gradedSpikes) out.push(diagnostic('E-UNSUPPORTED', { layer: first }, {}, `analog input as graded spikes on chip ${spec.name}, which has no graded spikes`));
      else if (program.input.payloadBits > spec.neuron.gradedSpikePayloadBits) {
        out.push(
          diagnostic(
            'E-UNSUPPORTED',
            { layer: first },
            {},
            `input as ${program.input.payloadBits}-bit graded spikes on chip ${spec.name}, whose graded spikes carry ${spec.neuron.gradedSpikePayloadBits} bits`,
          ),
        );
      } else {
        const what = Math.abs(program.input.valueScale * 255 - 1) < 1e-9 ? 'pixels' : `real values (steps of ${program.input.valueScale})`;
        out.push(diagnostic('I-INPUT-GRADED', { layer: first }, {}, `${what} enter layer ${first} as ${program.input.payloadBits}-bit graded spikes`));
      }
      break;
    case 'INPUT_ANN_CORE':
      if (!spec.neuron.annModeCores) out.push(diagnostic('E-UNSUPPORTED', { layer: first }, {}, `an ANN-mode input core on chip ${spec.name}, which has none`));
      else out.push(diagnostic('I-INPUT-ANN', { layer: first }, {}, `ANN-mode cores compute layer ${first}'s current from the pixels`));
      break;
    case 'INPUT_HOST':
      out.push(
        diagnostic(
          'W-INPUT-HOST',
          { layer: first },
          {},
          `chip ${spec.name} has neither graded spikes nor ANN-mode cores: the host computes layer ${first}'s current from the analog input and writes it as bias every inference (not counted in chip energy)`,
        ),
      );
      break;
    default:
      out.push(diagnostic('E-UNSUPPORTED', {}, {}, 'the program does not say how the input reaches the chip'));
  }
  const perChip = spec.mesh.coresPerChip;
  const chipsUsed = new Set(program.cores.map((core) => Math.floor(core.id / perChip))).size;
  out.push(diagnostic('I-CHIPS', {}, {}, `${program.cores.length.toLocaleString('en-US')} cores on ${chipsUsed} chip${chipsUsed === 1 ? '' : 's'} of ${perChip} cores`));
  if (spec.unconfirmed.length > 0) {
    out.push(diagnostic('W-UNCONFIRMED', {}, {}, `chip ${spec.name} has values from weak sources: ${spec.unconfirmed.join(', ')}`));
  }
  return out;
}

/** The largest |m| of a layer's mantissas, in a plain indexed loop: VGGSNN's 9 M weights pass through it per check. */
function largestMagnitude(mantissas: Int32Array): number {
  let largest = 0;
  for (let i = 0; i < mantissas.length; i++) {
    const m = mantissas[i]!;
    const magnitude = m < 0 ? -m : m;
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}
