/** The BullMQ queue every spikechip job goes through. */
export const QUEUE_NAME = 'spikechip';

export interface SampleRange {
  readonly first: number;
  readonly count: number;
}

/** Contiguous ranges of at most `size` samples covering 0..count-1 in order. */
export function splitIntoRanges(count: number, size: number): SampleRange[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`shard size must be a positive integer, got ${size}`);
  const ranges: SampleRange[] = [];
  for (let first = 0; first < count; first += size) ranges.push({ first, count: Math.min(size, count - first) });
  return ranges;
}

/**
 * A shard size for `count` samples: about four shards per expected worker slot, so a slow or lost worker holds
 * back little of the run, and never below `minimum`, the size at which the per-job overhead stays a few percent.
 */
export function defaultShardSize(count: number, minimum: number): number {
  return Math.max(1, Math.min(count, Math.max(minimum, Math.ceil(count / 16))));
}
