/** A design point as the sweep page draws it. */
export interface DesignPoint {
  readonly label: string;
  readonly chip: string;
  readonly accuracy: number;
  /** Cost to minimise (energy or latency per inference). */
  readonly cost: number;
}

/**
 * The points no other point beats on both axes (higher or equal accuracy at lower or equal cost, one strictly),
 * ordered by cost: the accuracy you can buy at each price.
 */
export function paretoFront<P extends DesignPoint>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
  const front: P[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.accuracy > front[front.length - 1]!.accuracy) front.push(p);
  }
  return front;
}
