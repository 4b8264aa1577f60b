import { ClusterError } from './errors.js';

/** Where the queue lives: the ioredis options of `redis://[user:password@]host:port[/db]`, and a printable form. */
export interface QueueAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** The URL without its password, safe to print and log. */
  readonly display: string;
}

const MAX_DB = 15;

/**
 * Reads a queue URL. The password comes from the URL or else from `SPIKECHIP_REDIS_PASSWORD`, so it need not sit
 * in shell history or a unit file; it is never part of `display` or of any error message.
 */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = process.env): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClusterError('--queue', `'${redact(text)}' is not a URL; expected redis://[user:password@]host:port[/db]`);
  }
  if (url.protocol !== 'redis:') throw new ClusterError('--queue', `scheme '${url.protocol}' is not supported; expected redis://[user:password@]host:port[/db]`);
  if (!url.hostname) throw new ClusterError('--queue', 'the URL names no host; expected redis://host:port');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db) || db < 0 || db > MAX_DB) {
    throw new ClusterError('--queue', `database '${dbText}' must be an integer 0..${MAX_DB}`);
  }
  if (url.search || url.hash) throw new ClusterError('--queue', 'the URL takes no query or fragment');
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : env.SPIKECHIP_REDIS_PASSWORD || undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    display: `redis://${username ? `${url.username}@` : ''}${url.host}/${db}`,
  };
}

/** The text with any `:password@` blanked, for an error about a URL that did not parse. */
function redact(text: string): string {
  return text.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}
