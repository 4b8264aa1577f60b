/**
 * Every event the chip performs, counted per core. The energy ledger multiplies these by a cost profile, so a
 * result can be re-costed with another profile without re-running.
 */
export const EVENT_KINDS = [
  'synapticOps',
  'neuronUpdatesActive',
  'neuronUpdatesInactive',
  'spikesOut',
  'messagesOut',
  'messagesIn',
  'spikesWithinTile',
  'hopsEastWest',
  'hopsNorthSouth',
  'partialSums',
  'synapticUpdates',
  // SANA-FE's soma counts (every-step accounting): every mapped neuron every step of the run, and those its test
  // updates (v before the step non-zero, a synaptic event reached it, bias non-zero, or it fired).
  'neuronAccesses',
  'neuronsUpdated',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** One Float64Array per event kind, indexed by core (position in the program's core list). */
export type CoreCounters = Record<EventKind, Float64Array>;

export function createCounters(cores: number): CoreCounters {
  return Object.fromEntries(EVENT_KINDS.map((k) => [k, new Float64Array(cores)])) as CoreCounters;
}

export function addCounters(into: CoreCounters, from: CoreCounters): void {
  for (const k of EVENT_KINDS) {
    const a = into[k];
    const b = from[k];
    for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
  }
}

export function clearCounters(c: CoreCounters): void {
  for (const k of EVENT_KINDS) c[k].fill(0);
}
