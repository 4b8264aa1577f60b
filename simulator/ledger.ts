import type { ChipSpec, CostEvent, CostProfile } from '../chips/spec/chip-spec.js';
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

/**
 * Prices counted events with a named cost profile: energy = sum of count x energy per event; the time of a step is
 * the slowest core's summed event latencies (from the mean counts per inference) + the longest route's hops + the
 * barrier; a fixed-round chip (Tianjic) takes its round every step and spends its round energy on every core.
 * Reference: DESIGN.md section 5.
 */
export function costEvents(counts: EventCounts, spec: ChipSpec, profileName: string | undefined): Costing {
  const name = profileName ?? spec.defaultCostProfile;
  const profile = findCostProfile(spec, name);
  if (!profile) throw new SimulationError(spec.name, `no cost profile '${name}' (profiles: ${Object.keys(spec.costProfiles).join(', ')})`);
  const unpriced = new Set<string>();
  const perEvent = (kind: EventKind, core: number): { energyPJ: number; latencyNs: number } => {
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
  for (const kind of EVENT_KINDS) {
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
  for (let s = 0; s < steps; s++) {
    const step = counts.perStep[s]!;
    let slowest = 0;
    let slowestCore = 0;
    for (let core = 0; core < counts.coreLayer.length; core++) {
      let ns = 0;
      for (const kind of EVENT_KINDS) {
        if (kind === 'hopsEastWest' || kind === 'hopsNorthSouth') continue;
        ns += (step[kind][core]! / images) * perEvent(kind, core).latencyNs;
      }
      coreTime[core] = coreTime[core]! + ns;
      if (ns > slowest) {
        slowest = ns;
        slowestCore = core;
      }
    }
    slowestCorePerStep.push(slowestCore);
    const [ew, ns] = counts.stepMaxHops[s] ?? [0, 0];
    const routing = ew * (profile.events.hopEastWest?.latencyNs ?? 0) + ns * (profile.events.hopNorthSouth?.latencyNs ?? 0);
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

function priceOf(profile: CostProfile, kind: EventKind, conv: boolean): { energyPJ: number; latencyNs: number } | null {
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
    case 'partialSums':
      return pick(e.messageOut ?? e.spikeWithinTile);
    default: {
      const event = SIMPLE[kind];
      return event ? pick(e[event]) : null;
    }
  }
}
