import type { LifNode, SpikingNeuronNode } from '../graph/model.js';
import type { ThresholdMode } from '../reference/executor.js';
import { linearSample, transposeLinearWeights } from '../reference/kernels/linear.js';
import { neuronStep } from '../reference/kernels/neuron.js';

/**
 * A spiking layer's membrane, replayed beside the reference executor from what its stage observer sees (the layer's
 * input and output spikes) with the same float32 recurrence, so NeuroBench's MembraneUpdates can compare the stored
 * membrane before and after each step. Every replayed spike is checked against the executor's: a replay that drifted
 * from the executor throws instead of counting.
 */
export interface MembraneShadow {
  /** One step over `n` = batch x neurons values; returns how many stored membranes changed (NeuroBench's count). */
  step(input: Float32Array, spikes: Float32Array, n: number, t: number): number;
}

/** null when the membrane cannot be replayed: OTS thresholds recomputed from batch statistics (--thresholds dynamic). */
export function membraneShadow(node: LifNode | SpikingNeuronNode, size: number, mode: ThresholdMode): MembraneShadow | null {
  if (node.kind === 'lif') {
    const th = node.threshold;
    if (th.kind === 'ots' && (mode === 'dynamic' || !th.frozen)) return null;
    const thetaAt = (t: number): number => (th.kind === 'fixed' ? th.value : th.frozen![t]!);
    return lifShadow(node, thetaAt);
  }
  return neuronShadow(node, size);
}

function lifShadow(node: LifNode, thetaAt: (t: number) => number): MembraneShadow {
  let u = new Float32Array(0);
  const f = Math.fround;
  return {
    step(input, spikes, n, t) {
      if (u.length < n) u = new Float32Array(n);
      if (t === 0) u.fill(0, 0, n);
      const theta = thetaAt(t);
      let changed = 0;
      for (let i = 0; i < n; i++) {
        const before = u[i]!;
        const charged = f(f(before * node.decay) + input[i]!);
        const fired = spikes[i] !== 0;
        if (fired !== charged >= theta) throw driftError(node.name, t, i);
        const after = fired ? (node.reset === 'subtract' ? f(charged - theta) : 0) : charged;
        u[i] = after;
        if (after !== before) changed++;
      }
      return changed;
    },
  };
}

function neuronShadow(node: SpikingNeuronNode, size: number): MembraneShadow {
  let v = new Float32Array(0);
  let current = new Float32Array(0);
  let drive = new Float32Array(0);
  let previous = new Float32Array(0);
  let before = new Float32Array(0);
  const recurrent = node.recurrent;
  const weights = recurrent ? transposeLinearWeights(recurrent.weight.data, size, size) : null;
  const acc = new Float64Array(size);
  const f = Math.fround;
  return {
    step(input, spikes, n, t) {
      if (v.length < n) {
        v = new Float32Array(n);
        current = new Float32Array(n);
        drive = new Float32Array(n);
        previous = new Float32Array(n);
        before = new Float32Array(n);
      }
      if (t === 0) {
        v.fill(0, 0, n);
        current.fill(0, 0, n);
        previous.fill(0, 0, n);
      }
      if (weights) {
        for (let b = 0; b < n / size; b++) linearSample(previous, b * size, weights, recurrent!.bias?.data ?? null, size, size, acc, drive, b * size);
        for (let k = 0; k < n; k++) drive[k] = drive[k]! + input[k]!;
      } else {
        drive.set(input.subarray(0, n));
      }
      let changed = 0;
      before.set(v.subarray(0, n));
      neuronStep(v, current, drive, n, node.dynamics);
      for (let i = 0; i < n; i++) {
        const charged = v[i]!;
        const fired = spikes[i] !== 0;
        if (fired !== charged >= node.threshold) throw driftError(node.name, t, i);
        if (fired) v[i] = node.reset === 'subtract' ? f(charged - node.threshold) : 0;
        if (v[i] !== before[i]) changed++;
      }
      if (weights) previous.set(spikes.subarray(0, n));
      return changed;
    },
  };
}

function driftError(layer: string, t: number, index: number): Error {
  return new Error(
    `NeuroBench membrane replay of layer ${layer} disagrees with the reference executor at step ${t}, value ${index}: the executor's neuron update changed; update models/metrics/membrane-shadow.ts with it`,
  );
}
