import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MeshLinks } from '../../simulator/mesh-links.js';

describe('mesh link load (dimension-order routing)', () => {
  it('routes east-west along the source row, then north-south along the destination column', () => {
    const mesh = new MeshLinks(4, 3);
    mesh.route(0, 0, 2, 2, 5);
    const used = [...mesh.stepLoad().entries()].filter(([, l]) => l > 0).map(([i]) => mesh.ends(i));
    expect(used).toEqual([
      [
        [0, 0],
        [1, 0],
      ],
      [
        [1, 0],
        [2, 0],
      ],
      [
        [2, 0],
        [2, 1],
      ],
      [
        [2, 1],
        [2, 2],
      ],
    ]);
    expect(mesh.endStep()).toBe(5);
    expect(mesh.stepLoad().every((l) => l === 0)).toBe(true);
  });

  it('puts a packet on exactly |dx| + |dy| links, each joining neighbouring tiles', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.nat(), fc.nat(), fc.nat(), fc.nat(), (w, h, a, b, c, d) => {
        const [x1, y1, x2, y2] = [a % w, b % h, c % w, d % h];
        const mesh = new MeshLinks(w, h);
        mesh.route(x1, y1, x2, y2, 1);
        const used = [...mesh.stepLoad().entries()].filter(([, l]) => l > 0);
        expect(used.length).toBe(Math.abs(x2 - x1) + Math.abs(y2 - y1));
        for (const [i, load] of used) {
          expect(load).toBe(1);
          const [[p, q], [r, s]] = mesh.ends(i);
          expect(Math.abs(p - r) + Math.abs(q - s)).toBe(1);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('gives every link, step peak and total of a link-by-link walk, over many routes and steps', () => {
    /** The readable model: walk each route's links one by one. */
    const walk = (w: number, h: number, load: number[], x1: number, y1: number, x2: number, y2: number, packets: number) => {
      for (let x = Math.min(x1, x2); x < Math.max(x1, x2); x++) load[y1 * (w - 1) + x]! += packets;
      for (let y = Math.min(y1, y2); y < Math.max(y1, y2); y++) load[(w - 1) * h + x2 * (h - 1) + y]! += packets;
    };
    const route = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.array(route, { maxLength: 30 }), { minLength: 1, maxLength: 4 }), (w, h, steps) => {
        const mesh = new MeshLinks(w, h);
        const links = (w - 1) * h + w * (h - 1);
        const total = new Array<number>(links).fill(0);
        for (const step of steps) {
          const load = new Array<number>(links).fill(0);
          for (const [a, b, c, d, packets] of step) {
            const [x1, y1, x2, y2] = [a % w, b % h, c % w, d % h];
            mesh.route(x1, y1, x2, y2, packets);
            walk(w, h, load, x1, y1, x2, y2, packets);
          }
          expect([...mesh.stepLoad()]).toEqual(load);
          expect(mesh.endStep()).toBe(Math.max(0, ...load));
          load.forEach((l, i) => (total[i]! += l));
        }
        expect([...mesh.total]).toEqual(total);
      }),
      { numRuns: 300 },
    );
  });
  it('replays, through eastWestRunsOf, northSouthRunsOf and addRuns, the loads of routing each packet', () => {
    const route = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat());
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.array(route, { maxLength: 20 }), fc.integer({ min: 0, max: 50 }), (w, h, packets, times) => {
        const walked = new MeshLinks(w, h);
        const replayed = new MeshLinks(w, h);
        const runs = new Map<number, number>();
        for (const [a, b, c, d] of packets) {
          const [x1, y1, x2, y2] = [a % w, b % h, c % w, d % h];
          walked.route(x1, y1, x2, y2, times);
          replayed.eastWestRunsOf(x1, y1, x2, runs);
          replayed.northSouthRunsOf(y1, x2, y2, runs);
        }
        replayed.addRuns(Int32Array.from(runs.keys()), Int32Array.from(runs.values()), 0, runs.size, times);
        expect([...replayed.stepLoad()]).toEqual([...walked.stepLoad()]);
        expect(replayed.endStep()).toBe(walked.endStep());
      }),
      { numRuns: 300 },
    );
  });
  it('charges a row of sources to a set of destination columns, through addEastWestRow, as routing each packet', () => {
    const columns = (w: number) => fc.uniqueArray(fc.nat({ max: w - 1 }), { maxLength: w }).map((list) => list.sort((a, b) => a - b));
    const row = fc.integer({ min: 1, max: 30 }).chain((w) =>
      fc.record({
        w: fc.constant(w),
        h: fc.integer({ min: 1, max: 4 }),
        sources: columns(w).chain((xs) => fc.tuple(fc.constant(xs), fc.array(fc.nat({ max: 6 }), { minLength: xs.length, maxLength: xs.length }))),
        destinations: columns(w).chain((ds) => fc.tuple(fc.constant(ds), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: ds.length, maxLength: ds.length }))),
        offset: fc.nat({ max: 3 }),
      }),
    );
    fc.assert(
      fc.property(row, fc.nat(), ({ w, h, sources: [xs, spikes], destinations: [ds, cores], offset }, yRaw) => {
        const y = yRaw % h;
        const walked = new MeshLinks(w, h);
        const charged = new MeshLinks(w, h);
        xs.forEach((x, i) => ds.forEach((d, j) => walked.route(x, y, d, y, spikes[i]! * cores[j]!)));
        const weight = xs.map((x) => ds.reduce((sum, d, j) => sum + (d > x ? cores[j]! : d < x ? -cores[j]! : 0), 0));
        // The arrays start `offset` entries in, as a row's range does in a layer's routes.
        const pad = (list: number[]) => Int32Array.from([...Array<number>(offset).fill(-1), ...list]);
        const held = pad(spikes);
        const total = spikes.reduce((a, b) => a + b, 0);
        charged.addEastWestRow(y, pad(xs), pad(weight), held, offset, offset + xs.length, pad(ds), pad(cores), offset, offset + ds.length, total);
        expect([...charged.stepLoad()]).toEqual([...walked.stepLoad()]);
        expect(charged.endStep()).toBe(walked.endStep());
        expect([...held.subarray(offset)].every((s) => s === 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
