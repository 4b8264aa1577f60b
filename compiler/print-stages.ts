import { formatInput, printLayer } from '../chips/ir/print-chip-program.js';
import { printModel } from '../models/graph/print-model.js';
import { foldedAsModel } from './float/as-model.js';
import type { LoweredNetwork } from './passes/lower-to-synapses.js';
import type { FoldedModel, FrozenModel, Partition, Placement, QuantizedNetwork, RoutedNetwork } from './stages.js';

/** The text form of each pass's output, for golden tests and for reading what a pass did. */
export function printFolded(folded: FoldedModel): string {
  return `# after fold-norm\n${printModel(foldedAsModel(folded))}`;
}

export function printFrozen(frozen: FrozenModel): string {
  const lines = frozen.nodes.flatMap((n) =>
    n.kind === 'lif' ? [`${n.name.padEnd(22)} ${n.policy.padEnd(8)} theta [${[...n.thresholds].map((v) => v.toFixed(6)).join(', ')}]`] : [],
  );
  return ['# after freeze-thresholds', ...lines].join('\n');
}

export function printQuantized(network: QuantizedNetwork): string {
  const lines = network.layers.map((l, index) => {
    const weights = l.weights.length ? `weights ${l.weights.length} in [${min(l.weights)}, ${max(l.weights)}] x 2^${l.weightExponent}` : 'weights on host';
    const thresholds = l.thresholds.length ? `vth [${[...l.thresholds].join(', ')}]` : 'no threshold';
    // A graph that branches: where the main synapses come from, and each branch with its delay.
    const wiring = [
      ...(l.source !== index - 1 ? [`<- layer ${l.source}`] : []),
      ...l.branches.map((b) => `+ layer ${b.source} delay ${b.delay} (${b.weights.length} weights in [${min(b.weights)}, ${max(b.weights)}])`),
    ];
    return [
      `${l.name.padEnd(22)} ${l.kind.padEnd(8)} [${l.shape.join(', ')}] scale ${l.scale.toPrecision(6)} ${weights} ${thresholds} du ${l.du} dv ${l.dv} reset ${l.reset} start ${l.startStep}`,
      ...wiring,
    ].join(' ');
  });
  return [`# after quantize (input: ${network.placement}${network.payloadBits ? `, ${network.payloadBits}-bit payload` : ''})`, ...lines].join('\n');
}

export function printPartition(partition: Partition): string {
  const lines = partition.slices.flatMap((slices, i) => [
    `${partition.network.layers[i]!.name}: ${slices.length} cores`,
    ...slices.map(
      (s) =>
        `  ${s.role.padEnd(7)}${s.annMode ? ' ann' : ''} channels [${s.channels.join(', ')}) rows [${s.rows.join(', ')}) cols [${s.cols.join(', ')}) fan-in [${s.fanIn.join(', ')})`,
    ),
  ]);
  return ['# after partition', ...lines].join('\n');
}

export function printPlacement(placement: Placement): string {
  const lines = placement.cores.map(
    (c) =>
      `core ${String(c.id).padStart(5)} chip ${c.chip} tile (${c.tileX}, ${c.tileY}) slot ${c.slot} <- ${placement.partition.network.layers[c.slice.layer]!.name} ${c.slice.role}`,
  );
  return [`# after place (${placement.chipCount} chip${placement.chipCount === 1 ? '' : 's'})`, ...lines].join('\n');
}

export function printLowered(lowered: LoweredNetwork): string {
  return ['# after lower-to-synapses', `input ${formatInput(lowered.input)}`, '', lowered.layers.map(printLayer).join('\n\n')].join('\n');
}

/** Each core's destinations: the route every packet takes and how many connections it carries. */
export function printRoutes(routed: RoutedNetwork): string {
  const { layers } = routed.placement.partition.network;
  const lines = routed.cores.flatMap((c) => [
    `core ${String(c.id).padStart(5)} <- ${layers[c.slice.layer]!.name} ${c.slice.role}: ${c.outputAxons} output axons, ${c.sourceAxons} source axons, ${c.routes.length} route${c.routes.length === 1 ? '' : 's'}`,
    ...c.routes.map(
      (r) =>
        `  -> core ${r.destinationCore}: ${r.hopsEastWest} hops east-west, ${r.hopsNorthSouth} north-south, ${r.chipCrossings} chip crossings, fan-out ${r.fanOut}${r.multicast ? ', multicast' : ''}`,
    ),
  ]);
  return ['# after route', ...lines].join('\n');
}

function min(a: Int32Array): number {
  let m = Infinity;
  for (const v of a) if (v < m) m = v;
  return m;
}

function max(a: Int32Array): number {
  let m = -Infinity;
  for (const v of a) if (v > m) m = v;
  return m;
}
