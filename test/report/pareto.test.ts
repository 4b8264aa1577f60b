import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paretoFront } from '../../report/pareto.js';

const point = fc.record({
  label: fc.string(),
  chip: fc.constantFrom('loihi', 'loihi2'),
  accuracy: fc.double({ min: 0, max: 1, noNaN: true }),
  cost: fc.double({ min: 0, max: 1e-3, noNaN: true }),
});
const dominates = (a: { accuracy: number; cost: number }, b: { accuracy: number; cost: number }) =>
  a.accuracy >= b.accuracy && a.cost <= b.cost && (a.accuracy > b.accuracy || a.cost < b.cost);

describe('paretoFront', () => {
  it('keeps exactly the points no other point dominates, ordered by cost', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), (points) => {
        const front = paretoFront(points);
        for (const p of front) expect(points.some((q) => dominates(q, p))).toBe(false);
        for (const p of points) if (!front.includes(p)) expect(front.some((q) => dominates(q, p) || (q.accuracy === p.accuracy && q.cost === p.cost))).toBe(true);
        for (let i = 1; i < front.length; i++) expect(front[i]!.cost).toBeGreaterThanOrEqual(front[i - 1]!.cost);
      }),
    );
  });

  it('picks the cheapest point of each accuracy', () => {
    const points = [
      { label: 'a', chip: 'x', accuracy: 0.9, cost: 3 },
      { label: 'b', chip: 'x', accuracy: 0.8, cost: 1 },
      { label: 'c', chip: 'x', accuracy: 0.8, cost: 2 },
      { label: 'd', chip: 'x', accuracy: 0.95, cost: 5 },
    ];
    expect(paretoFront(points).map((p) => p.label)).toEqual(['b', 'a', 'd']);
  });
});
