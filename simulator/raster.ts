import { SimulationError } from './errors.js';
import type { ProgramRuntime } from './runtime.js';

/** Receives every layer's spikes of every global step; the engine calls it only when one is attached. */
export interface SpikeSink {
  spikes(layer: number, step: number, neurons: Int32Array, count: number): void;
}

/** Which neurons of chosen layers fired at each global step of one inference, for a spike raster. */
export interface SpikeRaster {
  /** Index of the inference in the run (the first sample). */
  readonly sample: number;
  readonly layers: readonly RasterLayer[];
}

export interface RasterLayer {
  readonly name: string;
  readonly neurons: number;
  /** [global step]: the neuron indices that fired at that step, ascending. */
  readonly steps: number[][];
}

/**
 * Records the spikes of the named layers during one inference; copies the engine's spike lists, so the
 * engine's hot loop pays one null check per layer and step when no recorder is attached.
 */
export class RasterRecorder implements SpikeSink {
  private readonly wanted: Map<number, RasterLayer>;

  constructor(
    runtime: ProgramRuntime,
    layerNames: readonly string[],
    private readonly sample: number,
  ) {
    const names = runtime.layers.map((l) => l.name);
    this.wanted = new Map();
    for (const name of rasterLayerNames(runtime.layers, layerNames)) {
      const index = names.indexOf(name);
      const layer = runtime.layers[index]!;
      this.wanted.set(index, { name, neurons: layer.neurons, steps: Array.from({ length: runtime.stepsPerInference }, () => []) });
    }
  }

  spikes(layer: number, step: number, neurons: Int32Array, count: number): void {
    const into = this.wanted.get(layer)?.steps[step];
    if (!into) return;
    for (let i = 0; i < count; i++) into.push(neurons[i]!);
  }

  result(): SpikeRaster {
    return { sample: this.sample, layers: [...this.wanted.entries()].sort((a, b) => a[0] - b[0]).map(([, layer]) => layer) };
  }
}

/** `--raster a,b` or `all`: the layers to record (`all`: every spiking layer); an unknown name is an error. */
export function rasterLayerNames(layers: readonly { readonly name: string; readonly spiking: boolean }[], option: readonly string[]): string[] {
  if (option.length === 1 && option[0] === 'all') return layers.filter((l) => l.spiking).map((l) => l.name);
  const names = layers.map((l) => l.name);
  for (const name of option) {
    if (!names.includes(name)) throw new SimulationError(`--raster ${option.join(',')}`, `no layer '${name}' in the program (layers: ${names.join(', ')}, or all)`);
  }
  return [...new Set(option)];
}
