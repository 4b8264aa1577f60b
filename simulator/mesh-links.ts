/**
 * Packet load on every link of the 2-D mesh (chips side by side east-west), routed dimension-order: east-west
 * along the source row first, then north-south along the destination column. Links are numbered: east-west links
 * first (row by row, between x and x+1), then north-south links (column by column, between y and y+1).
 *
 * A route loads a contiguous run of links in one row and one in one column, so a step keeps the loads as
 * differences (+packets where a run starts, -packets where it ends) and adds them up once when it ends: a route
 * costs the same across 173 chips as across one tile. Loads are integer packet counts far below 2^53, so the sums
 * are the exact integers a link-by-link walk gives.
 * Reference: DESIGN.md section 5 (dimension-order routing, per-link load per step).
 */
export class MeshLinks {
  readonly total: Float64Array;
  private readonly eastWestLinks: number;
  /** This step's runs: per row, `width` slots (slot x starts or ends a run at link x); then per column, `height`. */
  private readonly runs: Float64Array;
  private readonly columnRuns: number;
  private readonly loadBuffer: Float64Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.eastWestLinks = Math.max(0, width - 1) * height;
    const links = this.eastWestLinks + width * Math.max(0, height - 1);
    this.total = new Float64Array(links);
    this.loadBuffer = new Float64Array(links);
    this.columnRuns = width * height;
    this.runs = new Float64Array(2 * width * height);
  }

  /** Adds `packets` on every link of the route from tile (x1, y1) to tile (x2, y2). */
  route(x1: number, y1: number, x2: number, y2: number, packets: number): void {
    const runs = this.runs;
    if (x1 !== x2) {
      const row = y1 * this.width;
      const from = row + (x1 < x2 ? x1 : x2);
      const to = row + (x1 < x2 ? x2 : x1);
      runs[from] = runs[from]! + packets;
      runs[to] = runs[to]! - packets;
    }
    if (y1 !== y2) {
      const column = this.columnRuns + x2 * this.height;
      const from = column + (y1 < y2 ? y1 : y2);
      const to = column + (y1 < y2 ? y2 : y1);
      runs[from] = runs[from]! + packets;
      runs[to] = runs[to]! - packets;
    }
  }

  /**
   * The runs the east-west part of one packet's route starts and ends (along row y1 from x1 to x2; it does not
   * depend on the destination's row), added into `runs` (run slot -> +1 where a run starts, -1 where it ends): a
   * route's packets to many tiles summed once, for addRuns to replay.
   */
  eastWestRunsOf(x1: number, y1: number, x2: number, runs: Map<number, number>): void {
    if (x1 === x2) return;
    addRun(runs, y1 * this.width + Math.min(x1, x2), 1);
    addRun(runs, y1 * this.width + Math.max(x1, x2), -1);
  }

  /** The same for the north-south part: along column x2 from y1 to y2 (it does not depend on the source's column). */
  northSouthRunsOf(y1: number, x2: number, y2: number, runs: Map<number, number>): void {
    if (y1 === y2) return;
    addRun(runs, this.columnRuns + x2 * this.height + Math.min(y1, y2), 1);
    addRun(runs, this.columnRuns + x2 * this.height + Math.max(y1, y2), -1);
  }

  /** Adds `packets` times the runs slot[j], weight[j] for j in [begin, end): what eastWestRunsOf and northSouthRunsOf gathered, replayed. */
  addRuns(slot: Int32Array, weight: Int32Array, begin: number, end: number, packets: number): void {
    const runs = this.runs;
    for (let j = begin; j < end; j++) runs[slot[j]!] = runs[slot[j]!]! + weight[j]! * packets;
  }

  /**
   * The east-west runs of spikes from several tiles of row y to one set of destination columns (a packet per
   * destination core per spike), summed with no run per (source, destination) pair: a packet from column x to d
   * loads the links between them, a run from min(x, d) to max(x, d). So a source at column x with s spikes starts
   * s * (right(x) - left(x)) runs at x (right, left: destination cores beyond it and before it, its own column
   * neither), and a destination column d with c cores adds c * (beyond(d) - before(d)) at d (beyond, before: the
   * spikes of the sources beyond d and before d): one add per source and per destination column, the loads of
   * eastWestRunsOf over every pair. Sources [sourceBegin, sourceEnd) and destinations [destBegin, destEnd) in
   * ascending column order; `weight` holds right(x) - left(x) per source; `total` is the sum of their spikes,
   * which are cleared.
   */
  addEastWestRow(
    y: number,
    sourceColumn: Int32Array,
    weight: Int32Array,
    spikes: Int32Array,
    sourceBegin: number,
    sourceEnd: number,
    destColumn: Int32Array,
    destCores: Int32Array,
    destBegin: number,
    destEnd: number,
    total: number,
  ): void {
    const runs = this.runs;
    const row = y * this.width;
    let e = sourceBegin;
    let before = 0;
    for (let j = destBegin; j < destEnd; j++) {
      const d = destColumn[j]!;
      for (; e < sourceEnd && sourceColumn[e]! < d; e++) {
        const s = spikes[e]!;
        if (s === 0) continue;
        spikes[e] = 0;
        runs[row + sourceColumn[e]!] = runs[row + sourceColumn[e]!]! + s * weight[e]!;
        before += s;
      }
      const same = e < sourceEnd && sourceColumn[e] === d ? spikes[e]! : 0;
      const beyond = total - before - same;
      if (beyond !== before) runs[row + d] = runs[row + d]! + destCores[j]! * (beyond - before);
    }
    for (; e < sourceEnd; e++) {
      const s = spikes[e]!;
      if (s === 0) continue;
      spikes[e] = 0;
      runs[row + sourceColumn[e]!] = runs[row + sourceColumn[e]!]! + s * weight[e]!;
    }
  }

  /** This step's load on every link so far (a copy, for inspection; the step goes on). */
  stepLoad(): Float64Array {
    this.foldRuns((link, load) => {
      this.loadBuffer[link] = load;
    }, false);
    return this.loadBuffer;
  }

  /** Ends a step: returns the busiest link's load in it, folds the step into the totals, clears the step. */
  endStep(): number {
    let peak = 0;
    const total = this.total;
    this.foldRuns((link, load) => {
      if (load > peak) peak = load;
      total[link] = total[link]! + load;
    }, true);
    return peak;
  }

  /** The two tiles a link joins, for reports. */
  ends(link: number): [[number, number], [number, number]] {
    if (link < this.eastWestLinks) {
      const y = Math.floor(link / (this.width - 1));
      const x = link % (this.width - 1);
      return [
        [x, y],
        [x + 1, y],
      ];
    }
    const k = link - this.eastWestLinks;
    const x = Math.floor(k / (this.height - 1));
    const y = k % (this.height - 1);
    return [
      [x, y],
      [x, y + 1],
    ];
  }

  /** Calls `visit` with every link's load this step (the running sum of its row's or column's runs); `clear` empties the runs. */
  private foldRuns(visit: (link: number, load: number) => void, clear: boolean): void {
    const { width, height, runs } = this;
    let link = 0;
    for (let y = 0; y < height; y++) {
      let load = 0;
      for (let x = 0, at = y * width; x < width - 1; x++, at++) {
        load += runs[at]!;
        visit(link++, load);
      }
    }
    for (let x = 0; x < width; x++) {
      let load = 0;
      for (let y = 0, at = this.columnRuns + x * height; y < height - 1; y++, at++) {
        load += runs[at]!;
        visit(link++, load);
      }
    }
    if (clear) runs.fill(0);
  }
}

function addRun(runs: Map<number, number>, slot: number, by: number): void {
  runs.set(slot, (runs.get(slot) ?? 0) + by);
}
