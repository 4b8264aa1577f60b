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

/** The element-wise sums of `parts`, per event kind and core. */
export function summedCounters(parts: readonly CoreCounters[], cores: number): CoreCounters {
  const sums = createCounters(cores);
  for (const part of parts) addCounters(sums, part);
  return sums;
}

/**
 * The element-wise sums of `parts` per event kind as plain arrays (a result's form), in one pass with no typed sums
 * formed first (a ResNet-19 result holds 14 M of these numbers). Pushed, not preallocated: a holey array takes
 * structured cloning (a worker posting its run) five times as long. Counts are integers below 2^53, so any order
 * of adding gives the same sums.
 */
export function plainSums(parts: readonly CoreCounters[], cores: number): Record<EventKind, number[]> {
  const sums = {} as Record<EventKind, number[]>;
  for (const k of EVENT_KINDS) {
    const from = parts.map((part) => part[k]);
    const out: number[] = [];
    for (let i = 0; i < cores; i++) {
      let sum = 0;
      for (const f of from) sum += f[i]!;
      out.push(sum);
    }
    sums[k] = out;
  }
  return sums;
}

export function clearCounters(c: CoreCounters): void {
  for (const k of EVENT_KINDS) c[k].fill(0);
}
