import { categoryColour } from '../colours.js';
import { coord, fixed, niceTicks } from '../format.js';
import { layerNeurons, layerSpikes, type ReportInput } from '../report-input.js';
import { legend, linearScale, svgRoot, tip, xAxis, yAxis, type Plot } from '../svg.js';

/**
 * Firing rate of every spiking layer at every global step, averaged over the run's samples: the share of the
 * layer's neurons that fired (spikes per step where the neuron count is unknown).
 */
export function firingRatePlot(input: ReportInput): Plot {
  const { result } = input;
  const layers = result.perLayer.map((l, i) => ({ layer: l, index: i, neurons: layerNeurons(input, i) })).filter(({ index }) => layerSpikes(input, index));
  const asRate = layers.every((l) => l.neurons !== null && l.neurons > 0);
  const value = (spikes: number, neurons: number | null) => (asRate ? (100 * spikes) / neurons! : spikes);
  const steps = result.stepsPerInference;
  const max = Math.max(0, ...layers.flatMap(({ layer, neurons }) => layer.spikesPerStep.map((s) => value(s, neurons))));
  const ticks = niceTicks(max);
  const box = { left: 70, top: 16 + 18 * Math.ceil(layers.length / 3), width: Math.max(360, steps * 60), height: 240 };
  const x = linearScale([0, Math.max(1, steps - 1)], [box.left + 20, box.left + box.width - 20]);
  const y = linearScale([0, ticks[ticks.length - 1]!], [box.top + box.height, box.top]);
  const parts = [yAxis(box, ticks, y, asRate ? 'neurons firing per step (%)' : 'spikes per step')];
  layers.forEach(({ layer, neurons }, k) => {
    const colour = categoryColour(k);
    const points = layer.spikesPerStep.map((s, g) => [x(g), y(value(s, neurons))] as const);
    parts.push(`<polyline class="series" fill="none" stroke="${colour}" stroke-width="2" points="${points.map(([px, py]) => `${coord(px)},${coord(py)}`).join(' ')}"/>`);
    layer.spikesPerStep.forEach((s, g) => {
      const [px, py] = points[g]!;
      const rate = neurons ? ` = ${fixed((100 * s) / neurons, 2)} % of ${neurons} neurons` : '';
      parts.push(`<circle cx="${coord(px)}" cy="${coord(py)}" r="3.5" fill="${colour}"${tip(`${layer.name}, step ${g}: ${fixed(s, 1)} spikes${rate}`)}/>`);
    });
  });
  parts.push(
    xAxis(
      box,
      Array.from({ length: steps }, (_, g) => ({ x: x(g), label: String(g) })),
      'global step',
    ),
  );
  parts.push(
    legend(
      layers.map(({ layer }, k) => ({ label: layer.name, colour: categoryColour(k), shape: 'line' as const })),
      box.left,
      16,
      box.width,
    ),
  );
  return {
    id: 'firing-rate',
    title: 'Firing rate per layer and step',
    caption:
      `Mean over ${result.samples} samples of the ${asRate ? 'share of each spiking layer’s neurons that fired' : 'spikes each spiking layer fired'} at each global step ` +
      '(layer L integrates during steps L to L+T-1: one step of delivery per layer).',
    svg: svgRoot('firing-rate', box.left + box.width + 20, box.top + box.height + 44, 'Firing rate per layer and step', parts.join('')),
    series: layers.map(({ layer }) => ({ name: layer.name, marks: layer.spikesPerStep.length })),
  };
}
