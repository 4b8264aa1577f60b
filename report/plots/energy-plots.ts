import { categoryColour } from '../colours.js';
import { energyUnit, fixed, withUnit } from '../format.js';
import type { ReportInput } from '../report-input.js';
import type { Plot } from '../svg.js';
import { horizontalBars } from './bar-chart.js';

/** Event kinds of simulator/counters.ts (and the ledger's fixed costs) as a reader calls them. */
const EVENT_NAMES: Readonly<Record<string, string>> = {
  synapticOps: 'synaptic ops',
  neuronUpdatesActive: 'neuron updates (active)',
  neuronUpdatesInactive: 'neuron updates (idle)',
  spikesOut: 'spikes out',
  messagesOut: 'messages out',
  messagesIn: 'messages in',
  spikesWithinTile: 'spikes within a tile',
  hopsEastWest: 'hops east-west',
  hopsNorthSouth: 'hops north-south',
  partialSums: 'partial sums',
  synapticUpdates: 'synaptic updates (learning)',
  neuronAccesses: 'neuron accesses (every neuron, every step)',
  neuronsUpdated: 'neuron updates (SANA-FE test)',
  coreRound: 'core rounds',
  barrier: 'barrier',
};

export function energyByLayerPlot({ result }: ReportInput): Plot {
  const total = result.energyPerInferenceJ;
  const unit = energyUnit(Math.max(0, ...result.perLayer.map((l) => l.energyJ)));
  const bars = result.perLayer.map((l, i) => ({
    label: l.name,
    value: l.energyJ / unit.factor,
    colour: categoryColour(i),
    valueText: withUnit(l.energyJ, unit),
    tip: `${l.name}: ${withUnit(l.energyJ, unit)} per inference (${share(l.energyJ, total)} of ${withUnit(total, unit)})`,
  }));
  return {
    id: 'energy-layer',
    title: 'Energy by layer',
    caption: `Energy per inference spent on each layer's cores, profile ${result.profile}; the barrier is not a layer's (total ${withUnit(total, unit)}).`,
    svg: horizontalBars('energy-layer', 'Energy by layer', bars, `energy per inference (${unit.name})`),
    series: [{ name: 'energy per layer', marks: bars.length }],
  };
}

export function energyByEventPlot({ result }: ReportInput): Plot {
  const total = result.energyPerInferenceJ;
  const entries = Object.entries(result.energyByEventJ).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const unit = energyUnit(Math.max(0, ...entries.map(([, e]) => e)));
  const bars = entries.map(([kind, energy]) => ({
    label: EVENT_NAMES[kind] ?? kind,
    value: energy / unit.factor,
    colour: categoryColour(Math.max(0, Object.keys(EVENT_NAMES).indexOf(kind))),
    valueText: withUnit(energy, unit),
    tip: `${EVENT_NAMES[kind] ?? kind}: ${withUnit(energy, unit)} per inference (${share(energy, total)})`,
  }));
  const unpriced = result.unpricedEvents.length ? ` Not priced by this profile: ${result.unpricedEvents.map((k) => EVENT_NAMES[k] ?? k).join(', ')}.` : '';
  return {
    id: 'energy-event',
    title: 'Energy by event kind',
    caption: `Energy per inference by the kind of event counted, profile ${result.profile}.${unpriced}`,
    svg: horizontalBars('energy-event', 'Energy by event kind', bars, `energy per inference (${unit.name})`),
    series: [{ name: 'energy per event kind', marks: bars.length }],
  };
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${fixed((100 * part) / whole, 1)} %` : '-';
}
