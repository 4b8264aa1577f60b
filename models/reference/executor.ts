import { ModelError } from '../errors.js';
import { assertNever, lifKey, type LeakyIntegratorNode, type LifNode, type Model, type ModelNode, type SpikingNeuronNode } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { elementCount } from '../graph/tensor.js';
import { conv2dGeometry, conv2dSample, convTaps, reorderConvWeights, type Accumulation, type Conv2dGeometry, type ConvTaps } from './kernels/conv2d.js';
import { onnxRuntime, OnnxConv2d } from './kernels/conv2d-onnx.js';
import { WasmConv2d } from './kernels/conv2d-wasm.js';
import { align16, ReferenceArena } from './arena.js';
import { lifCharge, lifFire } from './kernels/lif.js';
import { localStatistics, type BatchStatistics } from './batch-statistics.js';
import { linearSample, transposeLinearWeights } from './kernels/linear.js';
import { neuronStep } from './kernels/neuron.js';
import { normApply, normCoefficients } from './kernels/norm.js';
import { adaptiveAvgPool2dSample, pool2dSample } from './kernels/pool.js';

/**
 * How OTS layers pick theta[t]: `frozen` reads the calibrated table stored in the model; `dynamic` recomputes it
 * from the statistics of the current batch at every step, as the released code of paper A does even at eval.
 */
export type ThresholdMode = 'frozen' | 'dynamic';

export interface ReferenceRun {
  readonly batch: number;
  readonly classes: number;
  /** [batch, classes]: the mean over T of the last layer's output. */
  readonly outputs: Float32Array;
  /** Key of each spiking layer (LIF: its state-dict prefix, else its name; NIR neurons: the name), in model order. */
  readonly lifKeys: readonly string[];
  /** [spiking layer][t]: spikes summed over the batch. */
  readonly spikesPerLayerPerStep: readonly number[][];
  /** [spiking layer][t]: the threshold each layer used at each step. */
  readonly thresholdsPerLayerPerStep: readonly number[][];
}

/** Sees every node's output at every step (e.g. for NeuroBench's activation counts); `input` is its first operand. */
export type StageObserver = (index: number, node: ModelNode, input: Float32Array, output: Float32Array, batch: number, t: number) => void;

interface Stage {
  readonly node: ModelNode;
  /** Indices of the stages it reads (-1: the model input). */
  readonly sources: readonly number[];
  readonly inSize: number;
  readonly outSize: number;
  /** True when the stage's output is the same at every step (it sees only the direct-encoded image). */
  readonly timeInvariant: boolean;
  readonly out: Float32Array;
  run(input: Float32Array, batch: number, t: number, mode: ThresholdMode): void;
}

/**
 * The float reference: runs a Model time step by time step over a batch, exactly with the seed code's
 * inference semantics (float32 state, OSR/BatchNorm in inference mode, soft reset, OTS thresholds).
 * All buffers are allocated once for `maxBatch` samples.
 */
export class ReferenceExecutor {
  private readonly stages: Stage[];
  /** The conv layers onnxruntime runs (kernels/conv2d-onnx.ts), by name; every other layer runs on the WebAssembly or TypeScript kernels. */
  readonly onnxLayers: string[] = [];
  private readonly lifStages: { stage: Stage; node: LifNode | SpikingNeuronNode; index: number }[] = [];
  private readonly spikes: number[][];
  private readonly thresholds: number[][];
  private readonly outputSum: Float32Array;
  /** The sample batch of the current run, for an add whose second operand is the model input. */
  private currentInput: Float32Array | null = null;
  /** One step's frames of the batch, when samples bring one frame per step. */
  private frameBuffer: Float32Array | null = null;
  /**
   * The WebAssembly memory every stage's output and state live in, with the SIMD kernels over it; null where
   * WebAssembly SIMD is missing or the batch does not fit one memory (then every stage runs its TypeScript kernel).
   */
  private readonly arena: ReferenceArena | null;
  /** The batch's input (one step's frames, with frames) in the arena, where the first stages read it. */
  private readonly arenaInput: Float32Array | null;
  readonly inputSize: number;
  readonly classes: number;

  constructor(
    readonly model: Model,
    readonly maxBatch: number,
    /** Where dynamic OTS thresholds get their batch statistics: this executor's batch, or a batch split over threads. */
    private readonly statistics: BatchStatistics = localStatistics(),
    /** How the convolutions keep their sums (kernels/conv2d.ts). */
    readonly accumulation: Accumulation = 'float64',
  ) {
    const shapes = inferShapes(model);
    this.inputSize = elementCount(model.input.shape);
    const inputBytes = align16(4 * maxBatch * this.inputSize);
    const onnx = shapes.map((s) => onnxConvRuntime(s.node, shapes[s.sources[0]!]?.node, accumulation));
    this.arena = ReferenceArena.create(
      shapes.reduce(
        (sum, s, k) => sum + (onnx[k] ? align16(4 * maxBatch * elementCount(s.outputShape)) : stageArenaBytes(s.node, s.inputShape, s.outputShape, maxBatch, accumulation)),
        inputBytes,
      ),
    );
    this.arenaInput = this.arena ? this.arena.floats(maxBatch * this.inputSize) : null;
    const stages: Stage[] = [];
    shapes.forEach(({ node, inputShape, outputShape, sources }, k) => {
      const stateful = node.kind === 'lif' || node.kind === 'spiking-neuron' || node.kind === 'leaky-integrator';
      const timeInvariant = !stateful && sources.every((j) => j < 0 || stages[j]!.timeInvariant);
      stages.push(this.makeStage(node, sources, inputShape, outputShape, timeInvariant, stages, onnx[k]!));
    });
    this.stages = stages;
    const last = this.stages[this.stages.length - 1];
    if (!last) throw new ModelError(model.name, 'the model has no layers');
    this.classes = last.outSize;
    this.outputSum = new Float32Array(maxBatch * this.classes);
    this.spikes = this.lifStages.map(() => new Array<number>(model.timesteps).fill(0));
    this.thresholds = this.lifStages.map(() => new Array<number>(model.timesteps).fill(0));
  }

  /**
   * Runs `batch` samples (input [batch, ...input.shape], already scaled) for T steps; `onStep` sees each step's
   * last-stage output. With `frames`, the input holds one frame per step ([batch, T, ...input.shape]: event
   * recordings integrated into frames), and step t reads frame t of every sample.
   */
  run(input: Float32Array, batch: number, mode: ThresholdMode, onStep?: (t: number, output: Float32Array) => void, onStage?: StageObserver, frames = false): ReferenceRun {
    const perSample = this.inputSize * (frames ? this.model.timesteps : 1);
    if (batch > this.maxBatch || input.length < batch * perSample) {
      throw new RangeError(`batch of ${batch} does not fit (max ${this.maxBatch}, input holds ${input.length / perSample})`);
    }
    // The kernels read the input where the arena holds it: copied in once, or frame by frame.
    const arenaInput = this.arenaInput;
    if (arenaInput && !frames) arenaInput.set(input.subarray(0, batch * this.inputSize));
    const stepInput = frames ? (arenaInput ?? (this.frameBuffer ??= new Float32Array(this.maxBatch * this.inputSize))) : (arenaInput ?? input);
    for (const { node } of this.lifStages) if (node.kind === 'lif') this.checkThresholds(node, mode);
    const T = this.model.timesteps;
    this.currentInput = stepInput;
    this.outputSum.fill(0, 0, batch * this.classes);
    for (const row of this.spikes) row.fill(0);
    for (let t = 0; t < T; t++) {
      if (frames) {
        for (let b = 0; b < batch; b++) stepInput.set(input.subarray((b * T + t) * this.inputSize, (b * T + t + 1) * this.inputSize), b * this.inputSize);
        this.currentInput = stepInput;
      }
      const stages = this.stages;
      for (let k = 0; k < stages.length; k++) {
        const stage = stages[k]!;
        const source = stage.sources[0]!;
        const operand = source < 0 ? stepInput : stages[source]!.out;
        // What depends on the input alone is the same every step, unless every step brings its own frame.
        if (!(stage.timeInvariant && t > 0 && !frames)) stage.run(operand, batch, t, mode);
        onStage?.(k, stage.node, operand, stage.out, batch, t);
      }
      const current = stages[stages.length - 1]!.out;
      for (let i = 0, n = batch * this.classes; i < n; i++) this.outputSum[i] = this.outputSum[i]! + current[i]!;
      onStep?.(t, current);
    }
    const outputs = new Float32Array(batch * this.classes);
    for (let i = 0; i < outputs.length; i++) outputs[i] = this.outputSum[i]! / T;
    return {
      batch,
      classes: this.classes,
      outputs,
      lifKeys: this.lifStages.map(({ node }) => (node.kind === 'lif' ? lifKey(node) : node.name)),
      spikesPerLayerPerStep: this.spikes.map((row) => [...row]),
      thresholdsPerLayerPerStep: this.thresholds.map((row) => [...row]),
    };
  }

  private checkThresholds(node: LifNode, mode: ThresholdMode): void {
    if (node.threshold.kind !== 'ots' || mode !== 'frozen') return;
    const table = node.threshold.frozen;
    if (!table) {
      throw new ModelError(`${this.model.name}: layer ${node.name}`, 'has no frozen OTS threshold table: calibrate it first, or run with dynamic thresholds');
    }
    if (table.length < this.model.timesteps) {
      throw new ModelError(`${this.model.name}: layer ${node.name}`, `frozen threshold table has ${table.length} steps, the model runs ${this.model.timesteps}`);
    }
  }

  /** A stage's array: in the arena where there is one. */
  private floats(count: number): Float32Array {
    return this.arena ? this.arena.floats(count) : new Float32Array(count);
  }

  private makeStage(
    node: ModelNode,
    sources: readonly number[],
    inputShape: readonly number[],
    outputShape: readonly number[],
    timeInvariant: boolean,
    earlier: readonly Stage[],
    /** onnxruntime, for a conv layer it runs (onnxConvRuntime); else null. */
    onnx: ReturnType<typeof onnxRuntime>,
  ): Stage {
    const inSize = elementCount(inputShape);
    const outSize = elementCount(outputShape);
    const out = this.floats(this.maxBatch * outSize);
    const stage = (run: Stage['run']): Stage => ({ node, sources, inSize, outSize, timeInvariant, out, run });
    const arena = this.arena;
    switch (node.kind) {
      case 'conv2d':
      case 'conv1d': {
        const g = convGeometry(node, inputShape, outputShape);
        if (onnx) {
          const layer = new OnnxConv2d(onnx, node.weight.data, node.bias?.data ?? null, g);
          this.onnxLayers.push(node.name);
          return stage((input, batch) => layer.run(input, batch, inSize, out));
        }
        return stage(convolution(arena, node.weight.data, convTaps(g), node.bias?.data ?? null, g, inSize, outSize, out, this.accumulation));
      }
      case 'linear': {
        // A dense layer is a 1 x 1 convolution of one position: the same sums in the same order (input by input).
        const g = denseGeometry(inSize, outSize);
        return stage(convolution(arena, node.weight.data, convTaps(g), node.bias?.data ?? null, g, inSize, outSize, out, this.accumulation));
      }
      case 'norm': {
        const k = normCoefficients(node);
        const channels = node.gamma.data.length;
        const plane = outSize / channels;
        if (arena) {
          const constants = [k.mean, k.std, k.gamma, k.beta, k.alpha, k.shift].map((values) => {
            const copy = arena.floats(channels);
            copy.set(values);
            return copy.byteOffset;
          }) as [number, number, number, number, number, number];
          const variant = k.variant === 'osr' ? 0 : 1;
          return stage((input, batch) => arena.kernels.elementwise.norm(input.byteOffset, out.byteOffset, batch, channels, plane, variant, ...constants));
        }
        return stage((input, batch) => {
          out.set(input.subarray(0, batch * inSize));
          normApply(k, out, 0, batch, plane);
        });
      }
      case 'lif':
        return this.makeLifStage(node, stage, outSize);
      case 'scale':
      case 'heaviside': {
        const values = node.kind === 'scale' ? node.factor.data : node.threshold.data;
        const perElement = values.length > 1;
        const scale = node.kind === 'scale';
        return stage((input, batch) => {
          for (let b = 0; b < batch; b++) {
            for (let k = 0; k < inSize; k++) {
              const x = input[b * inSize + k]!;
              const p = perElement ? values[k]! : values[0]!;
              out[b * outSize + k] = scale ? x * p : x >= p ? 1 : 0;
            }
          }
        });
      }
      case 'spiking-neuron':
      case 'leaky-integrator':
        return this.makeNeuronStage(node, stage, outSize);
      case 'avgpool2d':
      case 'sumpool2d':
      case 'maxpool2d': {
        const [c, h, w] = inputShape as [number, number, number];
        const kind = node.kind === 'avgpool2d' ? 'avg' : node.kind === 'sumpool2d' ? 'sum' : 'max';
        const padding = node.kind === 'sumpool2d' ? 0 : (node.padding ?? 0);
        if (arena && kind === 'avg' && node.kernel === 2 && node.stride === 2 && padding === 0) {
          const [outH, outW] = [outputShape[1]!, outputShape[2]!];
          return stage((input, batch) => arena.kernels.elementwise.averagePool2(input.byteOffset, out.byteOffset, batch, c, h, w, outH, outW));
        }
        if (arena) {
          const code = kind === 'avg' ? 0 : kind === 'sum' ? 1 : 2;
          return stage((input, batch) =>
            arena.kernels.elementwise.pool(input.byteOffset, out.byteOffset, batch, c, h, w, node.kernel, node.stride, outputShape[1]!, outputShape[2]!, padding, code),
          );
        }
        return stage((input, batch) => {
          for (let b = 0; b < batch; b++) {
            pool2dSample(kind, input, b * inSize, c, h, w, node.kernel, node.stride, outputShape[1]!, outputShape[2]!, out, b * outSize, padding);
          }
        });
      }
      case 'adaptiveavgpool2d': {
        const [c, h, w] = inputShape as [number, number, number];
        return stage((input, batch) => {
          for (let b = 0; b < batch; b++) {
            adaptiveAvgPool2dSample(input, b * inSize, c, h, w, node.output[0], node.output[1], out, b * outSize);
          }
        });
      }
      case 'flatten':
      case 'dropout':
        return stage((input, batch) => out.set(input.subarray(0, batch * inSize)));
      case 'add': {
        // The second operand is read when the add runs: every earlier stage has run this step by then.
        const second = sources[1]!;
        const other = (): Float32Array => (second < 0 ? this.currentInput! : earlier[second]!.out);
        if (arena) return stage((input, batch) => arena.kernels.elementwise.add(input.byteOffset, other().byteOffset, out.byteOffset, batch * inSize));
        return stage((input, batch) => {
          const b = other();
          for (let i = 0, n = batch * inSize; i < n; i++) out[i] = input[i]! + b[i]!;
        });
      }
      default:
        return assertNever(node);
    }
  }

  private makeNeuronStage(node: SpikingNeuronNode | LeakyIntegratorNode, stage: (run: Stage['run']) => Stage, size: number): Stage {
    const v = new Float32Array(this.maxBatch * size);
    const current = new Float32Array(this.maxBatch * size);
    const drive = new Float32Array(this.maxBatch * size);
    const recurrent = node.kind === 'spiking-neuron' ? node.recurrent : null;
    const recurrentWeights = recurrent ? transposeLinearWeights(recurrent.weight.data, size, size) : null;
    const acc = new Float64Array(size);
    const previous = new Float32Array(this.maxBatch * size);
    const index = this.lifStages.length;
    const result = stage((input, batch, t) => {
      const n = batch * size;
      if (t === 0) {
        v.fill(0, 0, n);
        current.fill(0, 0, n);
        previous.fill(0, 0, n);
      }
      if (recurrentWeights) {
        // The recurrent edge carries the previous step's spikes (NIR's cycles are delayed by one step).
        for (let b = 0; b < batch; b++) linearSample(previous, b * size, recurrentWeights, recurrent!.bias?.data ?? null, size, size, acc, drive, b * size);
        for (let k = 0; k < n; k++) drive[k] = drive[k]! + input[k]!;
      } else {
        drive.set(input.subarray(0, n));
      }
      neuronStep(v, current, drive, n, node.dynamics);
      if (node.kind === 'leaky-integrator') {
        result.out.set(v.subarray(0, n));
        return;
      }
      this.thresholds[index]![t] = node.threshold;
      this.spikes[index]![t] = this.spikes[index]![t]! + lifFire(v, result.out, 0, n, node.threshold, node.reset);
      if (recurrentWeights) previous.set(result.out.subarray(0, n));
    });
    if (node.kind === 'spiking-neuron') this.lifStages.push({ stage: result, node, index });
    return result;
  }

  private makeLifStage(node: LifNode, stage: (run: Stage['run']) => Stage, size: number): Stage {
    const u = this.floats(this.maxBatch * size);
    const index = this.lifStages.length;
    const f = Math.fround;
    const kernels = this.arena?.kernels.elementwise ?? null;
    // The SIMD kernels compute in float32: exact for constants that are float32 values (the TypeScript loops use the
    // constants as given).
    const chargeInWasm = kernels !== null && f(node.decay) === node.decay;
    const subtract = node.reset === 'subtract' ? 1 : 0;
    let ratio = 0;
    const result = stage((input, batch, t, mode) => {
      const n = batch * size;
      if (t === 0) u.fill(0, 0, n);
      const th = node.threshold;
      const known = th.kind === 'fixed' ? th.value : mode === 'frozen' ? th.frozen![t]! : null;
      if (chargeInWasm && known !== null && f(known) === known) {
        // A threshold known before the charge: charge and fire in one pass.
        this.thresholds[index]![t] = known;
        this.spikes[index]![t] = this.spikes[index]![t]! + kernels.lifStep(u.byteOffset, input.byteOffset, result.out.byteOffset, n, node.decay, known, subtract);
        return;
      }
      if (chargeInWasm) kernels.lifCharge(u.byteOffset, input.byteOffset, n, node.decay);
      else lifCharge(u, input, 0, n, node.decay);
      let theta: number;
      if (th.kind === 'fixed') {
        theta = th.value;
      } else if (mode === 'frozen') {
        theta = th.frozen![t]!;
      } else {
        // OTS (paper A): theta[t] = m[t] + s[t] * (theta[1] - m[1]) / s[1], statistics over the whole batch.
        const stats = this.statistics.meanAndStd(u, batch, size);
        const mean = f(stats.mean);
        const std = f(stats.std);
        if (t === 0) ratio = f(f(th.initial - mean) / std);
        theta = f(mean + f(std * ratio));
      }
      this.thresholds[index]![t] = theta;
      const fired = kernels && f(theta) === theta ? kernels.lifFire(u.byteOffset, result.out.byteOffset, n, theta, subtract) : lifFire(u, result.out, 0, n, theta, node.reset);
      this.spikes[index]![t] = this.spikes[index]![t]! + fired;
    });
    this.lifStages.push({ stage: result, node, index });
    return result;
  }
}

/** The conv geometry of a conv2d node, or of a conv1d one as a 2-D conv over [C, 1, L] with a 1 x k kernel (same weight layout). */
function convGeometry(node: ModelNode & { kind: 'conv2d' | 'conv1d' }, inputShape: readonly number[], outputShape: readonly number[]): Conv2dGeometry {
  if (node.kind === 'conv2d') return conv2dGeometry(node, inputShape, outputShape);
  const [cout, cin, k] = node.weight.shape as [number, number, number];
  return {
    inChannels: cin,
    inHeight: 1,
    inWidth: inputShape[1]!,
    outChannels: cout,
    outHeight: 1,
    outWidth: outputShape[1]!,
    kernelHeight: 1,
    kernelWidth: k,
    strideY: 1,
    strideX: node.stride,
    padY: 0,
    padX: node.padding,
  };
}

/** A dense layer's [out, in] weight as a conv's [Cout, Cin, 1, 1] over one position. */
function denseGeometry(inFeatures: number, outFeatures: number): Conv2dGeometry {
  return {
    inChannels: inFeatures,
    inHeight: 1,
    inWidth: 1,
    outChannels: outFeatures,
    outHeight: 1,
    outWidth: 1,
    kernelHeight: 1,
    kernelWidth: 1,
    strideY: 1,
    strideX: 1,
    padY: 0,
    padX: 0,
  };
}

/**
 * onnxruntime for a conv layer fed by average pooling, with float32 sums, where it is installed (kernels/conv2d-onnx.ts):
 * pooled spikes are about half nonzero, where its dense kernels beat the event-driven gather; null for every other layer.
 */
function onnxConvRuntime(node: ModelNode, source: ModelNode | undefined, accumulation: Accumulation) {
  return node.kind === 'conv2d' && accumulation === 'float32' && source?.kind === 'avgpool2d' ? onnxRuntime() : null;
}

/** Arena bytes a stage takes for `maxBatch` samples: its output, a LIF layer's potentials, a conv's tables, a norm's constants. */
function stageArenaBytes(node: ModelNode, inputShape: readonly number[], outputShape: readonly number[], maxBatch: number, accumulation: Accumulation): number {
  const out = align16(4 * maxBatch * elementCount(outputShape));
  switch (node.kind) {
    case 'conv2d':
    case 'conv1d': {
      const g = convGeometry(node, inputShape, outputShape);
      return out + WasmConv2d.bytes(g, convTaps(g), node.bias !== null, accumulation, samplesPerCall(maxBatch));
    }
    case 'linear': {
      const g = denseGeometry(elementCount(inputShape), elementCount(outputShape));
      return out + WasmConv2d.bytes(g, convTaps(g), node.bias !== null, accumulation, samplesPerCall(maxBatch));
    }
    case 'lif':
      return 2 * out;
    case 'norm':
      return out + 6 * align16(4 * node.gamma.data.length);
    default:
      return out;
  }
}

/**
 * A conv stage's run from the node's weight [Cout, Cin, kH, kW]: conv2d.wat's SIMD twin of conv2dSample (float32
 * or float64 sums) on the arena's arrays where there is an arena, else the TypeScript loop itself.
 */
function convolution(
  arena: ReferenceArena | null,
  weight: Float32Array,
  taps: ConvTaps,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  inSize: number,
  outSize: number,
  out: Float32Array,
  accumulation: Accumulation,
): Stage['run'] {
  if (!arena) {
    const weights = reorderConvWeights(weight, g);
    // The accumulator's type is the accumulation (conv2dSample).
    const acc = accumulation === 'float32' ? new Float32Array(outSize) : new Float64Array(outSize);
    return (input, batch) => {
      for (let b = 0; b < batch; b++) conv2dSample(input, b * inSize, weights, taps, bias, g, acc, out, b * outSize);
    };
  }
  const group = samplesPerCall(out.length / outSize);
  const simd = new WasmConv2d(arena, weight, taps, bias, g, accumulation, group);
  return (input, batch) => {
    for (let b = 0; b < batch; b += group) simd.runAt(input.byteOffset + 4 * b * inSize, 4 * inSize, out.byteOffset + 4 * b * outSize, 4 * outSize, Math.min(group, batch - b));
  };
}

/** Samples a conv layer sums per call (WasmConv2d.runAt): a layer's rows are fetched once per call, its lists kept per sample. */
const SAMPLES_PER_CALL = 8;

function samplesPerCall(maxBatch: number): number {
  return Math.max(1, Math.min(SAMPLES_PER_CALL, maxBatch));
}
