import type { Core } from '../../chips/ir/chip-program.js';
import { resourcesOf } from '../../chips/ir/print-chip-program.js';
import { MeshLinks } from '../../simulator/mesh-links.js';
import { ALERT, loadColour, sequentialColour, sequentialStops } from '../colours.js';
import { count, coord, fixed } from '../format.js';
import type { ReportInput } from '../report-input.js';
import { svgRoot, text, tip, type Plot } from '../svg.js';

const MAX_WIDTH = 760;

/**
 * The used part of the chip mesh: tiles (routers) as squares, each core in its slot coloured by its utilisation
 * (the largest share of a per-core limit it uses), and every mesh link drawn with a width and colour growing with
 * the packets it carried per inference. Chips sit side by side east-west, as the simulator routes them.
 */
export function meshPlot(input: ReportInput): Plot {
  const { result, spec, program } = input;
  const base = { id: 'mesh', title: 'Core utilisation and traffic on the mesh' };
  if (!program) {
    return {
      ...base,
      caption: 'Cores at their mesh positions, coloured by utilisation; links by packet load.',
      svg: null,
      missing: 'core placement needs the chip program: spikechip report <result.json> --program <file.chip.pb>',
      series: [],
    };
  }
  const [meshWidth, meshHeight] = result.counts.meshTiles;
  const links = new MeshLinks(meshWidth, meshHeight);
  const tileX = (c: Core) => c.chip * spec.mesh.widthTiles + c.tileX;
  const perInference = (v: number) => v / Math.max(1, result.samples);
  // Crop to the tiles that hold cores or carry packets.
  let maxX = 0;
  let maxY = 0;
  for (const c of program.cores) {
    maxX = Math.max(maxX, tileX(c));
    maxY = Math.max(maxY, c.tileY);
  }
  const loads = result.counts.linkTotals.map(perInference);
  loads.forEach((load, i) => {
    if (load <= 0) return;
    const [, [x, y]] = links.ends(i);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  });
  const tilesX = maxX + 1;
  const tilesY = maxY + 1;
  const cell = Math.max(34, Math.min(110, Math.floor((MAX_WIDTH - 40) / tilesX)));
  const tile = cell * 0.62;
  const left = 40;
  const top = 52;
  const centre = (x: number, y: number) => [left + x * cell + cell / 2, top + y * cell + cell / 2] as const;
  const parts: string[] = [];
  for (let y = 0; y < tilesY; y++)
    for (let x = 0; x < tilesX; x++) {
      const [cx, cy] = centre(x, y);
      parts.push(`<rect class="tile" x="${coord(cx - tile / 2)}" y="${coord(cy - tile / 2)}" width="${coord(tile)}" height="${coord(tile)}" rx="3"/>`);
    }
  const maxLoad = Math.max(0, ...loads);
  let loadedLinks = 0;
  loads.forEach((load, i) => {
    const [[x1, y1], [x2, y2]] = links.ends(i);
    if (x2 >= tilesX || y2 >= tilesY) return;
    const [ax, ay] = centre(x1, y1);
    const [bx, by] = centre(x2, y2);
    const horizontal = y1 === y2;
    const start = horizontal ? [ax + tile / 2, ay] : [ax, ay + tile / 2];
    const end = horizontal ? [bx - tile / 2, by] : [bx, by - tile / 2];
    const share = maxLoad > 0 ? load / maxLoad : 0;
    if (load > 0) loadedLinks++;
    const style = load > 0 ? `stroke="${loadColour(share)}" stroke-width="${coord(2 + 8 * share)}"` : 'class="idle-link" stroke-width="1.5"';
    parts.push(
      `<line x1="${coord(start[0]!)}" y1="${coord(start[1]!)}" x2="${coord(end[0]!)}" y2="${coord(end[1]!)}" ${style} stroke-linecap="butt"` +
        `${tip(`link (${x1},${y1})-(${x2},${y2}): ${count(load)} packets per inference`)}/>`,
    );
  });
  const resources = resourcesOf(spec);
  const slotsPerRow = Math.ceil(Math.sqrt(spec.mesh.coresPerTile));
  const slot = (tile - 6) / slotsPerRow;
  const events = result.counts.totals;
  let utilisationMax = 0;
  program.cores.forEach((core, position) => {
    const shares = resources.filter((r) => r.limit !== null && r.limit > 0).map((r) => ({ name: r.name, used: r.used(core), limit: r.limit!, share: r.used(core) / r.limit! }));
    const utilisation = Math.max(0, ...shares.map((s) => s.share));
    utilisationMax = Math.max(utilisationMax, utilisation);
    const [cx, cy] = centre(tileX(core), core.tileY);
    const sx = cx - tile / 2 + 3 + (core.slot % slotsPerRow) * slot;
    const sy = cy - tile / 2 + 3 + Math.floor(core.slot / slotsPerRow) * slot;
    const bottleneck = core.id === result.bottleneckCore.id;
    const layer = program.layers[core.layer]?.name ?? String(core.layer);
    const detail = shares.map((s) => `${s.name} ${count(s.used)}/${count(s.limit)} (${fixed(100 * s.share, 1)} %)`).join('; ');
    const activity = `per inference: ${count(perInference(events.synapticOps[position] ?? 0))} synaptic ops, ${count(perInference(events.spikesOut[position] ?? 0))} spikes`;
    parts.push(
      `<rect class="core${bottleneck ? ' bottleneck' : ''}" x="${coord(sx + 1)}" y="${coord(sy + 1)}" width="${coord(slot - 2)}" height="${coord(slot - 2)}" fill="${sequentialColour(utilisation)}"` +
        `${bottleneck ? ` stroke="${ALERT}" stroke-width="3"` : ''}${tip(`core ${core.id} (${layer}${core.role === 'CORE_PARTIAL' ? ', partial sums' : ''}), tile ${tileX(core)},${core.tileY} slot ${core.slot}: utilisation ${fixed(100 * utilisation, 1)} % (${detail}); ${activity}${bottleneck ? '; the bottleneck core' : ''}`)}/>`,
    );
    if (slot >= 18) parts.push(text(sx + slot / 2, sy + slot / 2 + 4, String(core.id), `class="core-label${utilisation > 0.6 ? ' dark' : ''}" text-anchor="middle"`));
  });
  // Chip boundaries: chips sit side by side east-west, widthTiles apart.
  for (let chip = 1; chip * spec.mesh.widthTiles < tilesX; chip++) {
    const x = coord(left + chip * spec.mesh.widthTiles * cell);
    parts.push(`<line class="chip-edge" x1="${x}" x2="${x}" y1="${top - 6}" y2="${coord(top + tilesY * cell + 2)}" stroke-dasharray="6 4"/>`);
  }
  if (tilesX > spec.mesh.widthTiles) {
    for (let chip = 0; chip * spec.mesh.widthTiles < tilesX; chip++) parts.push(text(left + chip * spec.mesh.widthTiles * cell + 4, top - 10, `chip ${chip}`, 'class="tick"'));
  }
  const meshBottom = top + tilesY * cell;
  const legendTop = meshBottom + 14;
  parts.push(utilisationLegend(left, legendTop));
  parts.push(loadLegend(left + 300, legendTop, maxLoad));
  parts.push(`<rect x="${left}" y="10" width="12" height="12" fill="none" stroke="${ALERT}" stroke-width="3"/>`);
  parts.push(text(left + 20, 20, `bottleneck core ${result.bottleneckCore.id} (${result.bottleneckCore.layer})`, 'class="legend"'));
  const width = Math.max(left + tilesX * cell + 20, 600);
  const busiest = result.busiestLink
    ? `busiest link (${result.busiestLink.from.join(',')})-(${result.busiestLink.to.join(',')}) ${count(result.busiestLink.packetsPerInference)} packets per inference`
    : 'no packet left its tile';
  return {
    ...base,
    caption:
      `Tiles x 0-${maxX}, y 0-${maxY} of the ${meshWidth} x ${meshHeight} mesh (${program.chipCount} chip${program.chipCount > 1 ? 's' : ''} of ${spec.name}); ` +
      `${program.cores.length} cores, largest utilisation ${fixed(100 * utilisationMax, 1)} % (share of the per-core limits: ${resources.map((r) => r.name).join(', ')}); ${busiest}.`,
    svg: svgRoot('mesh', width, legendTop + 46, 'Core utilisation and link traffic on the chip mesh', parts.join('')),
    series: [
      { name: 'cores', marks: program.cores.length },
      { name: 'links with packets', marks: loadedLinks },
    ],
  };
}

function utilisationLegend(x: number, y: number): string {
  const stops = sequentialStops()
    .map((c, i, all) => `<stop offset="${coord((100 * i) / (all.length - 1))}%" stop-color="${c}"/>`)
    .join('');
  return (
    `<defs><linearGradient id="mesh-utilisation-scale" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>` +
    `<rect x="${x}" y="${y}" width="200" height="12" fill="url(#mesh-utilisation-scale)"/>` +
    text(x, y + 26, '0 %', 'class="tick"') +
    text(x + 200, y + 26, '100 %', 'class="tick" text-anchor="end"') +
    text(x + 100, y + 40, 'core utilisation', 'class="legend" text-anchor="middle"')
  );
}

function loadLegend(x: number, y: number, maxLoad: number): string {
  if (maxLoad <= 0) return text(x, y + 10, 'no packet crossed a link', 'class="legend"');
  return (
    [0.25, 0.5, 1]
      .map((share, i) => {
        const lx = x + i * 80;
        return (
          `<line x1="${lx}" x2="${lx + 40}" y1="${y + 6}" y2="${y + 6}" stroke="${loadColour(share)}" stroke-width="${coord(2 + 8 * share)}"/>` +
          text(lx, y + 26, count(Math.round(share * maxLoad)), 'class="tick"')
        );
      })
      .join('') + text(x, y + 40, 'packets per inference on a link', 'class="legend"')
  );
}
