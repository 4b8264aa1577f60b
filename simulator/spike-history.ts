import type { LayerRuntime, ProgramRuntime } from './runtime.js';

/**
 * The spikes a layer fired in its last few steps, for branches that read it late (a residual shortcut waits in
 * synaptic delays until the longer path catches up). One ring of spike lists per layer some branch reads with a
 * delay, as deep as its largest delay; allocated once, copied into once per step.
 */
export class SpikeHistory {
  private readonly lists: (Int32Array[] | null)[];
  private readonly counts: (Int32Array | null)[];

  constructor(runtime: ProgramRuntime) {
    const depth = new Int32Array(runtime.layers.length);
    for (const layer of runtime.layers) for (const b of layer.branches) depth[b.source] = Math.max(depth[b.source]!, b.delay);
    this.lists = runtime.layers.map((l, i) => (depth[i]! > 0 ? Array.from({ length: depth[i]! + 1 }, () => new Int32Array(l.neurons)) : null));
    this.counts = runtime.layers.map((_, i) => (depth[i]! > 0 ? new Int32Array(depth[i]! + 1) : null));
  }

  /** Keeps what `layer` fired at global step g (its spike list's first `fired` entries). */
  record(layer: LayerRuntime, g: number, fired: number): void {
    const lists = this.lists[layer.index];
    if (!lists) return;
    const slot = g % lists.length;
    lists[slot]!.set(layer.spikeList.subarray(0, fired));
    this.counts[layer.index]![slot] = fired;
  }

  /** The spike list `layer` fired at global step g (g >= 0 and within the ring's depth), and its length. */
  at(layer: LayerRuntime, g: number): { readonly list: Int32Array; readonly count: number } {
    const lists = this.lists[layer.index]!;
    const slot = g % lists.length;
    return { list: lists[slot]!, count: this.counts[layer.index]![slot]! };
  }
}
