import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSweepPage, type SweepPageRow } from '../../report/sweep-page.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);

/** A sweep's rows as `spikechip sweep` gives them: priced points on two chips, one without the profile, one that does not fit. */
const ROWS: SweepPageRow[] = [
  { label: 'bundled on loihi, davies2018', chip: 'loihi', status: 'ok', message: null, accuracy: 0.87, energyPerInferenceJ: 58.8e-6, latencyPerInferenceS: 1.31e-3 },
  {
    label: 'bundled on loihi (core.maxNeurons=256), davies2018',
    chip: 'loihi',
    status: 'ok',
    message: null,
    accuracy: 0.87,
    energyPerInferenceJ: 59.1e-6,
    latencyPerInferenceS: 0.37e-3,
  },
  { label: 'bundled on loihi2, davies2018', chip: 'loihi2', status: 'ok', message: null, accuracy: 0.86, energyPerInferenceJ: 55.9e-6, latencyPerInferenceS: 3.5e-3 },
  {
    label: 'bundled on loihi2, sanafe',
    chip: 'loihi2',
    status: 'no-profile',
    message: "chip loihi2 has no cost profile 'sanafe'",
    accuracy: 0.86,
    energyPerInferenceJ: null,
    latencyPerInferenceS: null,
  },
  {
    label: 'bundled on tianjic, davies2018',
    chip: 'tianjic',
    status: 'does-not-fit',
    message: 'E-CHIPS: 2 chips needed > 1',
    accuracy: null,
    energyPerInferenceJ: null,
    latencyPerInferenceS: null,
  },
];

/** Runs after the page: counts the drawn marks of each figure and any error, into the DOM for --dump-dom. */
const CHECK = `<script>
(function () {
  var out = document.createElement('pre');
  out.id = 'page-check';
  var figures = [];
  document.querySelectorAll('figure.plot svg.chart').forEach(function (svg) {
    var drawn = 0;
    svg.querySelectorAll('circle, path').forEach(function (s) { var b = s.getBBox(); if (b.width > 0 || b.height > 0) drawn++; });
    var box = svg.getBoundingClientRect();
    figures.push({ id: svg.id, drawn: drawn, area: box.width * box.height });
  });
  out.textContent = JSON.stringify({ figures: figures, rows: document.querySelectorAll('#plot-rows tr').length, resources: performance.getEntriesByType('resource').length });
  document.body.appendChild(out);
})();
</script>`;

describe('sweep page', () => {
  it('is the same bytes for the same rows, and draws both fronts', () => {
    const page = renderSweepPage('Sweep sweep.json', ROWS);
    expect(renderSweepPage('Sweep sweep.json', ROWS)).toBe(page);
    expect(page).toContain('id="svg-front-energy"');
    expect(page).toContain('id="svg-front-latency"');
    expect(page).toContain('1 do not fit, 1 without the profile');
  });

  it.skipIf(!HAS_CHROMIUM)(`renders in headless Chromium with every priced point and front drawn (${CHROMIUM}; skipped where absent)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-sweep-page-'));
    const file = join(dir, 'page.html');
    writeFileSync(file, renderSweepPage('Sweep sweep.json', ROWS).replace('</body>', `${CHECK}\n</body>`));
    const flags = ['--headless', '--disable-gpu', '--no-sandbox', '--no-first-run', '--disable-extensions', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom'];
    const dom = await new Promise<string>((resolve, reject) =>
      execFile(CHROMIUM, [...flags, pathToFileURL(file).href], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    const json = /<pre id="page-check">([^<]*)<\/pre>/.exec(dom)?.[1];
    expect(json, 'the check script wrote nothing').toBeDefined();
    const check = JSON.parse(json!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { figures: { id: string; drawn: number; area: number }[]; rows: number; resources: number };
    // 3 priced points each; the energy front (loihi2, then loihi) is a line, the latency front a single point
    expect(check.figures).toEqual([
      { id: 'svg-front-energy', drawn: 4, area: expect.any(Number) },
      { id: 'svg-front-latency', drawn: 3, area: expect.any(Number) },
    ]);
    for (const f of check.figures) expect(f.area).toBeGreaterThan(10_000);
    expect(check.rows).toBe(ROWS.length + 1);
    expect(check.resources).toBe(0);
  });
});
