import type { RasterLayer } from '../../simulator/raster.js';
import { categoryColour } from '../colours.js';
import { coord, count, fixed, niceTicks } from '../format.js';
import type { ReportInput } from '../report-input.js';
import { linearScale, svgRoot, text, tip, xAxis, yAxis, type Plot } from '../svg.js';

const PANELS_PER_ROW = 3;
const PANEL = { width: 230, height: 300, left: 70, top: 44, bottom: 46, right: 24 };

/**
 * Spike raster of one sample: in one panel per recorded layer, a dash at (global step, neuron index) for every
 * spike. Dashes are one path per layer, so a layer of ten thousand spikes stays a small file.
 */
export function rasterPlot({ result }: ReportInput): Plot {
  const raster = result.raster;
  const base = { id: 'raster', title: 'Spike raster' };
  if (!raster || raster.layers.length === 0) {
    return {
      ...base,
      caption: 'Spikes of chosen layers in one sample.',
      svg: null,
      missing: 'the result holds no spike raster: simulate with --raster <layers|all> (simulate --report records all layers)',
      series: [],
    };
  }
  const panelWidth = PANEL.left + PANEL.width + PANEL.right;
  const panelHeight = PANEL.top + PANEL.height + PANEL.bottom;
  const columns = Math.min(PANELS_PER_ROW, raster.layers.length);
  const rows = Math.ceil(raster.layers.length / PANELS_PER_ROW);
  const panels = raster.layers.map((layer, i) => {
    const dx = (i % PANELS_PER_ROW) * panelWidth;
    const dy = Math.floor(i / PANELS_PER_ROW) * panelHeight;
    return `<g transform="translate(${dx} ${dy})">${panel(layer, categoryColour(i))}</g>`;
  });
  const spikes = (layer: RasterLayer) => layer.steps.reduce((n, s) => n + s.length, 0);
  return {
    ...base,
    caption:
      `Every spike of sample ${raster.sample} in the recorded layers: a dash at (global step, neuron index); ` +
      'neuron index runs over the layer’s flattened [channel, row, column] grid. Layer L integrates during steps L to L+T-1.',
    svg: svgRoot('raster', columns * panelWidth, rows * panelHeight, 'Spike raster of one sample', panels.join('')),
    series: raster.layers.map((layer) => ({ name: layer.name, marks: spikes(layer) })),
  };
}

function panel(layer: RasterLayer, colour: string): string {
  const box = { left: PANEL.left, top: PANEL.top, width: PANEL.width, height: PANEL.height };
  const steps = layer.steps.length;
  const band = box.width / Math.max(1, steps);
  const neurons = Math.max(1, layer.neurons);
  const ticks = niceTicks(neurons).filter((t) => t <= neurons);
  const y = linearScale([0, neurons], [box.top, box.top + box.height]);
  // A dash a little taller than a neuron's row, at least one hairline, so dense layers read as density.
  const thickness = Math.max(0.6, Math.min(3, box.height / Math.max(1, layer.neurons)));
  let path = '';
  let total = 0;
  const hits: string[] = [];
  layer.steps.forEach((neurons, g) => {
    const x0 = coord(box.left + g * band + band * 0.1);
    for (const n of neurons) path += `M${x0} ${coord(y(n + 0.5))}h${coord(band * 0.8)}`;
    total += neurons.length;
    hits.push(
      `<rect class="hit" x="${coord(box.left + g * band)}" y="${box.top}" width="${coord(band)}" height="${box.height}" fill="transparent"` +
        `${tip(`${layer.name}, step ${g}: ${neurons.length} of ${layer.neurons} neurons fired (${fixed((100 * neurons.length) / Math.max(1, layer.neurons), 2)} %)`)}/>`,
    );
  });
  const parts = [
    // The y axis grows downwards (neuron 0 at the top), so the ticks are drawn on the flipped scale.
    yAxis(box, ticks, y, 'neuron index'),
    path ? `<path class="spikes" d="${path}" stroke="${colour}" stroke-width="${coord(thickness)}" fill="none"/>` : '',
    xAxis(
      box,
      layer.steps.map((_, g) => ({ x: box.left + (g + 0.5) * band, label: String(g) })),
      'global step',
    ),
    text(box.left + box.width / 2, 14, layer.name, 'class="panel-title" text-anchor="middle"'),
    text(box.left + box.width / 2, 30, `${count(total)} spikes, ${count(layer.neurons)} neurons`, 'class="tick" text-anchor="middle"'),
    ...hits,
  ];
  return parts.join('');
}
