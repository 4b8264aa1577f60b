/**
 * CIFAR10-DVS (Li et al., Frontiers in Neuroscience 2017): one AEDAT 2.0 recording per image, in folders named by
 * class (airplane, automobile, ..., truck), e.g. airplane/cifar10_airplane_0.aedat.
 *
 * The dataset has no official split. Paper A (zhuyaoyu/SNN-online-normalization datasets/data.py) uses
 * spikingjelly's split_to_train_test_set(train_ratio=0.9, num_classes=10) without shuffling
 * (spikingjelly/datasets/utils.py): within each class, in dataset order, the first ceil(0.9 n) samples train and
 * the rest test, classes one after another. The dataset order is DatasetFolder's: class folders sorted by name
 * (which is the CIFAR-10 class order), files sorted by name (spikingjelly's `<stem>.npz`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ModelError } from '../errors.js';
import { readBytes, type DatasetSplit } from './cifar.js';
import { byCodePoint, DvsFrameWriter, type DvsFrameOptions, type DvsFrameSet } from './dvs-set.js';
import { DVS128_SIDE, parseAedat2 } from './events/aedat2.js';

export const CIFAR10_DVS_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_DVS_TRAIN_RATIO = 0.9;

/** True when `dir` has at least one class folder holding .aedat recordings. */
export function isCifar10Dvs(dir: string): boolean {
  return CIFAR10_DVS_CLASS_NAMES.some((name) => isDir(join(dir, name)) && aedatFiles(join(dir, name)).length > 0);
}

export function loadCifar10Dvs(dir: string, split: DatasetSplit, options: DvsFrameOptions): DvsFrameSet {
  const chosen: { path: string; label: number }[] = [];
  CIFAR10_DVS_CLASS_NAMES.forEach((name, label) => {
    const classDir = join(dir, name);
    if (!isDir(classDir)) return;
    const files = aedatFiles(classDir)
      .map((file) => ({ file, key: `${file.slice(0, -extname(file).length)}.npz` }))
      .sort((a, b) => byCodePoint(a.key, b.key));
    const trainCount = Math.ceil(files.length * CIFAR10_DVS_TRAIN_RATIO);
    const part = split === 'train' ? files.slice(0, trainCount) : files.slice(trainCount);
    for (const { file } of part) chosen.push({ path: join(classDir, file), label });
  });
  if (chosen.length === 0) {
    throw new ModelError(
      dir,
      `CIFAR10-DVS: no ${split} recordings in class folders ${CIFAR10_DVS_CLASS_NAMES.join(', ')} (with ${Math.round(CIFAR10_DVS_TRAIN_RATIO * 100)}% of each class for training)`,
    );
  }
  const count = Math.min(chosen.length, options.limit ?? Infinity);
  const writer = new DvsFrameWriter(count, options, { height: DVS128_SIDE, width: DVS128_SIDE }, dir);
  for (let i = 0; i < count; i++) {
    const { path, label } = chosen[i]!;
    const events = parseAedat2(readBytes(path), path);
    writer.write(i, label, events, { first: 0, end: events.count }, path);
  }
  return {
    count,
    labels: writer.labels,
    frames: writer.frames,
    steps: options.steps,
    height: options.height,
    width: options.width,
    classes: CIFAR10_DVS_CLASS_NAMES.length,
    source: dir,
  };
}

function aedatFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => extname(name).toLowerCase() === '.aedat');
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
