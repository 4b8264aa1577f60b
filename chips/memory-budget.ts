/** Reference: DESIGN.md section 6 (every reader has a memory budget). The process's memory budget as the chip
 * readers see it. chips/ may not import models/, where the budget is set (models/memory-budget.ts, from
 * `--max-memory`), so both read the one place the budget lives, the environment variable SPIKECHIP_MAX_MEMORY,
 * by the same rules: a size such as 512M or 2G (powers of 1024) or bytes, else a quarter of the machine's memory
 * capped at 512 MiB. test/chips/memory-budget.test.ts holds the two readers to the same answers.
 */
import { totalmem } from 'node:os';

export const MEMORY_BUDGET_VARIABLE = 'SPIKECHIP_MAX_MEMORY';

const MIB = 2 ** 20;
const DEFAULT_BUDGET_CAP_BYTES = 512 * MIB;
const DEFAULT_BUDGET_FRACTION = 1 / 4;
const MIN_BUDGET_BYTES = MIB;
const UNIT_POWERS: Readonly<Record<string, number>> = { '': 0, k: 1, m: 2, g: 3, t: 4 };
const BYTE_SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i;

/**
 * The budget in bytes. A malformed variable falls back to the default here: models/memory-budget.ts, which every
 * command reaches first, reports it to the user.
 */
export function chipReaderMemoryBudget(): number {
  const fallback = Math.max(MIN_BUDGET_BYTES, Math.min(DEFAULT_BUDGET_CAP_BYTES, Math.floor(totalmem() * DEFAULT_BUDGET_FRACTION)));
  const match = BYTE_SIZE.exec(process.env[MEMORY_BUDGET_VARIABLE] ?? '');
  if (!match) return fallback;
  const bytes = Math.floor(Number(match[1]) * 1024 ** UNIT_POWERS[match[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) && bytes >= MIN_BUDGET_BYTES ? bytes : fallback;
}

/** "12.0 MiB": sizes in the chip readers' budget errors. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 10 * 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The sentence a chip reader's error ends with when `what` would need more than the budget. */
export function overBudget(what: string, bytes: number, budget: number): string {
  return `${what} needs ${formatBytes(bytes)}, over the memory budget of ${formatBytes(budget)} (raise it with --max-memory or ${MEMORY_BUDGET_VARIABLE})`;
}
