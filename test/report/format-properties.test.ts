import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequentialColour, loadColour } from '../../report/colours.js';
import { escapeXml } from '../../report/escape.js';
import { coord, niceTicks, tickLabel } from '../../report/format.js';

describe('report formatting', () => {
  it('escaped text holds no markup character and decodes back to the original', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", ';', '#', 'a', 'µ', ' '), maxLength: 40 }), (s) => {
        const e = escapeXml(s);
        expect(e).not.toMatch(/[<>"']/);
        expect(
          e
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&amp;/g, '&'),
        ).toBe(s);
      }),
    );
  });

  it('axis ticks start at 0, step evenly by 1, 2 or 5 x 10^k, and reach the largest value', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e12, noNaN: true }), (max) => {
        const ticks = niceTicks(max);
        expect(ticks[0]).toBe(0);
        expect(ticks[ticks.length - 1]!).toBeGreaterThanOrEqual(max * (1 - 1e-12));
        expect(ticks.length).toBeLessThanOrEqual(7);
        const step = ticks[1]!;
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
        ticks.forEach((t, i) => expect(Math.abs(t - i * step)).toBeLessThanOrEqual(step * 1e-9));
        // Labels distinguish every tick.
        expect(new Set(ticks.map((t) => tickLabel(t, ticks))).size).toBe(ticks.length);
      }),
    );
  });

  it('coordinates and colours are plain text the same on every machine', () => {
    expect(coord(-0.001)).toBe('0');
    expect(coord(12.345)).toBe('12.35');
    expect(sequentialColour(0)).toBe('#440154');
    expect(sequentialColour(1)).toBe('#fde725');
    expect(sequentialColour(Number.NaN)).toBe('#440154');
    fc.assert(
      fc.property(fc.double({ min: -1, max: 2, noNaN: true }), (t) => {
        expect(`${sequentialColour(t)} ${loadColour(t)}`).toMatch(/^#[0-9a-f]{6} #[0-9a-f]{6}$/);
      }),
    );
  });
});
