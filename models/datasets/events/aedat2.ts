/**
 * AEDAT 2.0 as CIFAR10-DVS ships it (Li et al. 2017, recorded with a DVS128): text header lines starting with `#`
 * (the first `#!AER-DAT2.0`), then big-endian pairs of uint32, address then timestamp (microseconds). A DVS128
 * address holds polarity in bit 0, the sensor's x in bits 1-7 and y in bits 8-14.
 * Decoded as spikingjelly's CIFAR10DVS does it (spikingjelly/datasets/cifar10_dvs.py, _skip_header,
 * _load_raw_events, _load_origin_data), which is what the papers' frames come from: header lines are skipped while
 * their text (stripped of whitespace) starts with `#`, every event is kept, and the picture is turned:
 *   x = 127 - (bits 8-14),  y = 127 - (bits 1-7),  p = 1 - (bit 0).
 * Reference for the format: iniVation's AEDAT 2.0 documentation (jAER "AEDAT 2.0": 32-bit address, 32-bit
 * timestamp, big-endian).
 */
import { ModelError } from '../../errors.js';
import { allocateEvents, type EventStream } from './event-stream.js';

export const AEDAT2_MAGIC = '#!AER-DAT2';
export const DVS128_SIDE = 128;
const EVENT_BYTES = 8;

/** Where the events begin: after the run of lines whose text starts with '#'. */
export function aedat2DataStart(bytes: Uint8Array, file: string): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  for (let line = 0; at < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, at);
    const end = newline < 0 ? bytes.length : newline + 1;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(at, end));
    } catch {
      if (line === 0) throw new ModelError(file, 'not an AEDAT 2 file: its first line is not text');
      break;
    }
    if (!text.trim().startsWith('#')) break;
    at = end;
  }
  return at;
}

export function parseAedat2(bytes: Uint8Array, file: string): EventStream {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, AEDAT2_MAGIC.length)).toString('latin1');
  if (head !== AEDAT2_MAGIC) throw new ModelError(file, `not an AEDAT 2 file: it does not start with ${AEDAT2_MAGIC}`);
  const start = aedat2DataStart(bytes, file);
  const length = bytes.length - start;
  if (length % EVENT_BYTES !== 0) {
    throw new ModelError(file, `truncated AEDAT 2 event data: ${length} bytes after the header (byte offset ${start}) is not a whole number of ${EVENT_BYTES}-byte events`);
  }
  const count = length / EVENT_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  const { t, x, y, p } = allocateEvents(count);
  for (let i = 0; i < count; i++) {
    const address = view.getUint32(i * EVENT_BYTES, false);
    t[i] = view.getUint32(i * EVENT_BYTES + 4, false);
    x[i] = DVS128_SIDE - 1 - ((address & 0x7f00) >>> 8);
    y[i] = DVS128_SIDE - 1 - ((address & 0xfe) >>> 1);
    p[i] = 1 - (address & 1);
  }
  return { count, t, x, y, p, width: DVS128_SIDE, height: DVS128_SIDE };
}
