/**
 * DVS128 Gesture (Amir et al., CVPR 2017; IBM's DvsGesture archive): one AEDAT 3.1 recording per user and lighting,
 * `userXX_<lighting>.aedat`, with `userXX_<lighting>_labels.csv` beside it (a header line, then
 * `class,startTime_usec,endTime_usec` per gesture, classes 1..11), and `trials_to_train.txt` /
 * `trials_to_test.txt` naming the recordings of each split.
 *
 * Samples are cut and ordered as spikingjelly's DVS128Gesture makes them (spikingjelly/datasets/dvs128_gesture.py),
 * which is what paper A trains and tests on:
 * - a gesture is the events with startTime <= t < endTime, class c goes to folder c - 1, and the k-th gesture of
 *   that folder from recording R is the file `R_k`;
 * - the dataset is torchvision's DatasetFolder over those folders: folders sorted as strings ('0', '1', '10',
 *   '2', ...) and numbered in that order, so the label of csv class 11 is 2 and of class 3 is 3; files sorted by
 *   name within a folder.
 * Events are read as spikingjelly's load_aedat_v3 reads them (every slot of a polarity packet).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../errors.js';
import { readBytes, type DatasetSplit } from './cifar.js';
import { byCodePoint, DvsFrameWriter, type DvsFrameOptions, type DvsFrameSet } from './dvs-set.js';
import { parseAedat3 } from './events/aedat3.js';
import { DVS128_SIDE } from './events/aedat2.js';

export const DVS_GESTURE_CLASSES = 11;
const SPLIT_LIST: Readonly<Record<DatasetSplit, string>> = { train: 'trials_to_train.txt', test: 'trials_to_test.txt' };
const ARCHIVE_FOLDER = 'DvsGesture';

/** The directory holding the split lists: `dir` itself or the archive's DvsGesture folder in it. */
export function findDvsGesture(dir: string): string | undefined {
  for (const candidate of [dir, join(dir, ARCHIVE_FOLDER)]) {
    if (Object.values(SPLIT_LIST).some((name) => isFile(join(candidate, name)))) return candidate;
  }
  return undefined;
}

/** DatasetFolder's label of spikingjelly's folder `c - 1`: its rank among '0'..'10' sorted as strings. */
export function gestureLabel(csvClass: number): number {
  const folders = Array.from({ length: DVS_GESTURE_CLASSES }, (_, i) => String(i)).sort(byCodePoint);
  return folders.indexOf(String(csvClass - 1));
}

interface GestureSample {
  readonly recording: number;
  readonly row: number;
  readonly folder: string;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly csvClass: number;
}

export function loadDvsGesture(dir: string, split: DatasetSplit, options: DvsFrameOptions): DvsFrameSet {
  const listPath = join(dir, SPLIT_LIST[split]);
  if (!isFile(listPath)) throw new ModelError(dir, `DVS128 Gesture: the ${split} split needs ${SPLIT_LIST[split]}, which is missing`);
  const recordings = new TextDecoder()
    .decode(readBytes(listPath))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const samples: GestureSample[] = [];
  recordings.forEach((recording, r) => {
    const stem = recording.replace(/\.[^.]*$/, '');
    const csvPath = join(dir, `${stem}_labels.csv`);
    const perFolder = new Array<number>(DVS_GESTURE_CLASSES).fill(0);
    parseGestureCsv(csvPath).forEach(({ csvClass, start, end }, row) => {
      const folder = String(csvClass - 1);
      samples.push({ recording: r, row, folder, name: `${stem}_${perFolder[csvClass - 1]}.npz`, start, end, csvClass });
      perFolder[csvClass - 1]! += 1;
    });
  });
  samples.sort((a, b) => byCodePoint(a.folder, b.folder) || byCodePoint(a.name, b.name));
  const count = Math.min(samples.length, options.limit ?? Infinity);
  const writer = new DvsFrameWriter(count, options, { height: DVS128_SIDE, width: DVS128_SIDE }, dir);
  const wanted = samples.slice(0, count).map((sample, index) => ({ sample, index }));
  recordings.forEach((recording, r) => {
    const mine = wanted.filter(({ sample }) => sample.recording === r);
    if (mine.length === 0) return;
    const path = join(dir, recording);
    const events = parseAedat3(readBytes(path), path, { asSpikingjelly: true });
    if (events.width > DVS128_SIDE || events.height > DVS128_SIDE) {
      throw new ModelError(path, `events reach (x ${events.width - 1}, y ${events.height - 1}), outside the DVS128's ${DVS128_SIDE}x${DVS128_SIDE}`);
    }
    for (const { sample, index } of mine) {
      const selected = selectByTime(events.t, events.count, sample.start, sample.end);
      const x = new Uint16Array(selected.length);
      const y = new Uint16Array(selected.length);
      const p = new Uint8Array(selected.length);
      for (let i = 0; i < selected.length; i++) {
        x[i] = events.x[selected[i]!]!;
        y[i] = events.y[selected[i]!]!;
        p[i] = events.p[selected[i]!]!;
      }
      writer.write(index, gestureLabel(sample.csvClass), { x, y, p }, { first: 0, end: selected.length }, path);
    }
  });
  return { count, labels: writer.labels, frames: writer.frames, steps: options.steps, height: options.height, width: options.width, classes: DVS_GESTURE_CLASSES, source: dir };
}

/** Indices of the events with start <= t < end, in file order (numpy's boolean mask). */
function selectByTime(t: Float64Array, count: number, start: number, end: number): Int32Array {
  let n = 0;
  for (let i = 0; i < count; i++) if (t[i]! >= start && t[i]! < end) n++;
  const selected = new Int32Array(n);
  n = 0;
  for (let i = 0; i < count; i++) if (t[i]! >= start && t[i]! < end) selected[n++] = i;
  return selected;
}

/** np.loadtxt(csv, dtype=uint32, delimiter=',', skiprows=1): one header line, then three unsigned integers a row. */
export function parseGestureCsv(path: string): { csvClass: number; start: number; end: number }[] {
  if (!isFile(path)) throw new ModelError(path, 'DVS128 Gesture: the recording has no labels file beside it');
  const lines = new TextDecoder().decode(readBytes(path)).split(/\r?\n/).slice(1);
  const rows: { csvClass: number; start: number; end: number }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 3 || !fields.every((f) => /^\d{1,10}$/.test(f))) {
      throw new ModelError(path, `line ${i + 2} is ${JSON.stringify(line.slice(0, 60))}; expected class,startTime_usec,endTime_usec as unsigned integers`);
    }
    const [csvClass, start, end] = fields.map(Number) as [number, number, number];
    if (csvClass < 1 || csvClass > DVS_GESTURE_CLASSES) throw new ModelError(path, `line ${i + 2}: class ${csvClass} is not 1..${DVS_GESTURE_CLASSES}`);
    if (start > 0xffffffff || end > 0xffffffff) throw new ModelError(path, `line ${i + 2}: a time exceeds uint32, which the labels are read as`);
    rows.push({ csvClass, start, end });
  });
  return rows;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
