import type { Redis } from 'ioredis';
import { sha256Hex } from './content-hash.js';
import { ClusterError } from './errors.js';

/** Programs are kept a week after their last run, so a resumed sweep or a retried shard still finds them. */
const PROGRAM_TTL_SECONDS = 7 * 24 * 3600;
/** The largest program a job may name; the reader checks the bytes again when it decodes them. */
export const MAX_PROGRAM_BYTES = 512 * 1024 * 1024;

export function programKey(hash: string): string {
  return `spikechip:program:${hash}`;
}

/**
 * Stores a program once under its SHA-256: jobs name the hash, never carry the bytes. A copy already there is
 * checked, and replaced when it does not hash to its name (a torn write, a tampered key).
 */
export async function storeProgram(redis: Redis, bytes: Uint8Array): Promise<string> {
  const hash = sha256Hex(bytes);
  const key = programKey(hash);
  const stored = await redis.getBuffer(key);
  if (stored === null || sha256Hex(stored) !== hash) await redis.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', PROGRAM_TTL_SECONDS);
  else await redis.expire(key, PROGRAM_TTL_SECONDS);
  return hash;
}

/** The program named `hash`, checked against its name before anything reads it. */
export async function fetchProgram(redis: Redis, hash: string): Promise<Uint8Array> {
  const stored = await redis.getBuffer(programKey(hash));
  if (stored === null) throw new ClusterError(`program ${hash.slice(0, 12)}`, 'is not in Redis (expired or flushed): submit the run again');
  if (stored.length > MAX_PROGRAM_BYTES) throw new ClusterError(`program ${hash.slice(0, 12)}`, `${stored.length} bytes exceed the limit of ${MAX_PROGRAM_BYTES}`);
  const actual = sha256Hex(stored);
  if (actual !== hash) throw new ClusterError(`program ${hash.slice(0, 12)}`, `the stored bytes hash to ${actual.slice(0, 12)}: corrupt copy in Redis`);
  return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
}
