import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChipProgramError } from '../../chips/errors.js';
import { IR_VERSION, type ChipProgram } from '../../chips/ir/chip-program.js';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { getChip } from '../../chips/registry.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** Programs written by spikechip at IR version 2, where version 3 has enums (test/fixtures/ir/README.md). */
const fixture = (name: string) => readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'ir', name));
const feedbackBytes = fixture('version-2-feedback.chip.pb');
const tagBytes = fixture('version-2-tag.chip.pb');
const writtenLoihiBytes = fixture('version-2-written-loihi.chip.pb');
const writtenLoihi2Bytes = fixture('version-2-written-loihi2.chip.pb');
const ALL = [feedbackBytes, tagBytes, writtenLoihiBytes, writtenLoihi2Bytes];

/** A copy of `bytes` with the last occurrence of `from` replaced by `to` (same length, so every length prefix stays right). */
function replaced(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const copy = Uint8Array.from(bytes);
  const at = Buffer.from(copy).lastIndexOf(from, undefined, 'latin1');
  expect(at).toBeGreaterThan(0);
  copy.set(Buffer.from(to, 'latin1'), at);
  return copy;
}

function decodeError(bytes: Uint8Array): ChipProgramError {
  try {
    decodeChipProgram(bytes, 'old.chip.pb');
  } catch (error) {
    expect(error).toBeInstanceOf(ChipProgramError);
    return error as ChipProgramError;
  }
  throw new Error('decoded without an error');
}

describe('a version 3 reader reads version 2 programs', () => {
  it('maps every text field of version 2 to its enum, and derives the learning rule kind', () => {
    const program = decodeChipProgram(feedbackBytes, 'feedback.chip.pb');
    expect(program.irVersion).toBe(2);
    expect(program.chipFamily).toBe('CHIP_LOIHI2');
    expect(program.source.kind).toBe('SOURCE_RATE_BP');
    expect(program.probes).toEqual([{ layer: 2, variable: 'PROBE_VOLTAGE' }]);
    expect(program.layers.map((l) => l.quantization.thresholdPolicy)).toEqual(['THRESHOLD_CONSTANT', 'THRESHOLD_CONSTANT', 'THRESHOLD_NONE']);
    expect(program.learning).toMatchObject({ layers: [1, 2], rule: 'ottt', ruleKind: 'LEARNING_OTTT' });
    const [hidden, last] = program.learning.layerConfigs!;
    expect(hidden).toMatchObject({ layer: 1, errorSource: 'ERROR_FEEDBACK', feedbackKind: 'FEEDBACK_RANDOM', errorTiming: 'ERROR_PER_STEP', feedbackFrom: 2 });
    expect(last).toMatchObject({ layer: 2, errorSource: 'ERROR_OUTPUT_COMPARISON', feedbackKind: 'FEEDBACK_NONE', errorTiming: 'ERROR_PER_STEP' });

    const tagged = decodeChipProgram(tagBytes, 'tag.chip.pb');
    expect(tagged.learning).toMatchObject({ layers: [2], rule: 'ottt-accumulated', ruleKind: 'LEARNING_OTTT_ACCUMULATED' });
    expect(tagged.learning.layerConfigs![0]).toMatchObject({ errorTiming: 'ERROR_PER_STEP', feedbackKind: 'FEEDBACK_NONE' });
    expect(tagged.learning.layerConfigs![0]!.tagRule).toMatch(/^dt = /);

    const [loihi, loihi2] = [writtenLoihiBytes, writtenLoihi2Bytes].map((bytes) => decodeChipProgram(bytes, 'written.chip.pb'));
    expect([loihi!.chipFamily, loihi2!.chipFamily]).toEqual(['CHIP_LOIHI1', 'CHIP_LOIHI2']);
    expect(loihi!.source.kind).toBe('SOURCE_OSR_OTS');
    expect(loihi!.layers.map((l) => l.quantization.thresholdPolicy)).toEqual(['THRESHOLD_MEAN', 'THRESHOLD_MEAN', 'THRESHOLD_NONE']);
    expect(loihi2!.layers.map((l) => l.quantization.thresholdPolicy)).toEqual(['THRESHOLD_SCHEDULE', 'THRESHOLD_SCHEDULE', 'THRESHOLD_NONE']);
    expect(loihi!.learning).toMatchObject({ rule: 'dw = 2^-4*x1*y0 - 2^-4*x0*y1', ruleKind: 'LEARNING_WRITTEN', epochSteps: 2 });
    expect(loihi!.learning.layerConfigs![0]).toMatchObject({ errorTiming: 'ERROR_PER_EPOCH', epochSteps: 2 });
  });

  it('prints a version 2 program as its golden text', async () => {
    const text = ALL.map((bytes) => printChipProgram(decodeChipProgram(bytes, 'old.chip.pb'), getChip('loihi2'))).join('\n');
    await expect(text).toMatchFileSnapshot('../golden/ir-version-2.txt');
  });

  it('writes a version 2 program read back as version 3, which reads back equal', () => {
    for (const bytes of ALL) {
      const upgraded: ChipProgram = { ...decodeChipProgram(bytes, 'old.chip.pb'), irVersion: IR_VERSION };
      const written = encodeChipProgram(upgraded);
      expect(decodeChipProgram(written, 'new.chip.pb')).toEqual(upgraded);
      // No text of version 2 survives into version 3's bytes.
      expect(Buffer.from(written).includes('voltage')).toBe(false);
      expect(Buffer.from(written).includes('rate-bp')).toBe(false);
    }
  });

  it('runs a version 2 program on the chip it was compiled for, and refuses another family', () => {
    const program = decodeChipProgram(feedbackBytes, 'old.chip.pb');
    expect(buildRuntime(program, getChip('loihi2'), 'old.chip.pb').layers).toHaveLength(3);
    expect(() => buildRuntime(program, getChip('loihi'), 'old.chip.pb')).toThrow(/compiled for loihi2 \(loihi2\); the chip spec loihi is loihi1/);
  });

  it('refuses a text of version 2 that names no enum value, naming the field and the texts it may hold', () => {
    expect(decodeError(replaced(feedbackBytes, 'voltage', 'voltagX')).message).toBe('old.chip.pb: probes[0].variable_text "voltagX" is none of "voltage", "spikes"');
    expect(decodeError(replaced(feedbackBytes, 'random', 'randoX')).message).toBe(
      'old.chip.pb: learning.layer_configs[0].feedback_kind_text "randoX" is none of "transposed", "random"',
    );
    expect(decodeError(replaced(writtenLoihiBytes, 'epoch', 'epocX')).message).toBe('old.chip.pb: learning.layer_configs[0].error_timing_text "epocX" is none of "step", "epoch"');
    expect(decodeError(replaced(writtenLoihiBytes, 'mean', 'meaX')).message).toBe(
      'old.chip.pb: layer 1 (conv2): quantization.threshold_policy_text "meaX" is none of "none", "schedule", "mean", "constant"',
    );
    expect(decodeError(replaced(writtenLoihiBytes, 'osr-ots', 'osr-otX')).message).toBe('old.chip.pb: source.kind_text "osr-otX" is none of "osr-ots", "rate-bp", "nir", "other"');
  });

  it('refuses the text fields in a version 3 program, and any version it does not know, in one line', () => {
    // Field 1 (ir_version) is the first on the wire: tag 0x08, then the version.
    expect([...feedbackBytes.subarray(0, 2)]).toEqual([0x08, 2]);
    const asVersion = (version: number) => Uint8Array.from([0x08, version, ...feedbackBytes.subarray(2)]);
    // Nested messages are read before the fields of the program around them.
    expect(decodeError(asVersion(3)).message).toBe('old.chip.pb: source.kind_text is a field of IR versions 1 and 2; version 3 has the enum kind');
    expect(decodeError(asVersion(4)).message).toBe('old.chip.pb: IR version 4; this spikechip reads versions 1, 2 and 3');
    expect(decodeError(asVersion(0)).message).toBe('old.chip.pb: IR version 0; this spikechip reads versions 1, 2 and 3');
  });
});
