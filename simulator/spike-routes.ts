import type { LayerRuntime, ProgramRuntime } from './runtime.js';

/**
 * The mesh traffic of one layer's incoming spikes, per route: a (destination axon, source core) pair. Every spike
 * of a route sends the same packets to the same cores (the source neurons of one pooling window on one core
 * share them), so a step counts spikes per route and charges each route once, times its count. Precomputed once
 * per layer from the axon's destination cores (LayerRuntime.axonCore*) and the tile coordinates.
 */
export interface SpikeRoutes {
  /** Route of every source neuron; -1 for a neuron pooled away. */
  readonly routeOfSource: Int32Array;
  readonly axon: Int32Array;
  readonly sourceCore: Int32Array;
  /** Packets the source core sends per spike: one with multicast, else one per destination core. */
  readonly messagesOut: Int32Array;
  /** Destination cores on the source's own tile, and the hops to all destinations, per spike. */
  readonly withinTile: Int32Array;
  readonly hopsEastWest: Int32Array;
  readonly hopsNorthSouth: Int32Array;
  /** The first destination (in the axon's core order) with the most hops: the route's contribution to the step's longest. */
  readonly longestEastWest: Int32Array;
  readonly longestNorthSouth: Int32Array;
  /** Scratch per step: spikes on each route, and the routes that got any in the order of their first spike. */
  readonly spikes: Int32Array;
  readonly touched: Int32Array;
}

export function buildSpikeRoutes(runtime: ProgramRuntime, source: LayerRuntime, layer: LayerRuntime): SpikeRoutes {
  const { coreX, coreY } = runtime;
  const multicast = runtime.spec.mesh.multicast;
  const cores = runtime.program.cores.length;
  const index = new Map<number, number>();
  const routeOfSource = new Int32Array(source.neurons).fill(-1);
  const axons: number[] = [];
  const sources: number[] = [];
  for (let neuron = 0; neuron < source.neurons; neuron++) {
    const axon = layer.axonOf[neuron]!;
    if (axon < 0) continue;
    const key = axon * cores + source.coreOfNeuron[neuron]!;
    let route = index.get(key);
    if (route === undefined) {
      route = axons.length;
      index.set(key, route);
      axons.push(axon);
      sources.push(source.coreOfNeuron[neuron]!);
    }
    routeOfSource[neuron] = route;
  }
  const count = axons.length;
  const routes: SpikeRoutes = {
    routeOfSource,
    axon: Int32Array.from(axons),
    sourceCore: Int32Array.from(sources),
    messagesOut: new Int32Array(count),
    withinTile: new Int32Array(count),
    hopsEastWest: new Int32Array(count),
    hopsNorthSouth: new Int32Array(count),
    longestEastWest: new Int32Array(count),
    longestNorthSouth: new Int32Array(count),
    spikes: new Int32Array(count),
    touched: new Int32Array(count),
  };
  for (let r = 0; r < count; r++) {
    const src = sources[r]!;
    const begin = layer.axonCoreStart[axons[r]!]!;
    const end = layer.axonCoreStart[axons[r]! + 1]!;
    routes.messagesOut[r] = multicast ? Math.min(1, end - begin) : end - begin;
    for (let j = begin; j < end; j++) {
      const core = layer.axonCore[j]!;
      const dx = Math.abs(coreX[core]! - coreX[src]!);
      const dy = Math.abs(coreY[core]! - coreY[src]!);
      if (dx === 0 && dy === 0) routes.withinTile[r] = routes.withinTile[r]! + 1;
      routes.hopsEastWest[r] = routes.hopsEastWest[r]! + dx;
      routes.hopsNorthSouth[r] = routes.hopsNorthSouth[r]! + dy;
      if (dx + dy > routes.longestEastWest[r]! + routes.longestNorthSouth[r]!) {
        routes.longestEastWest[r] = dx;
        routes.longestNorthSouth[r] = dy;
      }
    }
  }
  return routes;
}
