/**
 * Numbers as the report prints them: fixed digits, no locale, no clock, so the same result gives the same bytes.
 */

/** An SVG coordinate: two decimals at most, no "-0". */
export function coord(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

export function percentText(fraction: number, digits = 2): string {
  return `${fixed(fraction * 100, digits)} %`;
}

/** Thousands separated by a thin space-free comma, as the CLI prints counts. */
export function count(value: number): string {
  const [whole, fraction] = fixed(value, Number.isInteger(value) ? 0 : 1).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
}

export interface Unit {
  readonly name: string;
  /** Base units per displayed unit (e.g. 1e-6 for uJ). */
  readonly factor: number;
}

const ENERGY: readonly Unit[] = [
  { name: 'J', factor: 1 },
  { name: 'mJ', factor: 1e-3 },
  { name: 'µJ', factor: 1e-6 },
  { name: 'nJ', factor: 1e-9 },
  { name: 'pJ', factor: 1e-12 },
];
const TIME: readonly Unit[] = [
  { name: 's', factor: 1 },
  { name: 'ms', factor: 1e-3 },
  { name: 'µs', factor: 1e-6 },
  { name: 'ns', factor: 1e-9 },
];

/** The largest unit in which `largest` is at least 1 (the smallest unit when it is 0). */
function unitFor(units: readonly Unit[], largest: number): Unit {
  return units.find((u) => largest >= u.factor) ?? units[units.length - 1]!;
}

export const energyUnit = (largestJ: number): Unit => unitFor(ENERGY, largestJ);
export const timeUnit = (largestS: number): Unit => unitFor(TIME, largestS);

export function withUnit(value: number, unit: Unit, digits = 3): string {
  return `${fixed(value / unit.factor, digits)} ${unit.name}`;
}

/** Round steps (1, 2, 5 x 10^k) from 0 to at least `max`, about `target` of them. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

/** A tick label: as few decimals as the step needs. */
export function tickLabel(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const digits = Math.max(0, Math.min(15, -Math.floor(Math.log10(step) + 1e-9)));
  return fixed(value, digits);
}
