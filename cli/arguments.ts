import { availableParallelism } from 'node:os';
import type { ChipBudget } from '../compiler/passes/place.js';
import { UsageError } from './failure.js';

/**
 * Validators for numeric options, used as yargs `coerce` functions, so a bad value is refused while the command
 * line is parsed, before any file is read. yargs parses `--limit 2.5` as 2.5, `--limit abc` as NaN, `--limit`
 * alone as undefined and a repeated option as a list: each of these is a usage error here.
 */

/** Largest count an option takes: the int32 range, which every typed-array index in the simulator can hold. */
export const MAX_COUNT = 2 ** 31 - 1;

/** Threads beyond a few per core only add memory (each worker holds a copy of the program and the runtime). */
export const MAX_THREADS = Math.min(64, 4 * availableParallelism());

/** Chips of one system: the largest built (Hala Point) has 1,152 Loihi 2 chips. */
export const MAX_CHIPS = 4096;

/** Time steps per sample a NIR model may be given: beyond this a run's per-step records outgrow any budget. */
export const MAX_TIMESTEPS = 100_000;

type Coerce<T> = (value: unknown) => T;

function single(option: string, value: unknown): unknown {
  if (Array.isArray(value)) throw new UsageError(`--${option} is given ${value.length} times; give it once`);
  if (value === undefined || value === '') throw new UsageError(`--${option} needs a value`);
  return value;
}

/** An integer in [min, max]: counts, seeds, worker threads. */
export function integerIn(option: string, min: number, max: number, note = ''): Coerce<number> {
  return (raw) => {
    const value = single(option, raw);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`--${option} must be an integer from ${min} to ${max}${note}, got ${JSON.stringify(String(value))}`);
    }
    return value;
  };
}

/** A finite number in [min, max], or in (min, max] with `exclusiveMin`: rates, fractions, durations. */
export function numberIn(option: string, min: number, max: number, exclusiveMin = false): Coerce<number> {
  return (raw) => {
    const value = single(option, raw);
    const low = exclusiveMin ? (value as number) > min : (value as number) >= min;
    if (typeof value !== 'number' || !Number.isFinite(value) || !low || value > max) {
      const range = `${exclusiveMin ? 'above' : 'from'} ${min}${Number.isFinite(max) ? ` ${exclusiveMin ? 'up ' : ''}to ${max}` : ''}`;
      throw new UsageError(`--${option} must be a number ${range}, got ${JSON.stringify(String(value))}`);
    }
    return value;
  };
}

/** A count of images or samples: at least one, at most MAX_COUNT. */
export function count(option: string, min = 1): Coerce<number> {
  return integerIn(option, min, MAX_COUNT);
}

/** A seed: an unsigned 32-bit integer, what every generator here is seeded with. */
export function seed(option = 'seed'): Coerce<number> {
  return integerIn(option, 0, 2 ** 32 - 1);
}

/** Worker threads: one per sample at most is used anyway; more than a few per core is refused. */
export function threads(option: string): Coerce<number> {
  return integerIn(option, 1, MAX_THREADS, ` (4 per CPU core, at most 64)`);
}

/** `--chips N|auto`. */
export function chipBudget(option = 'chips'): Coerce<ChipBudget> {
  return (raw) => {
    const value = single(option, raw);
    if (value === 'auto') return 'auto';
    const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : NaN;
    if (!Number.isInteger(number) || number < 1 || number > MAX_CHIPS) {
      throw new UsageError(`--${option} must be 'auto' or an integer from 1 to ${MAX_CHIPS}, got ${JSON.stringify(String(value))}`);
    }
    return number;
  };
}

/** A non-empty string option given once (a path, a name). */
export function text(option: string): Coerce<string> {
  return (raw) => {
    const value = single(option, raw);
    if (typeof value !== 'string') throw new UsageError(`--${option} must be text, got ${JSON.stringify(String(value))}`);
    return value;
  };
}
