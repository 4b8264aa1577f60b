import type { MeshLinks } from './mesh-links.js';
import type { LayerRuntime, ProgramRuntime } from './runtime.js';

/**
 * The mesh traffic of one layer's incoming spikes, per route: a (destination group, source core) pair. Every spike
 * of a route sends the same packets over the same links to the same cores (the axons of a group share their
 * destination cores, LayerRuntime.axonGroup), so a step counts spikes per route and charges each route once, times
 * its count, and each destination group once for the synaptic ops and messages its cores receive. Precomputed once
 * per layer from the groups' destination cores and the tile coordinates.
 */
export interface SpikeRoutes {
  /** Route of every source neuron; -1 for a neuron pooled away. */
  readonly routeOfSource: Int32Array;
  readonly group: Int32Array;
  /** Per destination group: its synapses over all its cores (the synaptic ops of one spike into it). */
  readonly groupSynapses: Float64Array;
  readonly sourceCore: Int32Array;
  /** Packets the source core sends per spike: one with multicast, else one per destination core. */
  readonly messagesOut: Int32Array;
  /** Destination cores on the source's own tile, and the hops to all destinations, per spike. */
  readonly withinTile: Int32Array;
  readonly hopsEastWest: Int32Array;
  readonly hopsNorthSouth: Int32Array;
  /** The first destination (in the group's core order) with the most hops: the route's contribution to the step's longest. */
  readonly longestEastWest: Int32Array;
  readonly longestNorthSouth: Int32Array;
  /**
   * The links a spike loads depend on its source tile, not core, and dimension-order routing splits them in two:
   * the east-west runs along the source's row depend on the source tile, the north-south runs along each
   * destination's column on the source's row alone. Routes of one group share an east-west link class per source
   * tile and a north-south one per source row, each charged once per step for all their spikes. Class k's link
   * runs (MeshLinks.eastWestRunsOf or northSouthRunsOf over every destination) are in [linkStart[k], linkStart[k + 1]).
   */
  readonly eastWestClass: Int32Array;
  readonly northSouthClass: Int32Array;
  readonly linkStart: Int32Array;
  readonly linkSlot: Int32Array;
  readonly linkWeight: Int32Array;
  /** Scratch per step: spikes on each route and each link class, and the ones that got any in the order of their first spike. */
  readonly spikes: Int32Array;
  readonly touched: Int32Array;
  readonly classSpikes: Int32Array;
  readonly touchedClasses: Int32Array;
}

export function buildSpikeRoutes(runtime: ProgramRuntime, source: LayerRuntime, layer: LayerRuntime, links: MeshLinks): SpikeRoutes {
  const { coreX, coreY, coreTile } = runtime;
  const multicast = runtime.spec.mesh.multicast;
  const cores = runtime.program.cores.length;
  const index = new Map<number, number>();
  const routeOfSource = new Int32Array(source.neurons).fill(-1);
  const groups: number[] = [];
  const sources: number[] = [];
  for (let neuron = 0; neuron < source.neurons; neuron++) {
    const axon = layer.axonOf[neuron]!;
    if (axon < 0) continue;
    const group = layer.axonGroup[axon]!;
    const key = group * cores + source.coreOfNeuron[neuron]!;
    let route = index.get(key);
    if (route === undefined) {
      route = groups.length;
      index.set(key, route);
      groups.push(group);
      sources.push(source.coreOfNeuron[neuron]!);
    }
    routeOfSource[neuron] = route;
  }
  const count = groups.length;
  const groupCount = layer.groupCoreStart.length - 1;
  const tiles = coreTile.reduce((most, t) => Math.max(most, t + 1), 0);
  const rows = runtime.spec.mesh.heightTiles;
  const classIndex = new Map<number, number>();
  const eastWestClass = new Int32Array(count);
  const northSouthClass = new Int32Array(count);
  /** Per class: a route of it, and whether it holds the east-west runs (else the north-south ones). */
  const classRoutes: number[] = [];
  const classEastWest: boolean[] = [];
  const classOf = (key: number, route: number, eastWest: boolean) => {
    let k = classIndex.get(key);
    if (k === undefined) {
      k = classRoutes.length;
      classIndex.set(key, k);
      classRoutes.push(route);
      classEastWest.push(eastWest);
    }
    return k;
  };
  for (let r = 0; r < count; r++) {
    // Keys: 2 * (group, tile) for east-west, 2 * (group, row) + 1 for north-south.
    eastWestClass[r] = classOf(2 * (groups[r]! * tiles + coreTile[sources[r]!]!), r, true);
    northSouthClass[r] = classOf(2 * (groups[r]! * rows + coreY[sources[r]!]!) + 1, r, false);
  }
  const classes = classRoutes.length;
  const routes = {
    routeOfSource,
    group: Int32Array.from(groups),
    groupSynapses: new Float64Array(groupCount),
    sourceCore: Int32Array.from(sources),
    messagesOut: new Int32Array(count),
    withinTile: new Int32Array(count),
    hopsEastWest: new Int32Array(count),
    hopsNorthSouth: new Int32Array(count),
    longestEastWest: new Int32Array(count),
    longestNorthSouth: new Int32Array(count),
    eastWestClass,
    northSouthClass,
    linkStart: new Int32Array(classes + 1),
    linkSlot: new Int32Array(0),
    linkWeight: new Int32Array(0),
    spikes: new Int32Array(count),
    touched: new Int32Array(count),
    classSpikes: new Int32Array(classes),
    touchedClasses: new Int32Array(classes),
  };
  for (let group = 0; group < groupCount; group++) {
    for (let j = layer.groupCoreStart[group]!; j < layer.groupCoreStart[group + 1]!; j++) routes.groupSynapses[group] = routes.groupSynapses[group]! + layer.groupCoreSynapses[j]!;
  }
  for (let r = 0; r < count; r++) {
    const src = sources[r]!;
    const begin = layer.groupCoreStart[groups[r]!]!;
    const end = layer.groupCoreStart[groups[r]! + 1]!;
    routes.messagesOut[r] = multicast ? Math.min(1, end - begin) : end - begin;
    for (let j = begin; j < end; j++) {
      const core = layer.groupCore[j]!;
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
  const slots: number[] = [];
  const weights: number[] = [];
  const runs = new Map<number, number>();
  for (let k = 0; k < classes; k++) {
    const r = classRoutes[k]!;
    const src = sources[r]!;
    runs.clear();
    for (let j = layer.groupCoreStart[groups[r]!]!, end = layer.groupCoreStart[groups[r]! + 1]!; j < end; j++) {
      const core = layer.groupCore[j]!;
      if (classEastWest[k]) links.eastWestRunsOf(coreX[src]!, coreY[src]!, coreX[core]!, runs);
      else links.northSouthRunsOf(coreY[src]!, coreX[core]!, coreY[core]!, runs);
    }
    for (const [slot, weight] of runs) {
      if (weight === 0) continue;
      slots.push(slot);
      weights.push(weight);
    }
    routes.linkStart[k + 1] = slots.length;
  }
  return { ...routes, linkSlot: Int32Array.from(slots), linkWeight: Int32Array.from(weights) };
}
