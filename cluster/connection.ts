import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { ClusterError } from './errors.js';
import type { QueueAddress } from './queue-url.js';

/**
 * Connection options for long-lived clients: a command waits for Redis to come back (restart, failover) instead
 * of failing, as BullMQ's workers require (`maxRetriesPerRequest: null`); reconnects back off up to one second.
 */
export function redisOptions(address: QueueAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username ? { username: address.username } : {}),
    ...(address.password ? { password: address.password } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(1000, 50 * attempt),
  };
}

/** The same options, typed as BullMQ takes them for its own connections. */
export function queueConnection(address: QueueAddress): ConnectionOptions {
  const { retryStrategy, ...plain } = redisOptions(address);
  return { ...plain, retryStrategy: (attempt: number) => retryStrategy!(attempt) as number };
}

/** A client for our own keys (program blobs), with the same patience as BullMQ's. */
export function openRedis(address: QueueAddress): Redis {
  return new Redis(redisOptions(address));
}

/** Fails fast with one clear line when the queue is unreachable, before anything waits on it forever. */
export async function checkReachable(address: QueueAddress): Promise<void> {
  const probe = new Redis({ ...redisOptions(address), lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The socket's own error (ECONNREFUSED, ENOTFOUND, WRONGPASS) says more than the 'Connection is closed' that follows it.
  let cause: string | null = null;
  probe.on('error', (error: Error) => (cause ??= error.message));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new ClusterError(address.display, `cannot reach Redis: ${cause ?? (error instanceof Error ? error.message : String(error))}`);
  } finally {
    probe.disconnect();
  }
}
