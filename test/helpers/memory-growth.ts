import { MEMORY_BUDGET_VARIABLE } from '../../models/memory-budget.js';

const MIB = 2 ** 20;

/**
 * How much memory a synchronous run took, seen two ways, the larger counting: the JS heap and external memory
 * (array buffers) it added, garbage included (all it allocated, if no collection ran during it), and how far it
 * raised the process's peak resident set (what it held at once, even if collected before it returned). Both are
 * at most what the run allocated, so a bound on this bounds the run.
 */
export function memoryGrowthDuring(run: () => void): number {
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS;
  run();
  const after = process.memoryUsage();
  const peakGrowth = (process.resourceUsage().maxRSS - peakBefore) * 1024;
  return Math.max(after.heapUsed + after.external - (before.heapUsed + before.external), peakGrowth);
}

/** Runs `body` with the process's memory budget set to `megabytes` MiB, then restores it. */
export function withBudget<T>(megabytes: number, body: () => T): T {
  const saved = process.env[MEMORY_BUDGET_VARIABLE];
  process.env[MEMORY_BUDGET_VARIABLE] = `${megabytes}M`;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env[MEMORY_BUDGET_VARIABLE];
    else process.env[MEMORY_BUDGET_VARIABLE] = saved;
  }
}

/**
 * What a read under a budget of `megabytes` may add: the budget itself, once more for what the accounting does not
 * see (the objects around the charged arrays, copies that die young), and a few MiB of the reader's own working set.
 */
export function allowedGrowth(megabytes: number): number {
  return 2 * megabytes * MIB + 8 * MIB;
}
