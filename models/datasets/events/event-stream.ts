/**
 * A decoded event-camera recording: one entry per change event, in file order. Timestamps are microseconds as
 * the file gives them (after undoing the format's wrap-around), so they can exceed 2^31: a float64 holds them
 * exactly up to 2^53 us (285 years).
 */
export interface EventStream {
  readonly count: number;
  readonly t: Float64Array;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  /** 1 = ON (brighter), 0 = OFF (darker). */
  readonly p: Uint8Array;
  /** Sensor size in pixels: the format's own where it has one (N-MNIST: 34x34), else the largest address + 1. */
  readonly width: number;
  readonly height: number;
}

export function allocateEvents(count: number): { t: Float64Array; x: Uint16Array; y: Uint16Array; p: Uint8Array } {
  return { t: new Float64Array(count), x: new Uint16Array(count), y: new Uint16Array(count), p: new Uint8Array(count) };
}

export interface EventSummary {
  readonly events: number;
  readonly firstUs: number | null;
  readonly lastUs: number | null;
  readonly durationUs: number;
  readonly x: readonly [number, number] | null;
  readonly y: readonly [number, number] | null;
  readonly on: number;
  readonly off: number;
  readonly sensor: readonly [number, number];
}

/** What `events inspect` prints: count, time span, address ranges and polarity counts. */
export function summarizeEvents(stream: EventStream): EventSummary {
  let on = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < stream.count; i++) {
    on += stream.p[i]!;
    tMin = Math.min(tMin, stream.t[i]!);
    tMax = Math.max(tMax, stream.t[i]!);
    xMin = Math.min(xMin, stream.x[i]!);
    xMax = Math.max(xMax, stream.x[i]!);
    yMin = Math.min(yMin, stream.y[i]!);
    yMax = Math.max(yMax, stream.y[i]!);
  }
  const any = stream.count > 0;
  return {
    events: stream.count,
    firstUs: any ? tMin : null,
    lastUs: any ? tMax : null,
    durationUs: any ? tMax - tMin : 0,
    x: any ? [xMin, xMax] : null,
    y: any ? [yMin, yMax] : null,
    on,
    off: stream.count - on,
    sensor: [stream.width, stream.height],
  };
}
