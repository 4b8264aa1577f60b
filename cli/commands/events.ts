import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { summarizeEvents, type EventSummary } from '../../models/datasets/events/event-stream.js';
import { encodeNmnist, NMNIST_SENSOR_SIDE } from '../../models/datasets/events/nmnist.js';
import { readEventFile } from '../../models/datasets/events/read-events.js';
import { DEFAULT_SACCADE_OPTIONS, saccadeEvents } from '../../models/datasets/events/saccade-events.js';
import { defaultFashionMnistDir, loadFashionMnist, type Split } from '../../models/datasets/fashion-mnist.js';
import { emit, progressBar } from '../output.js';
import { count, seed, text } from '../arguments.js';
import { UsageError } from '../failure.js';
import { checkOutputFolder, writeOutputFile, yieldToSignals } from '../output-file.js';

interface ConvertArgs {
  data?: string;
  split: Split;
  limit?: number;
  seed: number;
  output: string;
  json: boolean;
}

interface InspectArgs {
  file: string;
  json: boolean;
}

/** `<out>/<label>/<index>.bin`, N-MNIST's layout; the index is the image's place in its split, 5 digits as N-MNIST's names. */
export function nmnistSamplePath(out: string, label: number, index: number): string {
  return join(out, String(label), `${String(index).padStart(5, '0')}.bin`);
}

/** The folder `events convert` fills: an existing writable folder, or a new one in an existing writable folder. */
function checkEventsOutput(output: string): void {
  let isFolder: boolean | null = null;
  try {
    isFolder = statSync(output).isDirectory();
  } catch {
    isFolder = null;
  }
  if (isFolder === false) throw new UsageError(`--output ${output} is a file; events convert writes a folder of <label>/<index>.bin files`);
  checkOutputFolder('output', isFolder ? resolve(output) : dirname(resolve(output)));
}

async function convertImages(args: ConvertArgs, quiet: boolean) {
  checkEventsOutput(args.output);
  const set = loadFashionMnist(args.data ?? defaultFashionMnistDir(), args.split, args.limit);
  const [, height, width] = set.shape;
  const size = height * width;
  const bar = progressBar('events convert', !quiet);
  let events = 0;
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i]!;
    const stream = saccadeEvents(set.images.subarray(i * size, (i + 1) * size), width, args.seed, i);
    events += stream.count;
    const path = nmnistSamplePath(args.output, label, i);
    mkdirSync(join(args.output, String(label)), { recursive: true });
    writeOutputFile(path, encodeNmnist(stream));
    bar.update(i + 1, set.count);
    // A Ctrl-C between files stops the conversion there, not after the last file.
    if (i % 64 === 63) await yieldToSignals();
  }
  bar.stop();
  return {
    source: set.source,
    split: args.split,
    images: set.count,
    output: args.output,
    seed: args.seed,
    events,
    meanEventsPerImage: set.count ? events / set.count : 0,
    sensor: [NMNIST_SENSOR_SIDE, NMNIST_SENSOR_SIDE],
    model: { ...DEFAULT_SACCADE_OPTIONS, saccades: 3 },
  };
}

function formatSummary(file: string, s: EventSummary): string {
  return [
    `${file}: ${s.events} events over ${(s.durationUs / 1000).toFixed(3)} ms (${s.firstUs ?? '-'} .. ${s.lastUs ?? '-'} us), sensor ${s.sensor[0]}x${s.sensor[1]}`,
    `x ${s.x ? `${s.x[0]}..${s.x[1]}` : '-'}, y ${s.y ? `${s.y[0]}..${s.y[1]}` : '-'}`,
    `polarity: ${s.on} ON, ${s.off} OFF`,
  ].join('\n');
}

export function registerEvents(yargs: Argv): Argv {
  return yargs.command('events', 'Event-camera streams: convert images to N-MNIST-style saccade recordings, inspect .bin / AEDAT 3.1 files', (y) =>
    y
      .command<ConvertArgs>(
        'convert',
        "Move each Fashion-MNIST image along N-MNIST's three saccades over a 34x34 DVS model; write <out>/<label>/<index>.bin",
        (c) =>
          c
            .option('data', { type: 'string', describe: 'Fashion-MNIST directory (default: Debian dataset-fashion-mnist, else the bundled subset)' })
            .option('split', { choices: ['train', 'test'] as const, default: 'test' as const, describe: 'which split to convert' })
            .option('limit', { type: 'number', coerce: count('limit'), describe: 'only the first N images' })
            .option('seed', { type: 'number', default: 1, coerce: seed(), describe: 'seed of the per-pixel threshold mismatch' })
            .option('output', { alias: 'o', type: 'string', demandOption: true, coerce: text('output'), describe: 'directory to write the N-MNIST layout into' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as Argv<ConvertArgs>,
        async (args) => {
          const result = await convertImages(args, args.json);
          emit(
            args.json,
            result,
            () =>
              `${result.images} ${result.split} images of ${result.source} -> ${result.output}: ${result.events} events (${result.meanEventsPerImage.toFixed(0)} per image), seed ${result.seed}`,
          );
        },
      )
      .command<InspectArgs>(
        'inspect <file>',
        'Event count, duration, address ranges and polarity counts of an N-MNIST .bin or AEDAT 3.1 file',
        (c) =>
          c
            .positional('file', { type: 'string', demandOption: true, describe: 'the event file' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as Argv<InspectArgs>,
        (args) => {
          const summary = summarizeEvents(readEventFile(args.file));
          emit(args.json, { file: args.file, ...summary }, () => formatSummary(args.file, summary));
        },
      )
      .demandCommand(1, 'name an events command: convert or inspect'),
  );
}
