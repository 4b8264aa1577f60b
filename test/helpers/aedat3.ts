/** Builds AEDAT 3.1 files for tests: a header, then packets as libcaer lays them out (little-endian). */
export interface TestPacket {
  readonly type: number;
  readonly overflow?: number;
  /** Polarity events: x, y, polarity, timestamp, valid (default true). */
  readonly events?: readonly { x: number; y: number; p: number; t: number; valid?: boolean }[];
  /** Other packet types: this many events of `size` zero bytes. */
  readonly size?: number;
  readonly count?: number;
  /** Spare capacity past eventNumber (zero bytes). */
  readonly spare?: number;
}

export function aedat3Header(lines: readonly string[] = ['#Format: RAW', '#Source 1: DVS128']): Uint8Array {
  return Buffer.from(['#!AER-DAT3.1', ...lines, '#!END-HEADER'].map((l) => `${l}\r\n`).join(''), 'latin1');
}

export function aedat3Packet(packet: TestPacket): Uint8Array {
  const polarity = packet.type === 1;
  const size = polarity ? 8 : (packet.size ?? 8);
  const number = polarity ? (packet.events?.length ?? 0) : (packet.count ?? 0);
  const capacity = number + (packet.spare ?? 0);
  const out = Buffer.alloc(28 + capacity * size);
  out.writeInt16LE(packet.type, 0);
  out.writeInt16LE(1, 2);
  out.writeInt32LE(size, 4);
  out.writeInt32LE(4, 8);
  out.writeInt32LE(packet.overflow ?? 0, 12);
  out.writeInt32LE(capacity, 16);
  out.writeInt32LE(number, 20);
  out.writeInt32LE(polarity ? (packet.events ?? []).filter((e) => e.valid !== false).length : number, 24);
  (packet.events ?? []).forEach((e, i) => {
    const data = ((e.x << 17) | (e.y << 2) | (e.p << 1) | (e.valid === false ? 0 : 1)) >>> 0;
    out.writeUInt32LE(data, 28 + i * 8);
    out.writeInt32LE(e.t, 32 + i * 8);
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function aedat3File(packets: readonly TestPacket[], header = aedat3Header()): Uint8Array {
  return Buffer.concat([header, ...packets.map(aedat3Packet)]);
}
