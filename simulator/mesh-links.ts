/**
 * Packet load on every link of the 2-D mesh (chips side by side east-west), routed dimension-order: east-west
 * along the source row first, then north-south along the destination column. Links are numbered: east-west links
 * first (row by row, between x and x+1), then north-south links (column by column, between y and y+1).
 * Reference: DESIGN.md section 5 (dimension-order routing, per-link load per step).
 */
export class MeshLinks {
  readonly load: Float64Array;
  readonly total: Float64Array;
  private readonly eastWestLinks: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.eastWestLinks = Math.max(0, width - 1) * height;
    const links = this.eastWestLinks + width * Math.max(0, height - 1);
    this.load = new Float64Array(links);
    this.total = new Float64Array(links);
  }

  /** Adds `packets` on every link of the route from tile (x1, y1) to tile (x2, y2). */
  route(x1: number, y1: number, x2: number, y2: number, packets: number): void {
    const rowBase = y1 * (this.width - 1);
    for (let x = Math.min(x1, x2); x < Math.max(x1, x2); x++) this.load[rowBase + x] = this.load[rowBase + x]! + packets;
    const columnBase = this.eastWestLinks + x2 * (this.height - 1);
    for (let y = Math.min(y1, y2); y < Math.max(y1, y2); y++) this.load[columnBase + y] = this.load[columnBase + y]! + packets;
  }

  /** Ends a step: returns the busiest link's load in it, folds the step into the totals, clears the step. */
  endStep(): number {
    let peak = 0;
    for (let i = 0; i < this.load.length; i++) {
      const l = this.load[i]!;
      if (l > peak) peak = l;
      this.total[i] = this.total[i]! + l;
      this.load[i] = 0;
    }
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
}
