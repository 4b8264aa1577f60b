import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../models/errors.js';
import { parseAedat3 } from '../../../models/datasets/events/aedat3.js';
import { parseEventFile } from '../../../models/datasets/events/read-events.js';
import { aedat3File, aedat3Header, aedat3Packet, type TestPacket } from '../../helpers/aedat3.js';

const packets: TestPacket[] = [
  {
    type: 1,
    events: [
      { x: 5, y: 7, p: 1, t: 100 },
      { x: 127, y: 0, p: 0, t: 2 ** 31 - 1 },
      { x: 9, y: 9, p: 1, t: 150, valid: false },
    ],
    spare: 2,
  },
  { type: 2, size: 40, count: 3 },
  { type: 1, overflow: 1, events: [{ x: 3, y: 127, p: 0, t: 4 }] },
];
const sample = aedat3File(packets);

function parsesOrRejects(bytes: Uint8Array): void {
  try {
    const s = parseAedat3(bytes, 'fuzz.aedat');
    expect(s.t.length).toBe(s.count);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toMatch(/^fuzz\.aedat: .*byte offset \d+/);
  }
}

describe('AEDAT 3.1 polarity events', () => {
  it('reads valid polarity events, extends timestamps by the overflow counter, skips other packets', () => {
    const s = parseAedat3(sample, 'sample.aedat');
    expect(s.count).toBe(3);
    expect([...s.x]).toEqual([5, 127, 3]);
    expect([...s.y]).toEqual([7, 0, 127]);
    expect([...s.p]).toEqual([1, 0, 0]);
    expect([...s.t]).toEqual([100, 2 ** 31 - 1, 2 ** 31 + 4]);
    expect([s.width, s.height]).toEqual([128, 128]);
    expect(parseEventFile(sample, 'any-name.dat').count).toBe(3);
  });

  it('gives a ModelError naming the file and the byte offset at every truncation point', () => {
    // Cutting at a packet boundary leaves a shorter, complete file; every other cut is truncation.
    const boundaries = [aedat3Header().length];
    for (const packet of packets) boundaries.push(boundaries[boundaries.length - 1]! + aedat3Packet(packet).length);
    for (let cut = 0; cut < sample.length; cut++) {
      if (boundaries.includes(cut)) continue;
      const attempt = () => parseAedat3(sample.subarray(0, cut), 'cut.aedat');
      expect(attempt, `cut at ${cut}`).toThrow(ModelError);
      expect(attempt, `cut at ${cut}`).toThrow(/^cut\.aedat: (truncated|malformed|not an AEDAT).*byte offset \d+/);
    }
  });

  it('refuses malformed headers and packets with the offset', () => {
    expect(() => parseAedat3(Buffer.from('#!AER-DAT2.0\r\n#!END-HEADER\r\n'), 'old.aedat')).toThrow(/old\.aedat: not an AEDAT 3 file/);
    expect(() => parseAedat3(Buffer.from('#!AER-DAT3.1\r\nxyz\r\n'), 'bad.aedat')).toThrow(/bad\.aedat: malformed AEDAT 3 header at byte offset 14/);
    const packet = aedat3Packet({ type: 1, events: [{ x: 1, y: 1, p: 1, t: 1 }] });
    const wrongSize = Buffer.from(packet);
    wrongSize.writeInt32LE(12, 4);
    wrongSize.writeInt32LE(0, 16);
    wrongSize.writeInt32LE(0, 20);
    wrongSize.writeInt32LE(0, 24);
    const header = aedat3Header();
    expect(() => parseAedat3(Buffer.concat([header, wrongSize.subarray(0, 28)]), 'size.aedat')).toThrow(
      new RegExp(`size\\.aedat: malformed AEDAT 3 polarity packet at byte offset ${header.length}`),
    );
    const tooMany = Buffer.from(packet);
    tooMany.writeInt32LE(5, 20);
    expect(() => parseAedat3(Buffer.concat([header, tooMany]), 'n.aedat')).toThrow(/eventNumber 5 is outside 0..eventCapacity \(1\)/);
  });

  it('parses or throws ModelError, nothing else, on random bytes behind a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (rest) => parsesOrRejects(Buffer.concat([aedat3Header(), rest]))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => parsesOrRejects(bytes)),
      { numRuns: 300 },
    );
  });

  it('parses or throws ModelError on mutated valid files', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (at, value, cut) => {
        const bytes = Uint8Array.from(sample);
        bytes[at % bytes.length] = value;
        parsesOrRejects(bytes.subarray(0, bytes.length - (cut % 9)));
      }),
      { numRuns: 500 },
    );
  });
});
