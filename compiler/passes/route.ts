import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import type { CoreSlice, PlacedCore, Placement, QuantizedLayer } from '../stages.js';
import { diagonal, layerField, readSourcePositions, receptiveField } from '../usage.js';

export interface CoreRoute {
  readonly destinationCore: number;
  readonly hopsEastWest: number;
  readonly hopsNorthSouth: number;
  readonly chipCrossings: number;
  /** Source neurons (or partial sums) of this core that reach the destination. */
  readonly fanOut: number;
  readonly multicast: boolean;
}

export interface RoutedCore extends PlacedCore {
  readonly routes: readonly CoreRoute[];
  /** Output axon slots: one per (neuron, destination core), or one per neuron where the mesh multicasts. */
  readonly outputAxons: number;
  /** Input axons counted from the sources that actually reach this core. */
  readonly sourceAxons: number;
}

/**
 * route: for every core, the cores its spikes (or partial sums) must reach, with the dimension-order route
 * (east-west first, then north-south) each packet takes and how many connections it carries.
 * Reference: DESIGN.md section 4 (route) and section 5 (dimension-order routing).
 */
export function route(placement: Placement, spec: ChipSpec): RoutedCore[] {
  const { network } = placement.partition;
  const byLayer = new Map<number, PlacedCore[]>();
  const somaByBox = new Map<string, PlacedCore>();
  for (const core of placement.cores) {
    const list = byLayer.get(core.slice.layer) ?? [];
    list.push(core);
    byLayer.set(core.slice.layer, list);
    if (core.slice.role === 'soma') somaByBox.set(boxKey(core.slice), core);
  }
  const sourceAxons = new Map<number, number>();
  const readers = readersOf(network.layers, byLayer);
  // A target core's receptive field, computed once instead of once per source core that reaches it.
  const fieldsByReader = new Map<QuantizedLayer, Map<CoreSlice, ReceptiveField>>();
  const fieldsOf = (next: QuantizedLayer) => fieldsByReader.get(next) ?? fieldsByReader.set(next, new Map()).get(next)!;
  const routed = placement.cores.map((core) => {
    const routes: CoreRoute[] = [];
    let outputAxons = 0;
    const s = core.slice;
    if (s.role === 'partial') {
      const soma = somaByBox.get(boxKey(s))!;
      routes.push(hop(core, soma, boxSize(s), false, spec));
      outputAxons = boxSize(s);
    } else {
      for (const { layer: next, cores } of readers[s.layer] ?? []) {
        const fields = fieldsOf(next);
        for (const target of candidateTargets(s, next, targetIndex(cores))) {
          const fanOut = connections(s, target.slice, next, fields);
          if (fanOut === 0) continue;
          routes.push(hop(core, target, fanOut, spec.mesh.multicast, spec));
          if (next.geometry.kind === 'conv') {
            const shared = overlap(s.channels, target.slice.fanIn);
            sourceAxons.set(target.id, (sourceAxons.get(target.id) ?? 0) + shared);
          }
        }
        if (spec.mesh.multicast) outputAxons += reachingNeurons(s, next);
      }
      if (!spec.mesh.multicast) outputAxons = routes.reduce((n, r) => n + r.fanOut, 0);
    }
    return { ...core, routes, outputAxons, sourceAxons: 0 };
  });
  return routed.map((core) => ({ ...core, sourceAxons: sourceAxons.get(core.id) ?? 0 }));
}

/**
 * Who reads each layer's spikes: the layers whose main synapses read it (all their cores), and the branches that
 * read it (as a layer over the branch's source, held in full by the reader's soma cores). A chain's layer L is
 * read by layer L+1 alone.
 */
function readersOf(layers: readonly QuantizedLayer[], byLayer: ReadonlyMap<number, PlacedCore[]>): { layer: QuantizedLayer; cores: PlacedCore[] }[][] {
  const readers: { layer: QuantizedLayer; cores: PlacedCore[] }[][] = layers.map(() => []);
  layers.forEach((layer, index) => {
    const cores = byLayer.get(index) ?? [];
    if (layer.source >= 0) readers[layer.source]!.push({ layer, cores });
    for (const b of layer.branches) {
      const view: QuantizedLayer = { ...layer, geometry: b.geometry, pooling: b.pooling, sourceShape: b.sourceShape, weights: b.weights, source: b.source, branches: [] };
      const width = b.geometry.kind === 'conv' ? b.geometry.inChannels : b.geometry.inFeatures;
      // A diagonal branch (an identity shortcut) reads each core's own channels only.
      const own = diagonal(view);
      const holders = cores.filter((c) => c.slice.role === 'soma').map((c) => ({ ...c, slice: { ...c.slice, fanIn: own ? c.slice.channels : ([0, width] as const) } }));
      readers[b.source]!.push({ layer: view, cores: holders });
    }
  });
  return readers;
}

/** The next layer's cores grouped by their row and column ranges, so a source core visits only nearby ones. */
interface TargetIndex {
  readonly rows: readonly (readonly [number, number])[];
  readonly cols: readonly (readonly [number, number])[];
  /** tiles[r][c]: the cores whose ranges are rows[r] and cols[c], in placement order. */
  readonly tiles: readonly (readonly (readonly PlacedCore[])[])[];
  readonly all: readonly PlacedCore[];
}

const indexCache = new WeakMap<readonly PlacedCore[], TargetIndex>();

function targetIndex(cores: readonly PlacedCore[]): TargetIndex {
  const cached = indexCache.get(cores);
  if (cached) return cached;
  const rowIndex = new Map<number, number>();
  const colIndex = new Map<number, number>();
  const rows: (readonly [number, number])[] = [];
  const cols: (readonly [number, number])[] = [];
  const byTile = new Map<string, PlacedCore[]>();
  for (const core of cores) {
    // A later core with the same start overwrites the range, as the tile lists below are keyed by starts alone.
    if (!rowIndex.has(core.slice.rows[0])) rowIndex.set(core.slice.rows[0], rows.push(core.slice.rows) - 1);
    else rows[rowIndex.get(core.slice.rows[0])!] = core.slice.rows;
    if (!colIndex.has(core.slice.cols[0])) colIndex.set(core.slice.cols[0], cols.push(core.slice.cols) - 1);
    else cols[colIndex.get(core.slice.cols[0])!] = core.slice.cols;
    const key = `${core.slice.rows[0]},${core.slice.cols[0]}`;
    const list = byTile.get(key) ?? [];
    list.push(core);
    byTile.set(key, list);
  }
  const tiles = rows.map((r) => cols.map((c) => byTile.get(`${r[0]},${c[0]}`) ?? []));
  // Dense readers take every core, tile by tile in the order the tiles first appeared.
  const index = { rows, cols, tiles, all: [...byTile.values()].flat() };
  indexCache.set(cores, index);
  return index;
}

/** Cores of the next layer whose output rows and columns a source box can reach through the kernel. */
function candidateTargets(source: CoreSlice, next: QuantizedLayer, index: TargetIndex): readonly PlacedCore[] {
  const g = next.geometry;
  if (g.kind !== 'conv') return index.all;
  const [ps, qs] = next.pooling ? next.pooling.stride : [1, 1];
  const reach = (begin: number, end: number, pool: number, stride: number, pad: number, k: number): [number, number] => {
    const first = Math.floor(begin / pool);
    const last = Math.floor((end - 1) / pool);
    return [Math.ceil((first + pad - k + 1) / stride), Math.floor((last + pad) / stride) + 1];
  };
  const rowReach = reach(source.rows[0], source.rows[1], ps, g.stride[0], g.padding[0], g.kernel[0]);
  const colReach = reach(source.cols[0], source.cols[1], qs, g.stride[1], g.padding[1], g.kernel[1]);
  const out: PlacedCore[] = [];
  for (let r = 0; r < index.rows.length; r++) {
    if (overlap(index.rows[r]!, rowReach) === 0) continue;
    for (let c = 0; c < index.cols.length; c++) {
      if (overlap(index.cols[c]!, colReach) === 0) continue;
      for (const core of readersOfChannels(index.tiles[r]![c]!, source.channels)) out.push(core);
    }
  }
  return out;
}

const channelReadersCache = new WeakMap<readonly PlacedCore[], Map<number, readonly PlacedCore[]>>();

/**
 * The cores of a tile whose fan-in overlaps a source's channels, in tile order; a layer's sources share a few
 * channel ranges, so each tile filters each range once (ResNet-19 visits tiles millions of times).
 */
function readersOfChannels(tile: readonly PlacedCore[], channels: readonly [number, number]): readonly PlacedCore[] {
  let byChannels = channelReadersCache.get(tile);
  if (!byChannels) channelReadersCache.set(tile, (byChannels = new Map()));
  // A layer has at most 2^24 values (MODEL_LIMITS.layerValues), so the pair packs into one exact, unique number.
  const key = channels[0] * 2 ** 25 + channels[1];
  let readers = byChannels.get(key);
  if (!readers) byChannels.set(key, (readers = tile.filter((core) => overlap(channels, core.slice.fanIn) > 0)));
  return readers;
}

type ReceptiveField = ReturnType<typeof receptiveField>;

function boxKey(s: CoreSlice): string {
  return `${s.layer}:${s.channels[0]}-${s.channels[1]}:${s.rows[0]}-${s.rows[1]}:${s.cols[0]}-${s.cols[1]}`;
}

function overlap(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
}

/** Source rows (or columns) in [begin, end) whose pooled index lies in [pooledBegin, pooledEnd). */
function pooledOverlap(range: readonly [number, number], stride: number, pooledBegin: number, pooledEnd: number): number {
  return overlap(range, [pooledBegin * stride, pooledEnd * stride]);
}

/**
 * Source neurons of `source` (a box of layer L's neurons) that feed `target` (a core of layer L+1): their channel
 * is in the target's fan-in and their (pooled) position is one some kernel window of the target reads, as the
 * simulator's runtime sends them. Counted in closed form.
 */
function connections(source: CoreSlice, target: CoreSlice, next: QuantizedLayer, fields: Map<CoreSlice, ReceptiveField>): number {
  const pool = next.pooling;
  const [ps, qs] = pool ? pool.stride : [1, 1];
  const grid = pool ? pool.pooledShape : next.sourceShape;
  if (next.geometry.kind === 'conv') {
    const channels = overlap(source.channels, target.fanIn);
    if (channels === 0) return 0;
    const field = fields.get(target) ?? fields.set(target, receptiveField(next, target)).get(target)!;
    const rows = readSourcePositions(field.rows, source.rows, ps);
    if (rows === 0) return 0;
    return channels * rows * readSourcePositions(field.cols, source.cols, qs);
  }
  let count = 0;
  const [f0, f1] = target.fanIn;
  for (let c = source.channels[0]; c < source.channels[1]; c++) {
    for (let py = Math.floor(source.rows[0] / ps); py < Math.min(grid[1], Math.ceil(source.rows[1] / ps)); py++) {
      const base = (c * grid[1] + py) * grid[2];
      const first = Math.max(0, f0 - base);
      const last = Math.min(grid[2], f1 - base);
      if (last <= first) continue;
      const rows = pooledOverlap(source.rows, ps, py, py + 1);
      count += rows * pooledOverlap(source.cols, qs, first, last);
    }
  }
  return count;
}

/**
 * Neurons of a box that reach any core of the next layer: all but those a floor-rounding pool drops and, before a
 * conv, those at positions no kernel window reads (between windows when stride > kernel, past the last one).
 */
function reachingNeurons(source: CoreSlice, next: QuantizedLayer): number {
  const pool = next.pooling;
  const [ps, qs] = pool ? pool.stride : [1, 1];
  const channels = source.channels[1] - source.channels[0];
  if (next.geometry.kind === 'conv') {
    const field = layerField(next);
    return channels * readSourcePositions(field.rows, source.rows, ps) * readSourcePositions(field.cols, source.cols, qs);
  }
  const grid = pool ? pool.pooledShape : next.sourceShape;
  return channels * pooledOverlap(source.rows, ps, 0, grid[1]) * pooledOverlap(source.cols, qs, 0, grid[2]);
}

function boxSize(s: CoreSlice): number {
  return (s.channels[1] - s.channels[0]) * (s.rows[1] - s.rows[0]) * (s.cols[1] - s.cols[0]);
}

function hop(from: PlacedCore, to: PlacedCore, fanOut: number, multicast: boolean, spec: ChipSpec): CoreRoute {
  const width = spec.mesh.widthTiles;
  return {
    destinationCore: to.id,
    hopsEastWest: Math.abs(to.chip * width + to.tileX - (from.chip * width + from.tileX)),
    hopsNorthSouth: Math.abs(to.tileY - from.tileY),
    chipCrossings: Math.abs(to.chip - from.chip),
    fanOut,
    multicast,
  };
}
