import { Worker } from 'node:worker_threads';
import { ModelError } from '../errors.js';
import type { Model, ModelNode } from '../graph/model.js';
import type { HyperParameters, LearningRateSchedule } from './hyper-parameters.js';
import { buildTrainGraph, type TrainGraph, type TrainingRule } from './network.js';
import { SeededRandom } from './random.js';
import { cosineLearningRate, Sgd } from './sgd.js';
import { CONTROL } from './shared-sync.js';
import { ShardRunner, type SharedTraining } from './shard-runner.js';
import type { NormState } from './shard.js';

/** The hyper-parameters (the image count is the caller's: it passes the images) and how to run. */
export interface TrainOptions extends Omit<HyperParameters, 'samples' | 'schedule'> {
  readonly rule: TrainingRule;
  readonly schedule?: LearningRateSchedule;
  /** Threads sharing each batch (data parallel); results are reproducible for a given seed and thread count. */
  readonly threads: number;
  readonly onBatch?: (done: number, total: number) => void;
}

/** Labelled 8-bit images, `pixels` values per image, back to back. */
export interface TrainingImages {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly pixels: number;
}

export interface TrainResult {
  readonly model: Model;
  readonly epochs: number;
  readonly samples: number;
  readonly steps: number;
  readonly seconds: number;
  /** Mean per-sample training loss of each epoch. */
  readonly epochLoss: readonly number[];
  readonly epochAccuracy: readonly number[];
}

/**
 * Trains `model` (its current weights are the starting point) with one of the papers' rules: SGD with momentum,
 * weight decay and a cosine learning rate per step, the batches split across `threads` threads whose gradients
 * are added in a fixed order. Returns the trained model; OTS thresholds are left for calibration.
 */
export async function trainModel(model: Model, data: TrainingImages, options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const graph = buildTrainGraph(model, options.rule);
  if (data.pixels !== graph.inputSize) {
    throw new ModelError(model.name, `training images have ${data.pixels} values each, the model's input needs ${graph.inputSize}`);
  }
  const badLabel = data.labels.findIndex((l) => l >= graph.classes);
  if (badLabel >= 0) throw new ModelError(model.name, `label ${data.labels[badLabel]} of training image ${badLabel} is not below the model's ${graph.classes} outputs`);
  if (!Number.isInteger(options.batch) || options.batch < 1) throw new RangeError(`batch must be a positive integer, got ${options.batch}`);
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${options.epochs}`);
  if (data.count < 1) throw new ModelError(model.name, 'no training images');
  const threads = Math.max(1, Math.min(options.threads, options.batch));
  const batch = Math.min(options.batch, data.count);
  const shared = allocateShared(graph, data, batch, threads);
  writeParams(graph, model, new Float32Array(shared.params));

  const setup = { model, rule: options.rule, lossLambda: options.lossLambda, batch, threads, shared };
  const main = new ShardRunner({ ...setup, shard: 0 });
  const workers: Worker[] = [];
  const exits: Promise<void>[] = [];
  for (let k = 1; k < threads; k++) {
    const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: { ...setup, shard: k } });
    workers.push(worker);
    exits.push(
      new Promise((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', () => resolve());
      }),
    );
  }
  const control = main.control;
  const checkWorkers = () => {
    if (Atomics.load(control, CONTROL.stop) === 2) throw new Error('a training thread failed (see its error above)');
  };

  const params = new Float32Array(shared.params);
  const grads = new Float64Array(shared.grads);
  const results = new Float64Array(shared.results);
  const indices = new Int32Array(shared.indices);
  const total = new Float64Array(graph.paramCount);
  const sgd = new Sgd(params, graph.params, {
    momentum: options.momentum,
    weightDecay: options.weightDecay,
    decay: options.rule === 'osr' ? 'all' : 'weights',
  });
  const random = new SeededRandom(options.seed ^ 0x5eed);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(data.count / batch);
  const totalSteps = batchesPerEpoch * options.epochs;
  const epochLoss: number[] = [];
  const epochAccuracy: number[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      random.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      for (let first = 0; first < data.count; first += batch) {
        const count = Math.min(batch, data.count - first);
        indices.set(order.subarray(first, first + count));
        control[CONTROL.batchCount] = count;
        main.barrier.wait();
        checkWorkers();
        main.runBatch();
        main.barrier.wait();
        checkWorkers();
        total.fill(0);
        for (let k = 0; k < threads; k++) {
          const base = k * graph.paramCount;
          for (let i = 0; i < graph.paramCount; i++) total[i] = total[i]! + grads[base + i]!;
          lossSum += results[2 * k]!;
          correct += results[2 * k + 1]!;
        }
        const lr = options.schedule === 'cosine-per-epoch' ? cosineLearningRate(options.lr, epoch, options.epochs) : cosineLearningRate(options.lr, step, totalSteps);
        sgd.step(total, lr);
        step++;
        options.onBatch?.(step, totalSteps);
        if (step % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      epochLoss.push(lossSum / data.count);
      epochAccuracy.push(correct / data.count);
    }
  } finally {
    Atomics.store(control, CONTROL.stop, Math.max(1, Atomics.load(control, CONTROL.stop)));
    if (workers.length > 0 && Atomics.load(control, CONTROL.stop) === 1) main.barrier.wait();
    await Promise.allSettled(exits);
  }
  return {
    model: trainedModel(model, graph, params, main.shard.normStates),
    epochs: options.epochs,
    samples: data.count,
    steps: step,
    seconds: (performance.now() - started) / 1000,
    epochLoss,
    epochAccuracy,
  };
}

function allocateShared(graph: TrainGraph, data: TrainingImages, batch: number, threads: number): SharedTraining {
  const buffer = (bytes: number): ArrayBufferLike => (threads > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  let maxChannels = 1;
  for (const op of graph.ops) if (op.kind === 'norm') maxChannels = Math.max(maxChannels, op.channels);
  const reduceSlot = Math.max(2, 3 * maxChannels);
  const images = buffer(data.images.length);
  new Uint8Array(images).set(data.images);
  const labels = buffer(data.labels.length);
  new Uint8Array(labels).set(data.labels.subarray(0, data.count));
  return {
    params: buffer(graph.paramCount * 4),
    grads: buffer(threads * graph.paramCount * 8),
    control: buffer(CONTROL.length * 4),
    indices: buffer(batch * 4),
    images,
    labels,
    reduce: buffer(2 * threads * reduceSlot * 8),
    results: buffer(threads * 2 * 8),
    reduceSlot,
  };
}

function paramTensors(node: ModelNode): Float32Array[] {
  switch (node.kind) {
    case 'conv2d':
    case 'linear':
      return node.bias ? [node.weight.data, node.bias.data] : [node.weight.data];
    case 'norm':
      return [node.gamma.data, node.beta.data];
    default:
      return [];
  }
}

/** Copies the model's parameters into the flat array, in the graph's slot order (the model's node order). */
function writeParams(graph: TrainGraph, model: Model, params: Float32Array): void {
  const tensors = model.nodes.flatMap(paramTensors);
  graph.params.forEach((slot, i) => params.set(tensors[i]!, slot.offset));
}

/** The model with the trained parameters and the norm layers' running statistics. */
function trainedModel(model: Model, graph: TrainGraph, params: Float32Array, norms: ReadonlyMap<string, NormState>): Model {
  const bySlot = new Map(graph.params.map((s) => [s.name, Float32Array.from(params.subarray(s.offset, s.offset + s.length))]));
  const nodes = model.nodes.map((node): ModelNode => {
    switch (node.kind) {
      case 'conv2d':
      case 'linear':
        return {
          ...node,
          weight: { shape: node.weight.shape, data: bySlot.get(`${node.name}.weight`)! },
          bias: node.bias ? { shape: node.bias.shape, data: bySlot.get(`${node.name}.bias`)! } : null,
        };
      case 'norm': {
        const st = norms.get(node.name)!;
        return {
          ...node,
          gamma: { shape: node.gamma.shape, data: bySlot.get(`${node.name}.gamma`)! },
          beta: { shape: node.beta.shape, data: bySlot.get(`${node.name}.beta`)! },
          mean: { shape: node.mean.shape, data: Float32Array.from(st.runMean) },
          variance: { shape: node.variance.shape, data: Float32Array.from(st.runVar) },
        };
      }
      case 'lif':
        return node.threshold.kind === 'ots' ? { ...node, threshold: { ...node.threshold, frozen: null } } : node;
      default:
        return node;
    }
  });
  return { ...model, nodes };
}
