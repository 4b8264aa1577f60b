import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gestureLabel } from '../../models/datasets/dvs128-gesture.js';
import { integrateByEventCount, resizeBilinear } from '../../models/datasets/dvs-frames.js';
import { pilResizeLa } from '../../models/datasets/pil-resize.js';
import { parseAedat2 } from '../../models/datasets/events/aedat2.js';
import { openDataset } from '../../models/datasets/open-dataset.js';
import { ModelError } from '../../models/errors.js';
import { MEMORY_BUDGET_VARIABLE } from '../../models/memory-budget.js';
import { aedat3File } from '../helpers/aedat3.js';
import { aedat2File, framesPtFile, modelFor, scratchDir, writeFile } from '../helpers/datasets.js';

const scratch = scratchDir('dvs');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SIDE = 128;
const PLANE = SIDE * SIDE;
const frameAt = (frames: Float32Array, sample: number, steps: number, t: number, p: number, x: number, y: number) => frames[((sample * steps + t) * 2 + p) * PLANE + y * SIDE + x];

describe('fixed-frame-number integration (split by event count)', () => {
  it('gives each frame floor(N/T) events and the last frame the rest, channel 1 for non-zero polarity', () => {
    const events = { x: [0, 1, 0, 1, 0, 1, 1], y: [0, 0, 0, 0, 0, 0, 0], p: [1, 0, 1, 1, 0, 0, 1] };
    const out = new Float32Array(3 * 2 * 2);
    integrateByEventCount(events, 0, 7, 3, 1, 2, out, 0, 'e');
    // frames [t][p][x] for H = 1, W = 2
    expect([...out]).toEqual([0, 1, 1, 0, /* t1 */ 0, 0, 1, 1, /* t2 */ 1, 1, 0, 1]);
  });

  it('puts every event in the last frame when there are fewer events than frames', () => {
    const out = new Float32Array(3 * 2).fill(9);
    integrateByEventCount({ x: [0, 0], y: [0, 0], p: [0, 1] }, 0, 2, 3, 1, 1, out, 0, 'e');
    expect([...out]).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('refuses events outside the sensor', () => {
    expect(() => integrateByEventCount({ x: [2], y: [0], p: [0] }, 0, 1, 1, 1, 2, new Float32Array(4), 0, 'far.aedat')).toThrow(
      new ModelError('far.aedat', 'event 0 at (x 2, y 0) lies outside the 2x1 sensor'),
    );
  });
});

describe('bilinear resize as F.interpolate(align_corners=False) computes it', () => {
  it('upsamples [1, 2] to [1, 1.25, 1.75, 2] (torch clamps the source index at the edges)', () => {
    const out = new Float32Array(4);
    resizeBilinear(Float32Array.from([1, 2]), 0, 1, 1, 2, 1, 4, out, 0);
    expect([...out]).toEqual([1, 1.25, 1.75, 2]);
  });

  it('downsamples by 2 to the mean of each pair', () => {
    const out = new Float32Array(4);
    resizeBilinear(Float32Array.from([1, 3, 5, 9, 2, 4, 6, 10]), 0, 1, 2, 4, 1, 2, out.subarray(0, 2), 0);
    expect([...out.subarray(0, 2)]).toEqual([Math.fround((1 + 3 + 2 + 4) / 4), Math.fround((5 + 9 + 6 + 10) / 4)]);
  });

  it('samples 128 -> 48 at source positions 128/48 * (d + 0.5) - 0.5 in float32', () => {
    const ramp = Float32Array.from({ length: SIDE }, (_, x) => x);
    const out = new Float32Array(48);
    resizeBilinear(ramp, 0, 1, 1, SIDE, 1, 48, out, 0);
    const scale = Math.fround(128 / 48);
    expect(out[0]).toBe(Math.fround(Math.fround(scale * 0.5) - 0.5));
    expect(out[47]).toBeCloseTo(126.1666667, 4);
  });
});

describe('AEDAT 2.0 as spikingjelly reads CIFAR10-DVS', () => {
  it('turns the picture: x = 127 - address bits 8-14, y = 127 - bits 1-7, p = 1 - bit 0', () => {
    const s = parseAedat2(
      aedat2File([
        { x: 5, y: 7, p: 1, t: 10 },
        { x: 127, y: 0, p: 0, t: 2 ** 32 - 1 },
      ]),
      'a.aedat',
    );
    expect([...s.x]).toEqual([5, 127]);
    expect([...s.y]).toEqual([7, 0]);
    expect([...s.p]).toEqual([1, 0]);
    expect([...s.t]).toEqual([10, 2 ** 32 - 1]);
  });

  it('refuses a cut event', () => {
    const bytes = aedat2File([{ x: 1, y: 1, p: 1, t: 1 }]);
    expect(() => parseAedat2(bytes.subarray(0, bytes.length - 3), 'cut.aedat')).toThrow(/^cut\.aedat: truncated AEDAT 2 event data: 5 bytes after the header/);
  });
});

describe('DVS128 Gesture directories', () => {
  const dir = join(scratch, 'DvsGesture');
  writeFile(join(dir, 'trials_to_train.txt'), 'user01_fluorescent.aedat\n');
  writeFile(join(dir, 'trials_to_test.txt'), 'user02_led.aedat\n\n');
  writeFile(join(dir, 'user01_fluorescent_labels.csv'), 'class,startTime_usec,endTime_usec\n1,0,100\n');
  writeFile(join(dir, 'user01_fluorescent.aedat'), aedat3File([{ type: 1, events: [{ x: 1, y: 1, p: 1, t: 5 }] }]));
  // Gestures: class 11 at [100, 200), class 3 at [200, 300), class 11 again at [300, 400).
  writeFile(join(dir, 'user02_led_labels.csv'), 'class,startTime_usec,endTime_usec\r\n11,100,200\r\n3,200,300\r\n11,300,400\r\n');
  writeFile(
    join(dir, 'user02_led.aedat'),
    aedat3File([
      {
        type: 1,
        events: [
          { x: 3, y: 4, p: 1, t: 50 },
          { x: 10, y: 20, p: 1, t: 150 },
          { x: 11, y: 20, p: 0, t: 160, valid: false },
        ],
      },
      {
        type: 1,
        events: [
          { x: 7, y: 8, p: 0, t: 250 },
          { x: 9, y: 9, p: 1, t: 350 },
          { x: 9, y: 9, p: 1, t: 399 },
          { x: 0, y: 0, p: 1, t: 400 },
        ],
      },
    ]),
  );

  it("numbers classes as DatasetFolder does over folders '0'..'10' sorted as strings", () => {
    expect([1, 2, 3, 10, 11].map(gestureLabel)).toEqual([0, 1, 3, 10, 2]);
  });

  it('cuts gestures by the label times and orders them by folder name, then file name', () => {
    const test = openDataset(scratch, { model: modelFor([2, SIDE, SIDE], 'osr-ots', { timesteps: 1 }), split: 'test' });
    expect(test.format).toBe('dvs128-gesture');
    expect(test.inputShape).toEqual([1, 2, SIDE, SIDE]);
    expect([...test.labels]).toEqual([2, 2, 3]);
    const frames = test.frames!.frames;
    // Sample 0: folder '10', user02_led_0 = the first class-11 gesture, with the invalid event kept as spikingjelly does.
    expect(frameAt(frames, 0, 1, 0, 1, 10, 20)).toBe(1);
    expect(frameAt(frames, 0, 1, 0, 0, 11, 20)).toBe(1);
    // Sample 1: user02_led_1, the second class-11 gesture: two events at (9, 9); the event at t = 400 is outside.
    expect(frameAt(frames, 1, 1, 0, 1, 9, 9)).toBe(2);
    expect(frames.subarray(PLANE * 2, PLANE * 4).reduce((a, b) => a + b, 0)).toBe(2);
    // Sample 2: folder '2', the class-3 gesture.
    expect(frameAt(frames, 2, 1, 0, 0, 7, 8)).toBe(1);
    const input = new Float32Array(2 * PLANE);
    test.toInput(2, 1, input);
    expect(input[7 + 8 * SIDE]).toBe(1);
  });

  it('resizes to the model input and reads the train split from its own list', () => {
    const train = openDataset(dir, { model: modelFor([2, 48, 48], 'osr-ots'), split: 'train' });
    expect(train.count).toBe(1);
    expect(train.inputShape).toEqual([4, 2, 48, 48]);
    expect(train.transform).toContain('resized 128x128 to 48x48');
  });

  it('refuses frames larger than the memory budget before allocating them', () => {
    const saved = process.env[MEMORY_BUDGET_VARIABLE];
    process.env[MEMORY_BUDGET_VARIABLE] = '1M';
    try {
      // 3 samples x 4 frames x [2, 128, 128] float32 = 1.5 MiB.
      expect(() => openDataset(dir, { model: modelFor([2, SIDE, SIDE], 'osr-ots'), split: 'test' })).toThrow(/the frames of 3 samples .* over the memory budget of 1\.0 MiB/);
    } finally {
      if (saved === undefined) delete process.env[MEMORY_BUDGET_VARIABLE];
      else process.env[MEMORY_BUDGET_VARIABLE] = saved;
    }
  });

  it("refuses raw recordings for paper B's models, whose code reads pre-integrated .pt frames", () => {
    expect(() => openDataset(dir, { model: modelFor([2, 48, 48], 'rate-bp'), split: 'test' })).toThrow(/paper B's code \(rate-bp\)/);
  });
});

describe('CIFAR10-DVS directories', () => {
  const dir = join(scratch, 'cifar10dvs');
  // 11 airplanes: files sorted as strings are 0, 1, 10, 2, ..., 9, so ceil(0.9 * 11) = 10 train and airplane_9 tests.
  for (let i = 0; i <= 10; i++) writeFile(join(dir, 'airplane', `cifar10_airplane_${i}.aedat`), aedat2File([{ x: i, y: 0, p: 1, t: 1 }]));
  for (let i = 0; i < 2; i++) writeFile(join(dir, 'bird', `cifar10_bird_${i}.aedat`), aedat2File([{ x: 0, y: 100 + i, p: 0, t: 1 }]));

  it("splits each class 90/10 in DatasetFolder's order and labels by the CIFAR-10 class", () => {
    const test = openDataset(dir, { model: modelFor([2, SIDE, SIDE], 'osr-ots', { timesteps: 1 }), split: 'test' });
    expect(test.format).toBe('cifar10-dvs');
    expect(test.count).toBe(1);
    expect([...test.labels]).toEqual([0]);
    expect(frameAt(test.frames!.frames, 0, 1, 0, 1, 9, 0)).toBe(1);
    const train = openDataset(dir, { model: modelFor([2, SIDE, SIDE], 'osr-ots', { timesteps: 1 }), split: 'train' });
    expect([...train.labels]).toEqual([...new Array<number>(10).fill(0), 2, 2]);
    expect(frameAt(train.frames!.frames, 2, 1, 0, 1, 10, 0)).toBe(1);
  });
});

describe("Pillow's bilinear resize of an LA image (paper B's per-frame transform)", () => {
  it('weights a 4 -> 2 row 3/7, 3/7, 1/7 (triangle of support 2 around each center)', () => {
    const out = pilResizeLa(Uint8Array.from([0, 70, 140, 210]), new Uint8Array(4).fill(255), 1, 4, 1, 2);
    expect([...out.l]).toEqual([50, 160]);
    expect([...out.a]).toEqual([255, 255]);
  });

  it('gives what Pillow 9.4 gives for a 10x7 LA image resized to 4x9 (values recorded from Image.resize)', () => {
    const l = [
      231, 238, 231, 97, 94, 243, 95, 48, 228, 155, 72, 46, 21, 202, 231, 80, 7, 32, 30, 18, 97, 123, 15, 237, 167, 225, 100, 119, 150, 255, 2, 43, 234, 142, 208, 42, 130, 161,
      117, 147, 15, 35, 55, 205, 55, 148, 197, 34, 8, 0, 109, 107, 26, 240, 192, 203, 214, 37, 101, 138, 172, 44, 159, 170, 7, 209, 60, 68, 126, 51,
    ];
    const a = [
      0, 255, 90, 255, 97, 255, 0, 255, 0, 138, 0, 0, 201, 0, 0, 255, 4, 255, 0, 0, 106, 0, 255, 0, 247, 255, 93, 255, 116, 127, 0, 100, 255, 255, 0, 0, 0, 255, 215, 255, 89, 0,
      255, 255, 0, 0, 255, 0, 0, 255, 188, 0, 0, 255, 71, 0, 255, 0, 10, 255, 34, 255, 0, 255, 188, 22, 255, 0, 0, 0,
    ];
    const out = pilResizeLa(Uint8Array.from(l), Uint8Array.from(a), 7, 10, 9, 4);
    expect([...out.l]).toEqual([
      225, 143, 156, 95, 144, 100, 94, 59, 34, 97, 116, 121, 71, 136, 163, 157, 155, 171, 153, 139, 83, 155, 189, 72, 92, 190, 205, 93, 99, 180, 153, 140, 66, 108, 56, 63,
    ]);
    expect([...out.a]).toEqual([
      136, 178, 134, 102, 76, 107, 127, 73, 66, 107, 153, 99, 96, 150, 161, 167, 110, 147, 60, 227, 101, 144, 85, 123, 83, 126, 97, 95, 90, 127, 108, 69, 127, 157, 121, 12,
    ]);
  });

  it('premultiplies L by A before resampling and divides it back after', () => {
    // L' = [0, 200, 50, 50]; L'out = [93, 71], Aout = [146, 255]; L = floor(255 * 93 / 146) = 162. Without the
    // premultiplication L would be (3*100 + 3*200 + 50) / 7 = 136.
    const out = pilResizeLa(Uint8Array.from([100, 200, 50, 50]), Uint8Array.from([0, 255, 255, 255]), 1, 4, 1, 2);
    expect([...out.l]).toEqual([162, 71]);
    expect([...out.a]).toEqual([146, 255]);
  });
});

describe("paper B's CIFAR10-DVS .pt frames", () => {
  const dir = join(scratch, 'cifar10dvs-aug');
  // Sample 0: one frame [2, 1, 1] with counts 3 (L) and 2 (A): x255 then the uint8 cast keeps the low byte: 253, 254.
  writeFile(join(dir, 'test', '0.pt'), framesPtFile(Float32Array.from([3, 2]), [1, 2, 1, 1], 7));
  writeFile(join(dir, 'test', '1.pt'), framesPtFile(Float32Array.from([0, 1]), [1, 2, 1, 1], 2));
  writeFile(join(dir, 'train', '0.pt'), framesPtFile(Float32Array.from([0, 1, 0, 1, 3, 0, 0, 0]), [1, 2, 1, 4], 1));

  it('reads (data, target) pairs in index order and applies ToPILImage and ToTensor', () => {
    const test = openDataset(dir, { model: modelFor([2, 1, 1], 'rate-bp'), split: 'test' });
    expect(test.format).toBe('cifar10-dvs-frames-pt');
    expect([...test.labels]).toEqual([7, 2]);
    expect(test.inputShape).toEqual([1, 2, 1, 1]);
    expect([...test.frames!.frames]).toEqual([253 / 255, 254 / 255, 0, 1].map(Math.fround));
  });

  it('resizes each frame with Pillow to the model input', () => {
    // L = [0, 255, 0, 255], A = [253, 0, 0, 0]: L' = [0, 0, 0, 0]; A resized to [(3*253)/7 -> 108, 0].
    const train = openDataset(dir, { model: modelFor([2, 1, 2], 'rate-bp'), split: 'train' });
    expect([...train.frames!.frames]).toEqual([0, 0, 108 / 255, 0].map(Math.fround));
  });

  it('names a missing sample', () => {
    writeFile(join(dir, 'test', 'notes.txt'), 'x');
    expect(() => openDataset(dir, { model: modelFor([2, 1, 1], 'rate-bp'), split: 'test' })).toThrow(
      `${join(dir, 'test')}: holds 3 entries, so samples 0.pt .. 2.pt, but 2.pt is missing`,
    );
  });
});
