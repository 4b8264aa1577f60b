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
   * destination's column on the source's row alone. Routes of one group share a north-south link class per source
   * row, charged once per step for all their spikes; class k's link runs (MeshLinks.northSouthRunsOf over every
   * destination) are in [linkStart[k], linkStart[k + 1]).
   */
  readonly northSouthClass: Int32Array;
  readonly linkStart: Int32Array;
  readonly linkSlot: Int32Array;
  readonly linkWeight: Int32Array;
  /**
   * East-west, per (group, source row): the source tiles' columns of its routes, ascending, in
   * [rowSourceStart[k], rowSourceStart[k + 1]), each with right - left (the group's destination cores beyond its
   * column and before it); the step's spikes of each are charged by MeshLinks.addEastWestRow with the group's
   * destination columns, ascending, in [groupDestStart[g], groupDestStart[g + 1]), and the cores in each.
   * eastWestSource: each route's source entry (its group, source row and column); sourceRow: each entry's row k.
   */
  readonly eastWestSource: Int32Array;
  readonly sourceRow: Int32Array;
  readonly sourceColumn: Int32Array;
  readonly sourceWeight: Int32Array;
  readonly rowSourceStart: Int32Array;
  readonly rowY: Int32Array;
  readonly rowGroup: Int32Array;
  readonly groupDestStart: Int32Array;
  readonly destColumn: Int32Array;
  readonly destCores: Int32Array;
  /** Scratch per step: spikes per east-west source and row, and the rows that got any. */
  readonly sourceSpikes: Int32Array;
  readonly rowSpikes: Int32Array;
  readonly touchedRows: Int32Array;
  /** Scratch per step: spikes on each route and each link class, and the ones that got any in the order of their first spike. */
  readonly spikes: Int32Array;
  readonly touched: Int32Array;
  readonly classSpikes: Int32Array;
  readonly touchedClasses: Int32Array;
}

export function buildSpikeRoutes(runtime: ProgramRuntime, source: LayerRuntime, layer: LayerRuntime, links: MeshLinks): SpikeRoutes {
  const { coreX, coreY } = runtime;
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
  const rows = runtime.spec.mesh.heightTiles;
  const classIndex = new Map<number, number>();
  const northSouthClass = new Int32Array(count);
  /** Per class: a route of it. */
  const classRoutes: number[] = [];
  const classOf = (key: number, route: number) => {
    let k = classIndex.get(key);
    if (k === undefined) {
      k = classRoutes.length;
      classIndex.set(key, k);
      classRoutes.push(route);
    }
    return k;
  };
  for (let r = 0; r < count; r++) northSouthClass[r] = classOf(groups[r]! * rows + coreY[sources[r]!]!, r);
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
      links.northSouthRunsOf(coreY[src]!, coreX[core]!, coreY[core]!, runs);
    }
    for (const [slot, weight] of runs) {
      if (weight === 0) continue;
      slots.push(slot);
      weights.push(weight);
    }
    routes.linkStart[k + 1] = slots.length;
  }
  return { ...routes, linkSlot: Int32Array.from(slots), linkWeight: Int32Array.from(weights), ...eastWestRows(runtime, layer, groups, sources) };
}

/** The east-west sources and destinations of routes (group, source core) onto a layer's groups (SpikeRoutes). */
function eastWestRows(runtime: ProgramRuntime, layer: LayerRuntime, groups: readonly number[], sources: readonly number[]) {
  const { coreX, coreY } = runtime;
  const groupCount = layer.groupCoreStart.length - 1;
  // Per group, its destination cores per column, ascending.
  const groupDestStart = new Int32Array(groupCount + 1);
  const destColumns: number[] = [];
  const destCores: number[] = [];
  for (let g = 0; g < groupCount; g++) {
    const perColumn = new Map<number, number>();
    for (let j = layer.groupCoreStart[g]!; j < layer.groupCoreStart[g + 1]!; j++) {
      const x = coreX[layer.groupCore[j]!]!;
      perColumn.set(x, (perColumn.get(x) ?? 0) + 1);
    }
    for (const x of [...perColumn.keys()].sort((a, b) => a - b)) {
      destColumns.push(x);
      destCores.push(perColumn.get(x)!);
    }
    groupDestStart[g + 1] = destColumns.length;
  }
  // Per (group, source row), its routes' source columns, ascending.
  const rowOf = new Map<number, { group: number; y: number; columns: Set<number> }>();
  const rows = runtime.spec.mesh.heightTiles;
  for (let r = 0; r < groups.length; r++) {
    const key = groups[r]! * rows + coreY[sources[r]!]!;
    let row = rowOf.get(key);
    if (!row) rowOf.set(key, (row = { group: groups[r]!, y: coreY[sources[r]!]!, columns: new Set() }));
    row.columns.add(coreX[sources[r]!]!);
  }
  const sourceIndex = new Map<number, number>();
  const width = coreX.reduce((most, x) => Math.max(most, x + 1), 0);
  const sourceRow: number[] = [];
  const sourceColumn: number[] = [];
  const sourceWeight: number[] = [];
  const rowSourceStart = [0];
  const rowY: number[] = [];
  const rowGroup: number[] = [];
  for (const [key, { group, y, columns }] of rowOf) {
    for (const x of [...columns].sort((a, b) => a - b)) {
      sourceIndex.set(key * width + x, sourceColumn.length);
      sourceRow.push(rowY.length);
      sourceColumn.push(x);
      let weight = 0;
      for (let j = groupDestStart[group]!; j < groupDestStart[group + 1]!; j++) weight += destColumns[j]! > x ? destCores[j]! : destColumns[j]! < x ? -destCores[j]! : 0;
      sourceWeight.push(weight);
    }
    rowSourceStart.push(sourceColumn.length);
    rowY.push(y);
    rowGroup.push(group);
  }
  const eastWestSource = Int32Array.from(groups, (g, r) => sourceIndex.get((g * rows + coreY[sources[r]!]!) * width + coreX[sources[r]!]!)!);
  return {
    eastWestSource,
    sourceRow: Int32Array.from(sourceRow),
    sourceColumn: Int32Array.from(sourceColumn),
    sourceWeight: Int32Array.from(sourceWeight),
    rowSourceStart: Int32Array.from(rowSourceStart),
    rowY: Int32Array.from(rowY),
    rowGroup: Int32Array.from(rowGroup),
    groupDestStart,
    destColumn: Int32Array.from(destColumns),
    destCores: Int32Array.from(destCores),
    sourceSpikes: new Int32Array(sourceColumn.length),
    rowSpikes: new Int32Array(rowY.length),
    touchedRows: new Int32Array(rowY.length),
  };
}
