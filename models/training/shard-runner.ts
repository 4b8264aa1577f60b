import type { Model } from '../graph/model.js';
import { buildTrainGraph, type TrainGraph, type TrainingRule } from './network.js';
import { OnlineShard } from './online-shard.js';
import { RateShard } from './rate-shard.js';
import { CONTROL, SharedBarrier, SharedReducer } from './shared-sync.js';
import type { TrainShard } from './shard.js';

/** Everything the threads share, as SharedArrayBuffers (plain ArrayBuffers with one thread). */
export interface SharedTraining {
  readonly params: ArrayBufferLike;
  readonly grads: ArrayBufferLike;
  readonly control: ArrayBufferLike;
  readonly indices: ArrayBufferLike;
  readonly images: ArrayBufferLike;
  readonly labels: ArrayBufferLike;
  readonly reduce: ArrayBufferLike;
  readonly results: ArrayBufferLike;
  readonly reduceSlot: number;
}

export interface ShardSetup {
  readonly model: Model;
  readonly rule: TrainingRule;
  readonly lossLambda: number;
  readonly batch: number;
  readonly threads: number;
  readonly shard: number;
  readonly shared: SharedTraining;
}

/** The part of a batch a shard takes: samples [first, end) of the batch's index list. */
export function shardRange(batchCount: number, shard: number, threads: number): [number, number] {
  return [Math.floor((shard * batchCount) / threads), Math.floor(((shard + 1) * batchCount) / threads)];
}

/** Runs one shard of each batch: reads the batch's sample indices, scales its images, trains, reports. */
export class ShardRunner {
  readonly graph: TrainGraph;
  readonly shard: TrainShard;
  readonly barrier: SharedBarrier;
  readonly control: Int32Array;
  private readonly indices: Int32Array;
  private readonly images: Uint8Array;
  private readonly labels: Uint8Array;
  private readonly results: Float64Array;
  private readonly input: Float32Array;
  private readonly localLabels: Uint8Array;

  constructor(private readonly setup: ShardSetup) {
    const { shared, threads, shard, batch } = setup;
    this.graph = buildTrainGraph(setup.model, setup.rule);
    this.control = new Int32Array(shared.control);
    this.barrier = new SharedBarrier(this.control, threads);
    this.indices = new Int32Array(shared.indices);
    this.images = new Uint8Array(shared.images);
    this.labels = new Uint8Array(shared.labels);
    this.results = new Float64Array(shared.results);
    const maxCount = Math.ceil(batch / threads);
    this.input = new Float32Array(maxCount * this.graph.inputSize);
    this.localLabels = new Uint8Array(maxCount);
    const params = new Float32Array(shared.params);
    const grads = new Float64Array(shared.grads, shard * this.graph.paramCount * 8, this.graph.paramCount);
    const reducer = new SharedReducer(new Float64Array(shared.reduce), shard, threads, shared.reduceSlot, this.barrier);
    this.shard =
      setup.rule === 'osr' ? new OnlineShard(this.graph, params, grads, maxCount, setup.lossLambda, reducer) : new RateShard(this.graph, params, grads, maxCount, reducer);
  }

  runBatch(): void {
    const batchCount = this.control[CONTROL.batchCount]!;
    const [first, end] = shardRange(batchCount, this.setup.shard, this.setup.threads);
    const size = this.graph.inputSize;
    const count = end - first;
    for (let s = 0; s < count; s++) {
      const index = this.indices[first + s]!;
      this.localLabels[s] = this.labels[index]!;
      const src = index * size;
      // pixel / 255 as a float32 division, as torchvision's ToTensor does.
      for (let p = 0; p < size; p++) this.input[s * size + p] = this.images[src + p]! / 255;
    }
    const result = this.shard.runBatch({ input: this.input, labels: this.localLabels, count, batchSize: batchCount });
    this.results[this.setup.shard * 2] = result.lossSum;
    this.results[this.setup.shard * 2 + 1] = result.correct;
  }
}
