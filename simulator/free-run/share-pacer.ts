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
 * After a trial of the losing mode, the next waits until this many times the trial's seconds have run: a threaded
 * trial on a busy machine waits for a descheduled thread (milliseconds, whatever its length), and trials every few
 * chunks cost a run of tens of milliseconds a third of its speed (the CUBA bench, N = 10,000, beside a CPU hog).
 */
const TRIAL_COST_SPACING = 100;

/**
 * What a process's pacers have learnt of this machine so far: each mode's pace, the mode in use and when the losing
 * mode is due for its next trial, in seconds of free-run chunks. A new run starts from it, so a run of a few dozen
 * chunks does not pay again for the trials that told the last run which mode is faster.
 */
export class PaceMemory {
  perStep = { threads: Number.NaN, inline: Number.NaN };
  bestThreaded = Number.POSITIVE_INFINITY;
  current: PaceMode = 'threads';
  interval = FIRST_INTERVAL;
  /** Seconds of chunks timed so far, and the count at which the losing mode may next be tried. */
  elapsed = 0;
  trialDue = 0;

  /**
   * Whether the next run should take one thread and one share from the start: one thread is the faster mode here
   * and threads are not yet due for another trial. A paced run's inline mode still runs two shares, each step its
   * own calls and each spike through both shares' rows (15 % slower than one share on the CUBA bench at N = 10,000),
   * so a run that would spend its time inline is better off as one share altogether.
   */
  prefersOneThread(): boolean {
    return this.current === 'inline' && this.elapsed < this.trialDue;
  }

  /** A run of `steps` steps in one thread and one share took `seconds`: time passes towards the next trial. */
  ranOneThread(steps: number, seconds: number): void {
    this.elapsed += seconds;
    this.perStep.inline = blend(this.perStep.inline, seconds / steps);
  }
}

/** A mode's seconds per step after a new measurement: the measurement alone at first, then mostly the past. */
function blend(before: number, pace: number): number {
  return Number.isNaN(before) ? pace : MEMORY * before + (1 - MEMORY) * pace;
}

const paceMemories = new Map<string, PaceMemory>();

/**
 * The pace memory of this process's free runs of one network (runSharesInThreads): `network` names its size and
 * split (a pace per step means nothing for a network of another size).
 */
export function machinePace(network: string): PaceMemory {
  let memory = paceMemories.get(network);
  if (!memory) paceMemories.set(network, (memory = new PaceMemory()));
  return memory;
}

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
  private trial: PaceMode | null = null;
  private sinceTrial = 0;
  /** The memory's elapsed seconds when the trial running now started. */
  private trialStartedAt = 0;

  /**
   * A pacer that starts from what `memory` knows (a fresh one by default: threads, nothing timed yet); when one
   * thread is in use there and threads are due for a trial, its first chunk is that trial.
   */
  constructor(private readonly memory = new PaceMemory()) {
    if (memory.current === 'inline' && memory.elapsed >= memory.trialDue) this.sinceTrial = memory.interval;
  }

  /** The mode of the next chunk. */
  next(): PaceMode {
    const m = this.memory;
    const other: PaceMode = m.current === 'threads' ? 'inline' : 'threads';
    // One early trial of the inline mode whatever happens: threads slow from the very start look steady too.
    const firstTrial = Number.isNaN(m.perStep.inline) && this.trial === null && this.sinceTrial >= FIRST_TRIAL_AFTER;
    const quiet = m.current === 'threads' && !(m.perStep.threads > DISTURBED * m.bestThreaded);
    if (firstTrial || (!quiet && this.sinceTrial >= m.interval && m.elapsed >= m.trialDue)) {
      this.trialStartedAt = m.elapsed;
      this.trial = other;
      this.sinceTrial = 0;
      return other;
    }
    this.sinceTrial++;
    return m.current;
  }

  /** Steps of the next chunk: about CHUNK_SECONDS at the current mode's pace. */
  chunkSteps(): number {
    const pace = this.memory.perStep[this.memory.current];
    if (Number.isNaN(pace)) return FIRST_CHUNK_STEPS;
    return Math.max(1, Math.min(MAX_CHUNK_STEPS, Math.round(CHUNK_SECONDS / Math.max(pace, 1e-9))));
  }

  /** A chunk ran `steps` steps in `seconds` in `mode`. */
  record(mode: PaceMode, steps: number, seconds: number): void {
    const m = this.memory;
    const pace = seconds / steps;
    const before = m.perStep[mode];
    m.elapsed += seconds;
    // A trial's chunk replaces what is known of its mode: that was timed while the other mode ran, long ago.
    m.perStep[mode] = this.trial === mode ? pace : blend(before, pace);
    if (mode === 'threads') m.bestThreaded = Math.min(m.bestThreaded, pace);
    const faster: PaceMode = m.perStep.inline < m.perStep.threads ? 'inline' : 'threads';
    if (this.trial === mode) {
      const lost = faster === m.current;
      m.interval = lost ? Math.min(LONGEST_INTERVAL, 2 * m.interval) : FIRST_INTERVAL;
      m.trialDue = lost ? m.elapsed + TRIAL_COST_SPACING * (m.elapsed - this.trialStartedAt) : m.elapsed;
      this.trial = null;
    }
    m.current = faster;
  }

  /** The mode in use now (the faster so far). */
  get mode(): PaceMode {
    return this.memory.current;
  }
}
