import { categoryColour } from './colours.js';
import { escapeXml } from './escape.js';
import { coord, energyUnit, fixed, niceTicks, percentText, timeUnit, withUnit, type Unit } from './format.js';
import { figure, htmlPage } from './page-shell.js';
import { paretoFront, type DesignPoint } from './pareto.js';
import { legend, linearScale, svgRoot, tip, xAxis, yAxis, type Plot } from './svg.js';

/** One row of a sweep table, as the page needs it (the table's own type lives with the sweep, in cluster/). */
export interface SweepPageRow {
  readonly label: string;
  readonly chip: string;
  readonly status: string;
  readonly message: string | null;
  readonly accuracy: number | null;
  readonly energyPerInferenceJ: number | null;
  readonly latencyPerInferenceS: number | null;
}

/**
 * A sweep as one self-contained page: accuracy against energy and against latency per inference, every priced
 * point coloured by chip, the Pareto front of each drawn as a line; then every row, with why a point has no mark.
 */
export function renderSweepPage(title: string, rows: readonly SweepPageRow[]): string {
  const chips = [...new Set(rows.map((r) => r.chip))];
  const plots = [
    frontPlot('energy', 'Accuracy and energy per inference', rows, chips, (r) => r.energyPerInferenceJ, energyUnit, 'energy per inference'),
    frontPlot('latency', 'Accuracy and latency per inference', rows, chips, (r) => r.latencyPerInferenceS, timeUnit, 'latency per inference'),
  ];
  return htmlPage(
    title,
    `${rows.length} rows: ${rows.filter((r) => r.status === 'ok').length} priced, ${rows.filter((r) => r.status === 'does-not-fit').length} do not fit, ${rows.filter((r) => r.status === 'no-profile').length} without the profile, ${rows.filter((r) => r.status === 'error').length} failed`,
    [],
    [...plots.map(figure), rowTable(rows)],
  );
}

function frontPlot(
  id: string,
  title: string,
  rows: readonly SweepPageRow[],
  chips: readonly string[],
  costOf: (r: SweepPageRow) => number | null,
  unitFor: (largest: number) => Unit,
  axis: string,
): Plot {
  const points = rows.flatMap((r): (DesignPoint & { row: SweepPageRow })[] => {
    const cost = costOf(r);
    return r.status === 'ok' && cost !== null && r.accuracy !== null ? [{ label: r.label, chip: r.chip, accuracy: r.accuracy, cost, row: r }] : [];
  });
  if (points.length === 0) {
    return { id, title, caption: `No point of the sweep has an ${axis} (none fits a chip with the profile).`, svg: null, missing: 'nothing to draw: no priced point', series: [] };
  }
  const unit = unitFor(Math.max(...points.map((p) => p.cost)));
  const xTicks = spanTicks(Math.min(...points.map((p) => p.cost)) / unit.factor, Math.max(...points.map((p) => p.cost)) / unit.factor);
  const yTicks = spanTicks(Math.min(...points.map((p) => p.accuracy)) * 100, Math.max(...points.map((p) => p.accuracy)) * 100).filter((t) => t <= 100.0001);
  const box = { left: 70, top: 56, width: 460, height: 280 };
  const x = linearScale([xTicks[0]!, xTicks[xTicks.length - 1]!], [box.left, box.left + box.width]);
  const y = linearScale([yTicks[0]!, yTicks[yTicks.length - 1]!], [box.top + box.height, box.top]);
  const parts = [yAxis(box, yTicks, y, 'accuracy (%)')];
  const front = paretoFront(points);
  const path = front.map((p, i) => `${i === 0 ? 'M' : 'L'}${coord(x(p.cost / unit.factor))},${coord(y(p.accuracy * 100))}`).join(' ');
  parts.push(`<path d="${path}" fill="none" stroke="#1d2330" stroke-width="1.5" stroke-dasharray="5 3"/>`);
  for (const p of points) {
    const onFront = front.includes(p);
    parts.push(
      `<circle cx="${coord(x(p.cost / unit.factor))}" cy="${coord(y(p.accuracy * 100))}" r="${onFront ? 6 : 4.5}" fill="${categoryColour(chips.indexOf(p.chip))}"${onFront ? ' stroke="#1d2330" stroke-width="1.5"' : ''}` +
        `${tip(`${p.label}: ${percentText(p.accuracy)}, ${withUnit(p.cost, unit)}${onFront ? ' (Pareto front)' : ''}`)}/>`,
    );
  }
  parts.push(
    xAxis(
      box,
      xTicks.map((t) => ({ x: x(t), label: fixed(t, t >= 100 || Number.isInteger(t) ? 0 : 2) })),
      `${axis} (${unit.name})`,
    ),
  );
  const drawn = chips.filter((c) => points.some((p) => p.chip === c));
  parts.push(
    legend(
      [...drawn.map((c) => ({ label: c, colour: categoryColour(chips.indexOf(c)) })), { label: 'Pareto front', colour: '#1d2330', shape: 'line' as const }],
      box.left,
      16,
      box.width,
    ),
  );
  return {
    id,
    title,
    caption: `Each priced point of the sweep (${points.length}), coloured by chip; the dashed line joins the Pareto front (${front.length} points, ringed): no other point is at least as accurate for less ${axis.split(' ')[0]}. Points that do not fit or lack the profile are listed below.`,
    svg: svgRoot(`front-${id}`, box.left + box.width + 20, box.top + box.height + 44, title, parts.join('')),
    series: chips.map((c) => ({ name: c, marks: points.filter((p) => p.chip === c).length })),
  };
}

/**
 * Round ticks around [min, max]: from zero when the points reach near it, else from a round value below the
 * lowest point, so a sweep whose points differ by a few percent is not drawn as one dot.
 */
function spanTicks(min: number, max: number): number[] {
  if (min < 0.4 * max || max === min) return niceTicks(max === min ? max * 1.1 || 1 : max);
  const step = niceTicks(max - min, 4)[1]!;
  const start = Math.floor(min / step - 0.5) * step;
  return Array.from({ length: Math.ceil((max - start) / step + 1e-9) + 1 }, (_, i) => Number((start + i * step).toPrecision(12)));
}

function rowTable(rows: readonly SweepPageRow[]): string {
  const cells = rows.map((r) => {
    const energy = r.energyPerInferenceJ === null ? '' : withUnit(r.energyPerInferenceJ, energyUnit(r.energyPerInferenceJ));
    const latency = r.latencyPerInferenceS === null ? '' : withUnit(r.latencyPerInferenceS, timeUnit(r.latencyPerInferenceS));
    const values = [r.label, r.status, r.accuracy === null ? '' : percentText(r.accuracy), energy, latency, r.message ?? ''];
    return `<tr>${values.map((v) => `<td>${escapeXml(v)}</td>`).join('')}</tr>`;
  });
  return [
    '<figure class="plot" id="plot-rows">',
    '<h2>Every point</h2>',
    `<table class="summary"><tr>${['point', 'status', 'accuracy', 'energy', 'latency', 'note'].map((h) => `<th>${h}</th>`).join('')}</tr>${cells.join('')}</table>`,
    '</figure>',
  ].join('\n');
}
