/** How the next chunk of a free run's steps runs: its shares in their threads, or all of them in this one thread. */
export type PaceMode = 'threads' | 'inline';

/** Chunks aim at this many seconds: short enough to follow a machine whose load changes, long enough to time. */
const CHUNK_SECONDS = 0.001;
const FIRST_CHUNK_STEPS = 8;
const MAX_CHUNK_STEPS = 512;
/** A threaded chunk slower than its best by this factor suggests another process took a core: time the inline mode. */
const DISTURBED = 1.3;
/** Threaded chunks before the one early trial of the inline mode (the first ones warm the caches up). */
const FIRST_TRIAL_AFTER = 2;
/** Chunks between two trials of the mode not in use, from the first to the longest (doubling while it keeps losing). */
const FIRST_INTERVAL = 4;
const LONGEST_INTERVAL = 64;
/** Weight of the past in each mode's seconds per step: a few chunks of memory, so a preemption is an outlier. */
const MEMORY = 0.6;

/**
 * Picks, chunk by chunk, whether a free run's shares run in their threads or one after the other in this thread.
 * Threads meet every step, so when another process takes a core the barrier waits for a thread that is not running
 * and two threads fall below one (on this 2-core machine: 566 M events/s against 708 M with one CPU-bound process
 * beside them, issue 14). Both modes give the same integers, so the choice is about speed only: each mode's
 * seconds per step are timed as it runs, the faster one runs, and the other is tried again now and then (more
 * rarely while it keeps losing). The inline mode is tried once early; after that, while threaded chunks run near
 * their best pace the machine is taken as quiet and it is not tried again, so a quiet run pays one chunk for the
 * watching.
 */
export class SharePacer {
  private readonly perStep = { threads: Number.NaN, inline: Number.NaN };
  private bestThreaded = Number.POSITIVE_INFINITY;
  private current: PaceMode = 'threads';
  private trial: PaceMode | null = null;
  private sinceTrial = 0;
  private interval = FIRST_INTERVAL;

  /** The mode of the next chunk. */
  next(): PaceMode {
    const other: PaceMode = this.current === 'threads' ? 'inline' : 'threads';
    // One early trial of the inline mode whatever happens: threads slow from the very start look steady too.
    const firstTrial = Number.isNaN(this.perStep.inline) && this.trial === null && this.sinceTrial >= FIRST_TRIAL_AFTER;
    const quiet = this.current === 'threads' && !(this.perStep.threads > DISTURBED * this.bestThreaded);
    if (firstTrial || (!quiet && this.sinceTrial >= this.interval)) {
      this.trial = other;
      this.sinceTrial = 0;
      return other;
    }
    this.sinceTrial++;
    return this.current;
  }

  /** Steps of the next chunk: about CHUNK_SECONDS at the current mode's pace. */
  chunkSteps(): number {
    const pace = this.perStep[this.current];
    if (Number.isNaN(pace)) return FIRST_CHUNK_STEPS;
    return Math.max(1, Math.min(MAX_CHUNK_STEPS, Math.round(CHUNK_SECONDS / Math.max(pace, 1e-9))));
  }

  /** A chunk ran `steps` steps in `seconds` in `mode`. */
  record(mode: PaceMode, steps: number, seconds: number): void {
    const pace = seconds / steps;
    const before = this.perStep[mode];
    // A trial's chunk replaces what is known of its mode: that was timed while the other mode ran, long ago.
    this.perStep[mode] = Number.isNaN(before) || this.trial === mode ? pace : MEMORY * before + (1 - MEMORY) * pace;
    if (mode === 'threads') this.bestThreaded = Math.min(this.bestThreaded, pace);
    const faster: PaceMode = this.perStep.inline < this.perStep.threads ? 'inline' : 'threads';
    if (this.trial === mode) {
      this.interval = faster === this.current ? Math.min(LONGEST_INTERVAL, 2 * this.interval) : FIRST_INTERVAL;
      this.trial = null;
    }
    this.current = faster;
  }

  /** The mode in use now (the faster so far). */
  get mode(): PaceMode {
    return this.current;
  }
}
