import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from '../../cluster/queue-url.js';

describe('parseQueueUrl', () => {
  it('reads host, port, database, user and password, and prints the URL without the password', () => {
    const address = parseQueueUrl('redis://alice:s3cr%40t@queue.lab:6380/2', {});
    expect(address).toEqual({ host: 'queue.lab', port: 6380, db: 2, username: 'alice', password: 's3cr@t', display: 'redis://alice@queue.lab:6380/2' });
  });

  it('defaults to port 6379 and database 0, and takes the password from SPIKECHIP_REDIS_PASSWORD', () => {
    const address = parseQueueUrl('redis://10.0.0.5', { SPIKECHIP_REDIS_PASSWORD: 'hunter2' });
    expect(address).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, password: 'hunter2' });
    expect(JSON.stringify(address.display)).not.toContain('hunter2');
  });

  it('refuses other schemes, bad databases and query strings, never echoing a password', () => {
    expect(() => parseQueueUrl('http://h:1', {})).toThrow(/--queue: scheme 'http:' is not supported/);
    expect(() => parseQueueUrl('redis://h:1/16', {})).toThrow(/database '16' must be an integer 0\.\.15/);
    expect(() => parseQueueUrl('redis://h:1/x', {})).toThrow(/database 'x'/);
    expect(() => parseQueueUrl('redis://h:1/0?tls=1', {})).toThrow(/takes no query/);
    let message = '';
    try {
      parseQueueUrl('redis://bob:topsecret@[bad', {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/is not a URL/);
    expect(message).not.toContain('topsecret');
  });
});
