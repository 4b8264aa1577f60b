import { categoryColour } from '../colours.js';
import { fixed, percentText } from '../format.js';
import type { ReportInput } from '../report-input.js';
import type { Plot } from '../svg.js';
import { horizontalBars } from './bar-chart.js';

/** The chip's accuracy beside the float model's on the same images, when the result carries the float one. */
export function accuracyPlot({ result }: ReportInput): Plot {
  const float = result.floatReference;
  const accuracy = result.accuracy;
  if (accuracy === null) {
    return {
      id: 'accuracy',
      title: 'Accuracy: float reference vs chip',
      caption: `The ${result.samples} samples carry no labels, so no accuracy is measured.`,
      svg: horizontalBars('accuracy', 'Accuracy', [], 'accuracy (%)', 100),
      missing: 'the samples carry no labels (event recordings outside a label folder layout): no accuracy to draw',
      series: [{ name: 'accuracy', marks: 0 }],
    };
  }
  const bars = [
    ...(float
      ? [
          {
            label: 'float reference',
            value: float.accuracy * 100,
            colour: categoryColour(4),
            valueText: percentText(float.accuracy),
            tip: `float model ${float.model} (${float.thresholds} thresholds): ${percentText(float.accuracy)} on ${float.samples} images`,
          },
        ]
      : []),
    {
      label: `chip (${result.chip})`,
      value: accuracy * 100,
      colour: categoryColour(0),
      valueText: percentText(accuracy),
      tip: `chip ${result.chip}: ${result.correct} of ${result.samples} images right (${percentText(accuracy)})`,
    },
  ];
  const gap = float
    ? ` Gap chip - float: ${fixed((accuracy - float.accuracy) * 100, 2)} points${float.samples !== result.samples ? ` (float on ${float.samples} images, chip on ${result.samples})` : ''}.`
    : '';
  return {
    id: 'accuracy',
    title: 'Accuracy: float reference vs chip',
    caption: `Share of the ${result.samples} test images classified right by the fixed-point chip simulation${float ? ' and by the float model on the same images' : ''}.${gap}`,
    svg: horizontalBars('accuracy', 'Accuracy', bars, 'accuracy (%)', 100),
    ...(float ? {} : { missing: 'no float reference in this result: simulate with --float-reference <model> to draw it beside the chip' }),
    series: [{ name: 'accuracy', marks: bars.length }],
  };
}
