import type { LayerRuntime, ProgramRuntime } from './runtime.js';

/**
 * SANA-FE's soma test, neuron by neuron (SLAM-Lab/SANA-FE at 8951ab0, src/models.cpp LoihiLifModel::update): a
 * neuron is updated in a step when its potential before the step is non-zero, a synaptic event reached it
 * (whatever the weight: its dendrite then holds a current), or its bias is non-zero; one that fires is updated
 * whatever the test said (src/pipeline.hpp). The engine marks the axons its deliveries drive, counts every layer
 * before its update in every step of the run (outside a layer's window it holds its state, and nothing reaches
 * it), and adds the neurons that fired although the test had found them idle.
 *
 * Reached and idle neurons are stamped rather than flagged, so nothing is cleared per step: a mark counts while it
 * carries the layer's current stamp, and a static input keeps the stamp of its first step. The idle neurons (the
 * fewer, in a network whose potentials are seldom exactly zero) are counted, the updated ones are the rest. Before
 * its window a layer's potentials are zero and nothing reaches it, so the count is its biased neurons (kept until
 * its bias changes); after its window it holds its state, so the count of its first step after it holds too. A conv layer is marked per
 * output position (every channel of a position inside an event's window holds a synapse from it, on its soma
 * core or one of its partial cores); a dense one per core holding the axon (every neuron of the core's channel
 * range); a sparse one per synapse target.
 */
export class UpdatedNeurons {
  private readonly reached: Int32Array[];
  private readonly stamp: Int32Array;
  /** Per layer, per neuron: the stamp of the last count that found the neuron idle. */
  private readonly idle: Int32Array[];
  private readonly idleStamp: Int32Array;
  /** Per layer: the stamp under which each core's channel range (dense) or pooled source position (conv) was marked. */
  private readonly coreStamp: Int32Array[];
  private readonly positionStamp: Int32Array[];
  private readonly channelBegin: Int32Array;
  private readonly channelEnd: Int32Array;
  /** Per layer, per soma core of the layer: the idle count before its window (valid until the bias changes) and after it. */
  private readonly before: Int32Array[];
  private readonly beforeCounted: Uint8Array;
  /** Per layer: 0 until its bias is looked at, 1 when every neuron's bias is non-zero (none can be idle), else 2. */
  private readonly allBiased: Uint8Array;
  private readonly after: Int32Array[];
  /** Scratch per core: idle neurons of the count under way. */
  private readonly idleOnCore: Int32Array;
  /** Per layer, in one shape for every synapse kind: what an axon's events reach (see LayerTargets). */
  private readonly targets: LayerTargets[];
  /**
   * Per layer with branches, per neuron: the stamp of the delivery in which a branch's events reached it (a branch
   * has its own geometry, so its marks are per neuron); per branch its targets and conv position stamps.
   */
  private readonly branchReached: (Int32Array | null)[];
  private readonly branchTargets: LayerTargets[][];
  private readonly branchPositionStamp: Int32Array[][];

  constructor(
    runtime: ProgramRuntime,
    private readonly somaCores: readonly { readonly core: Int32Array; readonly neurons: Int32Array }[],
    branchSynapses: readonly (readonly LayerRuntime[])[],
  ) {
    const cores = runtime.program.cores;
    const layers = runtime.layers;
    this.reached = layers.map((l) => new Int32Array(l.synapses.kind === 'conv' ? l.synapses.outPlane : l.neurons));
    // Stamps start at 1, so the zeros of a layer never marked (a host-computed one) never count as reached.
    this.stamp = new Int32Array(layers.length).fill(1);
    this.idle = layers.map((l) => new Int32Array(l.neurons));
    this.idleStamp = new Int32Array(layers.length).fill(1);
    this.coreStamp = layers.map(() => new Int32Array(cores.length));
    this.positionStamp = layers.map((l) => new Int32Array(l.synapses.kind === 'conv' ? l.synapses.pooledPlane : 0));
    this.channelBegin = Int32Array.from(cores, (c) => c.channels.begin);
    this.channelEnd = Int32Array.from(cores, (c) => c.channels.end);
    this.before = somaCores.map((s) => new Int32Array(s.core.length));
    this.beforeCounted = new Uint8Array(layers.length);
    this.allBiased = new Uint8Array(layers.length);
    this.after = somaCores.map((s) => new Int32Array(s.core.length));
    this.idleOnCore = new Int32Array(cores.length);
    this.targets = layers.map(layerTargets);
    this.branchReached = layers.map((l, i) => (branchSynapses[i]!.length > 0 ? new Int32Array(l.neurons) : null));
    this.branchTargets = branchSynapses.map((list) => list.map(layerTargets));
    this.branchPositionStamp = branchSynapses.map((list) => list.map((b) => new Int32Array(b.synapses.kind === 'conv' ? b.synapses.pooledPlane : 0)));
  }

  /** Starts the marks of one delivery to `layer`: the marks of its earlier deliveries no longer count. */
  beginDelivery(layer: LayerRuntime): void {
    const l = layer.index;
    if (this.stamp[l] === STAMP_LIMIT) {
      this.stamp[l] = 1;
      this.reached[l]!.fill(0);
      this.coreStamp[l]!.fill(0);
      this.positionStamp[l]!.fill(0);
      this.branchReached[l]?.fill(0);
      for (const stamps of this.branchPositionStamp[l]!) stamps.fill(0);
    }
    this.stamp[l] = this.stamp[l]! + 1;
  }

  /** The layer's bias was rewritten (a host-computed first layer, every inference). */
  biasChanged(layer: LayerRuntime): void {
    this.beforeCounted[layer.index] = 0;
    this.allBiased[layer.index] = 0;
  }

  /**
   * Marks the neurons holding a synapse from the first `count` axons of `axons` as reached in the current delivery
   * to layer `l`. Every path that scatters events into a layer must mark their axons (the engine's deliverInput and
   * deliverSpikes and deliverBranches do), or SANA-FE's test misses the neurons only they reached.
   */
  markAxons(l: number, axons: Int32Array, count: number): void {
    const stamp = this.stamp[l]!;
    const reached = this.reached[l]!;
    const { kind, start, target, rowOf } = this.targets[l]!;
    if (kind === TARGETS_CONV) {
      // Every channel of a source position drives the same output positions: mark them once.
      const positionStamp = this.positionStamp[l]!;
      for (let i = 0; i < count; i++) {
        const position = rowOf[axons[i]!]!;
        if (positionStamp[position] === stamp) continue;
        positionStamp[position] = stamp;
        for (let j = start[position]!, end = start[position + 1]!; j < end; j++) reached[target[j]!] = stamp;
      }
    } else if (kind === TARGETS_NEURONS) {
      for (let i = 0; i < count; i++) {
        const axon = axons[i]!;
        for (let k = start[axon]!, end = start[axon + 1]!; k < end; k++) reached[target[k]!] = stamp;
      }
    } else if (kind === TARGETS_CORES) {
      const coreStamp = this.coreStamp[l]!;
      for (let i = 0; i < count; i++) {
        const group = rowOf[axons[i]!]!;
        for (let j = start[group]!, end = start[group + 1]!; j < end; j++) {
          const core = target[j]!;
          if (coreStamp[core] === stamp) continue;
          coreStamp[core] = stamp;
          reached.fill(stamp, this.channelBegin[core]!, this.channelEnd[core]!);
        }
      }
    }
  }

  /**
   * Marks the neurons that branch `k` of layer `l` reaches from the first `count` axons of `axons` (the branch's own
   * synapses), in the current delivery to `l`.
   */
  markBranchAxons(l: number, k: number, axons: Int32Array, count: number): void {
    const stamp = this.stamp[l]!;
    const reached = this.branchReached[l]!;
    const { kind, start, target, rowOf } = this.branchTargets[l]![k]!;
    if (kind === TARGETS_CONV) {
      const positionStamp = this.branchPositionStamp[l]![k]!;
      const width = reached.length / this.reached[l]!.length;
      for (let i = 0; i < count; i++) {
        const position = rowOf[axons[i]!]!;
        if (positionStamp[position] === stamp) continue;
        positionStamp[position] = stamp;
        for (let j = start[position]!, end = start[position + 1]!; j < end; j++) reached.fill(stamp, target[j]! * width, (target[j]! + 1) * width);
      }
    } else if (kind === TARGETS_NEURONS) {
      for (let i = 0; i < count; i++) {
        const axon = axons[i]!;
        for (let j = start[axon]!, end = start[axon + 1]!; j < end; j++) reached[target[j]!] = stamp;
      }
    } else if (kind === TARGETS_CORES) {
      for (let i = 0; i < count; i++) {
        const group = rowOf[axons[i]!]!;
        for (let j = start[group]!, end = start[group + 1]!; j < end; j++) reached.fill(stamp, this.channelBegin[target[j]!]!, this.channelEnd[target[j]!]!);
      }
    }
  }

  /**
   * Before `layer`'s update at its local step t (negative before its window, T and more after it): adds to
   * `updated` (per core) the neurons the test updates. In its window the marks of this step's delivery count.
   */
  countBeforeUpdate(layer: LayerRuntime, bias: Int32Array | Float64Array, t: number, T: number, updated: Float64Array): void {
    const l = layer.index;
    if (t < 0) {
      if (this.beforeCounted[l] === 0) this.countIdle(layer, bias, false, this.before[l]!);
      this.beforeCounted[l] = 1;
      this.addUpdated(l, this.before[l]!, updated);
    } else if (t < T) {
      this.addUpdated(l, this.countIdle(layer, bias, true, this.after[l]!), updated);
    } else {
      this.addUpdated(l, t === T ? this.countIdle(layer, bias, false, this.after[l]!) : this.after[l]!, updated);
    }
  }

  /** After `layer`'s update: adds to `updated` the neurons that fired although the test had found them idle. */
  countFired(layer: LayerRuntime, fired: number, updated: Float64Array): void {
    const idle = this.idle[layer.index]!;
    const stamp = this.idleStamp[layer.index]!;
    const { spikeList, coreOfNeuron } = layer;
    for (let s = 0; s < fired; s++) {
      const n = spikeList[s]!;
      if (idle[n] === stamp) {
        const core = coreOfNeuron[n]!;
        updated[core] = updated[core]! + 1;
      }
    }
  }

  /**
   * Stamps the layer's idle neurons (v zero, bias zero, not reached, reached marks counting only when `delivered`)
   * with a new idle stamp and writes their number per soma core of the layer into `into`.
   */
  private countIdle(layer: LayerRuntime, bias: Int32Array | Float64Array, delivered: boolean, into: Int32Array): Int32Array {
    const l = layer.index;
    if (this.idleStamp[l] === STAMP_LIMIT) {
      this.idleStamp[l] = 1;
      this.idle[l]!.fill(0);
    }
    const idleStamp = this.idleStamp[l]! + 1;
    this.idleStamp[l] = idleStamp;
    if (this.allBiased[l] === 0) this.allBiased[l] = bias.every((b) => b !== 0) ? 1 : 2;
    // A layer biased throughout (a folded norm's per-channel bias, a host-computed first layer) has no idle neuron.
    if (this.allBiased[l] === 1) return into.fill(0);
    const { v, coreOfNeuron } = layer;
    const idle = this.idle[l]!;
    const reached = this.reached[l]!;
    const branchReached = this.branchReached[l] ?? null;
    const onCore = this.idleOnCore;
    const stamp = delivered ? this.stamp[l]! : -1;
    // A conv layer's marks are per output position, its neurons channels-last: `width` neurons per mark.
    const width = layer.synapses.kind === 'conv' ? layer.synapses.outChannels : 1;
    for (let p = 0, n = 0; p < reached.length; p++) {
      const end = n + width;
      if (reached[p] === stamp) {
        n = end;
        continue;
      }
      for (; n < end; n++) {
        if (v[n] === 0 && bias[n] === 0 && (branchReached === null || branchReached[n] !== stamp)) {
          idle[n] = idleStamp;
          const core = coreOfNeuron[n]!;
          onCore[core] = onCore[core]! + 1;
        }
      }
    }
    const { core: cores } = this.somaCores[l]!;
    for (let k = 0; k < cores.length; k++) {
      into[k] = onCore[cores[k]!]!;
      onCore[cores[k]!] = 0;
    }
    return into;
  }

  /** Adds the layer's neurons less the idle ones, per soma core, into `updated`. */
  private addUpdated(l: number, idle: Int32Array, updated: Float64Array): void {
    const { core: cores, neurons } = this.somaCores[l]!;
    for (let k = 0; k < cores.length; k++) {
      const core = cores[k]!;
      updated[core] = updated[core]! + neurons[k]! - idle[k]!;
    }
  }
}

/** Stamps restart (and their arrays are cleared) before they could overflow an Int32Array. */
const STAMP_LIMIT = 0x3fffffff;

const TARGETS_NONE = 0;
/** start[position]..start[position + 1] index the output positions (`target`) of a pooled source position. */
const TARGETS_CONV = 1;
/** start[axon]..start[axon + 1] index the neurons (`target`) an axon's synapses reach. */
const TARGETS_NEURONS = 2;
/** start[group]..start[group + 1] index the cores (`target`) whose whole channel range an axon of the group reaches. */
const TARGETS_CORES = 3;

/** What an axon's events reach in one layer, as plain arrays (one object shape for every kind of synapses). */
interface LayerTargets {
  readonly kind: number;
  readonly start: Int32Array;
  readonly target: Int32Array;
  /** The row of `start` each axon reads: its pooled source position (conv; a look-up rather than a division), its group (cores). */
  readonly rowOf: Int32Array;
}

function layerTargets(layer: LayerRuntime): LayerTargets {
  const s = layer.synapses;
  switch (s.kind) {
    case 'conv':
      return { kind: TARGETS_CONV, start: s.start, target: s.outPosition, rowOf: Int32Array.from(layer.axonSpikes, (_, axon) => axon % s.pooledPlane) };
    case 'sparse':
      return { kind: TARGETS_NEURONS, start: s.rowStart, target: s.targets, rowOf: new Int32Array(0) };
    case 'dense':
      return { kind: TARGETS_CORES, start: layer.groupCoreStart, target: layer.groupCore, rowOf: layer.axonGroup };
    case 'host':
      return { kind: TARGETS_NONE, start: new Int32Array(0), target: new Int32Array(0), rowOf: new Int32Array(0) };
  }
}
