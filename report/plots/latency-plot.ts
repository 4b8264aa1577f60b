import { costEvents } from '../../simulator/ledger.js';
import { ALERT, categoryColour } from '../colours.js';
import { coord, niceTicks, timeUnit, withUnit } from '../format.js';
import type { ReportInput } from '../report-input.js';
import { legend, linearScale, svgRoot, text, tip, xAxis, yAxis, type Plot } from '../svg.js';

/**
 * Latency of every global step as bars, each labelled with the core whose events took longest in it; the run's
 * bottleneck core (longest summed over the steps) is drawn in the alert colour wherever it is the slowest.
 */
export function latencyPlot(input: ReportInput): Plot {
  const { result, spec } = input;
  const steps = result.latencyPerStepS;
  const slowest = costEvents(result.counts, spec, result.profile).slowestCorePerStep;
  const coreId = (position: number) => result.counts.coreIds[position] ?? position;
  const layerOf = (position: number) => result.counts.layerNames[result.counts.coreLayer[position] ?? -1] ?? '?';
  const unit = timeUnit(Math.max(0, ...steps));
  const ticks = niceTicks(Math.max(0, ...steps) / unit.factor);
  const box = { left: 70, top: 56, width: Math.max(320, steps.length * 44), height: 240 };
  const y = linearScale([0, ticks[ticks.length - 1]!], [box.top + box.height, box.top]);
  const band = box.width / Math.max(1, steps.length);
  const parts = [yAxis(box, ticks, y, `latency (${unit.name})`)];
  steps.forEach((s, g) => {
    const core = slowest[g] ?? 0;
    const isBottleneck = coreId(core) === result.bottleneckCore.id;
    const x = box.left + g * band + band * 0.15;
    const top = y(s / unit.factor);
    const colour = isBottleneck ? ALERT : categoryColour(0);
    parts.push(
      `<rect class="bar" x="${coord(x)}" y="${coord(top)}" width="${coord(band * 0.7)}" height="${coord(Math.max(0.5, box.top + box.height - top))}" fill="${colour}"` +
        `${tip(`step ${g}: ${withUnit(s, unit)}; slowest core ${coreId(core)} (${layerOf(core)})`)}/>`,
    );
    parts.push(text(x + band * 0.35, top - 4, band >= 56 ? `core ${coreId(core)}` : String(coreId(core)), 'class="value" text-anchor="middle"'));
  });
  parts.push(
    xAxis(
      box,
      steps.map((_, g) => ({ x: box.left + (g + 0.5) * band, label: String(g) })),
      'global step',
    ),
  );
  parts.push(
    legend(
      [
        { label: `bottleneck core ${result.bottleneckCore.id} (${result.bottleneckCore.layer}) is slowest`, colour: ALERT },
        { label: 'another core is slowest', colour: categoryColour(0) },
      ],
      box.left,
      16,
      box.width,
    ),
  );
  const width = box.left + box.width + 20;
  return {
    id: 'latency',
    title: 'Latency per step',
    caption:
      `Time of each global step: the slowest core's event time + the longest route + the barrier (profile ${result.profile}); ` +
      `${withUnit(result.latencyPerInferenceS, unit)} per inference. Label above each bar: the slowest core of the step.`,
    svg: svgRoot('latency', width, box.top + box.height + 44, 'Latency per step', parts.join('')),
    series: [{ name: 'latency per step', marks: steps.length }],
  };
}
