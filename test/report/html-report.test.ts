import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { compile } from '../../compiler/compile.js';
import { escapeXml } from '../../report/escape.js';
import { niceTicks } from '../../report/format.js';
import { renderHtmlReport, reportPlots } from '../../report/html-report.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { simulateImages } from '../../simulator/simulate.js';
import { bundledReportInput } from './bundled-run.js';

/** Each figure as one line: id, title, its SVG's shapes by kind (or missing), its series and their marks. */
export function outline(html: string): string {
  const lines: string[] = [];
  for (const m of html.matchAll(/<figure class="plot" id="plot-([^"]+)" data-series="([^"]*)">\n<h2>([^<]*)<\/h2>\n(<svg.*<\/svg>)?/g)) {
    const series = JSON.parse(
      m[2]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as { name: string; marks: number }[];
    const shapes = m[4] ? ['rect', 'line', 'circle', 'polyline', 'path', 'text'].map((tag) => `${tag} ${m[4]!.split(`<${tag} `).length - 1}`).join(', ') : 'missing';
    lines.push(`${m[1]}: ${m[3]} [${shapes}] ${series.map((s) => `${s.name}=${s.marks}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('HTML report', () => {
  const input = bundledReportInput();
  const html = renderHtmlReport(input);

  it('draws every plot of a real run, and its outline stays as committed', async () => {
    expect(reportPlots(input).map((p) => `${p.id} ${p.svg !== null}`)).toEqual(
      ['raster', 'firing-rate', 'accuracy', 'energy-layer', 'energy-event', 'mesh', 'latency'].map((id) => `${id} true`),
    );
    await expect(outline(html)).toMatchFileSnapshot('../golden/report-outline.txt');
  });

  it('gives the same bytes for the same input, and loads nothing from outside the file', () => {
    expect(renderHtmlReport(bundledReportInput())).toBe(html);
    expect(html).not.toMatch(/\b(?:src|href)=|url\((?!#)|@import/);
    expect(html).toContain("default-src 'none'");
  });

  it('rasters hold exactly the spikes counted per layer and step when the run is one image', () => {
    const model = readModelFile(bundledModelPath());
    const spec = getChip('loihi2');
    const program = compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!;
    const test = loadFashionMnist(bundledFashionMnistDir(), 'test', 3);
    const runtime = buildRuntime(program, spec, 'bundled');
    // Image 2 alone, as the first image of its set: recorded; the same image as the third of a batch starting at 0: not.
    const alone = simulateImages(runtime, { images: test.images.subarray(2 * 784), labels: test.labels.subarray(2), count: 1, first: 0 }, 'direct', 1, undefined, ['all']);
    const steps = runtime.stepsPerInference;
    const recorded = alone.raster!.layers;
    expect(recorded.map((l) => l.name)).toEqual(program.layers.filter((l) => l.kind === 'LAYER_SPIKING').map((l) => l.name));
    for (const layer of recorded) {
      const index = program.layers.findIndex((l) => l.name === layer.name);
      expect(layer.steps.map((s) => s.length)).toEqual(alone.layerStepSpikes.slice(index * steps, (index + 1) * steps));
      for (const s of layer.steps) for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    }
    const later = simulateImages(
      buildRuntime(program, spec, 'bundled'),
      { images: test.images.subarray(784), labels: test.labels.subarray(1), count: 2, first: 1 },
      'direct',
      1,
      undefined,
      ['all'],
    );
    expect(later.raster).toBeUndefined();
    const off = simulateImages(buildRuntime(program, spec, 'bundled'), { images: test.images, labels: test.labels, count: 3, first: 0 }, 'direct', 1);
    expect(off.raster).toBeUndefined();
    expect(() => simulateImages(runtime, { images: test.images, labels: test.labels, count: 1, first: 0 }, 'direct', 1, undefined, ['conv9'])).toThrow(
      /no layer 'conv9' in the program \(layers: features\.0\.synapse/,
    );
  });

  it('says what is missing instead of drawing it when the result lacks a raster, a float reference or the program', () => {
    const { raster: _raster, floatReference: _float, ...bare } = input.result;
    const page = renderHtmlReport({ result: bare, spec: input.spec, program: null });
    expect(page).toContain('the result holds no spike raster: simulate with --raster');
    expect(page).toContain('core placement needs the chip program');
    expect(page).toContain('no float reference in this result');
    expect(outline(page)).toMatch(/^raster: Spike raster \[missing\] $/m);
  });

  it('escapes text and rounds axes to 1-2-5 steps', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(niceTicks(58.2)).toEqual([0, 20, 40, 60]);
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(12544)).toEqual([0, 5000, 10000, 15000]);
    expect(niceTicks(0.0031)).toEqual([0, 0.001, 0.002, 0.003, 0.004]);
  });
});
