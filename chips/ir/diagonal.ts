/**
 * A 1x1 convolution that connects channel c to channel c alone (a residual identity, or a norm's per-channel
 * scale of one): each input channel has one synapse per position, so it is stored, routed and counted as such
 * rather than as a full channels x channels kernel. Weights are [out][in][1][1].
 */
export function isDiagonalConv(taps: number, inChannels: number, outChannels: number, weights: ArrayLike<number>): boolean {
  if (taps !== 1 || inChannels !== outChannels || weights.length !== inChannels * outChannels) return false;
  const cached = cache.get(weights as object);
  if (cached !== undefined) return cached;
  let diagonal = true;
  for (let o = 0; o < outChannels && diagonal; o++) {
    for (let i = 0; i < inChannels; i++) {
      if (i !== o && weights[o * inChannels + i] !== 0) {
        diagonal = false;
        break;
      }
    }
  }
  cache.set(weights as object, diagonal);
  return diagonal;
}

const cache = new WeakMap<object, boolean>();
