import { quantizeBias } from '../chips/fixed-point/index.js';
import { createCounters, summedCounters, type CoreCounters } from './counters.js';
import { layerConstants } from './datapath.js';
import { expandedBias, fusedLifStep } from './fused-lif.js';
import type { LearningHooks } from './learning/learning-engine.js';
import { MeshLinks } from './mesh-links.js';
import { mostSpikesPerAxon, packConvSynapses, scatterPacked, unpackInto, type PackedConv } from './packed-conv.js';
import type { SpikeSink } from './raster.js';
import { neuronIndex, type LayerRuntime, type ProgramRuntime } from './runtime.js';
import { isDiagonalTable, scatter, scatterDiagonal, weightsFitExactProducts } from './scatter.js';
import { SpikeHistory } from './spike-history.js';
import { buildSpikeRoutes, type SpikeRoutes } from './spike-routes.js';
import { UpdatedNeurons } from './updated-neurons.js';
import { ChipWasm } from './wasm/chip-wasm.js';

/** One delivery's spikes per route and local step, held until the counters are read (ChipSimulator.chargeDeliveries). */
interface Delivery {
  readonly routes: SpikeRoutes;
  /** The synapses the spikes reach (a layer's or a branch's): their destination groups' cores. */
  readonly synapses: LayerRuntime;
  /** The receiving layer's first global step: local step t of it is global step startStep + t. */
  readonly startStep: number;
  readonly routeSpikes: Float64Array;
}

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
  /** Sees every layer's spike list of every step while attached (a raster recorder); null costs one check. */
  spikeSink: SpikeSink | null = null;
  /** The learning phase of learning layers (simulator/learning), or null when nothing learns. */
  learning: LearningHooks | null = null;
  private readonly spikeCounts: Int32Array;
  /**
   * Per global step index, summed over inferences: the events of the step itself, and apart from them the events
   * that deliver the spikes of the step before (charged from the deliveries when read: chargeDeliveries). Nothing is
   * merged per step; the totals, the per-step counts and the firing-step counts are sums of these, formed when read.
   */
  private readonly ownByStep: CoreCounters[];
  private readonly routedByStep: CoreCounters[];
  /** The current step's own counters: ownByStep[g]. */
  private step: CoreCounters;
  /** The current global step index. */
  private stepIndex = 0;
  /**
   * Per delivery (a layer's or a branch's SpikeRoutes): the spikes each route carried per local step of the
   * receiving layer, summed over inferences, [t * routes + route]. A route's packets and hops on its source core,
   * and its destination group's synaptic ops and messages in on every core, are linear in these, so they are added
   * into routedByStep only when the counters are read (chargeDeliveries), not at every step: one add per route and
   * step instead of four per route and two per destination core (1.7 M per ResNet-19 image).
   */
  private readonly deliveries: Map<SpikeRoutes, Delivery>;
  /** True while the deliveries hold spikes not yet charged into routedByStep. */
  private deliveriesPending = false;
  private readonly updatedNeurons: UpdatedNeurons;
  private readonly eventIndices: Int32Array;
  private readonly eventValues: Int32Array;
  /** The axons of one step's input events, for SANA-FE's test (UpdatedNeurons.markAxons). */
  private readonly inputAxons: Int32Array;
  private readonly firstLayerSum: Int32Array;
  /**
   * Per layer: bias mantissa << exponent per neuron, expanded once (a program's biases are constant), and for a
   * host-computed first layer again after every inference writes its bias.
   */
  private readonly bias: (Int32Array | Float64Array)[];
  private readonly biasBuffer: Int32Array[];
  private readonly exactProducts: boolean[];
  /** Per layer fed by spikes: its conv synapses two channels per word, when its sums fit 16 bits (else null). */
  private readonly packed: (PackedConv | null)[];
  /** Per layer after the first: the mesh routes of its incoming spikes (null for the first layer). */
  private readonly routes: (SpikeRoutes | null)[];
  /** Per layer, per branch (residual graphs): its synapses over the layer's accumulator, and their mesh routes. */
  private readonly branchSynapses: LayerRuntime[][];
  private readonly branchRoutes: SpikeRoutes[][];
  private readonly branchExact: boolean[][];
  /** Per layer, per branch: its synapses are a diagonal 1x1 conv (an identity shortcut), delivered one channel per axon. */
  private readonly branchDiagonal: boolean[][];
  /**
   * Per layer and per layer's branch: every axon has one source neuron (no pooling), so a step's spikes are its
   * events, each of value 1, in the WebAssembly event list straight away (gatherEvents); null where the delivery
   * is not a WebAssembly conv.
   */
  private readonly directEvents: ({ readonly axons: Int32Array } | null)[];
  private readonly branchDirectEvents: ({ readonly axons: Int32Array } | null)[][];
  /** Recent spike lists of the layers a branch reads with a delay; null when no branch waits. */
  private readonly history: SpikeHistory | null;
  /** Per layer: its soma cores and the neurons on each (the inactive updates are the rest of the active ones). */
  private readonly somaCores: { readonly core: Int32Array; readonly neurons: Int32Array }[];
  private readonly coreSpikes: Int32Array;
  private readonly coreInactive: Int32Array;
  /** The WebAssembly SIMD kernels, holding every layer's state; null where unavailable (the scalar loops run). */
  private readonly wasm: ChipWasm | null;
  /** Per layer: how many entries of its spike list are flagged in its `spikes` (its last update's spikes). */
  private readonly marked: Int32Array;
  /** The first layer's input charge of one step (synaptic ops and messages in per core), reused for static input. */
  private readonly inputOps: Float64Array;
  private readonly inputMessages: Float64Array;
  private inputLayerOps = 0;

  constructor(readonly runtime: ProgramRuntime) {
    const cores = runtime.program.cores.length;
    this.ownByStep = Array.from({ length: runtime.stepsPerInference }, () => createCounters(cores));
    this.routedByStep = Array.from({ length: runtime.stepsPerInference }, () => createCounters(cores));
    this.step = this.ownByStep[0]!;
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
    this.inputAxons = new Int32Array(runtime.inputSize);
    this.firstLayerSum = new Int32Array(runtime.layers[0]!.neurons);
    this.biasBuffer = runtime.layers.map((l) => new Int32Array(l.neurons));
    this.bias = runtime.layers.map((l, i) => expandedBias(l.biasMantissa, l.biasExponent, this.biasBuffer[i]!));
    this.exactProducts = runtime.layers.map(weightsFitExactProducts);
    this.wasm = ChipWasm.create(runtime, this.exactProducts);
    if (this.wasm) runtime.layers.forEach((_, i) => this.wasm!.setBias(i, this.bias[i]!));
    this.packed = runtime.layers.map((l, i) => (i === 0 || this.wasm?.convEvents(i) ? null : packConvSynapses(l)));
    this.routes = runtime.layers.map((l, i) => (i === 0 ? null : buildSpikeRoutes(runtime, runtime.layers[l.recurrent ? i - 1 : l.source]!, l, this.links)));
    // A branch scatters into its layer's accumulator (wherever the kernels keep it) through its own synapses.
    this.branchSynapses = runtime.layers.map((l) => l.branches.map((b) => ({ ...b.synapses, accumulator: l.accumulator })));
    this.branchRoutes = runtime.layers.map((l, i) => l.branches.map((b, k) => buildSpikeRoutes(runtime, runtime.layers[b.source]!, this.branchSynapses[i]![k]!, this.links)));
    this.branchExact = this.branchSynapses.map((list) => list.map(weightsFitExactProducts));
    this.branchDiagonal = this.branchSynapses.map((list) => list.map(isDiagonalTable));
    // An event list whose values are never written again holds 1 for every event.
    const direct = (synapses: LayerRuntime, events: { readonly axons: Int32Array; readonly values: Int32Array } | null) => {
      if (!events || synapses.index === 0 || mostSpikesPerAxon(synapses) !== 1) return null;
      events.values.fill(1);
      return events;
    };
    this.directEvents = runtime.layers.map((l, i) => direct(l, this.wasm?.convEvents(i) ?? null));
    this.branchDirectEvents = this.branchSynapses.map((list, i) => list.map((b, k) => direct(b, this.wasm?.branchEvents(i, k) ?? null)));
    const T = runtime.program.timesteps;
    const delivery = (l: LayerRuntime, routes: SpikeRoutes, synapses: LayerRuntime): [SpikeRoutes, Delivery] => [
      routes,
      { routes, synapses, startStep: l.startStep, routeSpikes: new Float64Array(T * routes.sourceCore.length) },
    ];
    this.deliveries = new Map(
      runtime.layers.flatMap((l, i) => [
        ...(this.routes[i] ? [delivery(l, this.routes[i]!, l)] : []),
        ...this.branchRoutes[i]!.map((routes, k) => delivery(l, routes, this.branchSynapses[i]![k]!)),
      ]),
    );
    this.history = runtime.layers.some((l) => l.branches.some((b) => b.delay > 0)) ? new SpikeHistory(runtime) : null;
    this.somaCores = runtime.layers.map((l) => {
      const perCore = new Int32Array(cores);
      for (const c of l.coreOfNeuron) perCore[c] = perCore[c]! + 1;
      const core = Int32Array.from(perCore.keys()).filter((c) => perCore[c]! > 0);
      return { core, neurons: Int32Array.from(core, (c) => perCore[c]!) };
    });
    this.updatedNeurons = new UpdatedNeurons(runtime, this.somaCores, this.branchSynapses);
    this.coreSpikes = this.wasm?.coreSpikes ?? new Int32Array(cores);
    this.coreInactive = this.wasm?.coreInactive ?? new Int32Array(cores);
    this.marked = new Int32Array(runtime.layers.length);
    for (const layer of runtime.layers) layer.spikes.fill(0);
    this.inputOps = new Float64Array(cores);
    this.inputMessages = new Float64Array(cores);
  }

  /** Totals over every inference run so far, per core (formed on each read). */
  get counters(): CoreCounters {
    return summedCounters(this.stepParts().flat(), this.runtime.program.cores.length);
  }

  /** Totals per global step index of an inference (for latency per step), per core (formed on each read). */
  get stepCounters(): CoreCounters[] {
    return this.stepParts().map((parts) => summedCounters(parts, this.runtime.program.cores.length));
  }

  /**
   * The same events by the step that caused them: a spike's messages, hops and synaptic ops at the step it fired
   * (one before its delivery), everything else at its own step (SANA-FE's accounting, `firing-step`). Formed on
   * each read. Spikes are delivered the step after they fire, so step 0 routes none; what it would route counts
   * at step 0.
   */
  get firingStepCounters(): CoreCounters[] {
    return this.firingStepParts().map((parts) => summedCounters(parts, this.runtime.program.cores.length));
  }

  /** Per global step index: the counters whose sum is that step's counts (stepCounters), unsummed. */
  stepParts(): CoreCounters[][] {
    this.chargeDeliveries();
    return this.ownByStep.map((own, g) => [own, this.routedByStep[g]!]);
  }

  /** Per global step index: the counters whose sum is that step's firing-step counts (firingStepCounters). */
  firingStepParts(): CoreCounters[][] {
    this.chargeDeliveries();
    const steps = this.routedByStep.length;
    return this.ownByStep.map((own, g) => [own, ...(g === 0 ? [this.routedByStep[0]!] : []), ...(g + 1 < steps ? [this.routedByStep[g + 1]!] : [])]);
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
    if (first.synapses.kind === 'host') {
      this.writeHostBias(first, input);
      this.bias[0] = expandedBias(first.biasMantissa, first.biasExponent, this.biasBuffer[0]!);
      this.wasm?.setBias(0, this.bias[0]);
      this.updatedNeurons.biasChanged(first);
    }
    for (let g = 0; g < this.runtime.stepsPerInference; g++) {
      this.step = this.ownByStep[g]!;
      this.stepIndex = g;
      const hops = this.stepMaxHops[g]!;
      // Deliver first, last layer first, so each layer reads the spikes its source fired in the previous step.
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l]!;
        const t = g - layer.startStep;
        if (t < 0 || t >= T) continue;
        if (l === 0) this.deliverInput(layer, input, t);
        else this.deliverSpikes(layers[layer.recurrent ? l - 1 : layer.source]!, layer, this.spikeCounts[layer.recurrent ? l - 1 : layer.source]!, hops);
        if (layer.branches.length > 0) this.deliverBranches(layer, g, hops);
        if (l > 0) this.learning?.delivered(layer, layers[l - 1]!, this.spikeCounts[l - 1]!);
        this.sendPartialSums(layer, hops);
      }
      for (const layer of layers) {
        const t = g - layer.startStep;
        const inWindow = t >= 0 && t < T;
        this.countSoma(layer, t);
        const fired = inWindow ? this.update(layer, t) : 0;
        if (fired > 0) this.updatedNeurons.countFired(layer, fired, this.step.neuronsUpdated);
        this.spikeCounts[layer.index] = fired;
        this.history?.record(layer, g, fired);
        if (this.spikeSink !== null && fired > 0) this.spikeSink.spikes(layer.index, g, layer.spikeList, fired);
        if (inWindow) this.learning?.updated(layer, t, this.step);
        const at = layer.index * this.runtime.stepsPerInference + g;
        this.layerStepSpikes[at] = this.layerStepSpikes[at]! + fired;
      }
      this.stepPeakLinkLoad[g] = this.stepPeakLinkLoad[g]! + this.links.endStep();
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
    const bias = this.runtime.datapath.bias;
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
          const q = quantizeBias(sum * layer.scale, bias.mantissaBits, bias.exponentMax);
          const n = neuronIndex(c, y * W + x, C);
          layer.biasMantissa[n] = q.mantissa;
          layer.biasExponent[n] = q.exponent;
        }
      }
    }
  }

  private deliverInput(layer: LayerRuntime, input: InputFrames, t: number): void {
    const acc = layer.accumulator;
    if (layer.synapses.kind === 'host') {
      acc.fill(0);
      return;
    }
    // Static input sends the same events every step: their sum and their charge are those of step 0.
    const reuse = input.static && t > 0;
    if (reuse) {
      acc.set(this.firstLayerSum);
    } else {
      const count = input.frame(t, this.eventIndices, this.eventValues);
      this.updatedNeurons.beginDelivery(layer);
      acc.fill(0);
      this.inputOps.fill(0);
      this.inputMessages.fill(0);
      this.inputLayerOps = 0;
      const exact = this.exactProducts[layer.index]!;
      const batch = this.wasm?.convEvents(layer.index) ?? null;
      let batched = 0;
      let axons = 0;
      for (let e = 0; e < count; e++) {
        const axon = layer.axonOf[this.eventIndices[e]!]!;
        if (axon < 0) continue;
        this.inputAxons[axons++] = axon;
        const group = layer.axonGroup[axon]!;
        for (let j = layer.groupCoreStart[group]!, end = layer.groupCoreStart[group + 1]!; j < end; j++) {
          const core = layer.groupCore[j]!;
          const synapses = layer.groupCoreSynapses[j]!;
          this.inputOps[core] = this.inputOps[core]! + synapses;
          this.inputLayerOps += synapses;
          this.inputMessages[core] = this.inputMessages[core]! + 1;
        }
        if (batch) {
          batch.axons[batched] = axon;
          batch.values[batched++] = this.eventValues[e]!;
        } else {
          scatter(layer, axon, this.eventValues[e]!, exact);
        }
      }
      if (batch) this.wasm!.scatterConv(layer, batched);
      this.updatedNeurons.markAxons(layer.index, this.inputAxons, axons);
      if (input.static) this.firstLayerSum.set(acc);
    }
    const c = this.step;
    for (let core = 0; core < this.inputOps.length; core++) {
      c.synapticOps[core] = c.synapticOps[core]! + this.inputOps[core]!;
      c.messagesIn[core] = c.messagesIn[core]! + this.inputMessages[core]!;
    }
    this.layerSynapticOps[layer.index] = this.layerSynapticOps[layer.index]! + this.inputLayerOps;
  }

  /**
   * Every spike is a message and its own synaptic ops on the chip; both are linear, so the spikes that share a
   * route (one pooling window on one source core) are counted and charged once, and those that share an axon are
   * added up and scattered once, with the same integers as one by one.
   */
  private deliverSpikes(source: LayerRuntime, layer: LayerRuntime, count: number, hops: Int32Array): void {
    layer.accumulator.fill(0);
    this.updatedNeurons.beginDelivery(layer);
    const direct = this.directEvents[layer.index]!;
    if (direct) {
      const events = this.gatherEvents(layer, this.routes[layer.index]!, source.spikeList, count, hops, direct.axons);
      this.updatedNeurons.markAxons(layer.index, direct.axons, events);
      this.wasm!.scatterConvOnes(layer, events);
      return;
    }
    const touchedCount = this.gatherByAxon(layer, this.routes[layer.index]!, source.spikeList, count, hops);
    const pending = layer.axonSpikes;
    const touched = layer.touchedAxons;
    this.updatedNeurons.markAxons(layer.index, touched, touchedCount);
    const batch = this.wasm?.convEvents(layer.index) ?? null;
    if (batch) {
      for (let i = 0; i < touchedCount; i++) {
        const axon = touched[i]!;
        batch.axons[i] = axon;
        batch.values[i] = pending[axon]!;
        pending[axon] = 0;
      }
      this.wasm!.scatterConv(layer, touchedCount);
      return;
    }
    const packed = this.packed[layer.index];
    if (packed) {
      for (let i = 0; i < touchedCount; i++) {
        const axon = touched[i]!;
        scatterPacked(layer, packed, axon, pending[axon]!);
        pending[axon] = 0;
      }
      if (touchedCount > 0) unpackInto(packed, layer.accumulator);
      return;
    }
    const exact = this.exactProducts[layer.index]!;
    for (let i = 0; i < touchedCount; i++) {
      const axon = touched[i]!;
      scatter(layer, axon, pending[axon]!, exact);
      pending[axon] = 0;
    }
  }

  /**
   * The branches of a layer add their sources' spikes into the accumulator its main delivery filled: each source's
   * spikes of the step before (a branch with delay d: d steps earlier still), through the branch's own synapses
   * on the layer's soma cores, charged like any delivery.
   */
  private deliverBranches(layer: LayerRuntime, g: number, hops: Int32Array): void {
    const layers = this.runtime.layers;
    for (let k = 0; k < layer.branches.length; k++) {
      const branch = layer.branches[k]!;
      const source = layers[branch.source]!;
      const fired = g - 1 - branch.delay;
      if (fired < 0) continue;
      let list = source.spikeList;
      let count = this.spikeCounts[source.index]!;
      if (branch.delay > 0) ({ list, count } = this.history!.at(source, fired));
      if (count === 0) continue;
      const synapses = this.branchSynapses[layer.index]![k]!;
      const direct = this.branchDirectEvents[layer.index]![k]!;
      if (direct) {
        const events = this.gatherEvents(synapses, this.branchRoutes[layer.index]![k]!, list, count, hops, direct.axons);
        this.updatedNeurons.markBranchAxons(layer.index, k, direct.axons, events);
        this.wasm!.scatterBranchConv(layer, k, events);
        continue;
      }
      const touchedCount = this.gatherByAxon(synapses, this.branchRoutes[layer.index]![k]!, list, count, hops);
      const pending = synapses.axonSpikes;
      const touched = synapses.touchedAxons;
      this.updatedNeurons.markBranchAxons(layer.index, k, touched, touchedCount);
      const batch = this.wasm?.branchEvents(layer.index, k) ?? null;
      if (batch) {
        for (let i = 0; i < touchedCount; i++) {
          const axon = touched[i]!;
          batch.axons[i] = axon;
          batch.values[i] = pending[axon]!;
          pending[axon] = 0;
        }
        this.wasm!.scatterBranchConv(layer, k, touchedCount);
        continue;
      }
      const exact = this.branchExact[layer.index]![k]!;
      const deliver = this.branchDiagonal[layer.index]![k]! ? scatterDiagonal : scatter;
      for (let i = 0; i < touchedCount; i++) {
        const axon = touched[i]!;
        deliver(synapses, axon, pending[axon]!, exact);
        pending[axon] = 0;
      }
    }
  }

  /**
   * Sums a spike list per axon into `layer.axonSpikes`, listing the axons that got any in `layer.touchedAxons`
   * (returns how many), and takes the step's traffic: each route's spikes into its delivery (charged on the cores
   * when the counters are read), the step's longest route, each north-south link class once for the spikes of all
   * its routes, and each (group, source row) once for its east-west links (MeshLinks.addEastWestRow). Counts are
   * integer sums, so charging them in bulk gives the integers of one spike at a time.
   */
  private gatherByAxon(layer: LayerRuntime, routes: SpikeRoutes, spikeList: Int32Array, count: number, hops: Int32Array): number {
    const { routeOfSource, spikes: routeSpikes, touched: touchedRoutes } = routes;
    const axonOf = layer.axonOf;
    const pending = layer.axonSpikes;
    const touched = layer.touchedAxons;
    let routeCount = 0;
    let touchedCount = 0;
    for (let s = 0; s < count; s++) {
      const neuron = spikeList[s]!;
      const route = routeOfSource[neuron]!;
      if (route < 0) continue;
      if (routeSpikes[route] === 0) touchedRoutes[routeCount++] = route;
      routeSpikes[route] = routeSpikes[route]! + 1;
      const axon = axonOf[neuron]!;
      if (pending[axon] === 0) touched[touchedCount++] = axon;
      pending[axon] = pending[axon]! + 1;
    }
    this.takeTraffic(layer, routes, routeCount, hops);
    return touchedCount;
  }

  /**
   * gatherByAxon for synapses whose every axon has one source neuron: each spike is an event of value 1 on its own
   * axon, written into `events` (returns how many) with no per-axon sums to form and clear.
   */
  private gatherEvents(layer: LayerRuntime, routes: SpikeRoutes, spikeList: Int32Array, count: number, hops: Int32Array, events: Int32Array): number {
    const { routeOfSource, spikes: routeSpikes, touched: touchedRoutes } = routes;
    const axonOf = layer.axonOf;
    let routeCount = 0;
    let eventCount = 0;
    for (let s = 0; s < count; s++) {
      const neuron = spikeList[s]!;
      const route = routeOfSource[neuron]!;
      if (route < 0) continue;
      if (routeSpikes[route] === 0) touchedRoutes[routeCount++] = route;
      routeSpikes[route] = routeSpikes[route]! + 1;
      events[eventCount++] = axonOf[neuron]!;
    }
    this.takeTraffic(layer, routes, routeCount, hops);
    return eventCount;
  }

  /** The traffic of a step's spikes counted per route (the first `routeCount` of routes.touched): see gatherByAxon. */
  private takeTraffic(layer: LayerRuntime, routes: SpikeRoutes, routeCount: number, hops: Int32Array): void {
    const { spikes: routeSpikes, touched: touchedRoutes } = routes;
    const { group: groupOf, groupSynapses, longestEastWest, longestNorthSouth, northSouthClass, classSpikes, touchedClasses } = routes;
    const { eastWestSource, sourceRow, sourceSpikes, rowSpikes, touchedRows } = routes;
    const delivery = this.deliveries.get(routes)!;
    const deferred = delivery.routeSpikes;
    const at = (this.stepIndex - delivery.startStep) * routeSpikes.length;
    let classCount = 0;
    let rowCount = 0;
    let ops = 0;
    for (let i = 0; i < routeCount; i++) {
      const route = touchedRoutes[i]!;
      const spikes = routeSpikes[route]!;
      routeSpikes[route] = 0;
      deferred[at + route] = deferred[at + route]! + spikes;
      ops += groupSynapses[groupOf[route]!]! * spikes;
      const dx = longestEastWest[route]!;
      const dy = longestNorthSouth[route]!;
      if (dx + dy > hops[0]! + hops[1]!) {
        hops[0] = dx;
        hops[1] = dy;
      }
      const source = eastWestSource[route]!;
      sourceSpikes[source] = sourceSpikes[source]! + spikes;
      const row = sourceRow[source]!;
      if (rowSpikes[row] === 0) touchedRows[rowCount++] = row;
      rowSpikes[row] = rowSpikes[row]! + spikes;
      const northSouth = northSouthClass[route]!;
      if (classSpikes[northSouth] === 0) touchedClasses[classCount++] = northSouth;
      classSpikes[northSouth] = classSpikes[northSouth]! + spikes;
    }
    if (routeCount > 0) this.deliveriesPending = true;
    this.layerSynapticOps[layer.index] = this.layerSynapticOps[layer.index]! + ops;
    for (let i = 0; i < classCount; i++) {
      const k = touchedClasses[i]!;
      this.links.addRuns(routes.linkSlot, routes.linkWeight, routes.linkStart[k]!, routes.linkStart[k + 1]!, classSpikes[k]!);
      classSpikes[k] = 0;
    }
    const { rowY, rowGroup, rowSourceStart, sourceColumn, sourceWeight, groupDestStart, destColumn, destCores } = routes;
    for (let i = 0; i < rowCount; i++) {
      const row = touchedRows[i]!;
      const group = rowGroup[row]!;
      const total = rowSpikes[row]!;
      rowSpikes[row] = 0;
      this.links.addEastWestRow(
        rowY[row]!,
        sourceColumn,
        sourceWeight,
        sourceSpikes,
        rowSourceStart[row]!,
        rowSourceStart[row + 1]!,
        destColumn,
        destCores,
        groupDestStart[group]!,
        groupDestStart[group + 1]!,
        total,
      );
    }
  }

  /**
   * Charges the spikes the deliveries hold (gatherByAxon) into routedByStep, as one spike at a time would: per route,
   * on its source core, the packets it sends and their hops; per destination group, on each of its cores, the
   * synaptic ops and messages in. Integer sums far below 2^53, so the order of adding does not change them.
   */
  private chargeDeliveries(): void {
    if (!this.deliveriesPending) return;
    this.deliveriesPending = false;
    for (const { routes, synapses, startStep, routeSpikes } of this.deliveries.values()) {
      const routeCount = routes.sourceCore.length;
      const groupSpikes = new Float64Array(synapses.groupCoreStart.length - 1);
      for (let t = 0; t * routeCount < routeSpikes.length; t++) {
        const c = this.routedByStep[startStep + t]!;
        for (let route = 0, at = t * routeCount; route < routeCount; route++, at++) {
          const spikes = routeSpikes[at]!;
          if (spikes === 0) continue;
          routeSpikes[at] = 0;
          const src = routes.sourceCore[route]!;
          c.messagesOut[src] = c.messagesOut[src]! + routes.messagesOut[route]! * spikes;
          c.spikesWithinTile[src] = c.spikesWithinTile[src]! + routes.withinTile[route]! * spikes;
          c.hopsEastWest[src] = c.hopsEastWest[src]! + routes.hopsEastWest[route]! * spikes;
          c.hopsNorthSouth[src] = c.hopsNorthSouth[src]! + routes.hopsNorthSouth[route]! * spikes;
          groupSpikes[routes.group[route]!] = groupSpikes[routes.group[route]!]! + spikes;
        }
        for (let group = 0; group < groupSpikes.length; group++) {
          const spikes = groupSpikes[group]!;
          if (spikes === 0) continue;
          groupSpikes[group] = 0;
          for (let j = synapses.groupCoreStart[group]!, end = synapses.groupCoreStart[group + 1]!; j < end; j++) {
            const core = synapses.groupCore[j]!;
            c.synapticOps[core] = c.synapticOps[core]! + synapses.groupCoreSynapses[j]! * spikes;
            c.messagesIn[core] = c.messagesIn[core]! + spikes;
          }
        }
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

  /**
   * SANA-FE's soma counts of one layer before its update, every step of the run: every neuron mapped to a core is
   * accessed, and updated where SANA-FE's test says so (UpdatedNeurons). Nothing reaches a layer outside its
   * window, whose state the engine holds.
   */
  private countSoma(layer: LayerRuntime, t: number): void {
    const c = this.step;
    const { core: cores, neurons } = this.somaCores[layer.index]!;
    for (let k = 0; k < cores.length; k++) c.neuronAccesses[cores[k]!] = c.neuronAccesses[cores[k]!]! + neurons[k]!;
    this.updatedNeurons.countBeforeUpdate(layer, this.bias[layer.index]!, t, this.runtime.program.timesteps, c.neuronsUpdated);
  }

  /** The chip's integer neuron update of one layer at its local step t; returns how many neurons fired. */
  private update(layer: LayerRuntime, t: number): number {
    const coreSpikes = this.coreSpikes;
    const coreInactive = this.coreInactive;
    const l = layer.index;
    const k = layerConstants(this.runtime.datapath, layer, t);
    let fired = this.wasm ? this.wasm.lifStep(layer, k, this.marked[l]!) : -1;
    if (fired < 0) fired = fusedLifStep(layer, this.bias[l]!, k, this.marked[l]!, coreSpikes, coreInactive);
    this.marked[l] = fired;
    const c = this.step;
    const { core: cores, neurons } = this.somaCores[layer.index]!;
    for (let k = 0; k < cores.length; k++) {
      const core = cores[k]!;
      c.spikesOut[core] = c.spikesOut[core]! + coreSpikes[core]!;
      c.neuronUpdatesActive[core] = c.neuronUpdatesActive[core]! + neurons[k]! - coreInactive[core]!;
      c.neuronUpdatesInactive[core] = c.neuronUpdatesInactive[core]! + coreInactive[core]!;
      coreSpikes[core] = 0;
      coreInactive[core] = 0;
    }
    this.layerSpikes[l] = this.layerSpikes[l]! + fired;
    return fired;
  }
}
