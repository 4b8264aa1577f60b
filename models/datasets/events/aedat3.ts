/**
 * AEDAT 3.1 (iniVation's cAER/DV format), polarity events only. The file opens with text lines that start with `#`
 * (the first is `#!AER-DAT3.1`), each ending in CR LF, the last `#!END-HEADER`. Then packets follow, each a 28-byte
 * little-endian header and `eventCapacity * eventSize` bytes of events:
 *
 *   int16 eventType  int16 eventSource  int32 eventSize  int32 eventTSOffset  int32 eventTSOverflow
 *   int32 eventCapacity  int32 eventNumber  int32 eventValid
 *
 * A polarity event (type 1) is 8 bytes: uint32 data (bit 0 valid, bit 1 polarity, bits 2-16 y, bits 17-31 x) and
 * int32 timestamp (us, 31 bits); the packet's overflow counter extends it: t = eventTSOverflow * 2^31 + timestamp.
 * Packets of other types (special, frame, IMU, ...) are skipped whole; events whose valid bit is clear are dropped.
 * Reference: iniVation, "AEDAT 3.1" file format documentation; libcaer events/common.h and events/polarity.h
 * (CAER_EVENT_PACKET_HEADER_SIZE 28, TS_OVERFLOW_SHIFT 31).
 */
// binary-parser's exports map gives NodeNext no types; its own declaration file is beside the CommonJS build.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { ModelError } from '../../errors.js';
import { allocateEvents, type EventStream } from './event-stream.js';

export const AEDAT3_PACKET_HEADER_BYTES = 28;
export const AEDAT3_POLARITY_TYPE = 1;
export const AEDAT3_POLARITY_EVENT_BYTES = 8;
const END_HEADER = '#!END-HEADER';
const VERSION_LINE = /^#!AER-DAT3\.\d+$/;
const TS_OVERFLOW_SHIFT = 2 ** 31;

interface PacketHeader {
  eventType: number;
  eventSource: number;
  eventSize: number;
  eventTSOffset: number;
  eventTSOverflow: number;
  eventCapacity: number;
  eventNumber: number;
  eventValid: number;
}

const packetHeaderParser = new Parser()
  .endianness('little')
  .int16('eventType')
  .int16('eventSource')
  .int32('eventSize')
  .int32('eventTSOffset')
  .int32('eventTSOverflow')
  .int32('eventCapacity')
  .int32('eventNumber')
  .int32('eventValid');

/** Where the binary part begins: just after the `#!END-HEADER` line. */
export function aedat3DataStart(bytes: Uint8Array, file: string): number {
  let at = 0;
  let first = true;
  for (;;) {
    if (at >= bytes.length) throw new ModelError(file, `truncated AEDAT 3 header at byte offset ${at}: no ${END_HEADER} line`);
    if (bytes[at] !== 0x23 /* '#' */) {
      throw new ModelError(file, `malformed AEDAT 3 header at byte offset ${at}: a header line must start with '#' (found byte 0x${bytes[at]!.toString(16).padStart(2, '0')})`);
    }
    let end = at;
    while (end + 1 < bytes.length && !(bytes[end] === 0x0d && bytes[end + 1] === 0x0a)) end++;
    if (end + 1 >= bytes.length) throw new ModelError(file, `truncated AEDAT 3 header at byte offset ${at}: the line has no CR LF ending and no ${END_HEADER} follows`);
    const line = Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('latin1');
    if (first && !VERSION_LINE.test(line)) {
      throw new ModelError(file, `not an AEDAT 3 file: the first line (byte offset 0) is ${JSON.stringify(line.slice(0, 40))}, expected #!AER-DAT3.1`);
    }
    first = false;
    at = end + 2;
    if (line === END_HEADER) return at;
  }
}

export interface Aedat3Options {
  /**
   * Read as spikingjelly's load_aedat_v3 does (spikingjelly/datasets/utils.py), which the papers' DVS128 Gesture
   * frames come from: every event slot of a polarity packet (eventCapacity, not eventNumber), valid or not.
   */
  readonly asSpikingjelly?: boolean;
}

export function parseAedat3(bytes: Uint8Array, file: string, options: Aedat3Options = {}): EventStream {
  const keepAll = options.asSpikingjelly === true;
  let at = aedat3DataStart(bytes, file);
  // Events are decoded straight from the bytes in two passes (count, then fill): a recording holds millions.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: { bodyStart: number; slots: number; overflow: number }[] = [];
  let total = 0;
  while (at < bytes.length) {
    if (bytes.length - at < AEDAT3_PACKET_HEADER_BYTES) {
      throw new ModelError(file, `truncated AEDAT 3 packet header at byte offset ${at}: ${bytes.length - at} of its ${AEDAT3_PACKET_HEADER_BYTES} bytes`);
    }
    const header = packetHeaderParser.parse(Buffer.from(bytes.buffer, bytes.byteOffset + at, AEDAT3_PACKET_HEADER_BYTES)) as PacketHeader;
    checkPacketHeader(header, at, file);
    const bodyStart = at + AEDAT3_PACKET_HEADER_BYTES;
    const bodyBytes = header.eventCapacity * header.eventSize;
    if (bodyBytes > bytes.length - bodyStart) {
      throw new ModelError(
        file,
        `truncated AEDAT 3 packet at byte offset ${at}: its header promises ${header.eventCapacity} events of ${header.eventSize} bytes, ${bytes.length - bodyStart} bytes follow`,
      );
    }
    if (header.eventType === AEDAT3_POLARITY_TYPE) {
      if (header.eventSize !== AEDAT3_POLARITY_EVENT_BYTES || header.eventTSOffset !== 4) {
        throw new ModelError(
          file,
          `malformed AEDAT 3 polarity packet at byte offset ${at}: eventSize ${header.eventSize} and eventTSOffset ${header.eventTSOffset}, a polarity event is ${AEDAT3_POLARITY_EVENT_BYTES} bytes with its timestamp at 4`,
        );
      }
      const slots = keepAll ? header.eventCapacity : header.eventNumber;
      for (let i = 0; i < slots; i++) {
        const eventAt = bodyStart + i * AEDAT3_POLARITY_EVENT_BYTES;
        const timestamp = view.getInt32(eventAt + 4, true);
        if (timestamp < 0) {
          throw new ModelError(file, `malformed AEDAT 3 polarity event at byte offset ${eventAt}: negative timestamp ${timestamp}`);
        }
        if (keepAll || view.getUint32(eventAt, true) & 1) total++;
      }
      packets.push({ bodyStart, slots, overflow: header.eventTSOverflow });
    }
    at = bodyStart + bodyBytes;
  }
  const { t, x, y, p } = allocateEvents(total);
  let n = 0;
  let width = 0;
  let height = 0;
  for (const { bodyStart, slots, overflow } of packets) {
    for (let i = 0; i < slots; i++) {
      const eventAt = bodyStart + i * AEDAT3_POLARITY_EVENT_BYTES;
      const data = view.getUint32(eventAt, true);
      if (!keepAll && (data & 1) === 0) continue;
      t[n] = overflow * TS_OVERFLOW_SHIFT + view.getInt32(eventAt + 4, true);
      x[n] = data >>> 17;
      y[n] = (data >>> 2) & 0x7fff;
      p[n] = (data >>> 1) & 1;
      width = Math.max(width, x[n]! + 1);
      height = Math.max(height, y[n]! + 1);
      n++;
    }
  }
  return { count: total, t, x, y, p, width, height };
}

function checkPacketHeader(h: PacketHeader, at: number, file: string): void {
  const bad = (detail: string) => new ModelError(file, `malformed AEDAT 3 packet header at byte offset ${at}: ${detail}`);
  if (h.eventType < 0) throw bad(`eventType ${h.eventType} is negative`);
  if (h.eventSize <= 0) throw bad(`eventSize ${h.eventSize} must be positive`);
  if (h.eventTSOffset < 0 || h.eventTSOffset > h.eventSize - 4) throw bad(`eventTSOffset ${h.eventTSOffset} does not fit a 4-byte timestamp in an event of ${h.eventSize} bytes`);
  if (h.eventTSOverflow < 0) throw bad(`eventTSOverflow ${h.eventTSOverflow} is negative`);
  if (h.eventTSOverflow >= 2 ** 22) throw bad(`eventTSOverflow ${h.eventTSOverflow} puts timestamps past 2^53 us`);
  if (h.eventCapacity < 0) throw bad(`eventCapacity ${h.eventCapacity} is negative`);
  if (h.eventNumber < 0 || h.eventNumber > h.eventCapacity) throw bad(`eventNumber ${h.eventNumber} is outside 0..eventCapacity (${h.eventCapacity})`);
  if (h.eventValid < 0 || h.eventValid > h.eventNumber) throw bad(`eventValid ${h.eventValid} is outside 0..eventNumber (${h.eventNumber})`);
}
