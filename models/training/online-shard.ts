import { conv2dSample } from '../reference/kernels/conv2d.js';
import { linearSample } from '../reference/kernels/linear.js';
import { pool2dSample } from '../reference/kernels/pool.js';
import { conv2dBackwardInput, conv2dWeightGrad, toChannelLast } from './kernels/conv2d-backward.js';
import { linearBackwardInput, linearWeightGrad } from './kernels/linear-backward.js';
import { addBackwardSums, addChannelMoments, applyNormBackward, normalise, osrBackwardCoefficients } from './kernels/norm-training.js';
import { avgPool2dBackward } from './kernels/pool-backward.js';
import { sigmoidSurrogate } from './kernels/surrogate.js';
import { lossAndGradient } from './loss.js';
import type { TrainGraph, TrainOp } from './network.js';
import { argmaxOf, GradientRouting, opOutSize, operandOf, ParamViews, type NormState, type Reducer, type ShardBatch, type ShardResult, type TrainShard } from './shard.js';

/**
 * Momentum of OSR's running statistics. Reference: zhuyaoyu/SNN-online-normalization modules/layers.py
 * (SynapseNeuron.forward sets momentum = 0.95 on entering training).
 */
export const OSR_MOMENTUM = 0.95;

/**
 * Paper A's online rule on one shard of a batch. At every step t the network runs forward (OSR normalises with
 * its running statistics, OTS sets theta[t] from the batch statistics of the membrane potential), the loss of that
 * step's output is taken, and the gradient flows back through that step only: through the spikes' sigmoid
 * surrogate at u - theta before reset, OSR's backward (batch statistics, gamma scaled by var/run_var) and the
 * synapses; the membrane potential is detached, so nothing flows to earlier steps. Gradients add up over the T
 * steps; the optimizer steps once per batch.
 * Reference: zhuyaoyu/SNN-online-normalization modules/layers.py (OnlineFunc, bn_forward, bn_backward with
 * BN_type 'new'), modules/neurons.py (OnlineLIFNode.adjust_th), train.py (per-step loss / T, one optimizer step).
 */
export class OnlineShard implements TrainShard {
  readonly normStates = new Map<string, NormState & { totalMean: Float64Array; totalVar: Float64Array; mean: Float64Array; variance: Float64Array }>();
  private readonly views: ParamViews;
  private readonly out: Float32Array[];
  private readonly grad: Float64Array[];
  private readonly membrane = new Map<string, Float32Array>();
  private readonly surrogate = new Map<string, Float32Array>();
  private readonly ratio = new Map<string, number>();
  private readonly stepGradSum = new Map<string, Float64Array>();
  private readonly localBias = new Map<string, Float64Array>();
  private readonly scratchCL: Float64Array;
  private readonly acc: Float64Array;
  private readonly sums: Float64Array;
  private readonly routing: GradientRouting;
  private batchSize = 0;

  constructor(
    readonly graph: TrainGraph,
    params: Float32Array,
    readonly grads: Float64Array,
    readonly maxCount: number,
    readonly lossLambda: number,
    private readonly reducer: Reducer,
  ) {
    this.views = new ParamViews(graph, params);
    let widest = graph.inputSize;
    let widestChannels = 2;
    this.out = [];
    this.grad = [];
    graph.ops.forEach((op, i) => {
      const size = opOutSize(op);
      widest = Math.max(widest, size);
      const source = graph.sources[i]![0]!;
      this.out.push(op.kind === 'flatten' && source >= 0 ? this.out[source]! : new Float32Array(maxCount * size));
      this.grad.push(new Float64Array(maxCount * size));
      if (op.kind === 'norm') {
        const c = op.channels;
        widestChannels = Math.max(widestChannels, 3 * c);
        this.normStates.set(op.name, {
          runMean: new Float64Array(c),
          runVar: new Float64Array(c).fill(1),
          totalMean: new Float64Array(c),
          totalVar: new Float64Array(c),
          mean: new Float64Array(c),
          variance: new Float64Array(c),
        });
      }
      if (op.kind === 'lif') {
        this.membrane.set(op.name, new Float32Array(maxCount * op.size));
        this.surrogate.set(op.name, new Float32Array(maxCount * op.size));
      }
      if (op.kind === 'conv2d' || op.kind === 'linear') {
        this.localBias.set(op.name, new Float64Array(op.outSize));
        if (op.timeInvariant) this.stepGradSum.set(op.name, new Float64Array(maxCount * op.outSize));
      }
    });
    this.scratchCL = new Float64Array(widest);
    this.acc = new Float64Array(widest);
    this.sums = new Float64Array(widestChannels);
    this.routing = new GradientRouting(graph, this.grad, maxCount);
  }

  runBatch(batch: ShardBatch): ShardResult {
    const { graph } = this;
    const T = graph.timesteps;
    const n = batch.count;
    this.batchSize = batch.batchSize;
    this.views.refresh(this.grads);
    for (const b of this.localBias.values()) b.fill(0);
    for (const s of this.stepGradSum.values()) s.fill(0);
    this.applyPendingStatistics();
    const classes = graph.classes;
    const logitsGrad = this.grad[graph.ops.length - 1]!;
    const summed = new Float64Array(n * classes);
    let lossSum = 0;
    for (let t = 0; t < T; t++) {
      this.forward(batch.input, n, t);
      const logits = this.out[graph.ops.length - 1]!;
      for (let s = 0; s < n; s++) {
        lossSum += lossAndGradient(logits, s * classes, classes, batch.labels[s]!, this.lossLambda, 1 / (batch.batchSize * T), logitsGrad, s * classes) / T;
        for (let c = 0; c < classes; c++) summed[s * classes + c] = summed[s * classes + c]! + logits[s * classes + c]!;
      }
      this.backward(batch.input, n);
    }
    this.finishBatch(batch.input, n);
    let correct = 0;
    for (let s = 0; s < n; s++) if (argmaxOf(summed, s * classes, classes) === batch.labels[s]) correct++;
    return { lossSum, correct };
  }

  /**
   * OSR folds the statistics gathered over the previous batch's T steps into its running statistics when the
   * next batch starts (BN_type 'new': var = mean over t of (var_t + mean_t^2) - mean^2).
   */
  private applyPendingStatistics(): void {
    const T = this.graph.timesteps;
    for (const st of this.normStates.values()) {
      for (let c = 0; c < st.runMean.length; c++) {
        const mean = st.totalMean[c]! / T;
        const variance = st.totalVar[c]! / T - mean * mean;
        st.runMean[c] = st.runMean[c]! + (1 - OSR_MOMENTUM) * (mean - st.runMean[c]!);
        st.runVar[c] = st.runVar[c]! + (1 - OSR_MOMENTUM) * (variance - st.runVar[c]!);
      }
      st.totalMean.fill(0);
      st.totalVar.fill(0);
    }
  }

  private forward(image: Float32Array, n: number, t: number): void {
    const graph = this.graph;
    graph.ops.forEach((op, i) => {
      const source = graph.sources[i]![0]!;
      const inSize = source < 0 ? graph.inputSize : opOutSize(graph.ops[source]!);
      if (op.kind === 'add') {
        if (op.timeInvariant && t > 0) return;
        const a = operandOf(graph, i, 0, image, this.out);
        const b = operandOf(graph, i, 1, image, this.out);
        const out = this.out[i]!;
        for (let k = 0, end = n * op.size; k < end; k++) out[k] = a[k]! + b[k]!;
        return;
      }
      this.forwardOp(op, operandOf(graph, i, 0, image, this.out), inSize, this.out[i]!, n, t);
    });
  }

  private forwardOp(op: Exclude<TrainOp, { kind: 'add' }>, input: Float32Array, inSize: number, out: Float32Array, n: number, t: number): void {
    const views = this.views;
    switch (op.kind) {
      case 'conv2d': {
        if (op.timeInvariant && t > 0) return;
        const w = views.reordered.get(op.name)!;
        const bias = op.bias ? views.view(op.bias) : null;
        for (let s = 0; s < n; s++) conv2dSample(input, s * inSize, w, op.taps, bias, op.g, this.acc, out, s * op.outSize);
        return;
      }
      case 'linear': {
        if (op.timeInvariant && t > 0) return;
        const w = views.reordered.get(op.name)!;
        const bias = op.bias ? views.view(op.bias) : null;
        for (let s = 0; s < n; s++) linearSample(input, s * inSize, w, bias, op.inSize, op.outSize, this.acc, out, s * op.outSize);
        return;
      }
      case 'norm':
        this.normForward(op, input, out, n, t);
        return;
      case 'lif':
        this.lifForward(op, input, out, n, t);
        return;
      case 'avgpool2d':
        if (op.timeInvariant && t > 0) return;
        for (let s = 0; s < n; s++) {
          pool2dSample('avg', input, s * op.inSize, op.channels, op.inHeight, op.inWidth, op.kernel, op.stride, op.outHeight, op.outWidth, out, s * op.outSize);
        }
        return;
      case 'flatten':
        if (out !== input) out.set(input.subarray(0, n * op.size));
        return;
    }
  }

  private normForward(op: Extract<TrainOp, { kind: 'norm' }>, x: Float32Array, y: Float32Array, n: number, t: number): void {
    const st = this.normStates.get(op.name)!;
    const c = op.channels;
    if (!(op.timeInvariant && t > 0)) {
      const sums = this.sums.subarray(0, 2 * c);
      sums.fill(0);
      addChannelMoments(x, 0, n, c, op.plane, sums);
      this.reducer.allReduce(sums);
      const m = this.totalCount(op);
      for (let k = 0; k < c; k++) {
        const mean = sums[k]! / m;
        st.mean[k] = mean;
        st.variance[k] = Math.max(0, sums[c + k]! / m - mean * mean);
      }
      const gamma = this.views.view(op.gamma);
      const beta = this.views.view(op.beta);
      const scale = new Float64Array(c);
      const shift = new Float64Array(c);
      for (let k = 0; k < c; k++) {
        scale[k] = gamma[k]! / Math.sqrt(st.runVar[k]! + op.eps);
        shift[k] = beta[k]!;
      }
      normalise(x, y, 0, n, c, op.plane, st.runMean, scale, shift);
    }
    for (let k = 0; k < c; k++) {
      st.totalMean[k] = st.totalMean[k]! + st.mean[k]!;
      st.totalVar[k] = st.totalVar[k]! + st.variance[k]! + st.mean[k]! * st.mean[k]!;
    }
  }

  /** Samples x positions the batch statistics of a norm layer average over (all shards). */
  private totalCount(op: Extract<TrainOp, { kind: 'norm' }>): number {
    return this.batchSize * op.plane;
  }

  private lifForward(op: Extract<TrainOp, { kind: 'lif' }>, x: Float32Array, spikes: Float32Array, n: number, t: number): void {
    const u = this.membrane.get(op.name)!;
    const sg = this.surrogate.get(op.name)!;
    const count = n * op.size;
    const decay = op.decay;
    if (t === 0) u.fill(0, 0, count);
    for (let i = 0; i < count; i++) u[i] = u[i]! * decay + x[i]!;
    let theta = op.threshold;
    if (op.ots) {
      // OTS: theta[t] = m[t] + s[t] * (theta[1] - m[1]) / s[1], m and s over the whole batch (unbiased std).
      const sums = this.sums.subarray(0, 2);
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < count; i++) {
        const v = u[i]!;
        sum += v;
        sq += v * v;
      }
      sums[0] = sum;
      sums[1] = sq;
      this.reducer.allReduce(sums);
      const total = this.batchSize * op.size;
      const mean = sums[0]! / total;
      const std = Math.sqrt(Math.max(0, (sums[1]! - sums[0]! * mean) / (total - 1)));
      // A layer whose potentials are all equal (no input spikes yet) has std 0: the seed code's theta is then NaN
      // and poisons every gradient; this keeps the initial threshold instead.
      if (t === 0) this.ratio.set(op.name, std > 0 ? (op.threshold - mean) / std : NaN);
      const ratio = this.ratio.get(op.name)!;
      theta = std > 0 && Number.isFinite(ratio) ? mean + std * ratio : op.threshold;
    }
    for (let i = 0; i < count; i++) {
      const v = u[i]!;
      sg[i] = sigmoidSurrogate(v - theta);
      if (v >= theta) {
        spikes[i] = 1;
        u[i] = v - theta;
      } else {
        spikes[i] = 0;
      }
    }
  }

  private backward(image: Float32Array, n: number): void {
    const { graph, routing } = this;
    for (let i = graph.ops.length - 1; i >= 0; i--) {
      if (!graph.needsGrad[i]) continue;
      const op = graph.ops[i]!;
      const gOut = this.grad[i]!;
      if (op.kind === 'add') {
        routing.addBackward(i, gOut, n);
        continue;
      }
      this.backwardOp(op, operandOf(graph, i, 0, image, this.out), gOut, routing.target(i, 0), n);
      routing.finish(i, 0, n);
    }
  }

  private backwardOp(op: Exclude<TrainOp, { kind: 'add' }>, input: Float32Array, gOut: Float64Array, gIn: Float64Array | null, n: number): void {
    const views = this.views;
    switch (op.kind) {
      case 'linear': {
        const gw = views.localGrads.get(op.name)!;
        const gb = op.bias ? this.localBias.get(op.name)! : null;
        const w = views.reordered.get(op.name)!;
        for (let s = 0; s < n; s++) {
          linearWeightGrad(input, s * op.inSize, gOut, s * op.outSize, op.inSize, op.outSize, gw, gb);
          if (gIn) linearBackwardInput(gOut, s * op.outSize, w, op.inSize, op.outSize, gIn, s * op.inSize);
        }
        return;
      }
      case 'conv2d': {
        const gw = views.localGrads.get(op.name)!;
        const gb = op.bias ? this.localBias.get(op.name)! : null;
        const w = views.reordered.get(op.name)!;
        const plane = op.g.outHeight * op.g.outWidth;
        const pending = this.stepGradSum.get(op.name);
        for (let s = 0; s < n; s++) {
          if (pending && !gIn) {
            // Time-invariant input: the weight gradient is linear in gOut, so it is taken once from the sum over t.
            for (let k = 0, base = s * op.outSize; k < op.outSize; k++) pending[base + k] = pending[base + k]! + gOut[base + k]!;
            continue;
          }
          toChannelLast(gOut, s * op.outSize, op.g.outChannels, plane, this.scratchCL);
          conv2dWeightGrad(input, s * op.inSize, this.scratchCL, op.taps, op.g, gw, gb);
          if (gIn) conv2dBackwardInput(this.scratchCL, w, op.taps, op.g, gIn, s * op.inSize);
        }
        return;
      }
      case 'norm': {
        const st = this.normStates.get(op.name)!;
        const c = op.channels;
        const x = input;
        const sums = this.sums.subarray(0, 2 * c);
        sums.fill(0);
        addBackwardSums(gOut, x, 0, n, c, op.plane, st.mean, sums, false);
        this.reducer.allReduce(sums);
        const m = this.totalCount(op);
        const gamma = views.view(op.gamma);
        const ggamma = this.grads.subarray(op.gamma.offset, op.gamma.offset + c);
        const gbeta = this.grads.subarray(op.beta.offset, op.beta.offset + c);
        for (let j = 0; j < c; j++) {
          ggamma[j] = ggamma[j]! + sums[c + j]! / Math.sqrt(st.variance[j]! + op.eps);
          gbeta[j] = gbeta[j]! + sums[j]!;
        }
        const k = osrBackwardCoefficients(sums, st.mean, st.variance, st.runVar, gamma, op.eps, m);
        applyNormBackward(gOut, x, 0, n, c, op.plane, k.a, k.b, k.k, k.center);
        if (gIn && gIn !== gOut) gIn.set(gOut.subarray(0, n * op.size));
        return;
      }
      case 'lif': {
        const sg = this.surrogate.get(op.name)!;
        if (!gIn) return;
        for (let i = 0, count = n * op.size; i < count; i++) gIn[i] = gOut[i]! * sg[i]!;
        return;
      }
      case 'avgpool2d':
        if (!gIn) return;
        for (let s = 0; s < n; s++) {
          avgPool2dBackward(gOut, s * op.outSize, op.channels, op.inHeight, op.inWidth, op.kernel, op.stride, op.outHeight, op.outWidth, gIn, s * op.inSize);
        }
        return;
      case 'flatten':
        if (gIn) gIn.set(gOut.subarray(0, n * op.size));
        return;
    }
  }

  private finishBatch(image: Float32Array, n: number): void {
    this.graph.ops.forEach((op, i) => {
      if (op.kind !== 'conv2d' && op.kind !== 'linear') return;
      const pending = this.stepGradSum.get(op.name);
      const input = operandOf(this.graph, i, 0, image, this.out);
      // The backward summed this conv's output gradient over the steps instead of taking its weight gradient.
      if (pending && op.kind === 'conv2d' && this.routing.target(i, 0) === null) {
        const plane = op.g.outHeight * op.g.outWidth;
        const gb = op.bias ? this.localBias.get(op.name)! : null;
        for (let s = 0; s < n; s++) {
          toChannelLast(pending, s * op.outSize, op.g.outChannels, plane, this.scratchCL);
          conv2dWeightGrad(input, s * op.inSize, this.scratchCL, op.taps, op.g, this.views.localGrads.get(op.name)!, gb);
        }
      }
      const gb = this.localBias.get(op.name)!;
      if (op.bias) {
        const target = this.grads.subarray(op.bias.offset, op.bias.offset + op.bias.length);
        for (let k = 0; k < gb.length; k++) target[k] = target[k]! + gb[k]!;
      }
    });
    this.views.flush(this.grads);
  }
}
