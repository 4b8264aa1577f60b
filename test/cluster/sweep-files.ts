/** The 18-point sweep: three chips x two cost profiles x three neurons-per-core limits (some do not fit). */
export const SWEEP_18 = {
  models: ['bundled'],
  chips: ['loihi', 'loihi2', 'tianjic'],
  profiles: ['davies2018', 'sanafe'],
  overrides: [{}, { 'core.maxNeurons': 256 }, { 'core.maxNeurons': 64 }],
  limit: 50,
};
