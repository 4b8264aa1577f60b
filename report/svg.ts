import { escapeXml } from './escape.js';
import { coord, tickLabel } from './format.js';

/** One figure of the report: its inline SVG (drawn here, readable without scripts) and what it holds. */
export interface Plot {
  readonly id: string;
  readonly title: string;
  /** What is drawn, in which units, from which data. */
  readonly caption: string;
  /** Null when the result lacks the data; then `missing` says how to get it. */
  readonly svg: string | null;
  readonly missing?: string;
  /** Each series drawn and how many marks (dots, bars, points, cores, links) it has: the report's outline. */
  readonly series: readonly Series[];
}

export interface Series {
  readonly name: string;
  readonly marks: number;
}

/** The plotting area inside an SVG, in SVG units. */
export interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export type Scale = (value: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export function svgRoot(id: string, width: number, height: number, label: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="svg-${escapeXml(id)}" viewBox="0 0 ${coord(width)} ${coord(height)}" ` +
    `width="${coord(width)}" height="${coord(height)}" role="img" aria-label="${escapeXml(label)}">${body}</svg>`
  );
}

export function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${coord(x)}" y="${coord(y)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

/** A tooltip the page script shows on hover (data-tip); the same facts are printed in the figure or its caption. */
export function tip(content: string): string {
  return ` data-tip="${escapeXml(content)}"`;
}

/** Left axis with grid lines at `ticks`, tick labels, and the axis title written upwards. */
export function yAxis(box: Box, ticks: readonly number[], scale: Scale, title: string): string {
  const parts = ticks.map((t) => {
    const y = coord(scale(t));
    return (
      `<line class="grid" x1="${coord(box.left)}" x2="${coord(box.left + box.width)}" y1="${y}" y2="${y}"/>` +
      text(box.left - 6, scale(t) + 4, tickLabel(t, ticks), 'class="tick" text-anchor="end"')
    );
  });
  const cx = box.left - 46;
  const cy = box.top + box.height / 2;
  parts.push(text(cx, cy, title, `class="axis-title" text-anchor="middle" transform="rotate(-90 ${coord(cx)} ${coord(cy)})"`));
  parts.push(`<line class="axis" x1="${coord(box.left)}" x2="${coord(box.left)}" y1="${coord(box.top)}" y2="${coord(box.top + box.height)}"/>`);
  return parts.join('');
}

/** Bottom axis with labels at given positions (categories or numbers) and the axis title below. */
export function xAxis(box: Box, labels: readonly { x: number; label: string }[], title: string): string {
  const bottom = box.top + box.height;
  const parts = labels.map(
    ({ x, label }) =>
      `<line class="axis" x1="${coord(x)}" x2="${coord(x)}" y1="${coord(bottom)}" y2="${coord(bottom + 4)}"/>` + text(x, bottom + 16, label, 'class="tick" text-anchor="middle"'),
  );
  parts.push(`<line class="axis" x1="${coord(box.left)}" x2="${coord(box.left + box.width)}" y1="${coord(bottom)}" y2="${coord(bottom)}"/>`);
  parts.push(text(box.left + box.width / 2, bottom + 34, title, 'class="axis-title" text-anchor="middle"'));
  return parts.join('');
}

export interface LegendItem {
  readonly label: string;
  readonly colour: string;
  /** A filled square (default) or a line sample. */
  readonly shape?: 'square' | 'line';
}

/** A row of legend entries starting at (x, y); entries wrap to a new row past `maxWidth`. */
export function legend(items: readonly LegendItem[], x: number, y: number, maxWidth: number): string {
  let cx = x;
  let cy = y;
  const parts: string[] = [];
  for (const item of items) {
    const width = 22 + item.label.length * 6.6;
    if (cx > x && cx + width > x + maxWidth) {
      cx = x;
      cy += 18;
    }
    parts.push(
      item.shape === 'line'
        ? `<line x1="${coord(cx)}" x2="${coord(cx + 14)}" y1="${coord(cy - 4)}" y2="${coord(cy - 4)}" stroke="${item.colour}" stroke-width="2.5"/>`
        : `<rect x="${coord(cx)}" y="${coord(cy - 10)}" width="12" height="12" fill="${item.colour}"/>`,
    );
    parts.push(text(cx + 18, cy, item.label, 'class="legend"'));
    cx += width + 12;
  }
  return `<g class="legend-box">${parts.join('')}</g>`;
}
