import { readFileSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { ModelError } from './errors.js';

/*
 * The memory budget every reader in models/ honours before it allocates: one number of bytes for the whole
 * process. Its one home is the environment variable below, because that is the only channel models/ and chips/
 * (which may not import each other) both see, and worker threads and child processes inherit it unasked;
 * `--max-memory` writes it there (setMemoryBudget), a user may set it directly, and otherwise the default
 * applies. chips/memory-budget.ts reads the same variable by the same rules (a test holds the two together).
 */

export const MEMORY_BUDGET_VARIABLE = 'SPIKECHIP_MAX_MEMORY';

const MIB = 2 ** 20;
/**
 * The default is a quarter of the machine's memory, but at most 512 MiB: a read may materialise up to the budget
 * before it fails, and on top of that come Node's own baseline (about 100 MB with h5wasm's heap) and what the
 * accounting does not see (object headers, garbage not yet collected), so 512 MiB keeps the worst hostile file
 * well under 1 GB of peak memory while leaving room for the largest models of the papers (ResNet-19's 12.6 M
 * weights take about 200 MB as storage, float64 values and float32 weights together).
 */
const DEFAULT_BUDGET_CAP_BYTES = 512 * MIB;
const DEFAULT_BUDGET_FRACTION = 1 / 4;
/** Below this nothing useful loads (the bundled model alone is several MB). */
export const MIN_MEMORY_BUDGET_BYTES = MIB;

const UNIT_POWERS: Readonly<Record<string, number>> = { '': 0, k: 1, m: 2, g: 3, t: 4 };
const BYTE_SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i;

/**
 * Bytes written as `1073741824`, `512M`, `512MiB`, `1.5G` or `2GB` (K, M, G, T are powers of 1024, as in
 * `ulimit` and Docker's --memory); undefined for anything else or a size below MIN_MEMORY_BUDGET_BYTES.
 */
export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * 1024 ** UNIT_POWERS[match[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) && bytes >= MIN_MEMORY_BUDGET_BYTES ? bytes : undefined;
}

export function defaultMemoryBudget(machineBytes: number = totalmem()): number {
  return Math.max(MIN_MEMORY_BUDGET_BYTES, Math.min(DEFAULT_BUDGET_CAP_BYTES, Math.floor(machineBytes * DEFAULT_BUDGET_FRACTION)));
}

/** The process's budget: the environment variable if set, else the default. A malformed variable is an error. */
export function memoryBudget(): number {
  const text = process.env[MEMORY_BUDGET_VARIABLE];
  if (text === undefined || text === '') return defaultMemoryBudget();
  const bytes = parseByteSize(text);
  if (bytes === undefined) {
    throw new ModelError(MEMORY_BUDGET_VARIABLE, `'${text.slice(0, 40)}' is not a memory size of at least 1M (e.g. 512M, 2G, or bytes)`);
  }
  return bytes;
}

/** Sets the budget for this process and every worker or child it starts from now on. */
export function setMemoryBudget(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_MEMORY_BUDGET_BYTES) {
    throw new RangeError(`a memory budget is a whole number of bytes of at least ${MIN_MEMORY_BUDGET_BYTES}, not ${bytes}`);
  }
  process.env[MEMORY_BUDGET_VARIABLE] = String(bytes);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} bytes`;
  if (bytes < 10 * 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * What one read has materialised so far, charged before each allocation: the read fails, naming the file,
 * the field and the size, before the allocation that would take it over the budget.
 */
export class MemoryLedger {
  private usedBytes = 0;

  constructor(
    readonly file: string,
    readonly limitBytes: number = memoryBudget(),
  ) {}

  get used(): number {
    return this.usedBytes;
  }

  /** Records `bytes` about to be allocated for `what` (a field, record or dataset), or throws ModelError. */
  charge(bytes: number, what: string): void {
    const total = this.usedBytes + bytes;
    if (!(bytes >= 0) || !(total <= this.limitBytes)) {
      const already = this.usedBytes > 0 ? ` (on top of ${formatBytes(this.usedBytes)} already read)` : '';
      throw new ModelError(
        this.file,
        `${what} needs ${formatBytes(bytes)}${already}, over the memory budget of ${formatBytes(this.limitBytes)} ` + `(raise it with --max-memory or ${MEMORY_BUDGET_VARIABLE})`,
      );
    }
    this.usedBytes = total;
  }
}

/**
 * A file's bytes, after checking its size against the budget (a file larger than the budget is refused before it
 * is read). Errors of the file system (missing, unreadable) are thrown as they come, for the caller to word.
 */
export function readFileWithinBudget(path: string): Uint8Array {
  const size = statSync(path).size;
  new MemoryLedger(path).charge(size, `the file itself (${size} bytes)`);
  return readFileSync(path);
}
