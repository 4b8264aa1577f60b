import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { readModelFile } from '../../models/format/model-file.js';

/** The bundled model compiled for Loihi 2: a real program for the hostile edits below to lie in. */
export function compiledBundledProgram(): ChipProgram {
  return compile(readModelFile(bundledModelPath()), getChip('loihi2'), { chips: 1, threshold: 'auto' }).program!;
}

/** Edits of a valid program's sizes, each encoded as it would be on disk, and the words its refusal must hold. */
export const HOSTILE_PROGRAM_EDITS: readonly { readonly name: string; readonly edit: (program: ChipProgram) => void; readonly expected: string }[] = [
  { name: 'core tile coordinates of 4e9', edit: (p) => (p.cores[0]!.tileX = 4e9), expected: 'tile_x 4000000000 is over the limit of 1023' },
  { name: 'chip_count 1e9', edit: (p) => (p.chipCount = 1e9), expected: 'chip_count 1000000000 is over the limit of 16384' },
  // du is an int32 on the wire: 2^31 written there reads back as -2^31.
  { name: 'du = 2^31 (read back as -2^31)', edit: (p) => (p.layers[0]!.neuron.du = -(2 ** 31)), expected: 'neuron.du -2147483648 is outside 0..1048576' },
  { name: 'dv = 2^31 - 1', edit: (p) => (p.layers[0]!.neuron.dv = 2 ** 31 - 1), expected: 'neuron.dv 2147483647 is over the limit of 1048576' },
  { name: 'timesteps 1e9', edit: (p) => (p.timesteps = 1e9), expected: 'timesteps 1000000000 is over the limit of 100000' },
  { name: 'a route of 4e9 hops', edit: (p) => (p.cores[0]!.routes[0]!.hopsNorthSouth = 4e9), expected: 'routes[0].hops_north_south 4000000000 is over the limit of 1024' },
];

/** The program with one edit, as the bytes of a `.chip.pb` (the encoder checks types, not sizes). */
export function programBytesWith(program: ChipProgram, edit: (program: ChipProgram) => void): Uint8Array {
  const copy = structuredClone(program);
  edit(copy);
  return encodeChipProgram(copy);
}

/** A `.chip.pb` of `count` empty cores after a valid version field: 2 bytes each on the wire, far more decoded. */
export function emptyCoresBomb(count: number, irVersion: number): Uint8Array {
  const bytes = new Uint8Array(2 + 2 * count);
  bytes[0] = 0x08; // field 1 (ir_version), varint
  bytes[1] = irVersion;
  for (let i = 0; i < count; i += 1) bytes[2 + 2 * i] = 0x4a; // field 9 (cores), length-delimited, length 0
  return bytes;
}
