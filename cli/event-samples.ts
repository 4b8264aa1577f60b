import { ModelError } from '../models/errors.js';
import { listEventFiles, readEventFile } from '../models/datasets/events/read-events.js';
import type { EventStream } from '../models/datasets/events/event-stream.js';
import { EVENT_FIELDS, type EventSamples } from '../simulator/event-input.js';

/**
 * Reads event files (one file, or a folder in N-MNIST's layout) into the simulator's typed-array form. Each
 * sample's timestamps are rebased to its first event so they fit int32 (a sample may span up to 35 minutes);
 * the sensor is the largest of the files' sensors. `limit` keeps the first N files in the listing's order.
 */
export function loadEventSamples(path: string, limit?: number): EventSamples & { readonly files: string[] } {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  const entries = listEventFiles(path).slice(0, limit);
  const streams: EventStream[] = entries.map((e) => readEventFile(e.path));
  const total = streams.reduce((n, s) => n + s.count, 0);
  const events = new Int32Array(total * EVENT_FIELDS);
  const offsets = new Int32Array(entries.length + 1);
  let at = 0;
  streams.forEach((s, i) => {
    let first = Infinity;
    let last = -Infinity;
    for (let e = 0; e < s.count; e++) {
      first = Math.min(first, s.t[e]!);
      last = Math.max(last, s.t[e]!);
    }
    if (s.count > 0 && last - first > 2 ** 31 - 1) {
      throw new ModelError(entries[i]!.path, `the recording spans ${last - first} us; one sample may span at most ${2 ** 31 - 1} us (cut it into samples first)`);
    }
    for (let e = 0; e < s.count; e++, at++) {
      events[at * EVENT_FIELDS] = s.t[e]! - first;
      events[at * EVENT_FIELDS + 1] = s.x[e]!;
      events[at * EVENT_FIELDS + 2] = s.y[e]!;
      events[at * EVENT_FIELDS + 3] = s.p[e]!;
    }
    offsets[i + 1] = at;
  });
  const labelled = entries.every((e) => e.label !== null && e.label <= 255);
  return {
    events,
    offsets,
    labels: labelled ? Uint8Array.from(entries, (e) => e.label!) : null,
    count: entries.length,
    sensorWidth: streams.reduce((w, s) => Math.max(w, s.width), 0),
    sensorHeight: streams.reduce((h, s) => Math.max(h, s.height), 0),
    files: entries.map((e) => e.path),
  };
}
