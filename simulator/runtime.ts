import type { ChipProgram, Core, Layer } from '../chips/ir/chip-program.js';
import { CHIP_FAMILY_TEXT } from '../chips/ir/ir-enum-text.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { isDiagonalConv } from '../chips/ir/diagonal.js';
import { chooseDatapath, type Datapath } from './datapath.js';
import { SimulationError } from './errors.js';

/** Synapses of one layer over its (pooled) source grid, reordered for scatter from sparse events. */
export type SynapseTable =
  | {
      readonly kind: 'conv';
      readonly outChannels: number;
      readonly outPlane: number;
      readonly taps: number;
      /** For each pooled source position: the range of (output position, tap) pairs it reaches. */
      readonly start: Int32Array;
      readonly outPosition: Int32Array;
      readonly tap: Int32Array;
      /** Weight mantissas as [inChannel][tap][outChannel]. */
      readonly weights: Int32Array;
      readonly pooledPlane: number;
    }
  | {
      readonly kind: 'sparse';
      readonly rowStart: Int32Array;
      readonly targets: Int32Array;
      readonly weights: Int32Array;
    }
  | {
      readonly kind: 'dense';
      readonly outFeatures: number;
      /** Weight mantissas as [inFeature][outFeature]. */
      readonly weights: Int32Array;
    }
  | { readonly kind: 'host' };

/** What one layer holds during a run: its synapses, integer parameters and state, all in typed arrays. */
export interface LayerRuntime {
  readonly index: number;
  readonly name: string;
  readonly spiking: boolean;
  readonly neurons: number;
  readonly startStep: number;
  readonly synapses: SynapseTable;
  readonly weightExponent: number;
  /** Axon (pooled source index) of every source element: previous layer's neuron or input value; -1 if pooled away. */
  readonly axonOf: Int32Array;
  /**
   * The destination group of every axon: axons of one group drive the same cores with the same synapse counts (a
   * conv layer's channels of one position inside one fan-in range; a dense layer's inputs inside one fan-in range),
   * so the cores are listed once per group and a step charges a group once for all its spikes.
   */
  readonly axonGroup: Int32Array;
  /** Per group, the cores (index into program.cores) holding its axons' synapses and how many synapses each. */
  readonly groupCoreStart: Int32Array;
  readonly groupCore: Int32Array;
  readonly groupCoreSynapses: Int32Array;
  readonly du: number;
  readonly dv: number;
  readonly thresholds: Int32Array;
  readonly reset: 'zero' | 'subtract';
  readonly biasMantissa: Int32Array;
  readonly biasExponent: Int32Array;
  /** Soma core (index into program.cores) of every neuron. */
  readonly coreOfNeuron: Int32Array;
  readonly recurrent: boolean;
  readonly refractorySteps: number;
  readonly initialVoltage: Int32Array | null;
  /** Partial-sum cores of this layer and the neurons each one sends per step. */
  readonly partialCores: readonly { readonly core: number; readonly soma: number; readonly neurons: number }[];
  readonly scale: number;
  readonly u: Int32Array;
  readonly v: Int32Array;
  readonly accumulator: Int32Array;
  readonly spikes: Uint8Array;
  readonly spikeList: Int32Array;
  /** Scratch per axon: spikes that arrived on it this step, and which axons got any. */
  readonly axonSpikes: Int32Array;
  readonly touchedAxons: Int32Array;
  /** The layer its main synapses read: -1 for the input (layer 0), its own index when recurrent. */
  readonly source: number;
  /** Synapse sets from other layers onto its neurons (residual graphs); empty in a chain. */
  readonly branches: readonly BranchRuntime[];
}

/**
 * A branch: synapses from an earlier layer onto a layer's neurons, held by its soma cores. `synapses` is a
 * LayerRuntime of its own (axons, synapse table, the cores holding each axon) whose neurons are the layer's.
 */
export interface BranchRuntime {
  readonly source: number;
  /** Steps between the source's spikes and their delivery beyond the one every delivery takes. */
  readonly delay: number;
  readonly synapses: LayerRuntime;
}

export interface ProgramRuntime {
  readonly program: ChipProgram;
  readonly spec: ChipSpec;
  /** The neuron datapath, chosen once from the spec's data. */
  readonly datapath: Datapath;
  readonly layers: readonly LayerRuntime[];
  /** Global tile coordinates of every core (x across chips side by side). */
  readonly coreX: Int32Array;
  readonly coreY: Int32Array;
  readonly coreTile: Int32Array;
  readonly stepsPerInference: number;
  readonly inputSize: number;
}

/** Builds the runtime of a program; refuses a program written for another chip family or with a foreign layout. */
export function buildRuntime(program: ChipProgram, spec: ChipSpec, file: string): ProgramRuntime {
  const family = CHIP_FAMILY_TEXT[program.chipFamily];
  if (family !== spec.family) {
    throw new SimulationError(
      file,
      `the program was compiled for ${program.chipName} (${family || 'no family'}); the chip spec ${spec.name} is ${spec.family}: compile it for this chip`,
    );
  }
  const datapath = chooseDatapath(spec, file);
  const inputSize = program.input.shape.reduce((a, b) => a * b, 1);
  const coreIndex = new Map(program.cores.map((c, i) => [c.id, i]));
  const coreX = Int32Array.from(program.cores, (c) => c.chip * spec.mesh.widthTiles + c.tileX);
  const coreY = Int32Array.from(program.cores, (c) => c.tileY);
  const coreTile = Int32Array.from(program.cores, (c) => (c.chip * spec.mesh.heightTiles + c.tileY) * spec.mesh.widthTiles + c.tileX);
  const layers = program.layers.map((layer, index) => {
    const cores = program.cores.map((c, i) => ({ c, i })).filter(({ c }) => c.layer === index);
    const source = layer.recurrent ? index : index - 1 - (layer.sourceSkip ?? 0);
    const sourceSize = source < 0 ? inputSize : size(program.layers[source]!.shape);
    const branches = (layer.branches ?? []).map((b): BranchRuntime => {
      // Every soma core holds the branch's synapses onto its neurons, over the branch's whole fan-in.
      const width = b.connection.conv?.inChannels ?? b.connection.dense?.inFeatures ?? 0;
      // A diagonal branch (an identity shortcut) reads each core's own channels only.
      const own = isDiagonal(b.connection);
      const holders = cores.filter(({ c }) => c.role === 'CORE_SOMA').map(({ c, i }) => ({ c: { ...c, fanIn: own ? c.channels : { begin: 0, end: width } }, i }));
      const view: Layer = { ...layer, sourceShape: b.sourceShape, connection: b.connection, recurrent: false };
      return {
        source: b.sourceLayer,
        delay: b.delay,
        synapses: buildLayer(program, view, index, holders, size(program.layers[b.sourceLayer]!.shape), coreIndex, file, b.sourceLayer, []),
      };
    });
    return buildLayer(program, layer, index, cores, sourceSize, coreIndex, file, source, branches);
  });
  return {
    program,
    spec,
    datapath,
    layers,
    coreX,
    coreY,
    coreTile,
    // The last layer to finish sets the length: in a chain layer L starts at step L.
    stepsPerInference: program.timesteps + Math.max(...program.layers.map((l) => l.startStep)),
    inputSize,
  };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function buildLayer(
  program: ChipProgram,
  layer: Layer,
  index: number,
  cores: { c: Core; i: number }[],
  sourceSize: number,
  coreIndex: Map<number, number>,
  file: string,
  source: number,
  branches: readonly BranchRuntime[],
): LayerRuntime {
  const [C, H, W] = layer.shape as [number, number, number];
  const neurons = C * H * W;
  const plane = H * W;
  const onHost = index === 0 && program.input.placement === 'INPUT_HOST' && !layer.recurrent;
  const pooling = layer.connection.pooling;
  const [sc, sh, sw] = layer.sourceShape as [number, number, number];
  const grid = pooling ? (pooling.pooledShape as [number, number, number]) : [sc, sh, sw];
  const [ps, qs] = pooling ? [pooling.strideH, pooling.strideW] : [1, 1];
  const axonOf = new Int32Array(sourceSize).fill(-1);
  for (let c = 0; c < sc; c++) {
    for (let y = 0; y < sh; y++) {
      for (let x = 0; x < sw; x++) {
        const py = Math.floor(y / ps);
        const px = Math.floor(x / qs);
        // The input arrives channel-major; a previous layer's neurons are held channels-last.
        const element = source < 0 ? (c * sh + y) * sw + x : neuronIndex(c, y * sw + x, sc);
        if (py < grid[1]! && px < grid[2]!) axonOf[element] = (c * grid[1]! + py) * grid[2]! + px;
      }
    }
  }
  const synapses = synapseTable(layer, onHost, grid as [number, number, number], file);
  const coreOfNeuron = new Int32Array(neurons).fill(-1);
  const partialCores: { core: number; soma: number; neurons: number }[] = [];
  for (const { c, i } of cores) {
    const boxNeurons = (c.channels.end - c.channels.begin) * (c.rows.end - c.rows.begin) * (c.cols.end - c.cols.begin);
    if (c.role === 'CORE_PARTIAL') {
      partialCores.push({ core: i, soma: coreIndex.get(c.somaCore)!, neurons: boxNeurons });
      continue;
    }
    for (let ch = c.channels.begin; ch < c.channels.end; ch++)
      for (let y = c.rows.begin; y < c.rows.end; y++) for (let x = c.cols.begin; x < c.cols.end; x++) coreOfNeuron[neuronIndex(ch, y * W + x, C)] = i;
  }
  if (coreOfNeuron.some((c) => c < 0)) throw new SimulationError(file, `layer ${layer.name}: some neurons are on no core`);
  const axons = grid[0]! * grid[1]! * grid[2]!;
  const { group, start, core, count } =
    synapses.kind === 'sparse' ? sparseAxonCores(synapses, coreOfNeuron, axons) : axonCores(layer, synapses, cores, axons, grid as [number, number, number], onHost);
  const bias = expandBias(layer, neurons, plane);
  return {
    index,
    name: layer.name,
    spiking: layer.kind === 'LAYER_SPIKING',
    neurons,
    startStep: layer.startStep,
    synapses,
    weightExponent: layer.connection.weightExponent,
    axonOf,
    axonGroup: group,
    groupCoreStart: start,
    groupCore: core,
    groupCoreSynapses: count,
    du: layer.neuron.du,
    dv: layer.neuron.dv,
    thresholds: Int32Array.from(layer.neuron.thresholdMantissa),
    reset: layer.neuron.reset === 'RESET_SUBTRACT' ? 'subtract' : 'zero',
    biasMantissa: bias.mantissa,
    biasExponent: bias.exponent,
    coreOfNeuron,
    recurrent: layer.recurrent === true,
    refractorySteps: layer.neuron.refractorySteps ?? 0,
    initialVoltage: layer.neuron.initialVoltage && layer.neuron.initialVoltage.length > 0 ? layer.neuron.initialVoltage : null,
    partialCores,
    scale: layer.scale,
    u: new Int32Array(neurons),
    v: new Int32Array(neurons),
    accumulator: new Int32Array(neurons),
    spikes: new Uint8Array(neurons),
    spikeList: new Int32Array(neurons),
    axonSpikes: new Int32Array(axons),
    touchedAxons: new Int32Array(axons),
    source,
    branches,
  };
}

/**
 * Neurons are held channels-last (index = position * C + channel) so that the scatter of one event walks the
 * output channels of a position contiguously; a dense layer ([N, 1, 1]) is unchanged by it.
 */
export function neuronIndex(channel: number, position: number, channels: number): number {
  return position * channels + channel;
}

function expandBias(layer: Layer, neurons: number, plane: number): { mantissa: Int32Array; exponent: Int32Array } {
  const mantissa = new Int32Array(neurons);
  const exponent = new Int32Array(neurons);
  const channels = neurons / plane;
  for (let n = 0; n < neurons; n++) {
    const c = n % channels;
    mantissa[n] = layer.neuron.biasMantissa[c] ?? 0;
    exponent[n] = layer.neuron.biasExponent[c] ?? 0;
  }
  return { mantissa, exponent };
}

function synapseTable(layer: Layer, onHost: boolean, grid: [number, number, number], file: string): SynapseTable {
  if (onHost) return { kind: 'host' };
  const conv = layer.connection.conv;
  if (conv) {
    const [, OH, OW] = layer.shape as [number, number, number];
    const taps = conv.kernelH * conv.kernelW;
    const [, PH, PW] = grid;
    const pairsOut: number[] = [];
    const pairsTap: number[] = [];
    const start = new Int32Array(PH * PW + 1);
    for (let py = 0; py < PH; py++) {
      for (let px = 0; px < PW; px++) {
        start[py * PW + px] = pairsOut.length;
        for (let ky = 0; ky < conv.kernelH; ky++) {
          const ny = py + conv.padH - ky;
          if (ny < 0 || ny % conv.strideH !== 0 || ny / conv.strideH >= OH) continue;
          for (let kx = 0; kx < conv.kernelW; kx++) {
            const nx = px + conv.padW - kx;
            if (nx < 0 || nx % conv.strideW !== 0 || nx / conv.strideW >= OW) continue;
            pairsOut.push((ny / conv.strideH) * OW + nx / conv.strideW);
            pairsTap.push(ky * conv.kernelW + kx);
          }
        }
      }
    }
    start[PH * PW] = pairsOut.length;
    const weights = new Int32Array(conv.weights.length);
    for (let co = 0; co < conv.outChannels; co++)
      for (let ci = 0; ci < conv.inChannels; ci++)
        for (let k = 0; k < taps; k++) weights[(ci * taps + k) * conv.outChannels + co] = conv.weights[(co * conv.inChannels + ci) * taps + k]!;
    return {
      kind: 'conv',
      outChannels: conv.outChannels,
      outPlane: OH * OW,
      taps,
      start,
      outPosition: Int32Array.from(pairsOut),
      tap: Int32Array.from(pairsTap),
      weights,
      pooledPlane: PH * PW,
    };
  }
  const sparse = layer.connection.sparse;
  if (sparse) {
    return { kind: 'sparse', rowStart: Int32Array.from(sparse.rowStart), targets: Int32Array.from(sparse.targets), weights: sparse.weights };
  }
  const dense = layer.connection.dense;
  if (!dense) throw new SimulationError(file, `layer ${layer.name} has neither conv nor dense synapses`);
  const weights = new Int32Array(dense.weights.length);
  for (let o = 0; o < dense.outFeatures; o++) for (let i = 0; i < dense.inFeatures; i++) weights[i * dense.outFeatures + o] = dense.weights[o * dense.inFeatures + i]!;
  return { kind: 'dense', outFeatures: dense.outFeatures, weights };
}

function isDiagonal(connection: Layer['connection']): boolean {
  const conv = connection.conv;
  return !!conv && isDiagonalConv(conv.kernelH * conv.kernelW, conv.inChannels, conv.outChannels, conv.weights);
}

/** Per axon its destination group, and per group the cores holding its synapses and how many each. */
interface AxonGroups {
  readonly group: Int32Array;
  readonly start: Int32Array;
  readonly core: Int32Array;
  readonly count: Int32Array;
}

/**
 * For every axon, the cores that hold synapses it drives and how many: where its synaptic ops are spent. Which
 * cores hold an axon's synapses depends on its channel only through the holders' fan-in ranges, so the channels
 * between two consecutive range ends share their lists: a group is (such a channel interval, position).
 */
function axonCores(layer: Layer, synapses: SynapseTable, cores: { c: Core; i: number }[], axons: number, grid: [number, number, number], onHost: boolean): AxonGroups {
  const group = new Int32Array(axons);
  const start: number[] = [];
  const core: number[] = [];
  const count: number[] = [];
  if (onHost) return { group, start: new Int32Array(2), core: new Int32Array(0), count: new Int32Array(0) };
  const OW = layer.shape[2]!;
  const holders = cores.filter(({ c }) => c.fanIn.end > c.fanIn.begin);
  const diagonal = isDiagonal(layer.connection);
  const plane = synapses.kind === 'conv' ? grid[1] * grid[2] : 1;
  const inputs = synapses.kind === 'conv' ? grid[0] : axons;
  // interval[i]: which stretch between consecutive fan-in range ends input i (a channel, or a dense input) is in.
  const ends = [...new Set(holders.flatMap(({ c }) => [c.fanIn.begin, c.fanIn.end]))].sort((a, b) => a - b);
  const interval = new Int32Array(inputs);
  for (let i = 0, k = 0; i < inputs; i++) {
    while (k < ends.length && ends[k]! <= i) k++;
    interval[i] = k;
  }
  // A conv axon's synapses on a core depend on its position alone (and on its channel only through the core's
  // fan-in range): count the (output, tap) pairs each position has in each core's box once, not once per channel.
  const inBox: { holder: number; pairs: number }[][] = [];
  if (synapses.kind === 'conv') {
    for (let position = 0; position < plane; position++) {
      const list: { holder: number; pairs: number }[] = [];
      holders.forEach(({ c }, h) => {
        let pairs = 0;
        for (let j = synapses.start[position]!; j < synapses.start[position + 1]!; j++) {
          const out = synapses.outPosition[j]!;
          const y = Math.floor(out / OW);
          const x = out % OW;
          if (y >= c.rows.begin && y < c.rows.end && x >= c.cols.begin && x < c.cols.end) pairs++;
        }
        if (pairs > 0) list.push({ holder: h, pairs });
      });
      inBox.push(list);
    }
  }
  const groupOfKey = new Int32Array((ends.length + 1) * plane).fill(-1);
  for (let a = 0; a < axons; a++) {
    const input = Math.floor(a / plane);
    const position = a - input * plane;
    const key = interval[input]! * plane + position;
    if (groupOfKey[key]! >= 0) {
      group[a] = groupOfKey[key]!;
      continue;
    }
    group[a] = groupOfKey[key] = start.length;
    start.push(core.length);
    if (synapses.kind === 'conv') {
      for (const { holder, pairs } of inBox[position]!) {
        const { c, i } = holders[holder]!;
        if (input < c.fanIn.begin || input >= c.fanIn.end) continue;
        core.push(i);
        count.push(pairs * (diagonal ? 1 : c.channels.end - c.channels.begin));
      }
    } else {
      for (const { c, i } of holders) {
        if (input < c.fanIn.begin || input >= c.fanIn.end) continue;
        const n = c.channels.end - c.channels.begin;
        if (n > 0) {
          core.push(i);
          count.push(n);
        }
      }
    }
  }
  start.push(core.length);
  return { group, start: Int32Array.from(start), core: Int32Array.from(core), count: Int32Array.from(count) };
}

/**
 * For a sparse layer, one pass over the synapses: each target's core is looked up, so the cost is the number of
 * synapses, not synapses x cores. Only soma cores hold sparse synapses (no fan-in split).
 */
function sparseAxonCores(synapses: Extract<SynapseTable, { kind: 'sparse' }>, coreOfNeuron: Int32Array, axons: number): AxonGroups {
  const start = new Int32Array(axons + 1);
  let cores = 0;
  for (const c of coreOfNeuron) if (c + 1 > cores) cores = c + 1;
  const perCore = new Int32Array(cores);
  const touched = new Int32Array(cores);
  const core: number[] = [];
  const count: number[] = [];
  for (let a = 0; a < axons; a++) {
    start[a] = core.length;
    let n = 0;
    for (let k = synapses.rowStart[a]!; k < synapses.rowStart[a + 1]!; k++) {
      const c = coreOfNeuron[synapses.targets[k]!]!;
      if (perCore[c] === 0) touched[n++] = c;
      perCore[c] = perCore[c]! + 1;
    }
    for (let i = 0; i < n; i++) {
      const c = touched[i]!;
      core.push(c);
      count.push(perCore[c]!);
      perCore[c] = 0;
    }
  }
  start[axons] = core.length;
  // Every sparse axon is its own group (its targets are its own).
  return { group: Int32Array.from(start.subarray(0, axons).keys()), start, core: Int32Array.from(core), count: Int32Array.from(count) };
}
