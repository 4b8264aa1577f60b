import type { Model, ModelNode } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { elementCount } from '../graph/tensor.js';
import type { StageObserver, ThresholdMode } from '../reference/executor.js';
import { membraneShadow, type MembraneShadow } from './membrane-shadow.js';
import { recurrentReach, synapticReach, type SynapticReach } from './synaptic-reach.js';

/** NeuroBench 2.3.0's workload metrics, per sample, averaged as its WorkloadMetricManager averages them. */
export interface WorkloadMetrics {
  /** Zero outputs over all outputs of the spiking layers; per batch, weighted by batch size / samples and summed. */
  readonly activationSparsity: number;
  /** Per sample, all T steps: MAC when a layer call's input holds any value outside {-1, 0, 1}, else AC. */
  readonly synapticOperations: { readonly effectiveMACs: number; readonly effectiveACs: number; readonly dense: number };
  /** Per sample: neurons whose stored float32 membrane changed at a step (every neuron at the first); null if unknown. */
  readonly membraneUpdates: number | null;
}

/**
 * One batch's counts before they are averaged, or those of a part of the batch (its samples run in another thread):
 * the parts of a batch add up to the batch's own counts (mergeBatchWorkloads), so a batch split over threads counts
 * as it does whole. Every run makes the same layer calls in the same order, whatever its samples.
 */
export interface BatchWorkload {
  readonly samples: number;
  /** Per layer call, in the order they were made: effective synaptic ops over the batch. */
  readonly ops: number[];
  /** Per layer call: true when every nonzero input was -1 or 1 (then the call's ops are ACs, else MACs). */
  readonly spikesOnly: boolean[];
  dense: number;
  zeros: number;
  outputs: number;
  membraneUpdates: number;
}

function emptyBatch(samples: number): BatchWorkload {
  return { samples, ops: [], spikesOnly: [], dense: 0, zeros: 0, outputs: 0, membraneUpdates: 0 };
}

/** The counts of a batch from those of its parts (any order: every count is an integer sum, or all of). */
export function mergeBatchWorkloads(parts: readonly BatchWorkload[]): BatchWorkload {
  const merged = emptyBatch(parts.reduce((n, p) => n + p.samples, 0));
  parts.forEach((part, k) => {
    part.ops.forEach((ops, i) => {
      merged.ops[i] = (k === 0 ? 0 : merged.ops[i]!) + ops;
      merged.spikesOnly[i] = (k === 0 ? true : merged.spikesOnly[i]!) && part.spikesOnly[i]!;
    });
    merged.dense += part.dense;
    merged.zeros += part.zeros;
    merged.outputs += part.outputs;
    merged.membraneUpdates += part.membraneUpdates;
  });
  return merged;
}

interface ConnectionLayer {
  readonly reach: SynapticReach;
  readonly inSize: number;
}

interface SpikingLayer {
  readonly size: number;
  readonly shadow: MembraneShadow | null;
  /** A recurrent edge's reach; its call at step t reads the spikes of step t-1 (all zero at t = 0). */
  readonly recurrent: SynapticReach | null;
}

/**
 * Counts NeuroBench's workload metrics from the float reference's stage observer: pass `observe` as the onStage of
 * ReferenceExecutor.run for every batch of a data set of `samples` samples, then read `result()`. As in NeuroBench,
 * the MAC/AC choice is taken per layer call over the whole batch, so it matches NeuroBench's at the same batch size.
 */
export class WorkloadCollector {
  private readonly connections = new Map<number, ConnectionLayer>();
  private readonly spiking = new Map<number, SpikingLayer>();
  private readonly lastStage: number;
  private readonly timesteps: number;
  private macs = 0;
  private acs = 0;
  private dense = 0;
  private membraneUpdates = 0;
  private readonly membraneKnown: boolean;
  private current = emptyBatch(0);
  private sparsity = 0;
  private seen = 0;

  constructor(
    model: Model,
    private readonly samples: number,
    mode: ThresholdMode,
    /** Where each batch's counts go when they are not absorbed here (a part of a batch in a worker thread). */
    private readonly handOver?: (batch: BatchWorkload) => void,
  ) {
    inferShapes(model).forEach(({ node, inputShape, outputShape }, index) => {
      const reach = synapticReach(node, inputShape, outputShape);
      if (reach) this.connections.set(index, { reach, inSize: elementCount(inputShape) });
      if (isSpiking(node)) {
        const size = elementCount(outputShape);
        const recurrent = node.kind === 'spiking-neuron' && node.recurrent ? recurrentReach(node.recurrent.weight.data, size) : null;
        this.spiking.set(index, { size, shadow: membraneShadow(node, size, mode), recurrent });
      }
    });
    this.lastStage = model.nodes.length - 1;
    this.timesteps = model.timesteps;
    this.membraneKnown = [...this.spiking.values()].every((l) => l.shadow !== null);
  }

  readonly observe: StageObserver = (index, _node, input, output, batch, t) => {
    const connection = this.connections.get(index);
    if (connection) this.countSynapticOps(connection, input, batch);
    const layer = this.spiking.get(index);
    if (layer) {
      this.countActivations(layer, input, output, batch, t);
      if (layer.recurrent) this.countRecurrentOps(layer.recurrent, layer.size, output, batch, t);
    }
    if (index === this.lastStage && t === this.timesteps - 1) this.endBatch(batch);
  };

  result(): WorkloadMetrics {
    const n = this.seen;
    return {
      activationSparsity: this.sparsity,
      synapticOperations: { effectiveMACs: n ? this.macs / n : 0, effectiveACs: n ? this.acs / n : 0, dense: n ? this.dense / n : 0 },
      membraneUpdates: !this.membraneKnown ? null : n ? this.membraneUpdates / n : 0,
    };
  }

  /** Adds one batch's counts (in batch order: the sparsity is a float sum), as observing the batch would. */
  absorb(batch: BatchWorkload): void {
    batch.ops.forEach((ops, i) => {
      if (batch.spikesOnly[i]) this.acs += ops;
      else this.macs += ops;
    });
    this.dense += batch.dense;
    this.membraneUpdates += batch.membraneUpdates;
    const sparsity = batch.outputs === 0 ? 0 : batch.zeros / batch.outputs;
    // NeuroBench's manager: results[name] += (result * batch_size) / dataset_len, in this order.
    this.sparsity += (sparsity * batch.samples) / this.samples;
    this.seen += batch.samples;
  }

  private countSynapticOps({ reach, inSize }: ConnectionLayer, input: Float32Array, batch: number): void {
    const effective = reach.effective;
    let ops = 0;
    let spikes = true;
    for (let b = 0; b < batch; b++) {
      const base = b * inSize;
      for (let i = 0; i < inSize; i++) {
        const v = input[base + i]!;
        if (v === 0) continue;
        if (v !== 1 && v !== -1) spikes = false;
        ops += effective[i]!;
      }
    }
    this.current.ops.push(ops);
    this.current.spikesOnly.push(spikes);
    this.current.dense += reach.dense * batch;
  }

  /**
   * The recurrent call of step t+1 sees this step's spikes, so its ops are counted now; the call of step 0 (zero
   * spikes: an AC call of no effective ops) adds only its dense count, and the spikes of the last step feed no call.
   */
  private countRecurrentOps(reach: SynapticReach, size: number, spikes: Float32Array, batch: number, t: number): void {
    if (t === 0) this.current.dense += reach.dense * batch;
    if (t === this.timesteps - 1) return;
    this.countSynapticOps({ reach, inSize: size }, spikes, batch);
  }

  private countActivations(layer: SpikingLayer, input: Float32Array, output: Float32Array, batch: number, t: number): void {
    const n = batch * layer.size;
    let zeros = 0;
    for (let i = 0; i < n; i++) if (output[i] === 0) zeros++;
    this.current.zeros += zeros;
    this.current.outputs += n;
    if (layer.shadow) {
      const changed = layer.shadow.step(input, output, n, t);
      // NeuroBench counts every neuron at a batch's first step, then those whose membrane changed.
      this.current.membraneUpdates += t === 0 ? n : changed;
    }
  }

  private endBatch(batch: number): void {
    const counts = { ...this.current, samples: batch };
    this.current = emptyBatch(0);
    if (this.handOver) this.handOver(counts);
    else this.absorb(counts);
  }
}

/**
 * NeuroBench's activation layers here: the spiking neurons. A NIR leaky integrator is the read-out, left out as the
 * fixture's classifier outputs are (how an snnTorch port would wrap it is the port's choice, not NeuroBench's).
 */
function isSpiking(node: ModelNode): node is Extract<ModelNode, { kind: 'lif' | 'spiking-neuron' }> {
  return node.kind === 'lif' || node.kind === 'spiking-neuron';
}
