/**
 * Colours readable by people with colour-vision deficiencies: Okabe and Ito's eight for categories, viridis for
 * a quantity from 0 to 1.
 */
const CATEGORICAL = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#999933', '#332288'];

export function categoryColour(index: number): string {
  return CATEGORICAL[index % CATEGORICAL.length]!;
}

/** Marks what needs attention (the bottleneck core). */
export const ALERT = '#D55E00';

const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54],
  [0x3b, 0x52, 0x8b],
  [0x21, 0x91, 0x8c],
  [0x5e, 0xc9, 0x62],
  [0xfd, 0xe7, 0x25],
];

/** Viridis at `t` in [0, 1] (clamped), as #rrggbb. */
export function sequentialColour(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return `#${[0, 1, 2]
    .map((k) =>
      Math.round(a[k]! + (b[k]! - a[k]!) * f)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** The viridis stops, for a gradient legend. */
export function sequentialStops(): string[] {
  return VIRIDIS.map((_, i) => sequentialColour(i / (VIRIDIS.length - 1)));
}

/** Light to dark orange at `t` in [0, 1]: link load, kept apart from the viridis of core utilisation. */
export function loadColour(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const light = [0xfd, 0xd0, 0xa2];
  const dark = [0xa6, 0x36, 0x03];
  return `#${[0, 1, 2]
    .map((k) =>
      Math.round(light[k]! + (dark[k]! - light[k]!) * x)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}
