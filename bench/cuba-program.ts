import { IR_VERSION, type ChipProgram, type Core } from '../chips/ir/chip-program.js';
import { chipFamilyValue } from '../chips/ir/ir-enum-text.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { serpentinePosition } from '../compiler/passes/place.js';

/**
 * The CUBA benchmark network (bench/cuba/params.json) as a Loihi chip program: N LIF neurons, 80 %
 * excitatory, Bernoulli connectivity of mean fan-in 200 drawn with the C baseline's generator (mulberry32,
 * geometric skipping), int8 weights 16 / -80, refractory 5 steps.
 * Its neuron maps onto the Loihi compartment exactly: the C update I = u + a*64, u -= I*AU>>12 is Loihi's current
 * with du + 1 = AU; v += (E_L - v + I)*AV>>12 is Loihi's voltage scaled by 4096/AV, with dv = AV, bias E_L and the
 * threshold scaled likewise. Rounding differs (Loihi truncates toward zero, C floors) and Loihi fires on v > vth,
 * so spike counts are close to the C baseline's, not equal.
 * Reference: bench/cuba/snn.c and params.json.
 */
const FRAC_EXC = 0.8;
const W_EXC = 16;
const W_INH = -80;
const Q_MV = 0.04;
const VT_STATE = Math.round((10.0 / Q_MV) * 64);
const EL_STATE = Math.round((11.0 / Q_MV) * 64);
const AV = 205;
const AU = 819;
const REFRACTORY = 5;

/** mulberry32, as snn.c draws it (32-bit unsigned arithmetic). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1) >>> 0;
    z = (z ^ (z + Math.imul(z ^ (z >>> 7), z | 61))) >>> 0;
    return (z ^ (z >>> 14)) >>> 0;
  };
}

export function cubaProgram(spec: ChipSpec, neurons: number, steps = 1000, fanIn = 200, seed = 12345): ChipProgram {
  if (!(fanIn > 0 && fanIn < neurons)) throw new RangeError(`CUBA needs 0 < fan-in < N, got fan-in ${fanIn} for N = ${neurons}`);
  const next = mulberry32(seed);
  const urand = () => (next() + 0.5) * 2 ** -32;
  const excitatory = Math.floor(FRAC_EXC * neurons);
  const logKeep = Math.log1p(-fanIn / neurons);
  const rowStart = new Array<number>(neurons + 1);
  const targets: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < neurons; i++) {
    rowStart[i] = targets.length;
    const w = i < excitatory ? W_EXC : W_INH;
    for (let j = -1; ;) {
      j += 1 + Math.floor(Math.log(urand()) / logKeep);
      if (j >= neurons) break;
      targets.push(j);
      weights.push(w);
    }
  }
  rowStart[neurons] = targets.length;
  const scale = 4096 / AV;
  const initialVoltage = Int32Array.from({ length: neurons }, () => Math.trunc(urand() * VT_STATE * scale));
  const thresholdMantissa = Math.round((VT_STATE * scale) / 64);
  // E_L in v units, as mantissa << exponent (17,600 = 2,200 << 3).
  const biasExponent = 3;
  const biasMantissa = Math.round(EL_STATE / 2 ** biasExponent);
  const perCore = spec.core.maxNeurons;
  const coreCount = Math.ceil(neurons / perCore);
  const usage = { neurons: 0, inputAxons: 0, outputAxons: 0, synapseBits: 0, synapses: 0, fanIn: 0 };
  const cores: Core[] = Array.from({ length: coreCount }, (_, k) => {
    const position = serpentinePosition(k, spec);
    return {
      ...position,
      layer: 0,
      role: 'CORE_SOMA',
      annMode: false,
      channels: { begin: k * perCore, end: Math.min(neurons, (k + 1) * perCore) },
      rows: { begin: 0, end: 1 },
      cols: { begin: 0, end: 1 },
      fanIn: { begin: 0, end: neurons },
      somaCore: position.id,
      usage: { ...usage, neurons: Math.min(neurons, (k + 1) * perCore) - k * perCore },
      routes: [],
    };
  });
  return {
    irVersion: IR_VERSION,
    chipName: spec.name,
    chipFamily: chipFamilyValue(spec.family),
    source: { name: `cuba-${neurons}`, sha256: '', kind: 'SOURCE_OTHER' },
    timesteps: steps,
    chipCount: Math.ceil(coreCount / spec.mesh.coresPerChip),
    input: { shape: [1, 1, 1], placement: 'INPUT_HOST', payloadBits: 0, valueScale: 1, hostWeights: new Float32Array(0), hostBias: new Float32Array(0) },
    layers: [
      {
        name: 'cuba',
        kind: 'LAYER_SPIKING',
        shape: [neurons, 1, 1],
        sourceShape: [neurons, 1, 1],
        recurrent: true,
        connection: {
          sparse: { inFeatures: neurons, outFeatures: neurons, rowStart, targets, weights: Int32Array.from(weights) },
          weightExponent: 0,
          weightBits: 8,
        },
        neuron: {
          du: AU - 1,
          dv: AV,
          thresholdMantissa: [thresholdMantissa],
          reset: 'RESET_ZERO',
          biasMantissa: new Int32Array(neurons).fill(biasMantissa),
          biasExponent: new Array<number>(neurons).fill(biasExponent),
          refractorySteps: REFRACTORY,
          initialVoltage,
        },
        startStep: 0,
        scale: (scale * 64) / Q_MV,
        quantization: {
          weightMaxError: 0,
          weightRmsError: 0,
          thresholdMaxError: 0,
          biasMaxError: 0,
          decayFloat: 1 - AV / 4096,
          decayChip: 1 - AV / 4096,
          thresholdPolicy: 'THRESHOLD_CONSTANT',
        },
      },
    ],
    cores,
    probes: [{ layer: 0, variable: 'PROBE_SPIKES' }],
    learning: { layers: [], rule: '', ruleKind: 'LEARNING_NONE', epochSteps: 0, settings: [] },
    notes: ['cuba benchmark network (bench/cuba)'],
  };
}
