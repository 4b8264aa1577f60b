import { conv2dSample } from '../reference/kernels/conv2d.js';
import { linearSample } from '../reference/kernels/linear.js';
import { pool2dSample } from '../reference/kernels/pool.js';
import { conv2dBackwardInput, conv2dWeightGrad, toChannelLast } from './kernels/conv2d-backward.js';
import { linearBackwardInput, linearWeightGrad } from './kernels/linear-backward.js';
import { addBackwardSums, addChannelMoments, applyNormBackward, normalise, rateBackwardCoefficients } from './kernels/norm-training.js';
import { avgPool2dBackward } from './kernels/pool-backward.js';
import { sigmoidSurrogate } from './kernels/surrogate.js';
import { lossAndGradient } from './loss.js';
import type { TrainGraph, TrainOp } from './network.js';
import { argmaxOf, GradientRouting, opOutSize, operandOf, ParamViews, type NormState, type Reducer, type ShardBatch, type ShardResult, type TrainShard } from './shard.js';

/** PyTorch BatchNorm's running-statistics momentum (its default). Reference: torch.nn.BatchNorm2d. */
export const BATCHNORM_MOMENTUM = 0.1;

/**
 * Paper B's rate_M rule on one shard of a batch. A spike pass without gradients runs all T steps layer by layer
 * (BatchNorm normalises over all T*B samples with batch statistics and updates its running statistics) and
 * records per neuron the rate r = mean_t s[t] and kappa = (1/T) sum_t eps[t] sg[t], eps[t] = sum_{k<t} lambda^k,
 * sg the sigmoid surrogate at u - theta before reset. Then one spatial backward on rates:
 * delta = kappa * BN_back(W^T delta_next), grad W = delta r_prev^T, the loss gradient scaled by 1/T. BN_back
 * uses the spike pass's mean and variance as values and the rate input's own batch mean in the variance term.
 * Reference: shared/DESIGN.md section 2; Tab-ct/rate-based-backpropagation model/layer.py (LIFLayer multi-step
 * branch, CustomEvaluator), model/model_setting.py (calcu_rate, bn_forward_hook).
 */
export class RateShard implements TrainShard {
  readonly normStates = new Map<string, NormState & { mean: Float64Array; variance: Float64Array }>();
  private readonly views: ParamViews;
  /** [steps * n * size] spike-pass outputs (steps = 1 for ops that see only the image). */
  private readonly out: Float32Array[];
  /** [n * size] mean over T of each op's output: the rates the backward pass uses. */
  private readonly rate: Float32Array[];
  private readonly grad: Float64Array[];
  private readonly kappa = new Map<string, Float32Array>();
  private readonly membrane: Float32Array;
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
    private readonly reducer: Reducer,
  ) {
    this.views = new ParamViews(graph, params);
    const T = graph.timesteps;
    let widest = graph.inputSize;
    let widestChannels = 2;
    let widestLif = 0;
    this.out = [];
    this.rate = [];
    this.grad = [];
    for (const op of graph.ops) {
      const size = opOutSize(op);
      widest = Math.max(widest, size);
      const steps = stepsOf(op, T);
      this.out.push(new Float32Array(steps * maxCount * size));
      this.rate.push(steps === 1 ? this.out[this.out.length - 1]! : new Float32Array(maxCount * size));
      this.grad.push(new Float64Array(maxCount * size));
      if (op.kind === 'norm') {
        widestChannels = Math.max(widestChannels, 3 * op.channels);
        const c = op.channels;
        this.normStates.set(op.name, { runMean: new Float64Array(c), runVar: new Float64Array(c).fill(1), mean: new Float64Array(c), variance: new Float64Array(c) });
      }
      if (op.kind === 'lif') {
        widestLif = Math.max(widestLif, op.size);
        this.kappa.set(op.name, new Float32Array(maxCount * op.size));
      }
      if (op.kind === 'conv2d' || op.kind === 'linear') this.localBias.set(op.name, new Float64Array(op.outSize));
    }
    this.membrane = new Float32Array(maxCount * widestLif);
    this.scratchCL = new Float64Array(widest);
    this.acc = new Float64Array(widest);
    this.sums = new Float64Array(widestChannels);
    this.routing = new GradientRouting(graph, this.grad, maxCount);
  }

  runBatch(batch: ShardBatch): ShardResult {
    const { graph } = this;
    const n = batch.count;
    const T = graph.timesteps;
    this.batchSize = batch.batchSize;
    this.views.refresh(this.grads);
    for (const b of this.localBias.values()) b.fill(0);
    this.spikePass(batch.input, n);
    const last = graph.ops.length - 1;
    const logits = this.rate[last]!;
    const classes = graph.classes;
    const gLogits = this.grad[last]!;
    let lossSum = 0;
    let correct = 0;
    for (let s = 0; s < n; s++) {
      lossSum += lossAndGradient(logits, s * classes, classes, batch.labels[s]!, 0, 1 / (batch.batchSize * T), gLogits, s * classes);
      if (argmaxOf(logits, s * classes, classes) === batch.labels[s]) correct++;
    }
    this.rateBackward(batch.input, n);
    this.graph.ops.forEach((op) => {
      if ((op.kind === 'conv2d' || op.kind === 'linear') && op.bias) {
        const gb = this.localBias.get(op.name)!;
        const target = this.grads.subarray(op.bias.offset, op.bias.offset + op.bias.length);
        for (let k = 0; k < gb.length; k++) target[k] = target[k]! + gb[k]!;
      }
    });
    this.views.flush(this.grads);
    return { lossSum, correct };
  }

  private spikePass(image: Float32Array, n: number): void {
    const graph = this.graph;
    const T = graph.timesteps;
    graph.ops.forEach((op, i) => {
      const source = graph.sources[i]![0]!;
      const input = operandOf(graph, i, 0, image, this.out);
      const inSize = source < 0 ? graph.inputSize : opOutSize(graph.ops[source]!);
      const inSteps = source < 0 ? 1 : stepsOf(graph.ops[source]!, T);
      const out = this.out[i]!;
      const steps = stepsOf(op, T);
      const samples = steps * n;
      const views = this.views;
      switch (op.kind) {
        case 'conv2d': {
          const w = views.reordered.get(op.name)!;
          const bias = op.bias ? views.view(op.bias) : null;
          for (let s = 0; s < samples; s++) conv2dSample(input, s * inSize, w, op.taps, bias, op.g, this.acc, out, s * op.outSize);
          break;
        }
        case 'linear': {
          const w = views.reordered.get(op.name)!;
          const bias = op.bias ? views.view(op.bias) : null;
          for (let s = 0; s < samples; s++) linearSample(input, s * inSize, w, bias, op.inSize, op.outSize, this.acc, out, s * op.outSize);
          break;
        }
        case 'norm':
          this.batchNormForward(op, input, out, samples);
          break;
        case 'lif':
          this.lifPass(op, input, inSteps, out, n);
          break;
        case 'avgpool2d':
          for (let s = 0; s < samples; s++) {
            pool2dSample('avg', input, s * op.inSize, op.channels, op.inHeight, op.inWidth, op.kernel, op.stride, op.outHeight, op.outWidth, out, s * op.outSize);
          }
          break;
        case 'flatten':
          out.set(input.subarray(0, samples * op.size));
          break;
        case 'add':
          this.addPass(i, image, n, steps);
          break;
      }
      if (steps > 1 && op.kind !== 'lif') meanOverSteps(out, T, n * opOutSize(op), this.rate[i]!);
    });
  }

  /** y[t] = a[t] + b[t]; an operand that sees only the image has one step, the same at every t. */
  private addPass(i: number, image: Float32Array, n: number, steps: number): void {
    const graph = this.graph;
    const stride = n * opOutSize(graph.ops[i]!);
    const out = this.out[i]!;
    const a = operandOf(graph, i, 0, image, this.out);
    const b = operandOf(graph, i, 1, image, this.out);
    const aSteps = this.operandSteps(i, 0);
    const bSteps = this.operandSteps(i, 1);
    for (let t = 0; t < steps; t++) {
      const base = t * stride;
      const aBase = aSteps === 1 ? 0 : base;
      const bBase = bSteps === 1 ? 0 : base;
      for (let k = 0; k < stride; k++) out[base + k] = a[aBase + k]! + b[bBase + k]!;
    }
  }

  private operandSteps(i: number, j: number): number {
    const k = this.graph.sources[i]![j]!;
    return k < 0 ? 1 : stepsOf(this.graph.ops[k]!, this.graph.timesteps);
  }

  /** nn.BatchNorm2d in training mode over the T*B samples of the multi-step batch. */
  private batchNormForward(op: Extract<TrainOp, { kind: 'norm' }>, x: Float32Array, y: Float32Array, samples: number): void {
    const st = this.normStates.get(op.name)!;
    const c = op.channels;
    const sums = this.sums.subarray(0, 2 * c);
    sums.fill(0);
    addChannelMoments(x, 0, samples, c, op.plane, sums);
    this.reducer.allReduce(sums);
    // An op before the first LIF sees the same input at every step: its statistics over T*B equal those over B.
    const m = this.batchSize * op.plane;
    const total = this.batchSize * this.graph.timesteps * op.plane;
    const gamma = this.views.view(op.gamma);
    const beta = this.views.view(op.beta);
    const scale = new Float64Array(c);
    const shift = new Float64Array(c);
    const factor = stepsOf(op, this.graph.timesteps) === 1 ? 1 : this.graph.timesteps;
    for (let k = 0; k < c; k++) {
      const mean = sums[k]! / (m * factor);
      const variance = Math.max(0, sums[c + k]! / (m * factor) - mean * mean);
      st.mean[k] = mean;
      st.variance[k] = variance;
      scale[k] = gamma[k]! / Math.sqrt(variance + op.eps);
      shift[k] = beta[k]!;
      st.runMean[k] = (1 - BATCHNORM_MOMENTUM) * st.runMean[k]! + BATCHNORM_MOMENTUM * mean;
      st.runVar[k] = (1 - BATCHNORM_MOMENTUM) * st.runVar[k]! + (BATCHNORM_MOMENTUM * variance * total) / (total - 1);
    }
    normalise(x, y, 0, samples, c, op.plane, st.mean, scale, shift);
  }

  private lifPass(op: Extract<TrainOp, { kind: 'lif' }>, x: Float32Array, inSteps: number, spikes: Float32Array, n: number): void {
    const T = this.graph.timesteps;
    const count = n * op.size;
    const u = this.membrane;
    const kappa = this.kappa.get(op.name)!;
    const r = this.rate[this.graph.ops.indexOf(op)]!;
    u.fill(0, 0, count);
    kappa.fill(0, 0, count);
    r.fill(0, 0, count);
    const theta = op.threshold;
    const lambda = op.decay;
    let eps = 1;
    for (let t = 0; t < T; t++) {
      const xBase = (inSteps === 1 ? 0 : t) * count;
      const sBase = t * count;
      for (let i = 0; i < count; i++) {
        const v = u[i]! * op.decay + x[xBase + i]!;
        kappa[i] = kappa[i]! + eps * sigmoidSurrogate(v - theta);
        if (v >= theta) {
          spikes[sBase + i] = 1;
          r[i] = r[i]! + 1;
          u[i] = v - theta;
        } else {
          spikes[sBase + i] = 0;
          u[i] = v;
        }
      }
      // Soft reset with the reset detached: eps[t+1] = 1 + lambda * eps[t].
      eps = 1 + lambda * eps;
    }
    for (let i = 0; i < count; i++) {
      kappa[i] = kappa[i]! / T;
      r[i] = r[i]! / T;
    }
  }

  private rateBackward(image: Float32Array, n: number): void {
    const { graph, routing, views } = this;
    const ops = graph.ops;
    for (let i = ops.length - 1; i >= 0; i--) {
      if (!graph.needsGrad[i]) continue;
      const op = ops[i]!;
      const gOut = this.grad[i]!;
      if (op.kind === 'add') {
        routing.addBackward(i, gOut, n);
        continue;
      }
      const input = operandOf(graph, i, 0, image, this.rate);
      const gIn = routing.target(i, 0);
      switch (op.kind) {
        case 'linear': {
          const w = views.reordered.get(op.name)!;
          const gw = views.localGrads.get(op.name)!;
          const gb = op.bias ? this.localBias.get(op.name)! : null;
          for (let s = 0; s < n; s++) {
            linearWeightGrad(input, s * op.inSize, gOut, s * op.outSize, op.inSize, op.outSize, gw, gb);
            if (gIn) linearBackwardInput(gOut, s * op.outSize, w, op.inSize, op.outSize, gIn, s * op.inSize);
          }
          break;
        }
        case 'conv2d': {
          const w = views.reordered.get(op.name)!;
          const gw = views.localGrads.get(op.name)!;
          const gb = op.bias ? this.localBias.get(op.name)! : null;
          const plane = op.g.outHeight * op.g.outWidth;
          for (let s = 0; s < n; s++) {
            toChannelLast(gOut, s * op.outSize, op.g.outChannels, plane, this.scratchCL);
            conv2dWeightGrad(input, s * op.inSize, this.scratchCL, op.taps, op.g, gw, gb);
            if (gIn) conv2dBackwardInput(this.scratchCL, w, op.taps, op.g, gIn, s * op.inSize);
          }
          break;
        }
        case 'norm':
          this.batchNormBackward(op, input, gOut, n);
          if (gIn) gIn.set(gOut.subarray(0, n * op.size));
          break;
        case 'lif': {
          if (!gIn) break;
          const kappa = this.kappa.get(op.name)!;
          for (let k = 0, count = n * op.size; k < count; k++) gIn[k] = gOut[k]! * kappa[k]!;
          break;
        }
        case 'avgpool2d':
          if (!gIn) break;
          for (let s = 0; s < n; s++) {
            avgPool2dBackward(gOut, s * op.outSize, op.channels, op.inHeight, op.inWidth, op.kernel, op.stride, op.outHeight, op.outWidth, gIn, s * op.inSize);
          }
          break;
        case 'flatten':
          if (gIn) gIn.set(gOut.subarray(0, n * op.size));
          break;
      }
      routing.finish(i, 0, n);
    }
  }

  /**
   * calcu_rate's backward: y = gamma * (x - M) / sqrt(V + eps) + beta with M, V the spike pass's values, their
   * gradients those of the rate input's own mean and variance:
   * dx = gamma/S * (g - sum(g)/N - sum(g*(x - M))/(S^2 N) * (x - mean(x))).
   */
  private batchNormBackward(op: Extract<TrainOp, { kind: 'norm' }>, x: Float32Array, g: Float64Array, n: number): void {
    const st = this.normStates.get(op.name)!;
    const c = op.channels;
    const sums = this.sums.subarray(0, 3 * c);
    sums.fill(0);
    addBackwardSums(g, x, 0, n, c, op.plane, st.mean, sums, true);
    this.reducer.allReduce(sums);
    const total = this.batchSize * op.plane;
    const gamma = this.views.view(op.gamma);
    const ggamma = this.grads.subarray(op.gamma.offset, op.gamma.offset + c);
    const gbeta = this.grads.subarray(op.beta.offset, op.beta.offset + c);
    for (let j = 0; j < c; j++) {
      ggamma[j] = ggamma[j]! + sums[c + j]! / Math.sqrt(st.variance[j]! + op.eps);
      gbeta[j] = gbeta[j]! + sums[j]!;
    }
    const k = rateBackwardCoefficients(sums, st.mean, st.variance, gamma, op.eps, total);
    applyNormBackward(g, x, 0, n, c, op.plane, k.a, k.b, k.k, k.center);
  }
}

/** Ops before the first LIF see only the image, the same at every step: they run once. */
function stepsOf(op: TrainOp, T: number): number {
  return op.kind !== 'lif' && op.timeInvariant ? 1 : T;
}

function meanOverSteps(out: Float32Array, T: number, stride: number, mean: Float32Array): void {
  for (let i = 0; i < stride; i++) {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += out[t * stride + i]!;
    mean[i] = sum / T;
  }
}
