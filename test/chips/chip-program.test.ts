import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ChipProgramError } from '../../chips/errors.js';
import {
  CHIP_FAMILY_VALUES,
  CORE_ROLES,
  ERROR_SOURCES,
  ERROR_TIMINGS,
  FEEDBACK_KINDS,
  INPUT_PLACEMENTS,
  IR_VERSION,
  LAYER_KINDS,
  LEARNING_RULE_KINDS,
  PROBE_VARIABLES,
  RESET_MODES,
  SOURCE_KINDS,
  THRESHOLD_POLICIES,
  type ChipProgram,
} from '../../chips/ir/chip-program.js';
import { decodeChipProgram, encodeChipProgram, readChipProgramFile, writeChipProgramFile } from '../../chips/ir/chip-program-codec.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { getChip } from '../../chips/registry.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'spikechip-ir-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function ramp(length: number, from: number, step: number): number[] {
  return Array.from({ length }, (_, i) => from + i * step);
}

/**
 * Two layers on three cores: conv1 (pooled 8x8 input -> 2x4x4) on core 0, and the dense output layer fc split by
 * fan-in over partial core 1 and soma core 4 (on the next tile).
 */
function smallProgram(): ChipProgram {
  return {
    irVersion: IR_VERSION,
    chipName: 'loihi',
    chipFamily: 'CHIP_LOIHI1',
    source: { name: 'tiny-conv', sha256: '3f2a9c0d1e4b5a6978877665544332211000ffeeddccbbaa9988776655443322', kind: 'SOURCE_OSR_OTS' },
    timesteps: 4,
    chipCount: 1,
    input: {
      shape: [1, 8, 8],
      placement: 'INPUT_GRADED_SPIKES',
      payloadBits: 8,
      valueScale: 1 / 255,
      hostWeights: new Float32Array(0),
      hostBias: new Float32Array(0),
    },
    layers: [
      {
        name: 'conv1',
        kind: 'LAYER_SPIKING',
        shape: [2, 4, 4],
        sourceShape: [1, 8, 8],
        connection: {
          pooling: { kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, pooledShape: [1, 4, 4], adaptive: false },
          conv: {
            inChannels: 1,
            outChannels: 2,
            kernelH: 3,
            kernelW: 3,
            strideH: 1,
            strideW: 1,
            padH: 1,
            padW: 1,
            weights: new Int32Array(ramp(18, -100, 13)),
          },
          weightExponent: -6,
          weightBits: 8,
        },
        neuron: {
          du: 4095,
          dv: 0,
          thresholdMantissa: [100, 131, 152, 157],
          reset: 'RESET_SUBTRACT',
          biasMantissa: new Int32Array([-3, 5]),
          biasExponent: [0, 2],
        },
        startStep: 0,
        scale: 123.456,
        quantization: {
          weightMaxError: 0.00390625,
          weightRmsError: 0.0012,
          thresholdMaxError: 0.001,
          biasMaxError: 0,
          decayFloat: 0.5,
          decayChip: 0.5,
          thresholdPolicy: 'THRESHOLD_SCHEDULE',
        },
      },
      {
        name: 'fc',
        kind: 'LAYER_OUTPUT',
        shape: [3, 1, 1],
        sourceShape: [2, 4, 4],
        connection: {
          dense: { inFeatures: 32, outFeatures: 3, weights: new Int32Array(ramp(96, -48, 1)) },
          weightExponent: -7,
          weightBits: 6,
        },
        neuron: {
          du: 4095,
          dv: 0,
          thresholdMantissa: [1],
          reset: 'RESET_ZERO',
          biasMantissa: new Int32Array([7, 0, -7]),
          biasExponent: [1, 0, 1],
        },
        startStep: 1,
        scale: 64.5,
        quantization: {
          weightMaxError: 0.0078125,
          weightRmsError: 0.003,
          thresholdMaxError: 0,
          biasMaxError: 0.002,
          decayFloat: 1,
          decayChip: 1,
          thresholdPolicy: 'THRESHOLD_CONSTANT',
        },
      },
    ],
    cores: [
      {
        id: 0,
        chip: 0,
        tileX: 0,
        tileY: 0,
        slot: 0,
        layer: 0,
        role: 'CORE_SOMA',
        annMode: false,
        channels: { begin: 0, end: 2 },
        rows: { begin: 0, end: 4 },
        cols: { begin: 0, end: 4 },
        fanIn: { begin: 0, end: 1 },
        somaCore: 0,
        usage: { neurons: 32, inputAxons: 16, outputAxons: 2, synapseBits: 9_216, synapses: 288, fanIn: 9 },
        routes: [
          { destinationCore: 1, hopsEastWest: 0, hopsNorthSouth: 0, chipCrossings: 0, fanOut: 16, multicast: true },
          { destinationCore: 4, hopsEastWest: 1, hopsNorthSouth: 0, chipCrossings: 0, fanOut: 16, multicast: true },
        ],
      },
      {
        id: 1,
        chip: 0,
        tileX: 0,
        tileY: 0,
        slot: 1,
        layer: 1,
        role: 'CORE_PARTIAL',
        annMode: false,
        channels: { begin: 0, end: 3 },
        rows: { begin: 0, end: 1 },
        cols: { begin: 0, end: 1 },
        fanIn: { begin: 0, end: 16 },
        somaCore: 4,
        usage: { neurons: 0, inputAxons: 16, outputAxons: 3, synapseBits: 3_072, synapses: 48, fanIn: 16 },
        routes: [{ destinationCore: 4, hopsEastWest: 1, hopsNorthSouth: 0, chipCrossings: 0, fanOut: 3, multicast: false }],
      },
      {
        id: 4,
        chip: 0,
        tileX: 1,
        tileY: 0,
        slot: 0,
        layer: 1,
        role: 'CORE_SOMA',
        annMode: false,
        channels: { begin: 0, end: 3 },
        rows: { begin: 0, end: 1 },
        cols: { begin: 0, end: 1 },
        fanIn: { begin: 16, end: 32 },
        somaCore: 0,
        usage: { neurons: 3, inputAxons: 19, outputAxons: 0, synapseBits: 1_210_880, synapses: 48, fanIn: 19 },
        routes: [],
      },
    ],
    probes: [
      { layer: 1, variable: 'PROBE_VOLTAGE' },
      { layer: 0, variable: 'PROBE_SPIKES' },
    ],
    learning: { layers: [1], rule: 'dw = 2^-4*x1*y0 - 2^-4*y1*x0', ruleKind: 'LEARNING_WRITTEN', epochSteps: 4, settings: ['x1_tau=8', 'y1_tau=8'] },
    notes: ['threshold=schedule', 'chips=1'],
  };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The ChipProgramError decoding `bytes` raises; fails the test when there is none or it is another error. */
function decodeError(bytes: Uint8Array, file = 'bad.chip.pb'): ChipProgramError {
  const error = thrown(() => decodeChipProgram(bytes, file));
  expect(error).toBeInstanceOf(ChipProgramError);
  return error as ChipProgramError;
}

function changed(change: (program: ChipProgram) => void): Uint8Array {
  const program = smallProgram();
  change(program);
  return encodeChipProgram(program);
}

/** Bytes protobufjs writes straight from the schema, for files our own encoder refuses to produce. */
function rawBytes(message: Record<string, unknown>): Uint8Array {
  const root = protobuf.loadSync(join(PROJECT_ROOT, 'chips', 'ir', 'chip_program.proto'));
  const type = root.lookupType('spikechip.ir.ChipProgram');
  return type.encode(type.fromObject(message)).finish();
}

describe('ChipProgram types mirror the proto', () => {
  it('each enum lists exactly the proto enum values, in number order', () => {
    const root = protobuf.loadSync(join(PROJECT_ROOT, 'chips', 'ir', 'chip_program.proto'));
    const names = (enumName: string) => {
      const values = root.lookupEnum(`spikechip.ir.${enumName}`).values;
      return Object.keys(values).sort((a, b) => values[a]! - values[b]!);
    };
    expect(INPUT_PLACEMENTS).toEqual(names('InputPlacement'));
    expect(LAYER_KINDS).toEqual(names('LayerKind'));
    expect(RESET_MODES).toEqual(names('ResetMode'));
    expect(CORE_ROLES).toEqual(names('CoreRole'));
    expect(CHIP_FAMILY_VALUES).toEqual(names('ChipFamily'));
    expect(SOURCE_KINDS).toEqual(names('SourceKind'));
    expect(THRESHOLD_POLICIES).toEqual(names('ThresholdPolicy'));
    expect(PROBE_VARIABLES).toEqual(names('ProbeVariable'));
    expect(LEARNING_RULE_KINDS).toEqual(names('LearningRuleKind'));
    expect(ERROR_TIMINGS).toEqual(names('ErrorTiming'));
    expect(FEEDBACK_KINDS).toEqual(names('FeedbackKind'));
    expect(ERROR_SOURCES).toEqual(names('ErrorSource'));
  });
});

describe('encode and decode', () => {
  it('decodes what it encoded, typed arrays included', () => {
    const program = smallProgram();
    const decoded = decodeChipProgram(encodeChipProgram(program), 'small.chip.pb');
    expect(decoded).toStrictEqual(program);
    expect(decoded.layers[0]!.connection.conv!.weights).toBeInstanceOf(Int32Array);
    expect(decoded.input.hostWeights).toBeInstanceOf(Float32Array);
    expect(decoded.layers[1]!.connection.pooling).toBeUndefined();
  });

  it('encodes deterministically, and re-encoding a decoded program gives the same bytes', () => {
    const bytes = encodeChipProgram(smallProgram());
    expect(encodeChipProgram(smallProgram())).toEqual(bytes);
    expect(encodeChipProgram(decodeChipProgram(bytes, 'small.chip.pb'))).toEqual(bytes);
    expect(bytes.constructor).toBe(Uint8Array);
  });

  it('keeps the hash of the spec compiled for, and reads a version 1 program (no hash: the spec is known by name)', () => {
    const hashed = { ...smallProgram(), chipSpecSha256: 'ab'.repeat(32) };
    expect(decodeChipProgram(encodeChipProgram(hashed), 'hashed.chip.pb')).toStrictEqual(hashed);
    const version1 = { ...smallProgram(), irVersion: 1 };
    const decoded = decodeChipProgram(encodeChipProgram(version1), 'v1.chip.pb');
    expect(decoded.irVersion).toBe(1);
    expect(decoded.chipSpecSha256).toBeUndefined();
    expect(IR_VERSION).toBe(3);
  });

  it('writes through a temporary file and reads the file back', () => {
    const path = join(scratch, 'small.chip.pb');
    writeChipProgramFile(path, smallProgram());
    expect(readChipProgramFile(path)).toStrictEqual(smallProgram());
    expect(readdirSync(scratch).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('writes no file for a program that does not validate', () => {
    const path = join(scratch, 'invalid.chip.pb');
    const program = smallProgram();
    program.timesteps = 0;
    expect(() => writeChipProgramFile(path, program)).toThrow(`${path}: timesteps is 0`);
    expect(existsSync(path)).toBe(false);
  });

  it('a missing file is a ChipProgramError naming it', () => {
    const path = join(scratch, 'missing.chip.pb');
    const error = thrown(() => readChipProgramFile(path));
    expect(error).toBeInstanceOf(ChipProgramError);
    expect((error as ChipProgramError).message).toBe(`${path}: cannot be read (ENOENT)`);
  });

  it('refuses to encode values the proto types cannot hold, naming the layer or core', () => {
    const asNumbers = smallProgram();
    (asNumbers.layers[0]!.connection.conv as { weights: unknown }).weights = [1, 2, 3];
    expect(() => encodeChipProgram(asNumbers)).toThrow('layer 0 (conv1): connection.conv.weights is a list, not an Int32Array');
    const negative = smallProgram();
    negative.cores[2]!.usage.neurons = -1;
    expect(() => encodeChipProgram(negative)).toThrow('core 4: usage.neurons -1 is not a uint32');
    const unknownKind = smallProgram();
    (unknownKind.layers[1] as { kind: string }).kind = 'LAYER_DENSE';
    expect(() => encodeChipProgram(unknownKind)).toThrow('layer 1 (fc): kind "LAYER_DENSE" is not a LayerKind value');
    const fraction = smallProgram();
    fraction.layers[0]!.neuron.thresholdMantissa[2] = 1.5;
    expect(() => encodeChipProgram(fraction)).toThrow('layer 0 (conv1): neuron.threshold_mantissa[2] 1.5 is not an int32');
    const both = smallProgram();
    both.layers[0]!.connection.dense = { inFeatures: 16, outFeatures: 32, weights: new Int32Array(512) };
    expect(() => encodeChipProgram(both)).toThrow('layer 0 (conv1): connection sets conv and dense, which are alternatives (oneof kind)');
  });
});

describe('the text form', () => {
  it('matches the golden file', async () => {
    await expect(printChipProgram(smallProgram(), getChip('loihi'))).toMatchFileSnapshot('../golden/ir-small.txt');
  });

  it('prints utilisation only against a spec, with fan-in where the chip bounds it', () => {
    expect(printChipProgram(smallProgram())).not.toContain('utilisation');
    const tianjic = printChipProgram(smallProgram(), getChip('tianjic'));
    expect(tianjic).toMatch(/utilisation \(limits of chip spec tianjic\)\n {2}core .* fan-in\n/);
  });
});

describe('decoding refuses bad files with a ChipProgramError', () => {
  it('an empty file', () => {
    expect(decodeError(new Uint8Array(0)).message).toBe('bad.chip.pb: empty file; not a chip program');
  });

  it('another IR version', () => {
    const bytes = changed((program) => (program.irVersion = 7));
    expect(decodeError(bytes).message).toBe('bad.chip.pb: IR version 7; this spikechip reads versions 1, 2 and 3');
  });

  it('a spec hash that is not a SHA-256 in hex', () => {
    const bytes = changed((program) => (program.chipSpecSha256 = 'abc'));
    expect(decodeError(bytes).message).toBe('bad.chip.pb: chip_spec_sha256 "abc" is not a SHA-256 in hex');
  });

  it('every truncation of a valid file: an error or, where a prefix happens to decode, a valid program', () => {
    const bytes = encodeChipProgram(smallProgram());
    for (let length = 0; length < bytes.length; length++) {
      try {
        decodeChipProgram(bytes.subarray(0, length), 'cut.chip.pb');
      } catch (error) {
        expect(error, `prefix of ${length} bytes`).toBeInstanceOf(ChipProgramError);
      }
    }
  });

  it('an invalid wire type', () => {
    const bytes = Uint8Array.from([...encodeChipProgram(smallProgram()), 0x0f]);
    expect(decodeError(bytes).message).toMatch(/^bad\.chip\.pb: truncated or corrupt chip program \(invalid wire type 7/);
  });

  it('a length running past the end', () => {
    const bytes = Uint8Array.from([0x08, 0x01, 0x42, 0x7f, 0x01]);
    expect(decodeError(bytes).message).toMatch(/^bad\.chip\.pb: truncated or corrupt chip program \(index out of range/);
  });

  it('a missing part', () => {
    const bytes = rawBytes({ irVersion: 1, chipName: 'loihi', timesteps: 4 });
    expect(decodeError(bytes).message).toBe('bad.chip.pb: source is missing');
  });

  it('an enum value the schema does not know, naming the layer', () => {
    const bytes = rawBytes({ irVersion: 1, chipName: 'loihi', source: {}, input: {}, layers: [{ name: 'conv1', kind: 9 }] });
    expect(decodeError(bytes).message).toBe('bad.chip.pb: layer 0 (conv1): kind has value 9, which is not a LayerKind');
  });
});

type Change = (program: ChipProgram) => void;

const structuralProblems: Array<[string, Change, string]> = [
  ['an empty chip name', (p) => (p.chipName = ''), 'chip_name is empty'],
  ['no time steps', (p) => (p.timesteps = 0), 'timesteps is 0'],
  ['no layers', (p) => ((p.layers = []), (p.cores = []), (p.probes = []), (p.learning.layers = [])), 'the program has no layers'],
  ['no chips', (p) => (p.chipCount = 0), 'chip_count is 0'],
  ['an unspecified input placement', (p) => (p.input.placement = 'INPUT_PLACEMENT_UNSPECIFIED'), 'input placement is unspecified'],
  [
    'on-chip weights for a host-computed first layer',
    (p) => (p.input.placement = 'INPUT_HOST'),
    'layer 0 (conv1): host-computed layer has 0 host weights and 18 on-chip weights, expected 18 host weights',
  ],
  ['an unspecified layer kind', (p) => (p.layers[1]!.kind = 'LAYER_KIND_UNSPECIFIED'), 'layer 1 (fc): kind is unspecified'],
  ['a layer shape that is not [C, H, W]', (p) => (p.layers[1]!.shape = [3]), 'layer 1 (fc): shape [3] is not a [C, H, W] grid'],
  [
    'a source shape other than the previous layer',
    (p) => (p.layers[1]!.sourceShape = [2, 2, 8]),
    'layer 1 (fc): source_shape [2, 2, 8] differs from the shape of layer 0 (conv1) [2, 4, 4]',
  ],
  ['a first layer reading another shape than the input', (p) => (p.input.shape = [1, 28, 28]), 'layer 0 (conv1): source_shape [1, 8, 8] differs from the input shape [1, 28, 28]'],
  ['conv weights of the wrong length', (p) => (p.layers[0]!.connection.conv!.weights = new Int32Array(17)), 'layer 0 (conv1): conv weights has 17 values, expected 2*1*3*3 = 18'],
  ['dense weights of the wrong length', (p) => (p.layers[1]!.connection.dense!.weights = new Int32Array(95)), 'layer 1 (fc): dense weights has 95 values, expected 3*32 = 96'],
  ['a connection with neither conv nor dense', (p) => delete p.layers[1]!.connection.dense, 'layer 1 (fc): connection has neither conv nor dense'],
  [
    'a pooled shape the pooling does not give',
    (p) => (p.layers[0]!.connection.pooling!.pooledShape = [1, 3, 3]),
    'layer 0 (conv1): pooling 2x2 stride 2x2 of [1, 8, 8] gives [1, 4, 4], not pooled_shape [1, 3, 3]',
  ],
  [
    'a conv geometry that does not give the layer shape',
    (p) => (p.layers[0]!.connection.conv!.padH = 0),
    'layer 0 (conv1): conv 3x3 stride 1x1 pad 0x1 with 2 outputs over [1, 4, 4] gives [2, 2, 4], not shape [2, 4, 4]',
  ],
  [
    'conv in_channels other than the channels read',
    (p) => (p.layers[0]!.connection.conv!.inChannels = 3),
    'layer 0 (conv1): conv in_channels 3 differs from the 1 channels of [1, 4, 4] it reads',
  ],
  [
    'dense in_features other than the values read',
    (p) => (p.layers[1]!.connection.dense!.inFeatures = 16),
    'layer 1 (fc): dense in_features 16 differs from the 32 values of [2, 4, 4] it reads',
  ],
  [
    'a threshold table of neither 1 nor T values',
    (p) => (p.layers[0]!.neuron.thresholdMantissa = [100, 131]),
    'layer 0 (conv1): threshold_mantissa has 2 values, expected 1 or timesteps = 4',
  ],
  [
    'conv bias not one per output channel',
    (p) => ((p.layers[0]!.neuron.biasMantissa = new Int32Array(3)), (p.layers[0]!.neuron.biasExponent = [0, 0, 0])),
    'layer 0 (conv1): bias_mantissa has 3 values, expected 2 (one per output channel)',
  ],
  [
    'dense bias not one per output feature',
    (p) => ((p.layers[1]!.neuron.biasMantissa = new Int32Array(2)), (p.layers[1]!.neuron.biasExponent = [0, 0])),
    'layer 1 (fc): bias_mantissa has 2 values, expected 3 (one per output feature)',
  ],
  ['bias exponents and mantissas of different lengths', (p) => (p.layers[1]!.neuron.biasExponent = [0]), 'layer 1 (fc): bias_exponent has 1 values but bias_mantissa has 3'],
  ['a spiking layer without a reset mode', (p) => (p.layers[0]!.neuron.reset = 'RESET_MODE_UNSPECIFIED'), 'layer 0 (conv1): a spiking layer needs a reset mode'],
  ['two cores with one id', (p) => (p.cores[1]!.id = 0), 'core 0: two cores have this id'],
  ['a core of a layer that does not exist', (p) => (p.cores[0]!.layer = 2), 'core 0: layer 2 does not exist (the program has 2 layers)'],
  ['a core on a chip that is not used', (p) => (p.cores[2]!.chip = 1), 'core 4: chip 1 is not below chip_count 1'],
  ['a core without a role', (p) => (p.cores[0]!.role = 'CORE_ROLE_UNSPECIFIED'), 'core 0: role is unspecified'],
  ['a partial core whose soma core does not exist', (p) => (p.cores[1]!.somaCore = 9), 'core 1: soma_core 9 is not a core of the program'],
  ['a partial core whose soma core holds another layer', (p) => (p.cores[1]!.somaCore = 0), 'core 1: soma_core 0 is not a soma core of layer 1 (fc)'],
  ['a route to a core that does not exist', (p) => (p.cores[0]!.routes[1]!.destinationCore = 5), 'core 0: route to core 5, which is not a core of the program'],
  ['a range that ends before it begins', (p) => (p.cores[0]!.rows = { begin: 3, end: 2 }), 'core 0: rows [3, 2) is not a range within the 4 rows of layer 0 (conv1)'],
  ['a channel range beyond the layer', (p) => (p.cores[2]!.channels = { begin: 0, end: 4 }), 'core 4: channels [0, 4) is not a range within the 3 channels of layer 1 (fc)'],
  ['a fan-in range beyond the source', (p) => (p.cores[2]!.fanIn = { begin: 16, end: 33 }), 'core 4: fan_in [16, 33) is not a range within the 32 input features of layer 1 (fc)'],
  ['a probe of a layer that does not exist', (p) => (p.probes[0]!.layer = 2), 'probe 0: layer 2 does not exist'],
  ['a probe of no variable', (p) => (p.probes[1]!.variable = 'PROBE_VARIABLE_UNSPECIFIED'), 'probe 1: variable is unspecified'],
  ['learning in a layer that does not exist', (p) => (p.learning.layers = [3]), 'learning: layer 3 does not exist'],
  ['learning layers with no rule kind', (p) => (p.learning.ruleKind = 'LEARNING_NONE'), 'learning: rule_kind is LEARNING_NONE, yet layers learn'],
  ['a rule kind without learning layers', (p) => (p.learning.layers = []), 'learning: rule_kind is LEARNING_WRITTEN, yet no layer learns'],
  [
    'a preset kind whose rule is not the preset',
    (p) => (p.learning.ruleKind = 'LEARNING_OTTT'),
    'learning: rule "dw = 2^-4*x1*y0 - 2^-4*y1*x0" is not the preset "ottt" its rule_kind LEARNING_OTTT names',
  ],
];

describe('decoding refuses programs whose parts do not fit, naming the layer or core', () => {
  it.each(structuralProblems)('%s', (_, change, expected) => {
    const error = decodeError(changed(change));
    expect(error.file).toBe('bad.chip.pb');
    expect(error.message).toContain(`bad.chip.pb: ${expected}`);
  });
});
