/** Reference: DESIGN.md section 5 (the energy ledger multiplies event counts by the chip's per-event costs, so a
 * result can be re-costed with another profile). Looking costs up in a spec's profiles, with the two rules the
 * schema states: a synaptic-op format falls back to the generic `synapticOp`, and barrier costs are read from the
 * published tile counts as the profile's accounting says (interpolated, or as a step function).
 */
import type { BarrierCost, ChipSpec, CostEvent, CostProfile, EventCost } from './chip-spec.js';

export type SynapticOpFormat = 'dense' | 'sparse' | 'conv';

const SYNAPTIC_OP_BY_FORMAT: Readonly<Record<SynapticOpFormat, CostEvent>> = {
  dense: 'synapticOpDense',
  sparse: 'synapticOpSparse',
  conv: 'synapticOpConv',
};

/** The profile called `name` (the spec's default when omitted), or undefined if the spec has none by that name. */
export function findCostProfile(spec: ChipSpec, name: string = spec.defaultCostProfile): CostProfile | undefined {
  return Object.prototype.hasOwnProperty.call(spec.costProfiles, name) ? spec.costProfiles[name] : undefined;
}

/** The cost of one `event` in `profile`, or undefined when the profile does not price it. */
export function eventCost(profile: CostProfile, event: CostEvent): EventCost | undefined {
  return profile.events[event];
}

/** The cost of one synaptic operation on synapses stored in `format`: its own entry, else `synapticOp`. */
export function synapticOpCost(profile: CostProfile, format: SynapticOpFormat): EventCost | undefined {
  return profile.events[SYNAPTIC_OP_BY_FORMAT[format]] ?? profile.events.synapticOp;
}

/**
 * The barrier cost per time step for `tiles` tiles; undefined for a profile without barrier points. With
 * `interpolate` accounting: linear interpolation between the profile's points, held at the first and last point
 * outside them, an energy given only where both neighbouring points give one. With `step`: the point with the
 * largest tile count at or below `tiles`, the first point below all of them (SANA-FE src/utils.hpp LookupTable).
 */
export function barrierCostForTiles(profile: CostProfile, tiles: number): Omit<BarrierCost, 'tiles'> | undefined {
  const points = profile.barrierPerStep;
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return undefined;
  if (profile.accounting.barrier === 'step') {
    let at = first;
    for (const point of points) if (point.tiles <= tiles) at = point;
    return { latencyNs: at.latencyNs, energyPJ: at.energyPJ };
  }
  if (tiles <= first.tiles) return { latencyNs: first.latencyNs, energyPJ: first.energyPJ };
  if (tiles >= last.tiles) return { latencyNs: last.latencyNs, energyPJ: last.energyPJ };
  for (let i = 1; i < points.length; i++) {
    const lo = points[i - 1]!;
    const hi = points[i]!;
    if (tiles > hi.tiles) continue;
    const t = (tiles - lo.tiles) / (hi.tiles - lo.tiles);
    const energyPJ = lo.energyPJ === null || hi.energyPJ === null ? null : lo.energyPJ + t * (hi.energyPJ - lo.energyPJ);
    return { latencyNs: lo.latencyNs + t * (hi.latencyNs - lo.latencyNs), energyPJ };
  }
  return { latencyNs: last.latencyNs, energyPJ: last.energyPJ }; // unreachable: tiles < last.tiles was handled
}
