import { IR_VERSION, type ChipProgram, type Core, type SourceKind } from '../../chips/ir/chip-program.js';
import { chipFamilyValue } from '../../chips/ir/ir-enum-text.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { chipSpecSha256 } from '../../chips/spec/spec-hash.js';
import type { ModelSource } from '../../models/graph/model.js';
import { sliceUsage } from '../usage.js';
import type { LoweredNetwork } from './lower-to-synapses.js';
import type { RoutedCore } from './route.js';

const SOURCE_KIND: Readonly<Record<ModelSource, SourceKind>> = { 'osr-ots': 'SOURCE_OSR_OTS', 'rate-bp': 'SOURCE_RATE_BP', nir: 'SOURCE_NIR', other: 'SOURCE_OTHER' };

export interface EmitOptions {
  readonly notes: readonly string[];
  readonly chipCount: number;
  /** Layers the learning engine will update: their synapses store a tag each. */
  readonly learningLayers: ReadonlySet<number>;
}

/**
 * emit: the ChipProgram the simulator runs: the lowered layers, every core with its slice, usage and routes,
 * and a probe on the output layer's accumulated voltage.
 * Reference: DESIGN.md section 4 (emit) and chips/ir/chip_program.proto.
 */
export function emit(lowered: LoweredNetwork, routed: readonly RoutedCore[], spec: ChipSpec, options: EmitOptions): ChipProgram {
  const { network } = lowered;
  const somaId = new Map<string, number>();
  const boxKey = (c: RoutedCore) => `${c.slice.layer}:${c.slice.channels}:${c.slice.rows}:${c.slice.cols}`;
  for (const core of routed) if (core.slice.role === 'soma') somaId.set(boxKey(core), core.id);
  const cores: Core[] = routed.map((core) => {
    const layer = network.layers[core.slice.layer]!;
    const usage = sliceUsage(layer, core.slice, spec, options.learningLayers.has(core.slice.layer));
    const populationAxons = layer.geometry.kind === 'conv' && spec.core.synapseMemory.kind === 'grouped-words' && core.slice.layer > 0;
    return {
      id: core.id,
      chip: core.chip,
      tileX: core.tileX,
      tileY: core.tileY,
      slot: core.slot,
      layer: core.slice.layer,
      role: core.slice.role === 'soma' ? 'CORE_SOMA' : 'CORE_PARTIAL',
      annMode: core.slice.annMode,
      channels: range(core.slice.channels),
      rows: range(core.slice.rows),
      cols: range(core.slice.cols),
      fanIn: range(core.slice.fanIn),
      somaCore: core.slice.role === 'partial' ? somaId.get(boxKey(core))! : core.id,
      usage: {
        neurons: usage.neurons,
        inputAxons: populationAxons ? Math.max(usage.inputAxons, core.sourceAxons) : usage.inputAxons,
        outputAxons: core.outputAxons,
        synapseBits: usage.synapseBits,
        synapses: usage.synapses,
        fanIn: usage.fanIn,
      },
      // The route pass's objects, not copies: nothing mutates a route, and ResNet-19 has millions of them.
      routes: [...core.routes],
    };
  });
  return {
    irVersion: IR_VERSION,
    chipName: spec.name,
    chipFamily: chipFamilyValue(spec.family),
    source: { name: network.name, sha256: network.sha256, kind: SOURCE_KIND[network.source] },
    timesteps: network.timesteps,
    chipCount: options.chipCount,
    input: lowered.input,
    layers: [...lowered.layers],
    cores,
    probes: [{ layer: lowered.layers.length - 1, variable: 'PROBE_VOLTAGE' }],
    learning: { layers: [], rule: '', ruleKind: 'LEARNING_NONE', epochSteps: 0, settings: [] },
    notes: [...options.notes],
    chipSpecSha256: chipSpecSha256(spec),
  };
}

function range(r: readonly [number, number]): { begin: number; end: number } {
  return { begin: r[0], end: r[1] };
}
