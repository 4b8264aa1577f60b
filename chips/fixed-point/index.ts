/** Reference: DESIGN.md section 3: the integer arithmetic the compiler and the simulator share, in one place.
 */
export { truncateShiftRight, trunc12 } from './truncate.js';
export { wrapSigned, wrapOnceLavaStyle } from './wrap.js';
export { saturate, saturateSymmetric } from './saturate.js';
export { roundHalfAwayFromZero } from './round.js';
export { shiftLeftSigned } from './shift.js';
export { stochasticRound, stochasticShiftRight } from './stochastic-round.js';
export { Xoshiro128StarStar, splitMix64, type RandomSource } from './prng.js';
export * from './bias.js';
