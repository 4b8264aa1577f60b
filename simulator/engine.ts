import { stepLoihiAccumulator, stepLoihiLif } from '../chips/loihi/lif-kernel.js';
import { stepLoihi2Lif } from '../chips/loihi2/lif-kernel.js';
import { quantizeBias } from '../chips/fixed-point/index.js';
import { clearCounters, createCounters, type CoreCounters } from './counters.js';
import type { LearningHooks } from './learning/learning-engine.js';
import { MeshLinks } from './mesh-links.js';
import { neuronIndex, type LayerRuntime, type ProgramRuntime } from './runtime.js';

/** One inference's input as integer events per step: element indices of the input grid and their values. */
export interface InputFrames {
  /** Events of step t (0-based) into `indices`/`values`; returns how many. Direct input returns the same every step. */
  frame(t: number, indices: Int32Array, values: Int32Array): number;
  /** The analog sample in model units, for a first layer that the host computes (Loihi 1). */
  readonly analog: Float32Array | null;
  /** True when every step's frame is the same (direct encoding): the first layer's synaptic sum is reused. */
  readonly static: boolean;
}

export interface InferenceOutput {
  /** The output layer's accumulated voltage converted back to model units: mean over T of the last layer. */
  readonly outputs: Float64Array;
  readonly prediction: number;
}

/**
 * The cycle-level chip: every time step runs, on every active layer, synaptic delivery from synapse memory
 * (dendritic accumulation), the chip's integer neuron update, and routing of the spikes to the next layer's cores;
 * a barrier ends the step. Layer L integrates during global steps [L, L+T) (one step of delivery per layer).
 * All state is in typed arrays allocated once; nothing is allocated per event.
 * Reference: DESIGN.md section 5.
 */
export class ChipSimulator {
  /** Totals over every inference run so far, per core. */
  readonly counters: CoreCounters;
  /** Totals per global step index of an inference (for latency per step), per core. */
  readonly stepCounters: CoreCounters[];
  readonly layerSpikes: Float64Array;
  readonly layerSynapticOps: Float64Array;
  /** [layer * stepsPerInference + global step]: spikes summed over inferences, for probes and rasters. */
  readonly layerStepSpikes: Float64Array;
  /** Per global step index: the longest route (ns of hops is priced later) any packet took, as E-W and N-S hops. */
  readonly stepMaxHops: Int32Array[];
  /** Packets on every mesh link, and per global step index the busiest link's load summed over inferences. */
  readonly links: MeshLinks;
  readonly stepPeakLinkLoad: Float64Array;
  inferences = 0;
  /** The learning phase of learning layers (simulator/learning), or null when nothing learns. */
  learning: LearningHooks | null = null;
  private readonly spikeCounts: Int32Array;
  private readonly step: CoreCounters;
  private readonly eventIndices: Int32Array;
  private readonly eventValues: Int32Array;
  private readonly firstLayerSum: Int32Array;

  constructor(readonly runtime: ProgramRuntime) {
    const cores = runtime.program.cores.length;
    this.counters = createCounters(cores);
    this.step = createCounters(cores);
    this.stepCounters = Array.from({ length: runtime.stepsPerInference }, () => createCounters(cores));
    this.stepMaxHops = Array.from({ length: runtime.stepsPerInference }, () => new Int32Array(2));
    const chips = runtime.program.chipCount;
    this.links = new MeshLinks(chips * runtime.spec.mesh.widthTiles, runtime.spec.mesh.heightTiles);
    this.stepPeakLinkLoad = new Float64Array(runtime.stepsPerInference);
    this.layerSpikes = new Float64Array(runtime.layers.length);
    this.layerSynapticOps = new Float64Array(runtime.layers.length);
    this.layerStepSpikes = new Float64Array(runtime.layers.length * runtime.stepsPerInference);
    this.spikeCounts = new Int32Array(runtime.layers.length);
    this.eventIndices = new Int32Array(runtime.inputSize);
    this.eventValues = new Int32Array(runtime.inputSize);
    this.firstLayerSum = new Int32Array(runtime.layers[0]!.neurons);
  }

  infer(input: InputFrames): InferenceOutput {
    const { layers, program } = this.runtime;
    const T = program.timesteps;
    for (const layer of layers) {
      layer.u.fill(0);
      layer.v.fill(0);
    }
    this.spikeCounts.fill(0);
    const first = layers[0]!;
    if (first.synapses.kind === 'host') this.writeHostBias(first, input);
    for (let g = 0; g < this.runtime.stepsPerInference; g++) {
      clearCounters(this.step);
      const hops = this.stepMaxHops[g]!;
      // Deliver first, last layer first, so each layer reads the spikes its source fired in the previous step.
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l]!;
        const t = g - layer.startStep;
        if (t < 0 || t >= T) continue;
        if (l === 0) this.deliverInput(layer, input, t, hops);
        else this.deliverSpikes(layers[l - 1]!, layer, this.spikeCounts[l - 1]!, hops);
        if (l > 0) this.learning?.delivered(layer, layers[l - 1]!, this.spikeCounts[l - 1]!);
        this.sendPartialSums(layer, hops);
      }
      for (const layer of layers) {
        const t = g - layer.startStep;
        const fired = t >= 0 && t < T ? this.update(layer, t) : 0;
        this.spikeCounts[layer.index] = fired;
        if (t >= 0 && t < T) this.learning?.updated(layer, t, this.step);
        const at = layer.index * this.runtime.stepsPerInference + g;
        this.layerStepSpikes[at] = this.layerStepSpikes[at]! + fired;
      }
      this.stepPeakLinkLoad[g] = this.stepPeakLinkLoad[g]! + this.links.endStep();
      const into = this.stepCounters[g]!;
      for (const key of Object.keys(this.step) as (keyof CoreCounters)[]) {
        const a = into[key];
        const b = this.step[key];
        const total = this.counters[key];
        for (let i = 0; i < a.length; i++) {
          a[i] = a[i]! + b[i]!;
          total[i] = total[i]! + b[i]!;
        }
      }
    }
    this.inferences++;
    const out = layers[layers.length - 1]!;
    const outputs = new Float64Array(out.neurons);
    let prediction = 0;
    for (let i = 0; i < out.neurons; i++) {
      outputs[i] = out.v[i]! / (T * out.scale);
      if (out.v[i]! > out.v[prediction]!) prediction = i;
    }
    return { outputs, prediction };
  }

  /** Host-computed first layer (Loihi 1): the float current of the analog input, written as each neuron's bias. */
  private writeHostBias(layer: LayerRuntime, input: InputFrames): void {
    const { program } = this.runtime;
    const analog = input.analog!;
    const w = program.input.hostWeights;
    const b = program.input.hostBias;
    const layerInfo = program.layers[0]!;
    const bias = this.runtime.spec.numberFormat.bias;
    const [C, H, W] = layerInfo.shape as [number, number, number];
    const conv = layerInfo.connection.conv;
    const [IC, IH, IW] = program.input.shape as [number, number, number];
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          let sum = b[c] ?? 0;
          if (conv) {
            for (let ci = 0; ci < IC; ci++)
              for (let ky = 0; ky < conv.kernelH; ky++) {
                const iy = y * conv.strideH - conv.padH + ky;
                if (iy < 0 || iy >= IH) continue;
                for (let kx = 0; kx < conv.kernelW; kx++) {
                  const ix = x * conv.strideW - conv.padW + kx;
                  if (ix < 0 || ix >= IW) continue;
                  sum += analog[(ci * IH + iy) * IW + ix]! * w[((c * IC + ci) * conv.kernelH + ky) * conv.kernelW + kx]!;
                }
              }
          } else {
            const n = analog.length;
            for (let i = 0; i < n; i++) sum += analog[i]! * w[c * n + i]!;
          }
          const q = quantizeBias(sum * layer.scale, bias?.mantissaBits ?? 13, bias?.exponentMax ?? 7);
          const n = neuronIndex(c, y * W + x, C);
          layer.biasMantissa[n] = q.mantissa;
          layer.biasExponent[n] = q.exponent;
        }
      }
    }
  }

  private deliverInput(layer: LayerRuntime, input: InputFrames, t: number, hops: Int32Array): void {
    const acc = layer.accumulator;
    if (layer.synapses.kind === 'host') {
      acc.fill(0);
      return;
    }
    const count = input.frame(t, this.eventIndices, this.eventValues);
    const reuse = input.static && t > 0;
    if (!reuse) acc.fill(0);
    for (let e = 0; e < count; e++) {
      const axon = layer.axonOf[this.eventIndices[e]!]!;
      if (axon < 0) continue;
      this.countSynapses(layer, axon, -1, hops);
      if (!reuse) scatter(layer, axon, this.eventValues[e]!);
    }
    if (input.static) {
      if (reuse) acc.set(this.firstLayerSum);
      else this.firstLayerSum.set(acc);
    }
  }

  /**
   * Every spike is a message and its own synaptic ops on the chip; the sum is linear, so the spikes that share an
   * axon (a pooling window) are added up first and scattered once, with the same integers as one by one.
   */
  private deliverSpikes(source: LayerRuntime, layer: LayerRuntime, count: number, hops: Int32Array): void {
    layer.accumulator.fill(0);
    const pending = layer.axonSpikes;
    const touched = layer.touchedAxons;
    let touchedCount = 0;
    for (let s = 0; s < count; s++) {
      const neuron = source.spikeList[s]!;
      const axon = layer.axonOf[neuron]!;
      if (axon < 0) continue;
      this.countSynapses(layer, axon, source.coreOfNeuron[neuron]!, hops);
      if (pending[axon] === 0) touched[touchedCount++] = axon;
      pending[axon] = pending[axon]! + 1;
    }
    for (let i = 0; i < touchedCount; i++) {
      const axon = touched[i]!;
      scatter(layer, axon, pending[axon]!);
      pending[axon] = 0;
    }
  }

  /** Synaptic ops on every core the axon drives, and the packet from the source core to each of them. */
  private countSynapses(layer: LayerRuntime, axon: number, sourceCore: number, hops: Int32Array): void {
    const c = this.step;
    const { coreX, coreY } = this.runtime;
    const multicast = this.runtime.spec.mesh.multicast;
    let sent = false;
    for (let j = layer.axonCoreStart[axon]!, end = layer.axonCoreStart[axon + 1]!; j < end; j++) {
      const core = layer.axonCore[j]!;
      const synapses = layer.axonCoreSynapses[j]!;
      c.synapticOps[core] = c.synapticOps[core]! + synapses;
      this.layerSynapticOps[layer.index] = this.layerSynapticOps[layer.index]! + synapses;
      c.messagesIn[core] = c.messagesIn[core]! + 1;
      if (sourceCore < 0) continue;
      if (!multicast || !sent) c.messagesOut[sourceCore] = c.messagesOut[sourceCore]! + 1;
      sent = true;
      const dx = Math.abs(coreX[core]! - coreX[sourceCore]!);
      const dy = Math.abs(coreY[core]! - coreY[sourceCore]!);
      if (dx === 0 && dy === 0) c.spikesWithinTile[sourceCore] = c.spikesWithinTile[sourceCore]! + 1;
      c.hopsEastWest[sourceCore] = c.hopsEastWest[sourceCore]! + dx;
      c.hopsNorthSouth[sourceCore] = c.hopsNorthSouth[sourceCore]! + dy;
      if (dx + dy > 0) this.links.route(coreX[sourceCore]!, coreY[sourceCore]!, coreX[core]!, coreY[core]!, 1);
      if (dx + dy > hops[0]! + hops[1]!) {
        hops[0] = dx;
        hops[1] = dy;
      }
    }
  }

  private sendPartialSums(layer: LayerRuntime, hops: Int32Array): void {
    const c = this.step;
    const { coreX, coreY } = this.runtime;
    for (const p of layer.partialCores) {
      c.partialSums[p.core] = c.partialSums[p.core]! + p.neurons;
      c.messagesOut[p.core] = c.messagesOut[p.core]! + p.neurons;
      c.messagesIn[p.soma] = c.messagesIn[p.soma]! + p.neurons;
      const dx = Math.abs(coreX[p.core]! - coreX[p.soma]!);
      const dy = Math.abs(coreY[p.core]! - coreY[p.soma]!);
      c.hopsEastWest[p.core] = c.hopsEastWest[p.core]! + dx * p.neurons;
      c.hopsNorthSouth[p.core] = c.hopsNorthSouth[p.core]! + dy * p.neurons;
      if (dx + dy > 0) this.links.route(coreX[p.core]!, coreY[p.core]!, coreX[p.soma]!, coreY[p.soma]!, p.neurons);
      if (dx + dy > hops[0]! + hops[1]!) {
        hops[0] = dx;
        hops[1] = dy;
      }
    }
  }

  /** The chip's integer neuron update of one layer at its local step t; returns how many neurons fired. */
  private update(layer: LayerRuntime, t: number): number {
    const acc = layer.accumulator;
    const input = layer.input;
    const e = layer.weightExponent;
    const factor = 2 ** e;
    for (let i = 0; i < layer.neurons; i++) input[i] = e >= 0 ? acc[i]! * factor : Math.floor(acc[i]! * factor);
    const state = { u: layer.u, v: layer.v };
    const bias = { biasMantissa: layer.biasMantissa, biasExponent: layer.biasExponent };
    let fired = 0;
    if (!layer.spiking) {
      stepLoihiAccumulator({ du: layer.du, dv: layer.dv, ...bias }, state, input);
    } else if (this.runtime.spec.family === 'loihi2') {
      fired = stepLoihi2Lif({ du: layer.du, dv: layer.dv, thresholdTable: layer.thresholds, resetMode: layer.reset, ...bias }, state, { synaptic: input, graded: null }, t, layer.spikes);
    } else {
      // Loihi 1's datapath; Tianjic's is not published and is assumed the same (the compiler warns W-UNCONFIRMED).
      fired = stepLoihiLif({ du: layer.du, dv: layer.dv, vthMantissa: layer.thresholds[0]!, ...bias }, state, input, layer.spikes);
    }
    const c = this.step;
    let n = 0;
    for (let i = 0; i < layer.neurons; i++) {
      const core = layer.coreOfNeuron[i]!;
      const spiked = layer.spiking && layer.spikes[i] === 1;
      if (spiked) {
        layer.spikeList[n++] = i;
        c.spikesOut[core] = c.spikesOut[core]! + 1;
      }
      if (spiked || input[i] !== 0 || layer.v[i] !== 0) c.neuronUpdatesActive[core] = c.neuronUpdatesActive[core]! + 1;
      else c.neuronUpdatesInactive[core] = c.neuronUpdatesInactive[core]! + 1;
    }
    this.layerSpikes[layer.index] = this.layerSpikes[layer.index]! + fired;
    return n;
  }
}

/** Dendritic accumulation of one event through the layer's synapse table. */
export function scatter(layer: LayerRuntime, axon: number, value: number): void {
  const s = layer.synapses;
  const acc = layer.accumulator;
  if (s.kind === 'conv') {
    const channel = Math.floor(axon / s.pooledPlane);
    const position = axon - channel * s.pooledPlane;
    const outC = s.outChannels;
    const base = channel * s.taps * outC;
    for (let j = s.start[position]!, end = s.start[position + 1]!; j < end; j++) {
      const out = s.outPosition[j]!;
      const w = base + s.tap[j]! * outC;
      const a = out * outC;
      for (let co = 0; co < outC; co++) acc[a + co] = acc[a + co]! + value * s.weights[w + co]!;
    }
  } else if (s.kind === 'sparse') {
    const { targets, weights } = s;
    for (let k = s.rowStart[axon]!, end = s.rowStart[axon + 1]!; k < end; k++) acc[targets[k]!] = acc[targets[k]!]! + value * weights[k]!;
  } else if (s.kind === 'dense') {
    const outF = s.outFeatures;
    const w = axon * outF;
    for (let o = 0; o < outF; o++) acc[o] = acc[o]! + value * s.weights[w + o]!;
  }
}
