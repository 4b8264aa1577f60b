import { createHash } from 'node:crypto';

/** SHA-256 of the parts in order, hex: names programs and datasets by content. */
export function sha256Hex(...parts: readonly (Uint8Array | string)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
