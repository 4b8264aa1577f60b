import { escapeXml } from './escape.js';
import { count, energyUnit, percentText, timeUnit, withUnit } from './format.js';
import { figure, htmlPage } from './page-shell.js';
import { accuracyPlot } from './plots/accuracy-plot.js';
import { energyByEventPlot, energyByLayerPlot } from './plots/energy-plots.js';
import { latencyPlot } from './plots/latency-plot.js';
import { meshPlot } from './plots/mesh-plot.js';
import { firingRatePlot } from './plots/rate-plot.js';
import { rasterPlot } from './plots/raster-plot.js';
import type { ReportInput } from './report-input.js';
import type { Plot } from './svg.js';

/** Every plot of the report, in page order. */
export function reportPlots(input: ReportInput): Plot[] {
  return [rasterPlot(input), firingRatePlot(input), accuracyPlot(input), energyByLayerPlot(input), energyByEventPlot(input), meshPlot(input), latencyPlot(input)];
}

/**
 * One self-contained HTML page: inline CSS, inline SVG drawn here, a few lines of script for tooltips, nothing
 * loaded from elsewhere. No clock and no locale: the same input gives the same bytes.
 */
export function renderHtmlReport(input: ReportInput, plots: readonly Plot[] = reportPlots(input)): string {
  const { result } = input;
  const title = `${result.model} on ${result.chip}: simulation report`;
  return htmlPage(
    title,
    `${result.samples} images, ${result.encoding} input (${result.inputPlacement}), seed ${result.seed}, cost profile ${result.profile}`,
    [summaryTable(input)],
    plots.map(figure),
  );
}

function summaryTable({ result, program }: ReportInput): string {
  const energy = energyUnit(result.energyPerInferenceJ);
  const time = timeUnit(result.latencyPerInferenceS);
  const float = result.floatReference;
  const rows: [string, string][] = [
    ['chip', `${result.chip}${program ? `, ${program.cores.length} cores on ${program.chipCount} chip${program.chipCount > 1 ? 's' : ''}` : ''}`],
    [
      'accuracy',
      `chip ${result.accuracy === null ? 'n/a (unlabelled samples)' : `${percentText(result.accuracy)} (${result.correct} of ${result.samples})`}${float ? `; float reference ${percentText(float.accuracy)} on ${float.samples}` : ''}`,
    ],
    ['energy per inference', withUnit(result.energyPerInferenceJ, energy)],
    ['latency per inference', `${withUnit(result.latencyPerInferenceS, time)} over ${result.stepsPerInference} steps`],
    ['bottleneck core', `${result.bottleneckCore.id} (${result.bottleneckCore.layer})`],
    ['spikes per inference', count(result.spikesPerInference)],
    ['synaptic ops per inference', count(result.synapticOpsPerInference)],
  ];
  return `<table class="summary">${rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</table>`;
}
