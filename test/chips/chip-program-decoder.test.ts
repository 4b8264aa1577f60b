import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ChipProgramError } from '../../chips/errors.js';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { decodeMessage, messagePlan } from '../../chips/ir/chip-program-decoder.js';
import { validateChipProgram } from '../../chips/ir/validate-chip-program.js';
import { WireReader } from '../../chips/ir/wire-reader.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { lifKey, type Model } from '../../models/graph/model.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { readModelFile } from '../../models/format/model-file.js';
import { loadModel } from '../../models/load-model.js';
import { FIXTURES, hasSharedFixture, sharedFixture } from '../helpers/fixtures.js';
import { compiledBundledProgram } from '../helpers/hostile-programs.js';
import { protobufjsChipProgram } from '../helpers/protobufjs-chip-program-reader.js';

/*
 * The chip program decoder reads the wire itself; protobufjs's reading (decode, toObject, a reflective walk) is
 * the reference it must equal, program for program, on real programs and on the wire's legal variations.
 */

function expectSameAsProtobufjs(bytes: Uint8Array): ChipProgram {
  const decoded = decodeChipProgram(bytes, 'program.chip.pb');
  expect(decoded).toStrictEqual(protobufjsChipProgram(bytes, 'program.chip.pb'));
  return decoded;
}

/** A protobuf record: tag, then the payload as protobufjs's writer spells it. */
function record(write: (writer: protobuf.Writer) => void): Uint8Array {
  const writer = protobuf.Writer.create();
  write(writer);
  return writer.finish();
}

function joined(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

const bundled = compiledBundledProgram();
const bundledBytes = encodeChipProgram(bundled);

describe('chip program decoder, against protobufjs', () => {
  it('reads the bundled program as protobufjs does, weights into fresh Int32Arrays', () => {
    const decoded = expectSameAsProtobufjs(bundledBytes);
    const weights = decoded.layers[0]!.connection.conv?.weights ?? decoded.layers[0]!.connection.dense!.weights;
    expect(weights).toBeInstanceOf(Int32Array);
    expect(weights.buffer).not.toBe(bundledBytes.buffer);
  });

  it.each(['ottt', 'rate'] as const)('reads a learning program (%s on the last layer) as protobufjs does', (rule) => {
    const model = readModelFile(bundledModelPath());
    const program = compile(model, getChip('loihi2'), { chips: 1, threshold: 'auto', learning: { rule, layers: 'last' } }).program!;
    expect(program.learning.layerConfigs?.length).toBeGreaterThan(0);
    expectSameAsProtobufjs(encodeChipProgram(program));
  });

  it('reads every IR version 2 fixture as protobufjs does', () => {
    const dir = join(FIXTURES, 'ir');
    const files = readdirSync(dir).filter((f) => f.endsWith('.chip.pb'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expectSameAsProtobufjs(new Uint8Array(readFileSync(join(dir, file))));
  });

  it('merges a message sent twice, keeps the last scalar, skips unknown fields and wrong wire types', () => {
    const first = bundled.layers[0]!.connection;
    const weights = (first.conv ?? first.dense)!.weights;
    // Layer 0 again (field 8 is repeated: a new layer would be appended), so the variations go in fields that merge.
    const extra = joined(
      record((w) =>
        w
          .uint32((7 << 3) | 2)
          .fork()
          .uint32((3 << 3) | 0)
          .uint32(0)
          .ldelim(),
      ), // input.payload_bits again
      record((w) => w.uint32((5 << 3) | 0).uint32(bundled.timesteps)), // timesteps again
      record((w) => w.uint32((99 << 3) | 2).bytes(new Uint8Array([1, 2, 3]))), // unknown field
      record((w) => w.uint32((99 << 3) | 5).fixed32(7)), // unknown fixed32
      record((w) => w.uint32((2 << 3) | 0).uint32(5)), // chip_name as a varint: skipped
    );
    const decoded = expectSameAsProtobufjs(joined(bundledBytes, extra));
    expect((decoded.layers[0]!.connection.conv ?? decoded.layers[0]!.connection.dense)!.weights).toStrictEqual(weights);
  });

  it('reads weights sent packed in several runs and one by one, and the last of a repeated scalar, as protobufjs does', () => {
    const root = new protobuf.Root().loadSync('chips/ir/chip_program.proto', { keepCase: false });
    root.resolveAll();
    const dense = root.lookupType('spikechip.ir.DenseConnection');
    const values = [5, -7, 2 ** 30, -(2 ** 31), 0, 1];
    const bytes = record((w) => {
      w.uint32((1 << 3) | 0).uint32(3);
      w.uint32((3 << 3) | 2)
        .fork()
        .sint32(values[0]!)
        .sint32(values[1]!)
        .ldelim();
      for (const value of values.slice(2, 4)) w.uint32((3 << 3) | 0).sint32(value);
      w.uint32((1 << 3) | 0).uint32(4); // in_features again: the last wins
      w.uint32((3 << 3) | 2)
        .fork()
        .sint32(values[4]!)
        .sint32(values[5]!)
        .ldelim();
    });
    const reference = dense.toObject(dense.decode(bytes), { longs: Number, defaults: true, arrays: true });
    const decoded = decodeMessage(messagePlan(dense), new WireReader(bytes), bytes.length, new Map());
    expect(decoded).toStrictEqual({ ...reference, weights: Int32Array.from(reference.weights as number[]) });
    expect(decoded.weights).toStrictEqual(Int32Array.from(values));
    expect(decoded.inFeatures).toBe(4);
  });

  it('gives the same program or the same refusal as protobufjs for mutated programs', () => {
    const small = encodeChipProgram(compiledBundledProgram());
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(small.length - 1), fc.nat(255)), { minLength: 1, maxLength: 3 }), fc.nat(small.length), (edits, cut) => {
        const bytes = small.slice(0, Math.max(1, cut));
        for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
        let reference: ChipProgram | ChipProgramError;
        try {
          reference = protobufjsChipProgram(bytes, 'm.chip.pb');
          validateChipProgram(reference, 'm.chip.pb');
        } catch (error) {
          reference = error as ChipProgramError;
        }
        let decoded: ChipProgram | ChipProgramError;
        try {
          decoded = decodeChipProgram(bytes, 'm.chip.pb');
        } catch (error) {
          decoded = error as ChipProgramError;
        }
        if (decoded instanceof ChipProgramError) expect(reference).toBeInstanceOf(Error);
        else expect(decoded).toStrictEqual(reference);
      }),
      { numRuns: 200 },
    );
  });
});

/** The fixture's model with PyTorch's frozen OTS thresholds, as test/compiler/residual-fixtures-compile.test.ts does. */
function frozenFixture(name: string): Model {
  const dir = sharedFixture(name);
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { frozenThresholds: Record<string, number[]> | null };
  const { model } = loadModel(join(dir, 'checkpoint.pth'), { arch: join(dir, 'arch.json') });
  const nodes = model.nodes.map((n) =>
    n.kind === 'lif' && n.threshold.kind === 'ots' && reference.frozenThresholds
      ? { ...n, threshold: { ...n.threshold, frozen: Float32Array.from(reference.frozenThresholds[lifKey(n)]!) } }
      : n,
  );
  return { ...model, nodes };
}

describe('chip program decoder on the large fixtures (skipped where ../shared is absent)', () => {
  for (const name of ['osr-vggsnn-cifar-random', 'osr-sewresnet-small-random']) {
    it.skipIf(!hasSharedFixture(name))(`${name} on loihi2: the same program as protobufjs reads`, { timeout: 300_000 }, () => {
      const compiled = compile(frozenFixture(name), getChip('loihi2'), { chips: 'auto', threshold: 'auto' });
      expectSameAsProtobufjs(encodeChipProgram(compiled.program!));
    });
  }
});
