import { decayKeeps, type FusedLifConstants } from '../fused-lif.js';
import { convSumsFit16, convTapMaxima, convWeightsFit16 } from '../packed-conv.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { isDiagonalTable, weightsFitExactProducts } from '../scatter.js';
import { coreSegments, LIF_SCRATCH_BYTES, lifBiasFits, WasmArena, wasmKernelsAvailable } from './kernels.js';

/**
 * How a conv layer's sums are formed: in 16-bit lanes (eight channels per vector) when every sum is shown to fit them
 * up front (`proved16`: convSumsFit16), or, for int16 weights, when a running bound per output row widens the row
 * into the 32-bit sums before any lane could wrap (`bounded16`); else in 32-bit lanes (`wide32`).
 */
type ConvLanes = 'proved16' | 'bounded16' | 'wide32';

/** The WebAssembly side of one conv layer fed by events: its synapse table and an event list the engine fills. */
interface ConvTable {
  readonly lanes: ConvLanes;
  readonly start: Int32Array;
  readonly outPosition: Int32Array;
  readonly tap: Int32Array;
  /** int32 weights (wide32), else int16 ones with a 16-bit accumulator. */
  readonly weights: Int32Array | Int16Array;
  readonly acc16: Int16Array | null;
  /** bounded16: per output position, the bound of its row's 16-bit sums since the row was last widened. */
  readonly bound: Int32Array | null;
  /** proved16: scratch of scatterConv16Ones, the events per source position and the events grouped by it. */
  readonly positionCounts: Int32Array | null;
  readonly grouped: Int32Array | null;
  /** bounded16: per (input channel, tap), the largest |weight| over the output channels (convTapMaxima). */
  readonly tapMax: Int32Array | null;
  readonly outPlane: number;
  readonly axons: Int32Array;
  readonly values: Int32Array;
  readonly pooledPlane: number;
  readonly taps: number;
  readonly outChannels: number;
}

interface LayerKernelState {
  readonly bias: Int32Array;
  readonly segments: Int32Array;
  /** False while some bias is too wide for the SIMD lanes (a host-computed first layer can change that). */
  biasFits: boolean;
  readonly conv: ConvTable | null;
  /**
   * Per branch (residual graphs): a strided 1x1 conv shortcut's table, summed in 32-bit lanes straight into the
   * layer's accumulator after its main delivery; null for other branches (identity shortcuts take scatterDiagonal).
   */
  readonly branchConv: (ConvTable | null)[];
}

/** Layers already moved into an arena: a runtime's layers can live in one arena only. */
const housed = new WeakSet<LayerRuntime>();
/** The ChipWasm made for each runtime. */
const byRuntime = new WeakMap<ProgramRuntime, ChipWasm>();

/**
 * The chip simulator's WebAssembly kernels over one arena: every layer's state arrays (u, v, accumulator, spike
 * flags and list) are moved into the arena once, so the SIMD LIF update and the conv delivery work on them in
 * place, and the scalar TypeScript kernels (the specification, and the fallback for values too wide for 32-bit
 * lanes) keep working on the same arrays. The layer objects are updated in place, so every holder of the runtime
 * (the learning hooks, the raster) sees the moved arrays. Conv tables are copied: conv layers never learn.
 */
export class ChipWasm {
  readonly coreSpikes: Int32Array;
  readonly coreInactive: Int32Array;
  private readonly arena: WasmArena;
  private readonly lifScratch: number;
  private readonly layers: LayerKernelState[];

  /**
   * The ChipWasm of this runtime: the one made for it before (its layers already live in that arena, so a second run
   * on the same runtime keeps the kernels), else a new one; null without WebAssembly SIMD or when the layers live in
   * the arena of another runtime.
   */
  static create(runtime: ProgramRuntime, exactProducts: readonly boolean[]): ChipWasm | null {
    if (!wasmKernelsAvailable()) return null;
    const made = byRuntime.get(runtime);
    if (made) return made;
    if (runtime.layers.some((l) => housed.has(l))) return null;
    const wasm = new ChipWasm(runtime, exactProducts);
    byRuntime.set(runtime, wasm);
    return wasm;
  }

  private constructor(runtime: ProgramRuntime, exactProducts: readonly boolean[]) {
    const f = WasmArena.footprint;
    const cores = runtime.program.cores.length;
    const segments = runtime.layers.map((l) => coreSegments(l.coreOfNeuron));
    const convOf = (l: LayerRuntime) => (l.synapses.kind === 'conv' && exactProducts[l.index] ? l.synapses : null);
    const lanes = runtime.layers.map((l) => convLanes(l, convOf(l) !== null));
    let bytes = 2 * f(4 * cores) + LIF_SCRATCH_BYTES;
    runtime.layers.forEach((l, i) => {
      bytes += 4 * f(4 * l.neurons) + f(4 * widened(l.neurons)) + f(l.neurons) + f(4 * segments[i]!.length);
      const s = convOf(l);
      if (s) bytes += f(4 * s.start.length) + 2 * f(4 * s.outPosition.length) + f(4 * s.weights.length) + 2 * f(4 * eventCapacity(runtime, l));
      if (lanes[i] !== 'wide32') bytes += f(2 * widened(l.neurons));
      if (s && lanes[i] === 'proved16') bytes += f(4 * (s.pooledPlane + 1)) + f(4 * eventCapacity(runtime, l));
      if (s && lanes[i] === 'bounded16') bytes += f(4 * s.outPlane) + f((4 * s.weights.length) / s.outChannels);
      for (const b of branchConvs(l)) if (b) bytes += f(4 * b.start.length) + 2 * f(4 * b.outPosition.length) + f(4 * b.weights.length) + 2 * f(4 * b.axons);
    });
    this.arena = new WasmArena(bytes);
    const arena = this.arena;
    const copy = (from: Int32Array) => {
      const to = arena.int32(from.length);
      to.set(from);
      return to;
    };
    // Both 16-bit kinds of layer have every weight within int16 (convSumsFit16's bound covers each single weight).
    const copy16 = (from: Int32Array) => {
      const to = arena.int16(from.length);
      to.set(from);
      return to;
    };
    this.coreSpikes = arena.int32(cores);
    this.coreInactive = arena.int32(cores);
    this.lifScratch = arena.int32(LIF_SCRATCH_BYTES / 4).byteOffset;
    this.layers = runtime.layers.map((layer, i) => {
      const moved = layer as { -readonly [K in 'u' | 'v' | 'accumulator' | 'spikes' | 'spikeList']: LayerRuntime[K] };
      moved.u = copy(layer.u);
      moved.v = copy(layer.v);
      // Padded to 8 lanes: widenInto writes eight at a time.
      const accumulator = arena.int32(widened(layer.neurons)).subarray(0, layer.neurons);
      accumulator.set(layer.accumulator);
      moved.accumulator = accumulator;
      moved.spikeList = copy(layer.spikeList);
      const flags = arena.uint8(layer.neurons);
      flags.set(layer.spikes);
      moved.spikes = flags;
      housed.add(layer);
      const s = convOf(layer);
      const narrow = lanes[i] !== 'wide32';
      const bounded = lanes[i] === 'bounded16';
      const conv: ConvTable | null = s
        ? {
            lanes: lanes[i]!,
            start: copy(s.start),
            outPosition: copy(s.outPosition),
            tap: copy(s.tap),
            weights: narrow ? copy16(s.weights) : copy(s.weights),
            acc16: narrow ? arena.int16(widened(layer.neurons)) : null,
            bound: bounded ? arena.int32(s.outPlane) : null,
            positionCounts: lanes[i] === 'proved16' ? arena.int32(s.pooledPlane + 1) : null,
            grouped: lanes[i] === 'proved16' ? arena.int32(eventCapacity(runtime, layer)) : null,
            tapMax: bounded ? copy(convTapMaxima(layer)) : null,
            outPlane: s.outPlane,
            axons: arena.int32(eventCapacity(runtime, layer)),
            values: arena.int32(eventCapacity(runtime, layer)),
            pooledPlane: s.pooledPlane,
            taps: s.taps,
            outChannels: s.outChannels,
          }
        : null;
      const branchConv = branchConvs(layer).map((b): ConvTable | null =>
        b
          ? {
              lanes: 'wide32',
              start: copy(b.start),
              outPosition: copy(b.outPosition),
              tap: copy(b.tap),
              weights: copy(b.weights),
              acc16: null,
              bound: null,
              positionCounts: null,
              grouped: null,
              tapMax: null,
              outPlane: b.outPlane,
              axons: arena.int32(b.axons),
              values: arena.int32(b.axons),
              pooledPlane: b.pooledPlane,
              taps: b.taps,
              outChannels: b.outChannels,
            }
          : null,
      );
      return { bias: arena.int32(layer.neurons), segments: copy(segments[i]!), biasFits: false, conv, branchConv };
    });
  }

  /** Copies a layer's expanded bias in (after every change of it); a bias too wide keeps the layer scalar. */
  setBias(layer: number, bias: Int32Array | Float64Array): void {
    const state = this.layers[layer]!;
    state.biasFits = false;
    if (!lifBiasFits(bias)) return;
    state.bias.set(bias);
    state.biasFits = true;
  }

  /**
   * The SIMD LIF update of a layer (fusedLifStep's contract, counts into this.coreSpikes / coreInactive). Returns
   * how many fired, or -1 when the layer's bias is too wide for the lanes (nothing written: run fusedLifStep).
   */
  lifStep(layer: LayerRuntime, k: FusedLifConstants, marked: number): number {
    const state = this.layers[layer.index]!;
    if (!state.biasFits) return -1;
    const { uKeep, vKeep } = decayKeeps(k);
    const list = layer.spikeList.byteOffset;
    return this.arena.kernels.lifStep(
      layer.u.byteOffset,
      layer.v.byteOffset,
      layer.accumulator.byteOffset,
      state.bias.byteOffset,
      layer.neurons,
      state.segments.byteOffset,
      state.segments.length / 3,
      this.coreSpikes.byteOffset,
      this.coreInactive.byteOffset,
      layer.spikes.byteOffset,
      list,
      list,
      marked,
      uKeep,
      vKeep,
      k.threshold,
      k.subtractive ? 1 : 0,
      k.left,
      k.right,
      k.mask,
      0,
      0,
      0,
      0,
      0,
      this.lifScratch,
    );
  }

  /** The event list of a conv layer (axon, value) for scatterConv to read, or null when the layer stays scalar. */
  convEvents(layer: number): { readonly axons: Int32Array; readonly values: Int32Array } | null {
    return this.layers[layer]!.conv;
  }

  /** The event list of a layer's branch k (axon, value) for scatterBranchConv, or null when the branch stays scalar. */
  branchEvents(layer: number, k: number): { readonly axons: Int32Array; readonly values: Int32Array } | null {
    return this.layers[layer]!.branchConv[k] ?? null;
  }

  /** Adds the first `count` events of branch k's event list through its synapses into the layer's accumulator. */
  scatterBranchConv(layer: LayerRuntime, k: number, count: number): void {
    const c = this.layers[layer.index]!.branchConv[k]!;
    this.arena.kernels.scatterConv(...eventTable(c, count), layer.accumulator.byteOffset);
  }

  /**
   * scatterConv where every one of the `count` events carries value 1 (a spike on an axon with one source neuron):
   * a layer in proved 16-bit lanes sums each source position's events in registers before touching a row.
   */
  scatterConvOnes(layer: LayerRuntime, count: number): void {
    const c = this.layers[layer.index]!.conv!;
    if (c.lanes !== 'proved16') {
      this.scatterConv(layer, count);
      return;
    }
    const k = this.arena.kernels;
    const [axons, , , pooledPlane, start, outPosition, tap, weights, taps, outC] = eventTable(c, count);
    k.scatterConv16Ones(axons, count, pooledPlane, start, outPosition, tap, weights, taps, outC, c.acc16!.byteOffset, c.positionCounts!.byteOffset, c.grouped!.byteOffset);
    k.widenInto(c.acc16!.byteOffset, layer.accumulator.byteOffset, layer.neurons);
  }

  /** Adds the first `count` events of the layer's event list into its accumulator. */
  scatterConv(layer: LayerRuntime, count: number): void {
    const c = this.layers[layer.index]!.conv!;
    const k = this.arena.kernels;
    if (c.lanes === 'bounded16') {
      k.scatterConvBounded(...eventTable(c, count), c.acc16!.byteOffset, layer.accumulator.byteOffset, c.bound!.byteOffset, c.tapMax!.byteOffset);
      k.widenRows(c.acc16!.byteOffset, layer.accumulator.byteOffset, c.bound!.byteOffset, c.outPlane, c.outChannels);
      return;
    }
    if (c.lanes === 'proved16') {
      k.scatterConv16(...eventTable(c, count), c.acc16!.byteOffset);
      k.widenInto(c.acc16!.byteOffset, layer.accumulator.byteOffset, layer.neurons);
      return;
    }
    k.scatterConv(...eventTable(c, count), layer.accumulator.byteOffset);
  }
}

/** The arguments every conv delivery kernel starts with: the first `count` events and the synapse table they read. */
function eventTable(c: ConvTable, count: number): [number, number, number, number, number, number, number, number, number, number] {
  return [
    c.axons.byteOffset,
    c.values.byteOffset,
    count,
    c.pooledPlane,
    c.start.byteOffset,
    c.outPosition.byteOffset,
    c.tap.byteOffset,
    c.weights.byteOffset,
    c.taps,
    c.outChannels,
  ];
}

/** The lanes of a conv layer, `delivered` when its conv delivery runs in WebAssembly. */
function convLanes(layer: LayerRuntime, delivered: boolean): ConvLanes {
  // Layer 0 takes graded input: spike counts do not bound its values (convSumsFit16), and its values times the
  // weights would pass the running bound at nearly every add.
  if (!delivered || layer.index === 0) return 'wide32';
  if (convSumsFit16(layer)) return 'proved16';
  return convWeightsFit16(layer) ? 'bounded16' : 'wide32';
}

/**
 * Per branch of a layer: its conv table and how many axons it has, when the wide 32-bit scatter may deliver it (conv
 * synapses with exact products: scatter's `| 0` adds are the kernel's i32 adds), else null. Diagonal (identity)
 * branches stay with scatterDiagonal, one add per spike.
 */
function branchConvs(layer: LayerRuntime) {
  return layer.branches.map((b) => {
    const s = b.synapses.synapses;
    if (s.kind !== 'conv' || !weightsFitExactProducts(b.synapses) || isDiagonalTable(b.synapses)) return null;
    return { ...s, axons: b.synapses.axonSpikes.length };
  });
}

/** A length rounded up to 8 lanes. */
function widened(length: number): number {
  return Math.ceil(length / 8) * 8;
}

/** Events one step can bring a layer: one per axon from spikes (summed per axon), one per input element at the input. */
function eventCapacity(runtime: ProgramRuntime, layer: LayerRuntime): number {
  return layer.index === 0 ? Math.max(layer.axonSpikes.length, runtime.inputSize) : layer.axonSpikes.length;
}
