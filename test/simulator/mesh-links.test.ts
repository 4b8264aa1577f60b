import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MeshLinks } from '../../simulator/mesh-links.js';

describe('mesh link load (dimension-order routing)', () => {
  it('routes east-west along the source row, then north-south along the destination column', () => {
    const mesh = new MeshLinks(4, 3);
    mesh.route(0, 0, 2, 2, 5);
    const used = [...mesh.load.entries()].filter(([, l]) => l > 0).map(([i]) => mesh.ends(i));
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
    expect(mesh.load.every((l) => l === 0)).toBe(true);
  });

  it('puts a packet on exactly |dx| + |dy| links, each joining neighbouring tiles', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.nat(), fc.nat(), fc.nat(), fc.nat(), (w, h, a, b, c, d) => {
        const [x1, y1, x2, y2] = [a % w, b % h, c % w, d % h];
        const mesh = new MeshLinks(w, h);
        mesh.route(x1, y1, x2, y2, 1);
        const used = [...mesh.load.entries()].filter(([, l]) => l > 0);
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
});
