import type { Argv } from 'yargs';
import { readChipProgramFile } from '../../chips/ir/chip-program-codec.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { chipSpecSha256 } from '../../chips/spec/spec-hash.js';
import { PRESETS } from '../../models/arch/presets.js';
import { printModel } from '../../models/graph/print-model.js';
import { inferShapes, parameterCount } from '../../models/graph/shapes.js';
import { loadModel } from '../../models/load-model.js';
import { NIR_OPTIONS, topologyOptions } from '../model-option.js';
import { emit } from '../output.js';
import { recordedBuiltin } from '../program-chip.js';

interface InspectArgs {
  file: string;
  arch?: string;
  preset?: string;
  json: boolean;
}

export function registerInspect(yargs: Argv): Argv {
  return yargs.command<InspectArgs>(
    'inspect <file>',
    'Print a model graph with shapes and parameter counts, or a chip program (.chip.pb) with per-core utilisation',
    (y) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'checkpoint.pth or .snnmodel file' })
        .option('arch', { type: 'string', describe: 'snn-arch/1 file for a .pth checkpoint' })
        .option('preset', { type: 'string', describe: 'seed-code architecture preset instead of --arch' })
        .options(NIR_OPTIONS)
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as Argv<InspectArgs>,
    (args) => {
      if (args.file.endsWith('.pb')) {
        const program = readChipProgramFile(args.file);
        // Utilisation against the builtin of that name only when it is the spec compiled for (or a version 1 program).
        const builtin = recordedBuiltin(program.chipName);
        const spec = builtin && (program.chipSpecSha256 === undefined || program.chipSpecSha256 === chipSpecSha256(builtin)) ? builtin : undefined;
        const result = {
          program: args.file,
          chip: program.chipName,
          irVersion: program.irVersion,
          chipSpecSha256: program.chipSpecSha256 ?? null,
          model: program.source.name,
          chipsUsed: program.chipCount,
          coresUsed: program.cores.length,
          layers: program.layers.map((l) => ({
            name: l.name,
            kind: l.kind,
            shape: l.shape,
            weightExponent: l.connection.weightExponent,
            thresholdMantissa: l.neuron.thresholdMantissa,
          })),
          cores: program.cores.map((c) => ({ id: c.id, layer: c.layer, role: c.role, tile: [c.chip, c.tileX, c.tileY, c.slot], usage: c.usage })),
        };
        emit(args.json, result, () => printChipProgram(program, spec));
        return;
      }
      const { model, topology, presetName } = loadModel(args.file, topologyOptions(args));
      const layers = inferShapes(model).map(({ node, inputShape, outputShape }) => ({
        name: node.name,
        kind: node.kind,
        inputShape,
        outputShape,
        parameters: parameterCount(node),
      }));
      const result = {
        model: model.name,
        source: model.source,
        topology,
        ...(presetName ? { preset: presetName, presetModule: PRESETS.get(presetName)!.module } : {}),
        timesteps: model.timesteps,
        inputShape: model.input.shape,
        parameters: layers.reduce((s, l) => s + l.parameters, 0),
        layers,
        ...(model.notes ? { notes: model.notes } : {}),
      };
      // Say which architecture the tensors were taken for: a wrong guess would otherwise pass unseen.
      const presetLine = presetName
        ? `preset: ${presetName} (${PRESETS.get(presetName)!.module}), ${args.preset ? 'given by --preset' : 'recognised from the tensor names'}\n`
        : '';
      emit(args.json, result, () => `${presetLine}${printModel(model)}`);
    },
  );
}
