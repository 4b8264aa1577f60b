import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_FASHION_MNIST_DIR, defaultFashionMnistDir } from '../models/datasets/fashion-mnist.js';
import { writeModelFile } from '../models/format/model-file.js';
import { packageRoot } from '../models/package-root.js';
import { FIXTURE_HYPER_PARAMETERS, type LearningRateSchedule } from '../models/training/hyper-parameters.js';
import type { TrainingRule } from '../models/training/network.js';
import { trainArchitecture } from '../models/training/train-arch.js';

/**
 * Trains the two fixture architectures from scratch with the hyper-parameters their reference.json records
 * (`trainedOn`) and sets accuracy and time beside the PyTorch reference: osr-fmnist-conv (paper A's rule)
 * against `accuracy.frozenThreshold`, ratebp-fmnist-conv (paper B's rate_M) against `accuracy.rateBp`.
 * `node dist/bench/train-fixtures.js [--rule osr|rate] [--samples N] [--epochs N] [--threads N] [--schedule S] [--save DIR]`
 */
interface Reference {
  readonly trainedOn: { readonly samples: number; readonly epochs: number; readonly batch: number; readonly lr: number; readonly trainSeconds: number };
  readonly accuracy: Record<string, number>;
}

const FIXTURES: Readonly<Record<TrainingRule, { readonly name: string; readonly accuracyKey: string }>> = {
  osr: { name: 'osr-fmnist-conv', accuracyKey: 'frozenThreshold' },
  rate: { name: 'ratebp-fmnist-conv', accuracyKey: 'rateBp' },
};

export interface TrainFixtureBench {
  readonly fixture: string;
  readonly rule: TrainingRule;
  readonly samples: number;
  readonly epochs: number;
  readonly threads: number;
  readonly testSamples: number;
  readonly testAccuracy: number;
  readonly referenceAccuracy: number;
  readonly accuracyGapPoints: number;
  readonly trainSeconds: number;
  readonly trainCpuSeconds: number;
  readonly referenceTrainSeconds: number;
  readonly timeRatio: number;
  readonly finalTrainingLoss: number;
}

export async function benchTrainFixture(
  rule: TrainingRule,
  options: { samples?: number; epochs?: number; threads?: number; save?: string; schedule?: LearningRateSchedule; log?: (line: string) => void } = {},
): Promise<TrainFixtureBench> {
  const { name, accuracyKey } = FIXTURES[rule];
  const dir = join(packageRoot(), 'test', 'fixtures', name);
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  const hyper = FIXTURE_HYPER_PARAMETERS[rule];
  const threads = options.threads ?? 2;
  // Before hours of training, not after: a save folder that cannot be made fails at once.
  if (options.save) mkdirSync(options.save, { recursive: true });
  const cpu = process.cpuUsage();
  let trainCpu = cpu;
  let lastLog = 0;
  const result = await trainArchitecture({
    ...hyper,
    samples: options.samples ?? reference.trainedOn.samples,
    epochs: options.epochs ?? reference.trainedOn.epochs,
    batch: reference.trainedOn.batch,
    lr: reference.trainedOn.lr,
    schedule: options.schedule ?? hyper.schedule,
    archPath: join(dir, 'arch.json'),
    dataDir: defaultFashionMnistDir(),
    rule,
    threads,
    calibration: 1024,
    testLimit: null,
    onBatch: (done, total) => {
      if (done === total) trainCpu = process.cpuUsage(cpu);
      const now = Date.now();
      if (options.log && (now - lastLog > 30_000 || done === total)) {
        lastLog = now;
        options.log(`${name}: step ${done}/${total}`);
      }
    },
  });
  if (options.save) writeModelFile(join(options.save, `${name}-trained.snnmodel`), result.model);
  const referenceAccuracy = reference.accuracy[accuracyKey]!;
  const t = result.training;
  return {
    fixture: name,
    rule,
    samples: t.samples,
    epochs: t.epochs,
    threads,
    testSamples: result.testSamples,
    testAccuracy: result.testAccuracy,
    referenceAccuracy,
    accuracyGapPoints: (result.testAccuracy - referenceAccuracy) * 100,
    trainSeconds: t.seconds,
    trainCpuSeconds: (trainCpu.user + trainCpu.system) / 1e6,
    referenceTrainSeconds: reference.trainedOn.trainSeconds,
    timeRatio: t.seconds / reference.trainedOn.trainSeconds,
    finalTrainingLoss: t.epochLoss[t.epochLoss.length - 1]!,
  };
}

export async function benchTrainFixtures(argv: readonly string[], log?: (line: string) => void): Promise<Record<string, TrainFixtureBench | string>> {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (flag: string): number | undefined => (value(flag) === undefined ? undefined : Number(value(flag)));
  const only = value('--rule') as TrainingRule | undefined;
  const rules: TrainingRule[] = only ? [only] : ['osr', 'rate'];
  const out: Record<string, TrainFixtureBench | string> = {};
  if (defaultFashionMnistDir() !== DEBIAN_FASHION_MNIST_DIR) out.note = 'full Fashion-MNIST not installed: trained on the bundled subset';
  for (const rule of rules) {
    const samples = number('--samples'),
      epochs = number('--epochs'),
      threads = number('--threads'),
      save = value('--save');
    const schedule = value('--schedule') as LearningRateSchedule | undefined;
    out[rule] = await benchTrainFixture(rule, {
      ...(samples !== undefined ? { samples } : {}),
      ...(epochs !== undefined ? { epochs } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(save !== undefined ? { save } : {}),
      ...(schedule !== undefined ? { schedule } : {}),
      ...(log ? { log } : {}),
    });
    log?.(JSON.stringify(out[rule]));
  }
  return out;
}

if (process.argv[1]?.endsWith('train-fixtures.js')) {
  const result = await benchTrainFixtures(process.argv.slice(2), (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
