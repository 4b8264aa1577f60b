import { describe, expect, it } from 'vitest';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { parseChipSpec } from '../../chips/spec/read-chip-spec.js';
import { check } from '../../compiler/check.js';
import { compile, type Compilation, type CompileOptions } from '../../compiler/compile.js';
import { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from '../../compiler/diagnostics.js';
import { CompileError } from '../../compiler/errors.js';
import type { Model, ModelNode } from '../../models/graph/model.js';
import { syntheticModel, withCoreLimits, withSpec, type CoreOverrides } from './helpers.js';

/**
 * One test per diagnostic code (DESIGN.md section 7: "each diagnostic code has its test"), each with a model or a
 * spec built to break exactly that limit. Resource limits are tested the way a user meets them:
 * `spikechip check program.chip.pb --chip tighter.json`, i.e. a program compiled for a roomy spec, written and read
 * back, then checked against a spec with one limit lowered.
 */

const AUTO: CompileOptions = { chips: 'auto', threshold: 'auto' };

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'error');
const withCode = (ds: readonly Diagnostic[], code: DiagnosticCode) => ds.filter((d) => d.code === code);

/** The user flow: the compiled program written to `.chip.pb` and read back. */
function throughFile(program: ChipProgram): ChipProgram {
  return decodeChipProgram(encodeChipProgram(program), 'program.chip.pb');
}

/** A user's spec file: the spec as JSON, read back through the same parser as `--chip tighter.json`. */
function specFile(spec: ChipSpec): ChipSpec {
  return parseChipSpec(JSON.stringify(spec), `${spec.name}.json`);
}

function compiled(model: Model, spec: ChipSpec, options: CompileOptions = AUTO): Compilation {
  return compile(model, spec, options);
}

/** A diagnostic as check or a pass builds it. */
function expected(code: DiagnosticCode, layer: string | null, core: number | null, value: number | null, limit: number | null, message: string): Diagnostic {
  return { code, severity: code.startsWith('E-') ? 'error' : code.startsWith('W-') ? 'warning' : 'info', layer, core, value, limit, message };
}

/** An identity batch norm after a neuron: nothing to fold it into. */
const STRAY_NORM: ModelNode = {
  kind: 'norm',
  name: 'stray-norm',
  variant: 'batchnorm',
  gamma: { shape: [4], data: new Float32Array(4).fill(1) },
  beta: { shape: [4], data: new Float32Array(4) },
  mean: { shape: [4], data: new Float32Array(4) },
  variance: { shape: [4], data: new Float32Array(4).fill(1) },
  eps: 1e-5,
};

describe('resource limits, checked against a tighter spec', () => {
  // conv1 [4,16,16] 1,024 neurons; conv2 [8,16,16] 2,048 neurons; fc 2,048 -> 64: one core of 2,048 input axons
  // and 1,175,936 synapse bits, past the builtin 1,048,576.
  const roomy = withCoreLimits(getChip('loihi2'), { synapseBits: 1 << 24 }, 'loihi2-roomy');
  const model = syntheticModel({ input: [1, 16, 16], pool: 1, conv1Channels: 4, conv2Channels: 8, outputs: 64 });
  const result = compiled(model, roomy);
  const program = throughFile(result.program!);
  const tighter = (overrides: CoreOverrides) => specFile(withCoreLimits(roomy, overrides, 'tighter'));

  it('compiles for the roomy spec without errors, as three cores', () => {
    expect(errors(result.diagnostics)).toEqual([]);
    expect(errors(check(program, roomy))).toEqual([]);
    expect(program.cores.map((c) => [c.id, program.layers[c.layer]!.name, c.usage.neurons, c.usage.inputAxons, c.usage.outputAxons])).toEqual([
      [0, 'conv1', 1024, 1, 1024],
      [1, 'conv2', 2048, 4, 2048],
      [2, 'fc', 64, 2048, 0],
    ]);
  });

  it('E-NEURONS: neurons per core above the limit', () => {
    expect(errors(check(program, tighter({ maxNeurons: 2000 })))).toEqual([expected('E-NEURONS', 'conv2', 1, 2048, 2000, 'E-NEURONS layer conv2 core 1: 2,048 neurons > 2,000')]);
  });

  it('E-IN-AXONS: input axons per core above the limit', () => {
    expect(errors(check(program, tighter({ maxInputAxons: 2000 })))).toEqual([
      expected('E-IN-AXONS', 'fc', 2, 2048, 2000, 'E-IN-AXONS layer fc core 2: 2,048 input axons > 2,000'),
    ]);
  });

  it('E-OUT-AXONS: output axons per core above the limit', () => {
    expect(errors(check(program, tighter({ maxOutputAxons: 2000 })))).toEqual([
      expected('E-OUT-AXONS', 'conv2', 1, 2048, 2000, 'E-OUT-AXONS layer conv2 core 1: 2,048 output axons > 2,000'),
    ]);
  });

  it('E-SYNMEM: synapse memory per core above the limit (the builtin loihi2 memory)', () => {
    const ds = check(program, getChip('loihi2'));
    expect(errors(ds)).toEqual([expected('E-SYNMEM', 'fc', 2, 1_175_936, 1_048_576, 'E-SYNMEM layer fc core 2: 1,175,936 bits > 1,048,576')]);
    expect(program.cores[2]!.usage.synapseBits).toBe(1_175_936);
  });

  it('E-SYNMEM on a crossbar chip: bits against 8 x the SRAM, on an ANN-mode partial core', () => {
    const tianjic = throughFile(compiled(syntheticModel(), getChip('tianjic')).program!);
    const partial = tianjic.cores.find((c) => c.annMode)!;
    expect(partial.usage.synapseBits).toBe(131_072);
    expect(errors(check(tianjic, specFile(withCoreLimits(getChip('tianjic'), { synapseBits: 100_000 }, 'tianjic-small'))))).toEqual([
      expected('E-SYNMEM', 'conv1', partial.id, 131_072, 100_000, `E-SYNMEM layer conv1 core ${partial.id}: 131,072 bits > 100,000`),
    ]);
  });

  it('E-FANIN: fan-in of a crossbar core above the limit', () => {
    const tianjic = throughFile(compiled(syntheticModel(), getChip('tianjic')).program!);
    expect(errors(check(tianjic, getChip('tianjic')))).toEqual([]);
    const fc = tianjic.cores.find((c) => tianjic.layers[c.layer]!.name === 'fc')!;
    expect(fc.usage.fanIn).toBe(64);
    expect(errors(check(tianjic, specFile(withCoreLimits(getChip('tianjic'), { maxFanIn: 60 }, 'tianjic-narrow'))))).toEqual([
      expected('E-FANIN', 'fc', fc.id, 64, 60, `E-FANIN layer fc core ${fc.id}: 64 inputs per neuron > 60`),
    ]);
  });

  it('E-NEURONS from partition: no tiling fits when one synapse group exceeds the synapse memory', () => {
    // One input axon with one synapse takes a 64-bit word; 32 bits of synapse memory hold nothing.
    const result = compiled(syntheticModel(), withCoreLimits(getChip('loihi2'), { synapseBits: 32 }, 'loihi2-no-memory'));
    expect(result.ok).toBe(false);
    const detail =
      'no tiling of this layer fits the per-core limits (neurons, axons, synapse memory, fan-in, and the output axons of the layer before): even one neuron with the smallest fan-in range does not fit a core';
    expect(withCode(result.diagnostics, 'E-NEURONS')).toEqual(
      ['fc', 'conv2', 'conv1'].map((layer) => expected('E-NEURONS', layer, null, null, null, `E-NEURONS layer ${layer}: ${detail}`)),
    );
    expect(result.program!.cores).toEqual([]);
  });
});

describe('number ranges, checked on a program with edited mantissas', () => {
  const loihi2 = getChip('loihi2');
  const base = compiled(syntheticModel(), loihi2).program!;
  const edited = (edit: (p: ChipProgram) => void): ChipProgram => {
    const copy = structuredClone(base);
    edit(copy);
    return throughFile(copy);
  };

  it('the unedited program is in range', () => {
    expect(errors(check(base, loihi2))).toEqual([]);
  });

  it('E-WEIGHT-RANGE: a weight mantissa past the 8-bit signed range', () => {
    const program = edited((p) => {
      p.layers[1]!.connection.conv!.weights[5] = -128;
    });
    expect(errors(check(program, loihi2))).toEqual([expected('E-WEIGHT-RANGE', 'conv2', null, 128, 127, 'E-WEIGHT-RANGE layer conv2: 128 weight mantissa > 127')]);
  });

  it('E-WEIGHT-RANGE: a mantissa wider than the chip has', () => {
    const program = edited((p) => {
      p.layers[2]!.connection.weightBits = 9;
    });
    expect(errors(check(program, loihi2))).toEqual([expected('E-WEIGHT-RANGE', 'fc', null, 9, 8, 'E-WEIGHT-RANGE layer fc: 9 weight bits > 8')]);
  });

  it('E-WEIGHT-RANGE: a weight exponent past the largest', () => {
    const program = edited((p) => {
      p.layers[0]!.connection.weightExponent = 8;
    });
    expect(errors(check(program, loihi2))).toEqual([expected('E-WEIGHT-RANGE', 'conv1', null, null, null, 'E-WEIGHT-RANGE layer conv1: weight exponent 8 is outside [-7, 7]')]);
  });

  it('E-WEIGHT-RANGE: a weight exponent below the smallest names the range', () => {
    const program = edited((p) => {
      p.layers[0]!.connection.weightExponent = -8;
    });
    const [d, ...rest] = errors(check(program, loihi2));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'E-WEIGHT-RANGE', severity: 'error', layer: 'conv1', core: null });
    expect(d!.message).toBe('E-WEIGHT-RANGE layer conv1: weight exponent -8 is outside [-7, 7]');
  });

  it('E-WEIGHT-RANGE: the message of an exponent below the smallest does not claim -8 > -7', () => {
    const program = edited((p) => {
      p.layers[0]!.connection.weightExponent = -8;
    });
    expect(errors(check(program, loihi2))[0]!.message).not.toMatch(/> -7$/);
  });

  it('E-THRESHOLD-RANGE: a threshold mantissa past 17 bits', () => {
    const program = edited((p) => {
      p.layers[0]!.neuron.thresholdMantissa = [131_072, 131_072, 131_072, 131_072];
    });
    expect(errors(check(program, loihi2))).toEqual([
      expected('E-THRESHOLD-RANGE', 'conv1', null, 131_072, 131_071, 'E-THRESHOLD-RANGE layer conv1: 131,072 threshold mantissa > 131,071'),
    ]);
  });

  it('E-BIAS-RANGE: a bias mantissa past 13 signed bits, and a bias exponent past 7', () => {
    const mantissa = edited((p) => {
      p.layers[1]!.neuron.biasMantissa[2] = -4096;
    });
    expect(errors(check(mantissa, loihi2))).toEqual([expected('E-BIAS-RANGE', 'conv2', null, 4096, 4095, 'E-BIAS-RANGE layer conv2: 4,096 bias mantissa > 4,095')]);
    const exponent = edited((p) => {
      p.layers[2]!.neuron.biasExponent[0] = 8;
    });
    expect(errors(check(exponent, loihi2))).toEqual([expected('E-BIAS-RANGE', 'fc', null, 8, 7, 'E-BIAS-RANGE layer fc: 8 bias exponent > 7')]);
  });

  it('the quantizer reports E-THRESHOLD-RANGE and E-BIAS-RANGE itself when no exponent fits', () => {
    const threshold = compiled(syntheticModel({ weightScale: 1e-6, threshold: { kind: 'fixed', value: 1000 } }), loihi2);
    expect(threshold.ok).toBe(false);
    expect(errors(threshold.diagnostics).map((d) => [d.code, d.layer, d.core, d.value, d.limit])).toEqual([
      ['E-THRESHOLD-RANGE', 'conv1', null, null, null],
      ['E-THRESHOLD-RANGE', 'conv2', null, null, null],
    ]);
    expect(errors(threshold.diagnostics)[0]!.message).toMatch(
      /^E-THRESHOLD-RANGE layer conv1: no weight exponent in \[-7, 7\] keeps the threshold in range \(largest \|w\| [\d.e-]+, threshold 1000, bias [\d.]+\)$/,
    );
    const bias = compiled(syntheticModel({ weightScale: 1e-7, biasScale: 1 }), loihi2);
    expect(withCode(bias.diagnostics, 'E-BIAS-RANGE').map((d) => d.layer)).toEqual(['fc']);
    expect(withCode(bias.diagnostics, 'E-BIAS-RANGE')[0]!.message).toMatch(/^E-BIAS-RANGE layer fc: no weight exponent in \[-7, 7\] keeps the bias in range/);
  });

  it('the quantizer reports E-WEIGHT-RANGE when the synaptic current cannot fit the state', () => {
    // A chip whose u and v are 8 bits wide: 2,048 inputs of up to 127 each overflow it at every exponent.
    const narrow = withSpec(loihi2, {
      numberFormat: { ...loihi2.numberFormat, current: { bits: 8, overflow: 'wrap' }, voltage: { bits: 8, overflow: 'saturate' } },
    });
    const result = compiled(syntheticModel({ input: [1, 16, 16], pool: 1, conv2Channels: 8, outputs: 4 }), narrow);
    const fc = withCode(result.diagnostics, 'E-WEIGHT-RANGE').find((d) => d.layer === 'fc');
    expect(fc).toMatchObject({ severity: 'error', core: null, value: null, limit: null });
    expect(fc!.message).toMatch(/^E-WEIGHT-RANGE layer fc: no weight exponent in \[-7, 7\] keeps the (current|voltage) in range/);
  });
});

describe('chips', () => {
  // Two neurons per core: the default model's 256 + 64 + 3 neurons take 162 cores, two chips of 128.
  const tiny = withCoreLimits(getChip('loihi2'), { maxNeurons: 2 }, 'loihi2-tiny');

  it('E-CHIPS: the model needs more chips than allowed', () => {
    const result = compiled(syntheticModel(), tiny, { chips: 1, threshold: 'auto' });
    expect(result.ok).toBe(false);
    expect(withCode(result.diagnostics, 'E-CHIPS')).toEqual([
      expected('E-CHIPS', null, null, 2, 1, 'E-CHIPS: 2 chips needed > 1 (162 cores at 128 per chip: compile with --chips 2 or --chips auto)'),
    ]);
    expect(compiled(syntheticModel(), tiny, { chips: 2, threshold: 'auto' }).ok).toBe(true);
  });

  it('I-CHIPS: how many chips the model uses', () => {
    const one = compiled(syntheticModel(), getChip('loihi2'));
    expect(withCode(one.diagnostics, 'I-CHIPS')).toEqual([expected('I-CHIPS', null, null, null, null, 'I-CHIPS: 3 cores on 1 chip of 128 cores')]);
    const two = compiled(syntheticModel(), tiny);
    expect(two.ok).toBe(true);
    expect(two.program!.chipCount).toBe(2);
    expect(withCode(two.diagnostics, 'I-CHIPS')).toEqual([expected('I-CHIPS', null, null, null, null, 'I-CHIPS: 162 cores on 2 chips of 128 cores')]);
  });
});

describe('thresholds, reset and decay', () => {
  const ots = (frozen: Float32Array | null) => syntheticModel({ threshold: { kind: 'ots', initial: 1, frozen } });
  const varying = () => ots(Float32Array.of(1, 1.5, 2, 2.5));

  it('E-THRESHOLD-SCHEDULE: --threshold schedule on loihi for an OTS model whose table varies', () => {
    const result = compiled(varying(), getChip('loihi'), { chips: 'auto', threshold: 'schedule' });
    expect(result.ok).toBe(false);
    // check names the chip layers whose tables vary, once each.
    expect(withCode(result.diagnostics, 'E-THRESHOLD-SCHEDULE')).toEqual([
      ...['conv1', 'conv2'].map((layer) =>
        expected(
          'E-THRESHOLD-SCHEDULE',
          layer,
          null,
          null,
          null,
          `E-THRESHOLD-SCHEDULE layer ${layer}: a per-step threshold table on chip loihi, which has none: compile with --threshold mean`,
        ),
      ),
    ]);
    // A constant table is no schedule: nothing to refuse.
    const constant = compiled(ots(Float32Array.of(1, 1, 1, 1)), getChip('loihi'), { chips: 'auto', threshold: 'schedule' });
    expect(withCode(constant.diagnostics, 'E-THRESHOLD-SCHEDULE')).toEqual([]);
  });

  it('W-THRESHOLD-SCHEDULE: the table replaced by its mean, on loihi (auto) and on loihi2 (--threshold mean)', () => {
    const loihi = compiled(varying(), getChip('loihi'));
    expect(loihi.ok).toBe(true);
    expect(withCode(loihi.diagnostics, 'W-THRESHOLD-SCHEDULE')).toEqual(
      ['lif1', 'lif2'].map((layer) =>
        expected(
          'W-THRESHOLD-SCHEDULE',
          layer,
          null,
          null,
          null,
          `W-THRESHOLD-SCHEDULE layer ${layer}: per-step thresholds [1.0000, 1.5000, 2.0000, 2.5000] replaced by their mean 1.7500 (chip loihi has no per-step threshold table); simulate reports the accuracy cost`,
        ),
      ),
    );
    for (const layer of loihi.program!.layers.slice(0, 2)) {
      expect(new Set(layer.neuron.thresholdMantissa).size).toBe(1);
      expect(layer.quantization.thresholdPolicy).toBe('THRESHOLD_MEAN');
    }
    const mean = compiled(varying(), getChip('loihi2'), { chips: 'auto', threshold: 'mean' });
    expect(withCode(mean.diagnostics, 'W-THRESHOLD-SCHEDULE')[0]!.message).toBe(
      'W-THRESHOLD-SCHEDULE layer lif1: per-step thresholds [1.0000, 1.5000, 2.0000, 2.5000] replaced by their mean 1.7500 (--threshold mean); simulate reports the accuracy cost',
    );
    // loihi2 has threshold tables: auto keeps the schedule and says nothing.
    const schedule = compiled(varying(), getChip('loihi2'));
    expect(withCode(schedule.diagnostics, 'W-THRESHOLD-SCHEDULE')).toEqual([]);
    expect(schedule.program!.layers[0]!.quantization.thresholdPolicy).toBe('THRESHOLD_SCHEDULE');
  });

  it('W-RESET-MODE: soft reset on a chip that resets to zero, and the reverse', () => {
    const result = compiled(syntheticModel({ reset: 'subtract' }), getChip('loihi'));
    expect(withCode(result.diagnostics, 'W-RESET-MODE')).toEqual(
      ['conv1', 'conv2'].map((layer) =>
        expected(
          'W-RESET-MODE',
          layer,
          null,
          null,
          null,
          `W-RESET-MODE layer ${layer}: the model resets by subtraction (soft reset), chip loihi only by zero: the chip runs with reset to zero, and simulate measures the accuracy gap`,
        ),
      ),
    );
    expect(result.program!.layers.map((l) => l.neuron.reset)).toEqual(['RESET_ZERO', 'RESET_ZERO', 'RESET_ZERO']);
    expect(withCode(compiled(syntheticModel({ reset: 'zero' }), getChip('loihi')).diagnostics, 'W-RESET-MODE')).toEqual([]);
    const subtractOnly = withSpec(getChip('loihi2'), { neuron: { ...getChip('loihi2').neuron, resetModes: ['subtract'] } }, 'loihi2-subtract');
    expect(withCode(compiled(syntheticModel({ reset: 'zero' }), subtractOnly).diagnostics, 'W-RESET-MODE')[0]!.message).toBe(
      'W-RESET-MODE layer conv1: the model resets by zero, chip loihi2-subtract only by subtract: the chip runs with reset to subtract, and simulate measures the accuracy gap',
    );
  });

  it('W-DECAY: decay 0.3 is not a multiple of 2^-12', () => {
    const result = compiled(syntheticModel({ decay: 0.3 }), getChip('loihi2'));
    expect(result.ok).toBe(true);
    expect(withCode(result.diagnostics, 'W-DECAY')).toEqual(
      ['conv1', 'conv2'].map((layer) => expected('W-DECAY', layer, null, null, null, `W-DECAY layer ${layer}: decay 0.3 is realised as 0.300048828125 (dv = 2867/4096)`)),
    );
    expect(withCode(compiled(syntheticModel({ decay: 0.5 }), getChip('loihi2')).diagnostics, 'W-DECAY')).toEqual([]);
  });
});

describe('input placement', () => {
  it('W-INPUT-HOST: loihi has neither graded spikes nor ANN-mode cores', () => {
    const result = compiled(syntheticModel(), getChip('loihi'));
    expect(result.ok).toBe(true);
    expect(withCode(result.diagnostics, 'W-INPUT-HOST')).toEqual([
      expected(
        'W-INPUT-HOST',
        'conv1',
        null,
        null,
        null,
        "W-INPUT-HOST layer conv1: chip loihi has neither graded spikes nor ANN-mode cores: the host computes layer conv1's current from the analog input and writes it as bias every inference (not counted in chip energy)",
      ),
    ]);
    expect(result.program!.input.placement).toBe('INPUT_HOST');
  });

  it('I-INPUT-GRADED: loihi2 takes the pixels as graded spikes', () => {
    const result = compiled(syntheticModel(), getChip('loihi2'));
    expect(withCode(result.diagnostics, 'I-INPUT-GRADED')).toEqual([
      expected('I-INPUT-GRADED', 'conv1', null, null, null, 'I-INPUT-GRADED layer conv1: pixels enter layer conv1 as 8-bit graded spikes'),
    ]);
  });

  it('I-INPUT-RANGE: real-valued input enters as signed payloads, the first layer scaled for the calibration range', () => {
    const real = { ...syntheticModel(), input: { shape: [1, 8, 8], scale: 1, encoding: 'direct' as const } };
    const result = compiled(real, getChip('loihi2'));
    expect(withCode(result.diagnostics, 'I-INPUT-RANGE')).toEqual([
      expected(
        'I-INPUT-RANGE',
        'conv1',
        null,
        null,
        null,
        "I-INPUT-RANGE layer conv1: real-valued input in 16-bit steps of 2^-12; the first layer's scale keeps its current in range for |input| <= 4.000",
      ),
    ]);
    expect(withCode(result.diagnostics, 'I-INPUT-GRADED')[0]!.message).toBe(
      'I-INPUT-GRADED layer conv1: real values (steps of 0.000244140625) enter layer conv1 as 16-bit graded spikes',
    );
    expect(result.program!.input).toMatchObject({ payloadBits: 16, valueScale: 2 ** -12 });
    // A calibration set bounds the range: the first layer's scale grows with it (finer weights).
    const calibration = { input: new Float32Array(64).fill(0.5), count: 1 };
    const narrow = compile(real, getChip('loihi2'), { ...AUTO, calibration });
    expect(withCode(narrow.diagnostics, 'I-INPUT-RANGE')[0]!.message).toMatch(/\|input\| <= 0\.5000$/);
    expect(narrow.program!.layers[0]!.scale).toBeGreaterThan(result.program!.layers[0]!.scale);
    // Tianjic's ANN-mode input core takes 8 bits in steps of 2^-5.
    expect(compiled(real, getChip('tianjic')).program!.input).toMatchObject({ payloadBits: 8, valueScale: 2 ** -5 });
  });

  it('I-INPUT-ANN: tianjic computes the first layer on ANN-mode cores', () => {
    const result = compiled(syntheticModel(), getChip('tianjic'));
    expect(withCode(result.diagnostics, 'I-INPUT-ANN')).toEqual([
      expected('I-INPUT-ANN', 'conv1', null, null, null, "I-INPUT-ANN layer conv1: ANN-mode cores compute layer conv1's current from the pixels"),
    ]);
    expect(result.program!.cores.some((c) => c.annMode)).toBe(true);
  });

  it('E-UNSUPPORTED: a program checked against a chip that lacks what it uses', () => {
    const loihi = getChip('loihi');
    const graded = throughFile(compiled(syntheticModel({ reset: 'zero' }), getChip('loihi2')).program!);
    expect(errors(check(graded, loihi))).toEqual([
      expected('E-UNSUPPORTED', 'conv1', null, null, null, 'E-UNSUPPORTED layer conv1: analog input as graded spikes on chip loihi, which has no graded spikes'),
    ]);
    const soft = throughFile(compiled(syntheticModel({ reset: 'subtract' }), getChip('loihi2')).program!);
    expect(withCode(check(soft, loihi), 'E-UNSUPPORTED').map((d) => d.message)).toEqual([
      'E-UNSUPPORTED layer conv1: reset by subtract on chip loihi, which resets by zero',
      'E-UNSUPPORTED layer conv2: reset by subtract on chip loihi, which resets by zero',
      'E-UNSUPPORTED layer conv1: analog input as graded spikes on chip loihi, which has no graded spikes',
    ]);
    const ann = throughFile(compiled(syntheticModel(), getChip('tianjic')).program!);
    expect(errors(check(ann, getChip('loihi2')))).toEqual([
      expected('E-UNSUPPORTED', 'conv1', null, null, null, 'E-UNSUPPORTED layer conv1: an ANN-mode input core on chip loihi2, which has none'),
    ]);
    // Only a program built in memory can leave the placement unset: the reader refuses such a file.
    const unset = structuredClone(graded);
    unset.input.placement = 'INPUT_PLACEMENT_UNSPECIFIED';
    expect(withCode(check(unset, getChip('loihi2')), 'E-UNSUPPORTED')).toEqual([
      expected('E-UNSUPPORTED', null, null, null, null, 'E-UNSUPPORTED: the program does not say how the input reaches the chip'),
    ]);
  });
});

describe('W-UNCONFIRMED', () => {
  it('names the weak fields of the spec, and the datapath values assumed where tianjic publishes none', () => {
    const loihi2 = compiled(syntheticModel(), getChip('loihi2'));
    expect(withCode(loihi2.diagnostics, 'W-UNCONFIRMED')).toEqual([
      expected(
        'W-UNCONFIRMED',
        null,
        null,
        null,
        null,
        'W-UNCONFIRMED: chip loihi2 has values from weak sources: mesh, core, numberFormat, neuron, learning, timing, costProfiles.davies2018',
      ),
    ]);
    const tianjic = withCode(compiled(syntheticModel(), getChip('tianjic')).diagnostics, 'W-UNCONFIRMED').map((d) => d.message);
    expect(tianjic).toEqual([
      "W-UNCONFIRMED: chip tianjic does not publish numberFormat.inputShift=6, numberFormat.voltage.bits=24, numberFormat.current.bits=24, numberFormat.decay.bits=12, numberFormat.decay.currentDecayOffset=1, numberFormat.threshold.mantissaBits=17, numberFormat.threshold.shift=6, numberFormat.bias.mantissaBits=13, numberFormat.bias.exponentMax=7; Loihi's datapath values were assumed",
      'W-UNCONFIRMED: chip tianjic has values from weak sources: core.maxOutputAxons, core.sramBytes, core.synapseMemory, numberFormat.weight, neuron.resetModes, neuron.maxDelaySteps, costProfiles.estimate-400mW',
    ]);
  });

  it('is absent for a spec with nothing unconfirmed and every datapath value published', () => {
    const confirmed = withSpec(getChip('loihi'), { unconfirmed: [] }, 'loihi-confirmed');
    expect(withCode(compiled(syntheticModel(), confirmed).diagnostics, 'W-UNCONFIRMED')).toEqual([]);
  });
});

describe('W-OUTPUT-SPIKES', () => {
  it('reads a last spiking layer (as NIR files end) as the mean input current of its synaptic layer', () => {
    const model = syntheticModel();
    const withNeurons: Model = {
      ...model,
      nodes: [
        ...model.nodes,
        { kind: 'spiking-neuron', name: 'out-if', origin: 'IF', dynamics: { decay: 1, inputScale: 1, leak: 0, current: null }, threshold: 1, reset: 'zero', recurrent: null },
      ],
    };
    const result = compiled(withNeurons, getChip('loihi2'));
    expect(withCode(result.diagnostics, 'W-OUTPUT-SPIKES')).toEqual([
      expected(
        'W-OUTPUT-SPIKES',
        'out-if',
        null,
        null,
        null,
        "W-OUTPUT-SPIKES layer out-if: the model's output is the spike count of its last IF neurons; the chip reads the mean input current of fc instead (its output accumulators)",
      ),
    ]);
    expect(result.program!.layers.map((l) => l.name)).toEqual(compiled(model, getChip('loihi2')).program!.layers.map((l) => l.name));
    expect(withCode(compiled(model, getChip('loihi2')).diagnostics, 'W-OUTPUT-SPIKES')).toEqual([]);
  });
});

describe('every code has its test', () => {
  it('lists exactly the codes tested in this file', () => {
    const tested: DiagnosticCode[] = [
      'E-NEURONS',
      'E-IN-AXONS',
      'E-OUT-AXONS',
      'E-SYNMEM',
      'E-FANIN',
      'E-WEIGHT-RANGE',
      'E-THRESHOLD-RANGE',
      'E-BIAS-RANGE',
      'E-CHIPS',
      'E-UNSUPPORTED',
      'E-THRESHOLD-SCHEDULE',
      'W-THRESHOLD-SCHEDULE',
      'W-RESET-MODE',
      'W-INPUT-HOST',
      'W-DECAY',
      'W-UNCONFIRMED',
      'I-INPUT-GRADED',
      'I-INPUT-RANGE',
      'I-INPUT-ANN',
      'I-CHIPS',
      'W-OUTPUT-SPIKES',
      'E-GRAPH',
      'E-CALIBRATION',
      'E-LEARNING',
    ];
    expect([...tested].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });
});

describe('CompileError: models the compiler cannot lower', () => {
  const replace = (model: Model, at: string, make: (node: ModelNode) => ModelNode[]): Model => ({
    ...model,
    nodes: model.nodes.flatMap((node) => (node.name === at ? make(node) : [node])),
  });
  const compileError = (model: Model): CompileError => {
    try {
      compile(model, getChip('loihi2'), AUTO);
    } catch (error) {
      expect(error).toBeInstanceOf(CompileError);
      return error as CompileError;
    }
    throw new Error('compile did not throw');
  };

  it('lowers max pooling of spikes as an OR layer, and refuses it over anything else', () => {
    const model = replace(syntheticModel(), 'pool1', () => [{ kind: 'maxpool2d', name: 'pool1', kernel: 2, stride: 2 }]);
    const compiled = compile(model, getChip('loihi2'), AUTO);
    expect(compiled.ok).toBe(true);
    const layers = compiled.program!.layers;
    expect(layers.map((l) => l.name)).toEqual(['conv1', 'pool1', 'conv2', 'fc']);
    // Unit synapses from each 2x2 window of its own channel; no decay; fires on one spike.
    expect(layers[1]!.kind).toBe('LAYER_SPIKING');
    expect(layers[1]!.connection.conv!.kernelH).toBe(2);
    expect(layers[1]!.neuron.dv).toBe(4095);
    const overInput = replace(syntheticModel(), 'conv1', (conv) => [{ kind: 'maxpool2d', name: 'inpool', kernel: 1, stride: 1 }, conv]);
    expect(compileError(overInput).message).toBe(
      'synthetic: layer inpool: max pooling is lowered only over the spikes of one spiking layer (an OR of binary spikes); this one reads a sum, a pooled grid or the input (E-UNSUPPORTED)',
    );
  });

  it('lowers a spike sum (SEW) as a second synapse set from the earlier layer, delayed to line up', () => {
    const model = replace(syntheticModel({ pool: 1 }), 'lif2', (lif) => [lif, { kind: 'add', name: 'add1', from: 'lif1' }]);
    const compiled = compile(model, getChip('loihi2'), AUTO);
    expect(compiled.ok).toBe(true);
    const fc = compiled.program!.layers[2]!;
    expect(fc.branches).toHaveLength(1);
    expect(fc.branches![0]).toMatchObject({ sourceLayer: 0, delay: 1 });
    expect(fc.connection.dense!.weights).toEqual(fc.branches![0]!.connection.dense!.weights);
  });

  it('refuses a real-valued shortcut, naming the layer that reads it', () => {
    const model = replace(syntheticModel({ pool: 1 }), 'lif2', () => [{ kind: 'add', name: 'add1', from: 'conv2' }]);
    expect(compileError(model).message).toBe(
      "synthetic: layer fc: reads a real-valued stream from 'conv2' (conv2d), not spikes: a synaptic layer on the chip sums spikes only (E-UNSUPPORTED; a real-valued shortcut, as in NF-ResNet, would need graded spikes or non-spiking accumulating compartments, which this compiler does not lower)",
    );
  });

  it('refuses a norm that follows no conv or linear', () => {
    const model = replace(syntheticModel(), 'lif1', (lif) => [lif, STRAY_NORM]);
    expect(compileError(model).message).toBe(
      'synthetic: layer stray-norm: a norm layer must follow a conv2d, linear or add layer that nothing else reads, to be folded into its weights',
    );
    // The same norm straight after a conv folds.
    expect(compile(syntheticModel({ norm: true }), getChip('loihi2'), AUTO).ok).toBe(true);
  });

  it('refuses an OTS model with no frozen table and no calibration images', () => {
    const model = syntheticModel({ threshold: { kind: 'ots', initial: 1, frozen: null } });
    const e = compileError(model);
    expect(e.source).toBe('synthetic: layer lif1');
    expect(e.detail).toBe('OTS thresholds are not frozen: give calibration images (--calibration N) or convert the model with a frozen table');
  });
});

describe('CompileError: a structured code and layer, the text as before', () => {
  const withNodes = (at: string, nodes: ModelNode[]): Model => {
    const base = syntheticModel();
    return { ...base, nodes: base.nodes.flatMap((n) => (n.name === at ? nodes : [n])) };
  };
  const norm = STRAY_NORM;
  const refusal = (model: Model, options: Partial<CompileOptions> = {}): CompileError => {
    try {
      compile(model, getChip('loihi2'), { ...AUTO, ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(CompileError);
      return error as CompileError;
    }
    throw new Error('compile did not throw');
  };
  it.each([
    [
      'E-UNSUPPORTED',
      () => refusal(withNodes('lif1', [{ kind: 'scale', name: 'lif1', factor: { shape: [1], data: Float32Array.of(2) } }])),
      'lif1',
      /a scale between layers is not lowered in this version \(E-UNSUPPORTED\)/,
    ],
    ['E-GRAPH', () => refusal(withNodes('lif1', [syntheticModel().nodes.find((n) => n.name === 'lif1')!, norm])), 'stray-norm', /a norm layer must follow/],
    ['E-CALIBRATION', () => refusal(syntheticModel({ threshold: { kind: 'ots', initial: 1, frozen: null } })), 'lif1', /OTS thresholds are not frozen/],
    ['E-LEARNING', () => refusal(syntheticModel(), { learning: { rule: 'ottt', layers: ['nope'] } }), null, /no layer 'nope'/],
  ] as const)('%s', (code, refuse, layer, text) => {
    const error = refuse();
    expect([error.code, error.layer]).toEqual([code, layer]);
    expect(error.message).toMatch(text);
    expect(error.message).toBe(`${error.source}: ${error.detail}`);
    expect(error.toDiagnostic()).toEqual({ code, severity: 'error', layer, core: null, value: null, limit: null, message: error.message });
  });
});
