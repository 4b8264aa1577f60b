import { coord, niceTicks, tickLabel } from '../format.js';
import { linearScale, svgRoot, text, tip } from '../svg.js';

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly colour: string;
  /** In the axis's units; printed at the bar's end as `valueText`. */
  readonly valueText: string;
  readonly tip: string;
}

/** Horizontal bars from 0, one per row, labelled on the left, the value printed at each bar's end. */
export function horizontalBars(id: string, label: string, bars: readonly Bar[], axisTitle: string, max?: number): string {
  const labelWidth = Math.max(60, ...bars.map((b) => b.label.length * 6.8)) + 12;
  const width = 520;
  const row = 26;
  const top = 10;
  const plotWidth = width - labelWidth - 90;
  const height = top + bars.length * row + 48;
  const ticks = niceTicks(max ?? Math.max(...bars.map((b) => b.value), 0), 5);
  const x = linearScale([0, ticks[ticks.length - 1]!], [labelWidth, labelWidth + plotWidth]);
  const bottom = top + bars.length * row;
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(`<line class="grid" x1="${coord(x(t))}" x2="${coord(x(t))}" y1="${top}" y2="${coord(bottom)}"/>`);
    parts.push(text(x(t), bottom + 16, tickLabel(t, ticks), 'class="tick" text-anchor="middle"'));
  }
  bars.forEach((b, i) => {
    const y = top + i * row + 4;
    const length = Math.max(0, x(b.value) - labelWidth);
    parts.push(text(labelWidth - 8, y + 13, b.label, 'class="label" text-anchor="end"'));
    parts.push(`<rect class="bar" x="${coord(labelWidth)}" y="${coord(y)}" width="${coord(Math.max(length, 0.5))}" height="${row - 8}" fill="${b.colour}"${tip(b.tip)}/>`);
    parts.push(text(labelWidth + length + 6, y + 13, b.valueText, 'class="value"'));
  });
  parts.push(`<line class="axis" x1="${coord(labelWidth)}" x2="${coord(labelWidth)}" y1="${top}" y2="${coord(bottom)}"/>`);
  parts.push(text(labelWidth + plotWidth / 2, bottom + 36, axisTitle, 'class="axis-title" text-anchor="middle"'));
  return svgRoot(id, width, height, `${label}: ${bars.map((b) => `${b.label} ${b.valueText}`).join(', ')}`, parts.join(''));
}
