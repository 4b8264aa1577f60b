/**
 * The report's inline style and script. The script only shows the tooltips of `data-tip` marks; every figure is
 * complete without it. The content security policy forbids every load from outside the file.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

export const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --paper: #ffffff; --panel: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--panel); }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
table.summary { border-collapse: collapse; background: var(--paper); border: 1px solid var(--rule); margin-bottom: 8px; }
table.summary th, table.summary td { padding: 4px 12px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
table.summary th { color: var(--muted); font-weight: 600; white-space: nowrap; }
main { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 16px; padding-bottom: 32px; }
figure.plot { margin: 0; padding: 12px 16px; background: var(--paper); border: 1px solid var(--rule); border-radius: 6px; max-width: 100%; overflow-x: auto; }
figure.plot h2 { font-size: 16px; margin: 0 0 8px; }
/* Captions and notes wrap to the width of their plot instead of widening the figure. */
figcaption, p.missing { width: 0; min-width: 100%; }
figcaption { color: var(--muted); margin-top: 6px; }
p.missing { color: #8a4b00; background: #fff4e5; border: 1px solid #f0c890; padding: 6px 10px; border-radius: 4px; }
svg.chart { display: block; font-size: 11px; fill: var(--ink); }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .axis { stroke: #6b7385; stroke-width: 1; }
svg.chart .tick { fill: var(--muted); }
svg.chart .axis-title, svg.chart .panel-title { font-size: 12px; font-weight: 600; }
svg.chart .label, svg.chart .value, svg.chart .legend { font-size: 12px; }
svg.chart .tile { fill: #eef0f4; stroke: #b9bfcb; }
svg.chart .idle-link { stroke: #c9ced8; }
svg.chart .chip-edge { stroke: #6b7385; stroke-width: 1.5; }
svg.chart .core-label { fill: #ffffff; font-size: 10px; pointer-events: none; }
svg.chart .core-label.dark { fill: #1d2330; }
svg.chart [data-tip]:hover { opacity: 0.8; }
#tip { position: absolute; max-width: 420px; padding: 6px 9px; background: #1d2330; color: #fff; font-size: 12px; border-radius: 4px; pointer-events: none; }
`;

export const SCRIPT = `
(function () {
  var box = document.getElementById('tip');
  document.addEventListener('mousemove', function (event) {
    var target = event.target && event.target.closest ? event.target.closest('[data-tip]') : null;
    if (!target) { box.hidden = true; return; }
    box.textContent = target.getAttribute('data-tip');
    box.hidden = false;
    box.style.left = (event.pageX + 14) + 'px';
    box.style.top = (event.pageY + 14) + 'px';
  });
})();
`;
