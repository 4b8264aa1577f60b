/**
 * The N-MNIST / N-Caltech101 `.bin` event file (Orchard et al. 2015): no header, 5 bytes per event, big-endian:
 *
 *   bits 39-32 x   bits 31-24 y   bit 23 polarity (1 = ON)   bits 22-0 timestamp (microseconds)
 *
 * The 23-bit timestamp runs out in the longer recordings, where the file carries overflow markers: an entry whose
 * y is 240 (one row past the ATIS sensor's 240) is no event, and every later timestamp is offset by 2^13.
 * Reference: the dataset's own readers (Read_Ndataset.m and event-Python's read_dataset, the latter with the
 * marker), which tonic follows; the 2^13 step is what they add, unconfirmed against the recording hardware.
 */
// binary-parser's exports map gives NodeNext no types; its own declaration file is beside the CommonJS build.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { ModelError } from '../../errors.js';
import { allocateEvents, type EventStream } from './event-stream.js';

export const NMNIST_EVENT_BYTES = 5;
/** N-MNIST's sensor crop: 28x28 digits plus the saccades' travel. Reference: Orchard et al. 2015, section 3. */
export const NMNIST_SENSOR_SIDE = 34;
export const NMNIST_OVERFLOW_Y = 240;
export const NMNIST_OVERFLOW_STEP_US = 2 ** 13;
const TIMESTAMP_BITS = 23;
const MAX_FIELD_TIMESTAMP = 2 ** TIMESTAMP_BITS - 1;

interface RawEvent {
  x: number;
  y: number;
  polarity: number;
  timestamp: number;
}

const eventParser = new Parser().endianness('big').uint8('x').uint8('y').bit1('polarity').bit23('timestamp');
const fileParser = new Parser().array('events', { type: eventParser, readUntil: 'eof' });

export function parseNmnist(bytes: Uint8Array, file: string): EventStream {
  const whole = bytes.length - (bytes.length % NMNIST_EVENT_BYTES);
  if (whole !== bytes.length) {
    throw new ModelError(
      file,
      `truncated N-MNIST event file: ${bytes.length} bytes is not a multiple of ${NMNIST_EVENT_BYTES}; the event at byte offset ${whole} has only ${bytes.length - whole} of its ${NMNIST_EVENT_BYTES} bytes`,
    );
  }
  const raw = (fileParser.parse(Buffer.from(bytes.buffer, bytes.byteOffset, whole)) as { events: RawEvent[] }).events;
  let markers = 0;
  for (const e of raw) if (e.y === NMNIST_OVERFLOW_Y) markers++;
  const count = raw.length - markers;
  const { t, x, y, p } = allocateEvents(count);
  let offset = 0;
  let n = 0;
  let width = NMNIST_SENSOR_SIDE;
  let height = NMNIST_SENSOR_SIDE;
  for (const e of raw) {
    if (e.y === NMNIST_OVERFLOW_Y) {
      offset += NMNIST_OVERFLOW_STEP_US;
      continue;
    }
    t[n] = e.timestamp + offset;
    x[n] = e.x;
    y[n] = e.y;
    p[n] = e.polarity;
    width = Math.max(width, e.x + 1);
    height = Math.max(height, e.y + 1);
    n++;
  }
  return { count, t, x, y, p, width, height };
}

/**
 * Writes events as an N-MNIST `.bin`. Timestamps must be non-negative integers in file order (non-decreasing):
 * a timestamp past the 23-bit field is reached with overflow markers, which shift every later event.
 */
export function encodeNmnist(stream: Pick<EventStream, 'count' | 't' | 'x' | 'y' | 'p'>): Uint8Array {
  let markers = 0;
  let offset = 0;
  let previous = 0;
  for (let i = 0; i < stream.count; i++) {
    const t = stream.t[i]!;
    const x = stream.x[i]!;
    const y = stream.y[i]!;
    if (!Number.isSafeInteger(t) || t < previous) throw new RangeError(`event ${i}: timestamp ${t} us is not an integer >= the previous one (${previous})`);
    if (x > 255 || y > 255 || y === NMNIST_OVERFLOW_Y)
      throw new RangeError(`event ${i}: address (${x}, ${y}) does not fit N-MNIST's 8-bit fields (y ${NMNIST_OVERFLOW_Y} marks an overflow)`);
    previous = t;
    while (t - offset > MAX_FIELD_TIMESTAMP) {
      offset += NMNIST_OVERFLOW_STEP_US;
      markers++;
    }
  }
  const out = new Uint8Array((stream.count + markers) * NMNIST_EVENT_BYTES);
  offset = 0;
  let at = 0;
  const put = (x: number, y: number, p: number, field: number) => {
    out[at] = x;
    out[at + 1] = y;
    out[at + 2] = (p << 7) | (field >>> 16);
    out[at + 3] = (field >>> 8) & 0xff;
    out[at + 4] = field & 0xff;
    at += NMNIST_EVENT_BYTES;
  };
  for (let i = 0; i < stream.count; i++) {
    const t = stream.t[i]!;
    while (t - offset > MAX_FIELD_TIMESTAMP) {
      put(0, NMNIST_OVERFLOW_Y, 0, 0);
      offset += NMNIST_OVERFLOW_STEP_US;
    }
    put(stream.x[i]!, stream.y[i]!, stream.p[i]! ? 1 : 0, t - offset);
  }
  return out;
}
