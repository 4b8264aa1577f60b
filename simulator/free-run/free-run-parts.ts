import type { CoreCounters } from '../counters.js';
import type { LayerRuntime } from '../runtime.js';

export interface FreeRunResult {
  readonly steps: number;
  readonly neurons: number;
  readonly spikes: number;
  /** Synaptic events: every spike times the synapses of its row. */
  readonly synapticEvents: number;
  /** Time of the step loop alone (network building excluded), as the C baseline measures it. */
  readonly seconds: number;
  readonly counters: CoreCounters;
}

/**
 * Targets and int8 weights in one 32-bit word each (target << 8 | weight & 0xff), as snn.c's packed mode: one
 * load per synapse. Null when a weight needs more than 8 bits or a target more than 24.
 */
export function packSynapses(targets: Int32Array, weights: Int32Array, neurons: number): Int32Array | null {
  if (neurons > 2 ** 24) return null;
  const packed = new Int32Array(targets.length);
  for (let k = 0; k < targets.length; k++) {
    const w = weights[k]!;
    if (w < -128 || w > 127) return null;
    packed[k] = (targets[k]! << 8) | (w & 0xff);
  }
  return packed;
}

export function chargeSynapticOps(layer: LayerRuntime, delivered: ArrayLike<number>, counters: CoreCounters): void {
  for (let axon = 0; axon < delivered.length; axon++) {
    const times = delivered[axon]!;
    if (times === 0) continue;
    const group = layer.axonGroup[axon]!;
    for (let j = layer.groupCoreStart[group]!, end = layer.groupCoreStart[group + 1]!; j < end; j++) {
      const core = layer.groupCore[j]!;
      counters.synapticOps[core] = counters.synapticOps[core]! + times * layer.groupCoreSynapses[j]!;
    }
  }
}
