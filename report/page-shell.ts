import { escapeXml } from './escape.js';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './page-assets.js';
import type { Plot } from './svg.js';

/**
 * The frame every page shares: one self-contained HTML document (inline CSS and SVG, the tooltip script, nothing
 * loaded from elsewhere) with a header of the title, a subtitle and `header` parts, then the `main` parts.
 */
export function htmlPage(title: string, subtitle: string, header: readonly string[], main: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="subtitle">${escapeXml(subtitle)}</p>`,
    ...header,
    '</header>',
    '<main>',
    ...main,
    '</main>',
    '<div id="tip" hidden></div>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** One plot as a figure: its title, the SVG (or why it is missing) and its caption; its series feed the tooltips. */
export function figure(plot: Plot): string {
  return [
    `<figure class="plot" id="plot-${escapeXml(plot.id)}" data-series="${escapeXml(JSON.stringify(plot.series))}">`,
    `<h2>${escapeXml(plot.title)}</h2>`,
    plot.svg ?? '',
    plot.missing ? `<p class="missing">${escapeXml(plot.missing)}</p>` : '',
    `<figcaption>${escapeXml(plot.caption)}</figcaption>`,
    '</figure>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
