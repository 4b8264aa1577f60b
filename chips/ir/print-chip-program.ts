// Reference: DESIGN.md section 4 (the ChipProgram has a text form for humans, `inspect`) and section 7 (golden tests read the printed program).
/**
 * The text form of a ChipProgram: a header, one block per layer, a table of cores and, given a chip spec, each
 * core's use of the per-core limits. Deterministic (no locale, no clock) so that golden files can hold it. Weight
 * arrays are summarised (count, min, max), never listed.
 */
import type { ChipSpec } from '../spec/chip-spec.js';
import type { ChipProgram, Core, CoreRole, InputMap, InputPlacement, Layer, LayerKind, ResetMode } from './chip-program.js';
import { CHIP_FAMILY_TEXT, ERROR_TIMING_TEXT, FEEDBACK_KIND_TEXT, PROBE_VARIABLE_TEXT, SOURCE_KIND_TEXT, THRESHOLD_POLICY_TEXT } from './ir-enum-text.js';
import { formatShape, layerLabel } from './validate-chip-program.js';

const SHA256_SHOWN_CHARS = 12;

const PLACEMENT_TEXT: Record<InputPlacement, string> = {
  INPUT_PLACEMENT_UNSPECIFIED: 'unspecified',
  INPUT_GRADED_SPIKES: 'graded spikes',
  INPUT_ANN_CORE: 'ANN core',
  INPUT_HOST: 'host',
};
const KIND_TEXT: Record<LayerKind, string> = { LAYER_KIND_UNSPECIFIED: 'unspecified', LAYER_SPIKING: 'spiking', LAYER_OUTPUT: 'output' };
const RESET_TEXT: Record<ResetMode, string> = { RESET_MODE_UNSPECIFIED: 'unspecified', RESET_ZERO: 'zero', RESET_SUBTRACT: 'subtract' };
const ROLE_TEXT: Record<CoreRole, string> = { CORE_ROLE_UNSPECIFIED: 'unspecified', CORE_SOMA: 'soma', CORE_PARTIAL: 'partial' };

export function printChipProgram(program: ChipProgram, spec?: ChipSpec): string {
  const sections = [printHeader(program), ...program.layers.map(printLayer), printCores(program)];
  if (spec) sections.push(printUtilisation(program, spec));
  return `${sections.join('\n\n')}\n`;
}

/** An integer with thousands separators (`1,210,880`); other numbers to 6 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) {
    const digits = String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return value < 0 ? `-${digits}` : digits;
  }
  return String(Number(value.toPrecision(6)));
}

/** `[min, max]` of values too many to list. */
function formatSpan(values: ArrayLike<number>): string {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return `[${formatNumber(min)}, ${formatNumber(max)}]`;
}

/** `n nouns in [min, max]`. */
function summarise(values: ArrayLike<number>, noun: string): string {
  return values.length === 0 ? `0 ${noun}` : `${formatNumber(values.length)} ${noun} in ${formatSpan(values)}`;
}

function formatList(values: readonly number[]): string {
  return `[${values.map(formatNumber).join(', ')}]`;
}

/** `label  text` lines with the labels padded to one column. */
function labelled(rows: ReadonlyArray<readonly [string, string]>, indent = ''): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `${indent}${label.padEnd(width)}  ${text}`.trimEnd());
}

function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** The input map on one line: shape, placement, value scale, payload and any host-side first layer. */
export function formatInput(input: InputMap): string {
  const inputParts = [`${formatShape(input.shape)} via ${PLACEMENT_TEXT[input.placement]}`, `value scale ${formatNumber(input.valueScale)}`];
  if (input.payloadBits !== 0) inputParts.push(`payload ${input.payloadBits} bits`);
  if (input.hostWeights.length > 0 || input.hostBias.length > 0) {
    inputParts.push(`host ${summarise(input.hostWeights, 'weights')}`, `host ${summarise(input.hostBias, 'biases')}`);
  }
  return inputParts.join(', ');
}

function printHeader(program: ChipProgram): string {
  const { source, input } = program;
  const familyText = CHIP_FAMILY_TEXT[program.chipFamily];
  const family = familyText === '' ? '' : ` (${familyText})`;
  const hash = source.sha256 === '' ? 'no sha256' : `sha256 ${source.sha256.slice(0, SHA256_SHOWN_CHARS)}`;
  const probes = program.probes.map((probe) => `${layerName(program, probe.layer)} ${PROBE_VARIABLE_TEXT[probe.variable] || 'unspecified'}`);
  return labelled([
    ['chip program', `IR version ${program.irVersion}`],
    ['chip', `${program.chipName}${family}, ${plural(program.chipCount, 'chip')}, ${plural(program.cores.length, 'core')}`],
    ['source', `${source.name === '' ? '(unnamed)' : source.name}${source.kind === 'SOURCE_KIND_UNSPECIFIED' ? '' : ` (${SOURCE_KIND_TEXT[source.kind]})`}, ${hash}`],
    ['timesteps', `T = ${formatNumber(program.timesteps)}`],
    ['input', formatInput(input)],
    ['probes', probes.length === 0 ? 'none' : probes.join(', ')],
    ['learning', printLearning(program)],
    ['notes', program.notes.length === 0 ? 'none' : program.notes.join('; ')],
  ]).join('\n');
}

function printLearning(program: ChipProgram): string {
  const { learning } = program;
  if (learning.layers.length === 0) return 'none';
  const parts = [
    ...learning.layers.map((index) => layerName(program, index)),
    `rule ${JSON.stringify(learning.rule)} (${learning.ruleKind === 'LEARNING_WRITTEN' ? 'written' : 'preset'})`,
  ];
  parts.push(`epoch ${plural(learning.epochSteps, 'step')}`);
  if (learning.settings.length > 0) parts.push(`settings ${learning.settings.join('; ')}`);
  const configs = (learning.layerConfigs ?? []).map((c) => {
    const error =
      c.errorSource === 'ERROR_FEEDBACK' ? `feedback (${FEEDBACK_KIND_TEXT[c.feedbackKind] || 'none'}) from ${layerName(program, c.feedbackFrom)}` : 'output comparison';
    const traces = `x1 +${c.x1.impulse}/decay ${c.x1.decay}, x2 +${c.x2.impulse}/decay ${c.x2.decay}, y1 +${c.y1.impulse}/decay ${c.y1.decay}`;
    const lut = c.surrogateLut.length > 0 ? `, surrogate LUT ${c.surrogateLut.length} entries >> ${c.surrogateShift}` : '';
    const tag = c.tagRule ? `, tag ${JSON.stringify(c.tagRule)}` : '';
    return `\n  ${layerName(program, c.layer)}: ${JSON.stringify(c.rule)}${tag}, epoch ${plural(c.epochSteps, 'step')}, ${traces}, error ${error} x ${c.errorScale.toPrecision(4)} per ${ERROR_TIMING_TEXT[c.errorTiming] || 'unspecified'}${lut}, rate ${c.learningRate}`;
  });
  return parts.join(', ') + configs.join('');
}

function layerName(program: ChipProgram, index: number): string {
  return layerLabel(index, program.layers[index]?.name ?? '');
}

/** One layer's block: connection, weights, wiring, neuron, thresholds, bias, timing and quantization. */
export function printLayer(layer: Layer, index: number): string {
  const { connection, neuron, quantization: q } = layer;
  const { pooling, conv, dense, sparse } = connection;
  const rows: Array<readonly [string, string]> = [];
  if (pooling) {
    const window = pooling.adaptive ? 'adaptive' : `${pooling.kernelH}x${pooling.kernelW} stride ${pooling.strideH}x${pooling.strideW}`;
    rows.push(['pooling', `${window} -> ${formatShape(pooling.pooledShape)}`]);
  }
  if (conv) {
    rows.push([
      'connection',
      `conv ${conv.inChannels} -> ${conv.outChannels} channels, kernel ${conv.kernelH}x${conv.kernelW}, stride ${conv.strideH}x${conv.strideW}, pad ${conv.padH}x${conv.padW}`,
    ]);
  } else if (dense) {
    rows.push(['connection', `dense ${formatNumber(dense.inFeatures)} -> ${formatNumber(dense.outFeatures)} features`]);
  } else if (sparse) {
    rows.push([
      'connection',
      `sparse ${formatNumber(sparse.inFeatures)} -> ${formatNumber(sparse.outFeatures)}, ${formatNumber(sparse.targets.length)} synapses${layer.recurrent ? ', recurrent' : ''}`,
    ]);
  } else {
    rows.push(['connection', 'none']);
  }
  const weights = conv?.weights ?? dense?.weights ?? sparse?.weights ?? new Int32Array(0);
  rows.push(['weights', `${summarise(weights, 'mantissas')}, exponent ${connection.weightExponent}, ${connection.weightBits} bits`]);
  if (layer.sourceSkip) rows.push(['source', `layer ${index - 1 - layer.sourceSkip} (skips ${layer.sourceSkip})`]);
  for (const b of layer.branches ?? []) {
    const k = b.connection.conv;
    const what = k
      ? `conv ${k.inChannels} -> ${k.outChannels}, kernel ${k.kernelH}x${k.kernelW}, stride ${k.strideH}x${k.strideW}, pad ${k.padH}x${k.padW}`
      : `dense ${formatNumber(b.connection.dense?.inFeatures ?? 0)} -> ${formatNumber(b.connection.dense?.outFeatures ?? 0)}`;
    const bw = k?.weights ?? b.connection.dense?.weights ?? new Int32Array(0);
    rows.push(['branch', `from layer ${b.sourceLayer} ${formatShape(b.sourceShape)}, delay ${b.delay}: ${what}, ${summarise(bw, 'mantissas')}`]);
  }
  rows.push(['neuron', `du ${neuron.du}, dv ${neuron.dv}, reset ${RESET_TEXT[neuron.reset]}`]);
  rows.push(['threshold', `${formatList(neuron.thresholdMantissa)}${neuron.thresholdMantissa.length === 1 ? ' (constant)' : ''}`]);
  const biasExponents = neuron.biasExponent.length === 0 ? '' : `, exponents in ${formatSpan(neuron.biasExponent)}`;
  rows.push(['bias', `${summarise(neuron.biasMantissa, 'mantissas')}${biasExponents}`]);
  rows.push(['timing', `start step ${formatNumber(layer.startStep)}, scale ${formatNumber(layer.scale)}`]);
  rows.push([
    'quantization',
    `weight max ${formatNumber(q.weightMaxError)} rms ${formatNumber(q.weightRmsError)}, threshold max ${formatNumber(q.thresholdMaxError)}, ` +
      `bias max ${formatNumber(q.biasMaxError)}, decay ${formatNumber(q.decayFloat)} -> ${formatNumber(q.decayChip)}, ` +
      `policy ${THRESHOLD_POLICY_TEXT[q.thresholdPolicy]}`,
  ]);
  const title = `${layerLabel(index, layer.name)}  ${KIND_TEXT[layer.kind]}  ${formatShape(layer.shape)} <- ${formatShape(layer.sourceShape)}`;
  return [title, ...labelled(rows, '  ')].join('\n');
}

function formatRange(range: { begin: number; end: number }): string {
  return `[${formatNumber(range.begin)}, ${formatNumber(range.end)})`;
}

/** Columns padded to their widest cell; `rightAligned[i]` for numeric columns. */
function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, rightAligned: readonly boolean[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `  ${cells.map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

function printCores(program: ChipProgram): string {
  if (program.cores.length === 0) return 'cores: none';
  const header = ['id', 'chip', 'tile', 'slot', 'layer', 'role', 'ann', 'channels', 'rows', 'cols', 'fan-in', 'soma', 'routes'];
  const rows = program.cores.map((core) => [
    formatNumber(core.id),
    formatNumber(core.chip),
    `${core.tileX},${core.tileY}`,
    formatNumber(core.slot),
    program.layers[core.layer]?.name ? `${core.layer} (${program.layers[core.layer]!.name})` : String(core.layer),
    ROLE_TEXT[core.role],
    core.annMode ? 'yes' : 'no',
    formatRange(core.channels),
    formatRange(core.rows),
    formatRange(core.cols),
    formatRange(core.fanIn),
    core.role === 'CORE_PARTIAL' ? formatNumber(core.somaCore) : '-',
    formatNumber(core.routes.length),
  ]);
  const rightAligned = header.map((title) => ['id', 'chip', 'slot', 'soma', 'routes'].includes(title));
  return ['cores', ...formatTable(header, rows, rightAligned)].join('\n');
}

export interface Resource {
  name: string;
  used: (core: Core) => number;
  /** Per-core limit; null where the spec does not publish one. */
  limit: number | null;
}

/** The per-core limits of `spec` this printout compares against; fan-in only where the chip bounds it. */
export function resourcesOf(spec: ChipSpec): Resource[] {
  const { core } = spec;
  const memory = core.synapseMemory;
  const synapseBitsLimit = memory.kind === 'grouped-words' ? memory.totalBits : core.sramBytes === null ? null : core.sramBytes * 8;
  const resources: Resource[] = [
    { name: 'neurons', used: (c) => c.usage.neurons, limit: core.maxNeurons },
    { name: 'input axons', used: (c) => c.usage.inputAxons, limit: core.maxInputAxons },
    { name: 'output axons', used: (c) => c.usage.outputAxons, limit: core.maxOutputAxons },
    { name: 'synapse bits', used: (c) => c.usage.synapseBits, limit: synapseBitsLimit },
  ];
  if (core.maxFanIn !== null) resources.push({ name: 'fan-in', used: (c) => c.usage.fanIn, limit: core.maxFanIn });
  return resources;
}

function share(used: number, limit: number | null): number | null {
  return limit === null || limit === 0 ? null : used / limit;
}

function formatShare(fraction: number | null): string {
  return fraction === null ? '-' : `${(100 * fraction).toFixed(1)}%`;
}

function printUtilisation(program: ChipProgram, spec: ChipSpec): string {
  const title = `utilisation (limits of chip spec ${spec.name})`;
  if (program.cores.length === 0) return `${title}: no cores`;
  const resources = resourcesOf(spec);
  const columns = resources.map((resource) => usedOfLimitColumn(program.cores, resource));
  const rows = program.cores.map((core, i) => [formatNumber(core.id), ...columns.map((cells) => cells[i]!)]);
  const header = ['core', ...resources.map((resource) => resource.name)];
  const table = formatTable(
    header,
    rows,
    header.map(() => true),
  );
  return [title, ...table, `most used: ${resources.map((r) => mostUsed(program.cores, r)).join(', ')}`].join('\n');
}

/** One `used / limit  share` cell per core, its three parts aligned down the column. */
function usedOfLimitColumn(cores: readonly Core[], resource: Resource): string[] {
  const limit = resource.limit === null ? 'n/a' : formatNumber(resource.limit);
  const parts = cores.map((core) => {
    const used = resource.used(core);
    return [formatNumber(used), formatShare(share(used, resource.limit))] as const;
  });
  const usedWidth = Math.max(...parts.map(([used]) => used.length));
  const shareWidth = Math.max(...parts.map(([, fraction]) => fraction.length));
  return parts.map(([used, fraction]) => `${used.padStart(usedWidth)} / ${limit}  ${fraction.padStart(shareWidth)}`);
}

/** The core using the largest share of `resource` (the first such core on a tie). */
function mostUsed(cores: readonly Core[], resource: Resource): string {
  let best: Core | undefined;
  for (const core of cores) {
    if (!best || resource.used(core) > resource.used(best)) best = core;
  }
  if (!best) return `${resource.name} -`;
  return `${resource.name} core ${best.id} (${formatShare(share(resource.used(best), resource.limit))})`;
}
