import type { ChipSpec, CostAccounting, CostEvent, CostProfile } from '../chips/spec/chip-spec.js';
import { barrierCostForTiles, findCostProfile, synapticOpCost } from '../chips/spec/cost-lookup.js';
import { EVENT_KINDS, type EventKind } from './counters.js';
import { SimulationError } from './errors.js';

/** What the ledger needs of a run: event counts per core (totals and per step index) and each core's place. */
export interface EventCounts {
  readonly inferences: number;
  readonly timesteps: number;
  /** Per core: its id in the program, its layer index, whether the layer is conv (for the synaptic-op format). */
  readonly coreIds: readonly number[];
  readonly coreLayer: readonly number[];
  readonly coreConv: readonly boolean[];
  readonly tilesUsed: number;
  readonly layerNames: readonly string[];
  readonly totals: Readonly<Record<EventKind, readonly number[]>>;
  /** [step index][event kind][core], summed over inferences. */
  readonly perStep: readonly Readonly<Record<EventKind, readonly number[]>>[];
  /**
   * The same with a spike's messages, hops and synaptic ops at the step it fired (`firing-step` accounting);
   * absent from results written before it was counted.
   */
  readonly perFiringStep?: readonly Readonly<Record<EventKind, readonly number[]>>[];
  /** [step index]: [east-west, north-south] hops of the longest route used at that step. */
  readonly stepMaxHops: readonly (readonly [number, number])[];
  /** [step index]: packets on the busiest mesh link at that step, summed over inferences. */
  readonly stepPeakLinkLoad: readonly number[];
  /** Packets per mesh link over the run (numbered as MeshLinks numbers them), and the mesh in tiles. */
  readonly linkTotals: readonly number[];
  readonly meshTiles: readonly [number, number];
}

export interface Costing {
  readonly profile: string;
  readonly energyPerInferenceJ: number;
  readonly energyByEventJ: Record<string, number>;
  readonly energyByLayerJ: Record<string, number>;
  readonly latencyPerStepS: number[];
  readonly latencyPerInferenceS: number;
  readonly bottleneckCore: number;
  /** Per step index: the core (position in the core list) whose events took longest in that step. */
  readonly slowestCorePerStep: number[];
  /** Events the profile does not price, so their energy or time is missing from the totals. */
  readonly unpriced: string[];
}

const SIMPLE: Partial<Record<EventKind, CostEvent>> = {
  spikesOut: 'spikeOut',
  messagesOut: 'messageOut',
  messagesIn: 'messageIn',
  spikesWithinTile: 'spikeWithinTile',
  hopsEastWest: 'hopEastWest',
  hopsNorthSouth: 'hopNorthSouth',
  synapticUpdates: 'synapticUpdate',
};

/** The events each neuron accounting charges, in the order their energies are summed. */
const CHARGED: Readonly<Record<CostAccounting['neurons'], readonly EventKind[]>> = {
  'layer-window': EVENT_KINDS.filter((k) => k !== 'neuronAccesses' && k !== 'neuronsUpdated'),
  // SANA-FE has no within-tile or partial-sum event: their packets are the messages counted out and in.
  'every-step': ['synapticOps', 'spikesOut', 'messagesOut', 'messagesIn', 'hopsEastWest', 'hopsNorthSouth', 'synapticUpdates', 'neuronAccesses', 'neuronsUpdated'],
};

/**
 * The two phases of a core's step in SANA-FE's simple timing model (src/schedule.cpp): its neurons' work and the
 * messages it sends, then the messages it receives and their synaptic look-ups. Hops take no time in it. Learning
 * updates (which SANA-FE does not model) are work of the core's own neurons.
 */
const NEURON_PHASE: readonly EventKind[] = ['neuronAccesses', 'neuronsUpdated', 'spikesOut', 'messagesOut', 'synapticUpdates'];
const MESSAGE_PHASE: readonly EventKind[] = ['messagesIn', 'synapticOps'];

type Price = { energyPJ: number; latencyNs: number };

/**
 * Prices counted events with a named cost profile, counted as the profile's accounting says
 * (chips/spec/chip-spec.ts CostAccounting): energy = sum of count x energy per event over the events it charges;
 * the time of a step is the slowest core's summed event latencies (from the mean counts per inference) + the
 * longest route's hops + the barrier (`core-sum`), or max(slowest neuron phase, slowest message phase) + the
 * barrier (`max-of-phases`); a fixed-round chip (Tianjic) takes its round every step and spends its round energy
 * on every core. Reference: DESIGN.md section 5.
 */
export function costEvents(counts: EventCounts, spec: ChipSpec, profileName: string | undefined): Costing {
  const name = profileName ?? spec.defaultCostProfile;
  const profile = findCostProfile(spec, name);
  if (!profile) throw new SimulationError(spec.name, `no cost profile '${name}' (profiles: ${Object.keys(spec.costProfiles).join(', ')})`);
  const rules = profile.accounting;
  const charged = CHARGED[rules.neurons];
  const perStepCounts = rules.spikeTraffic === 'firing-step' ? counts.perFiringStep : counts.perStep;
  const missing = charged.find((kind) => counts.totals[kind] === undefined) ?? (perStepCounts === undefined ? 'perFiringStep' : undefined);
  if (missing !== undefined) {
    throw new SimulationError(spec.name, `profile '${name}' needs the counts' '${missing}', which this result does not hold (written by an older spikechip): simulate it again`);
  }
  const unpriced = new Set<string>();
  const perEvent = (kind: EventKind, core: number): Price => {
    const cost = priceOf(profile, kind, counts.coreConv[core]!);
    if (!cost) {
      if (kind !== 'partialSums') unpriced.add(kind);
      return { energyPJ: 0, latencyNs: 0 };
    }
    return cost;
  };
  const images = Math.max(1, counts.inferences);
  const energyByEvent: Record<string, number> = {};
  const energyByLayer: Record<string, number> = Object.fromEntries(counts.layerNames.map((n) => [n, 0]));
  let energyPJ = 0;
  for (const kind of charged) {
    const values = counts.totals[kind];
    let sum = 0;
    for (let core = 0; core < values.length; core++) {
      const e = values[core]! * perEvent(kind, core).energyPJ;
      sum += e;
      const layer = counts.layerNames[counts.coreLayer[core]!]!;
      energyByLayer[layer] = energyByLayer[layer]! + e / images / 1e12;
    }
    if (sum > 0) energyByEvent[kind] = sum / images / 1e12;
    energyPJ += sum;
  }
  const steps = counts.perStep.length;
  const round = spec.timing.synchronization.kind === 'fixed-round' && spec.timing.clockHz ? spec.timing.synchronization.cyclesPerRound / spec.timing.clockHz : null;
  const barrier = barrierCostForTiles(profile, counts.tilesUsed);
  const roundEnergy = profile.events.coreRound?.energyPJ ?? null;
  if (roundEnergy !== null) {
    const e = roundEnergy * counts.coreLayer.length * steps;
    energyByEvent.coreRound = e / 1e12;
    energyPJ += e * images;
    for (let core = 0; core < counts.coreLayer.length; core++) {
      const layer = counts.layerNames[counts.coreLayer[core]!]!;
      energyByLayer[layer] = energyByLayer[layer]! + (roundEnergy * steps) / 1e12;
    }
  }
  if (barrier?.energyPJ) {
    energyByEvent.barrier = (barrier.energyPJ * steps) / 1e12;
    energyPJ += barrier.energyPJ * steps * images;
  }
  const latencyPerStepS: number[] = [];
  const slowestCorePerStep: number[] = [];
  const coreTime = new Float64Array(counts.coreLayer.length);
  // The mean time of `kinds` on one core at one step (ns per inference).
  const time = (step: Readonly<Record<EventKind, readonly number[]>>, kinds: readonly EventKind[], core: number): number => {
    let ns = 0;
    for (const kind of kinds) ns += (step[kind][core]! / images) * perEvent(kind, core).latencyNs;
    return ns;
  };
  const coreSumKinds = charged.filter((k) => k !== 'hopsEastWest' && k !== 'hopsNorthSouth');
  for (let s = 0; s < steps; s++) {
    const step = perStepCounts![s]!;
    let slowest = 0;
    let slowestCore = 0;
    for (let core = 0; core < counts.coreLayer.length; core++) {
      const ns = rules.stepTime === 'max-of-phases' ? Math.max(time(step, NEURON_PHASE, core), time(step, MESSAGE_PHASE, core)) : time(step, coreSumKinds, core);
      coreTime[core] = coreTime[core]! + ns;
      if (ns > slowest) {
        slowest = ns;
        slowestCore = core;
      }
    }
    slowestCorePerStep.push(slowestCore);
    const [ew, ns] = counts.stepMaxHops[s] ?? [0, 0];
    const routing = rules.stepTime === 'max-of-phases' ? 0 : ew * (profile.events.hopEastWest?.latencyNs ?? 0) + ns * (profile.events.hopNorthSouth?.latencyNs ?? 0);
    latencyPerStepS.push(round ?? (slowest + routing + (barrier?.latencyNs ?? 0)) / 1e9);
  }
  let bottleneckCore = 0;
  for (let core = 1; core < coreTime.length; core++) if (coreTime[core]! > coreTime[bottleneckCore]!) bottleneckCore = core;
  return {
    profile: name,
    energyPerInferenceJ: energyPJ / images / 1e12,
    energyByEventJ: energyByEvent,
    energyByLayerJ: energyByLayer,
    latencyPerStepS,
    latencyPerInferenceS: latencyPerStepS.reduce((a, b) => a + b, 0),
    bottleneckCore,
    slowestCorePerStep,
    unpriced: [...unpriced],
  };
}

function priceOf(profile: CostProfile, kind: EventKind, conv: boolean): Price | null {
  const e = profile.events;
  const pick = (c: { energyPJ: number | null; latencyNs: number | null } | undefined) => (c ? { energyPJ: c.energyPJ ?? 0, latencyNs: c.latencyNs ?? 0 } : null);
  switch (kind) {
    case 'synapticOps':
      return pick(synapticOpCost(profile, conv ? 'conv' : 'dense'));
    case 'neuronUpdatesActive':
    case 'neuronUpdatesInactive': {
      const own = e[kind === 'neuronUpdatesActive' ? 'neuronUpdateActive' : 'neuronUpdateInactive'];
      if (own) return pick(own);
      if (e.neuronAccess || e.neuronUpdate) {
        return {
          energyPJ: (e.neuronAccess?.energyPJ ?? 0) + (e.neuronUpdate?.energyPJ ?? 0),
          latencyNs: (e.neuronAccess?.latencyNs ?? 0) + (e.neuronUpdate?.latencyNs ?? 0),
        };
      }
      return null;
    }
    case 'neuronAccesses':
      return pick(e.neuronAccess);
    case 'neuronsUpdated':
      return pick(e.neuronUpdate);
    case 'partialSums':
      return pick(e.messageOut ?? e.spikeWithinTile);
    default: {
      const event = SIMPLE[kind];
      return event ? pick(e[event]) : null;
    }
  }
}
