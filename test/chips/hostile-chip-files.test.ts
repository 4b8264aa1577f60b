import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IR_VERSION, type ChipProgram } from '../../chips/ir/chip-program.js';
import { decodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { decodedSizeEstimate } from '../../chips/ir/decoded-size.js';
import { MEMORY_BUDGET_VARIABLE } from '../../chips/memory-budget.js';
import { getChip } from '../../chips/registry.js';
import { parseChipSpec } from '../../chips/spec/read-chip-spec.js';
import { ChipProgramError, ChipSpecError } from '../../chips/errors.js';
import { compiledBundledProgram, emptyCoresBomb, HOSTILE_PROGRAM_EDITS, programBytesWith } from '../helpers/hostile-programs.js';
import protobuf from 'protobufjs';
import { withBudget } from '../helpers/memory-growth.js';

/*
 * Chip specs and programs state sizes the simulator allocates and loops over (mesh, cores, tiles, hops, steps): each
 * is bounded, and a program's decoded size is checked against the memory budget before protobufjs builds it.
 */

const saved = process.env[MEMORY_BUDGET_VARIABLE];
let program: ChipProgram;
beforeAll(() => {
  process.env[MEMORY_BUDGET_VARIABLE] = '64M';
  program = compiledBundledProgram();
});
afterAll(() => {
  if (saved === undefined) delete process.env[MEMORY_BUDGET_VARIABLE];
  else process.env[MEMORY_BUDGET_VARIABLE] = saved;
});

function specRefusal(edit: (spec: Record<string, Record<string, unknown>>) => void): string {
  const spec = structuredClone(getChip('loihi2')) as unknown as Record<string, Record<string, unknown>>;
  edit(spec);
  try {
    parseChipSpec(JSON.stringify(spec), 'user.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ChipSpecError);
    return (error as Error).message;
  }
  throw new Error('the spec was accepted');
}

function programRefusal(bytes: Uint8Array): string {
  try {
    decodeChipProgram(bytes, 'hostile.chip.pb');
  } catch (error) {
    expect(error).toBeInstanceOf(ChipProgramError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('the program was accepted');
}

describe('chip specs', () => {
  it('refuse a 10,000 x 10,000 mesh, naming the field, the value and the limit', () => {
    const message = specRefusal((s) => {
      s.mesh = { ...s.mesh, widthTiles: 10_000, heightTiles: 10_000, coresPerTile: 1, coresPerChip: 1e8 };
    });
    expect(message).toBe('user.json: $.mesh.coresPerChip: expected an integer in 1..65536, found the number 100000000');
  });

  it.each([
    ['$.mesh.widthTiles', (s: Record<string, Record<string, unknown>>) => (s.mesh!.widthTiles = 4096), 'an integer in 1..1024, found the number 4096'],
    ['$.core.maxNeurons', (s: Record<string, Record<string, unknown>>) => (s.core!.maxNeurons = 1e9), 'an integer in 1..1048576, found the number 1000000000'],
    ['$.core.maxInputAxons', (s: Record<string, Record<string, unknown>>) => (s.core!.maxInputAxons = 2 ** 30), 'an integer in 1..16777216, found the number 1073741824'],
    ['$.neuron.maxDelaySteps', (s: Record<string, Record<string, unknown>>) => (s.neuron!.maxDelaySteps = 1e9), 'an integer in 0..65535, found the number 1000000000'],
  ])('refuse an oversized %s', (path, edit, expected) => {
    expect(specRefusal(edit)).toBe(`user.json: ${path}: expected ${expected}`);
  });

  it('refuse JSON larger than the budget allows parsing, before parsing it', () => {
    const huge = ' '.repeat(3 * 2 ** 20);
    expect(() => parseChipSpec(huge, 'huge.json')).toThrow(
      'huge.json: $: expected a chip spec within the memory budget, found parsing 3145728 bytes of JSON needs 96.0 MiB, over the memory budget of 64.0 MiB',
    );
  });
});

describe('chip programs', () => {
  it('the compiled program reads back', () => {
    expect(
      decodeChipProgram(
        programBytesWith(program, () => {}),
        'ok.chip.pb',
      ).cores.length,
    ).toBe(program.cores.length);
  });

  it.each(HOSTILE_PROGRAM_EDITS.map((c) => [c.name, c] as const))('refuse %s', (_, { edit, expected }) => {
    expect(programRefusal(programBytesWith(program, edit))).toContain(expected);
  });

  it('estimate a decoded program above what it takes, and refuse one over the budget before decoding it', () => {
    const root = new protobuf.Root().loadSync('chips/ir/chip_program.proto', { keepCase: false });
    root.resolveAll();
    const type = root.lookupType('spikechip.ir.ChipProgram');
    const small = emptyCoresBomb(200_000, IR_VERSION);
    // Decoded under a large budget, the empty cores are built (then refused as missing their ranges): the estimate
    // is above all it allocated, garbage included (the process's resident peak also holds V8's young generation).
    const heapBefore = process.memoryUsage();
    withBudget(1024, () => expect(() => decodeChipProgram(small, 'small.chip.pb')).toThrow(ChipProgramError));
    const heapAfter = process.memoryUsage();
    const allocated = heapAfter.heapUsed + heapAfter.external - heapBefore.heapUsed - heapBefore.external;
    expect(allocated).toBeGreaterThan(0);
    expect(decodedSizeEstimate(type, small)).toBeGreaterThan(allocated);
    const bytes = emptyCoresBomb(400_000, IR_VERSION);
    expect(programRefusal(bytes)).toMatch(/^hostile\.chip\.pb: decoding its 800002 bytes needs \d+\.\d MiB, over the memory budget of 64\.0 MiB/);
  });
});
