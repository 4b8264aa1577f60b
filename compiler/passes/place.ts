import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { Partition, PlacedCore, Placement } from '../stages.js';

/** How many chips may be used: a number, or `auto` for as many as the model needs. */
export type ChipBudget = number | 'auto';

/**
 * place: puts the cores on the mesh in layer order along a serpentine walk of the tiles (row by row, alternating
 * direction), so each layer sits next to the one feeding it and traffic crosses few hops. Chips of a multi-chip
 * system sit side by side east-west; a core's global id is chip * coresPerChip + index in the chip.
 * Reference: DESIGN.md section 4 (place: fewest weighted hops).
 */
export function place(partition: Partition, spec: ChipSpec, chips: ChipBudget): { placement: Placement; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const all = partition.slices.flat();
  const perChip = spec.mesh.coresPerChip;
  const needed = Math.max(1, Math.ceil(all.length / perChip));
  const chipCount = chips === 'auto' ? needed : chips;
  if (needed > chipCount) {
    diagnostics.push(
      diagnostic(
        'E-CHIPS',
        {},
        { value: needed, limit: chipCount },
        'chips needed',
        `${all.length.toLocaleString('en-US')} cores at ${perChip} per chip: compile with --chips ${needed} or --chips auto`,
      ),
    );
  }
  const cores: PlacedCore[] = all.map((slice, n) => ({ ...serpentinePosition(n, spec), slice }));
  return { placement: { partition, chipCount: Math.max(chipCount, needed), cores }, diagnostics };
}

/** Where the n-th core goes: chips side by side, tiles walked row by row in alternating direction, slots in a tile. */
export function serpentinePosition(n: number, spec: ChipSpec): { id: number; chip: number; tileX: number; tileY: number; slot: number } {
  const { widthTiles, heightTiles, coresPerTile, coresPerChip } = spec.mesh;
  const chip = Math.floor(n / coresPerChip);
  const index = n % coresPerChip;
  const tile = Math.floor(index / coresPerTile);
  const tileY = Math.floor(tile / widthTiles) % heightTiles;
  const along = tile % widthTiles;
  const tileX = tileY % 2 === 0 ? along : widthTiles - 1 - along;
  return { id: chip * coresPerChip + index, chip, tileX, tileY, slot: index % coresPerTile };
}
