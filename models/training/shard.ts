import { reorderConvWeights } from '../reference/kernels/conv2d.js';
import { transposeLinearWeights } from '../reference/kernels/linear.js';
import { addReorderedConvGrad } from './kernels/conv2d-backward.js';
import { addTransposedLinearGrad } from './kernels/linear-backward.js';
import type { TrainGraph, TrainOp } from './network.js';

/**
 * Sums a vector over the shards (threads) that each hold part of a batch, in shard order, so every shard gets
 * the same bits whatever the timing. With one shard it does nothing.
 */
export interface Reducer {
  allReduce(values: Float64Array): void;
}

export const LOCAL_REDUCER: Reducer = { allReduce() {} };

/** The part of a batch one shard trains on: inputs already scaled, labels, and the size of the whole batch. */
export interface ShardBatch {
  readonly input: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
  readonly batchSize: number;
}

export interface ShardResult {
  /** Sum over this shard's samples of the per-sample training loss. */
  readonly lossSum: number;
  /** Samples whose mean-over-T output picked the label. */
  readonly correct: number;
}

/** Running statistics a norm layer carries across batches (the same on every shard). */
export interface NormState {
  readonly runMean: Float64Array;
  readonly runVar: Float64Array;
}

/** One thread's share of training: runs its samples of each batch and leaves the parameter gradient in `grads`. */
export interface TrainShard {
  runBatch(batch: ShardBatch): ShardResult;
  /** [paramCount] gradient of the last batch (this shard's samples), canonical layout. */
  readonly grads: Float64Array;
  /** Per norm op name. */
  readonly normStates: ReadonlyMap<string, NormState>;
}

/** Parameter views and the layouts the forward and backward kernels want, refreshed once per batch. */
export class ParamViews {
  readonly reordered = new Map<string, Float64Array>();
  readonly localGrads = new Map<string, Float64Array>();

  constructor(
    readonly graph: TrainGraph,
    readonly params: Float32Array,
  ) {
    for (const op of graph.ops) {
      if (op.kind === 'conv2d' || op.kind === 'linear') {
        this.reordered.set(op.name, new Float64Array(op.weight.length));
        this.localGrads.set(op.name, new Float64Array(op.weight.length));
      }
    }
  }

  view(slot: { offset: number; length: number }): Float32Array {
    return this.params.subarray(slot.offset, slot.offset + slot.length);
  }

  /** Re-derives the reordered/transposed weights from the shared parameters and zeroes the gradients. */
  refresh(grads: Float64Array): void {
    grads.fill(0);
    for (const op of this.graph.ops) {
      if (op.kind === 'conv2d') this.reordered.get(op.name)!.set(reorderConvWeights(this.view(op.weight), op.g));
      if (op.kind === 'linear') this.reordered.get(op.name)!.set(transposeLinearWeights(this.view(op.weight), op.outSize, op.inSize));
      this.localGrads.get(op.name)?.fill(0);
    }
  }

  /** Adds the kernel-layout weight gradients into the canonical gradient. */
  flush(grads: Float64Array): void {
    for (const op of this.graph.ops) {
      const local = this.localGrads.get(op.name);
      if (!local) continue;
      if (op.kind === 'conv2d') addReorderedConvGrad(local, op.g, grads.subarray(op.weight.offset, op.weight.offset + op.weight.length));
      if (op.kind === 'linear') addTransposedLinearGrad(local, op.outSize, op.inSize, grads.subarray(op.weight.offset, op.weight.offset + op.weight.length));
    }
  }
}

/** Output size of an op for one sample. */
export function opOutSize(op: TrainOp): number {
  switch (op.kind) {
    case 'conv2d':
    case 'linear':
    case 'avgpool2d':
      return op.outSize;
    case 'norm':
    case 'lif':
    case 'flatten':
    case 'add':
      return op.size;
  }
}

export function argmaxOf(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
}

/**
 * Where the backward of each op writes the gradients of its operands in a graph that branches. Ops run backward
 * in reverse order, so every reader of an op's output has run before the op itself: the first of them (the
 * latest in the list) writes the op's gradient buffer directly, each later one writes a scratch buffer that is
 * then added in (a node read twice gets the sum of both gradients). In a chain every edge is the first, so the
 * backward writes exactly as it did before graphs branched.
 */
export class GradientRouting {
  /** Per op and operand: 0 no gradient wanted (the image, or nothing trainable upstream), 1 write, 2 add. */
  private readonly mode: Uint8Array[];
  private readonly scratch: Float64Array;

  constructor(
    private readonly graph: TrainGraph,
    private readonly grad: readonly Float64Array[],
    maxCount: number,
  ) {
    const seen = new Uint8Array(graph.ops.length);
    this.mode = graph.sources.map(() => new Uint8Array(0));
    let widest = 0;
    for (let i = graph.ops.length - 1; i >= 0; i--) {
      const from = graph.sources[i]!;
      const modes = new Uint8Array(from.length);
      from.forEach((k, j) => {
        if (k < 0 || !graph.needsGrad[i] || !graph.needsGrad[k]) return;
        modes[j] = seen[k] ? 2 : 1;
        if (seen[k]) widest = Math.max(widest, opOutSize(graph.ops[k]!));
        seen[k] = 1;
      });
      this.mode[i] = modes;
    }
    this.scratch = new Float64Array(maxCount * widest);
  }

  /** The buffer op `i`'s backward writes operand `j`'s gradient into, or null when none is wanted. */
  target(i: number, j: number): Float64Array | null {
    const mode = this.mode[i]![j]!;
    return mode === 0 ? null : mode === 1 ? this.grad[this.graph.sources[i]![j]!]! : this.scratch;
  }

  /** After op `i`'s backward wrote operand `j` for `count` samples: adds a scratch gradient into the operand's. */
  finish(i: number, j: number, count: number): void {
    if (this.mode[i]![j] !== 2) return;
    const k = this.graph.sources[i]![j]!;
    const into = this.grad[k]!;
    const scratch = this.scratch;
    for (let x = 0, end = count * opOutSize(this.graph.ops[k]!); x < end; x++) into[x] = into[x]! + scratch[x]!;
  }

  /** An add passes its output gradient to both operands unchanged. */
  addBackward(i: number, gOut: Float64Array, count: number): void {
    const size = opOutSize(this.graph.ops[i]!) * count;
    for (let j = 0; j < 2; j++) {
      const mode = this.mode[i]![j]!;
      if (mode === 0) continue;
      const into = this.grad[this.graph.sources[i]![j]!]!;
      if (mode === 1) into.set(gOut.subarray(0, size));
      else for (let x = 0; x < size; x++) into[x] = into[x]! + gOut[x]!;
    }
  }
}

/** The values op `i` reads as operand `j`: the image or an earlier op's output. */
export function operandOf<T>(graph: TrainGraph, i: number, j: number, image: T, outputs: readonly T[]): T {
  const k = graph.sources[i]![j]!;
  return k < 0 ? image : outputs[k]!;
}
