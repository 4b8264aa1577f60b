import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport, reportPlots } from '../../report/html-report.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';
import { bundledReportInput } from './bundled-run.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Where the test leaves its screenshot of the report (ignored by git). */
export const SCREENSHOT = join(PROJECT_ROOT, 'test', 'report', '__screenshots__', 'report.png');

/** Records errors and blocked loads from the first moment, before the report's own markup and script. */
const RECORD_ERRORS = `<script>
window.__checkErrors = [];
window.addEventListener('error', function (e) { window.__checkErrors.push('error: ' + e.message); });
document.addEventListener('securitypolicyviolation', function (e) { window.__checkErrors.push('blocked: ' + e.blockedURI); });
var __consoleError = console.error;
console.error = function () { window.__checkErrors.push('console.error: ' + [].join.call(arguments, ' ')); __consoleError.apply(console, arguments); };
</script>`;

/**
 * Runs after the report's script: measures every plot's SVG in the page (shapes with a non-zero bounding box),
 * hovers one mark to see the tooltip, lists loaded resources, and writes it all into the DOM for --dump-dom.
 */
const CHECK = `<script>
(function () {
  var plots = [];
  document.querySelectorAll('figure.plot').forEach(function (figure) {
    var svg = figure.querySelector('svg.chart');
    var shapes = svg ? svg.querySelectorAll('rect, line, circle, polyline, path, polygon') : [];
    var drawn = 0;
    shapes.forEach(function (s) { var b = s.getBBox(); if (b.width > 0 && b.height > 0) drawn++; });
    var box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    plots.push({ id: figure.id, shapes: shapes.length, drawn: drawn, width: box.width, height: box.height });
  });
  var mark = document.querySelector('#plot-mesh [data-tip]');
  mark.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: 20, clientY: 20 }));
  var tip = document.getElementById('tip');
  var out = document.createElement('pre');
  out.id = 'report-check';
  out.textContent = JSON.stringify({
    plots: plots,
    tooltip: !tip.hidden && tip.textContent === mark.getAttribute('data-tip'),
    resources: performance.getEntriesByType('resource').map(function (r) { return r.name; }),
    errors: window.__checkErrors,
  });
  document.body.appendChild(out);
})();
</script>`;

interface PageCheck {
  plots: { id: string; shapes: number; drawn: number; width: number; height: number }[];
  tooltip: boolean;
  resources: string[];
  errors: string[];
}

function chromium(args: readonly string[], profile: string): Promise<{ stdout: string; stderr: string }> {
  const flags = [
    '--headless',
    '--disable-gpu',
    '--no-sandbox',
    '--no-first-run',
    '--disable-extensions',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${CHROMIUM} failed: ${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

/** Console messages Chromium logged for the page (its own startup noise, e.g. D-Bus, is not the page's). */
function consoleLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /:CONSOLE[(:]/.test(line));
}

describe.skipIf(!HAS_CHROMIUM)(`report in headless Chromium (${CHROMIUM}; skipped where absent: apt-get install chromium)`, () => {
  it('renders every plot with visible shapes, logs nothing, loads nothing, shows tooltips; saves a screenshot', async () => {
    const input = bundledReportInput();
    const html = renderHtmlReport(input);
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-report-'));
    const report = join(dir, 'report.html');
    const checked = join(dir, 'report-checked.html');
    writeFileSync(report, html);
    writeFileSync(checked, html.replace('<head>', `<head>\n${RECORD_ERRORS}`).replace('</body>', `${CHECK}\n</body>`));
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    const [dom, shot] = await Promise.all([
      chromium(['--dump-dom', pathToFileURL(checked).href], join(dir, 'profile-dom')),
      chromium([`--screenshot=${SCREENSHOT}`, '--window-size=1280,2300', pathToFileURL(report).href], join(dir, 'profile-shot')),
    ]);

    const json = /<pre id="report-check">([^<]*)<\/pre>/.exec(dom.stdout)?.[1];
    expect(json, 'the check script wrote no result: did the page run its scripts?').toBeDefined();
    const check = JSON.parse(
      json!
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as PageCheck;
    expect(check.plots.map((p) => p.id)).toEqual(reportPlots(input).map((p) => `plot-${p.id}`));
    for (const plot of check.plots) {
      expect(plot.width * plot.height, `${plot.id} has no area`).toBeGreaterThan(0);
      expect(plot.drawn, `${plot.id}: shapes with a non-zero bounding box`).toBeGreaterThan(0);
    }
    expect(check.tooltip).toBe(true);
    expect(check.errors).toEqual([]);
    expect(check.resources).toEqual([]);
    expect(consoleLines(dom.stderr)).toEqual([]);
    expect(consoleLines(shot.stderr)).toEqual([]);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
