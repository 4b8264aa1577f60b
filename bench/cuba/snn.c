// Minimal single-thread reference of the benchmark network: integer CUBA LIF,
// CSR (by source) connectivity with int8 (or int16, -DWEIGHT16) weights, int32
// state, event-driven spike propagation into a D-slot dendritic ring buffer.
// It is the "how fast can this machine go" anchor for the TypeScript simulator.
//
// usage: ./snn N [steps=1000] [fan_in=200] [mode=0] [seed=12345]
//   mode is a bit set; 0 = the obvious code (one fused neuron loop, scalar propagation)
//   bit 1: AVX-512 gather/add/scatter per 16 synapses (valid: targets in a row are distinct)
//   bit 2: split the neuron loop into a branch-free vectorisable update and a threshold scan
//   bit 4: software-prefetch the CSR rows of the spike PREFETCH_AHEAD places ahead
//   bit 8: packed synapse words, one uint32 per synapse: target << 8 | (weight & 0xff) (int8 only)
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#ifdef WEIGHT16
typedef int16_t weight_t;
#define WEIGHT_NAME "int16"
#else
typedef int8_t weight_t;
#define WEIGHT_NAME "int8"
#endif

// Parameters mirror params.json (q = 0.04 mV per weight unit, state unit q/64).
#define FRAC_EXC 0.8
#define W_EXC 16
#define W_INH (-80)
#define STATE_SHIFT 6                 // state = weight units * 64
#define Q_MV 0.04
#define VT_STATE ((int32_t)(10.0 / Q_MV * 64 + 0.5))   // threshold - reset = 10 mV
#define EL_STATE ((int32_t)(11.0 / Q_MV * 64 + 0.5))   // leak reversal - reset = 11 mV
#define AV 205                        // round(4096 * dt / tau_m), tau_m = 20 ms
#define AU 819                        // round(4096 * dt / tau_s), tau_s = 5 ms
#define REFRACTORY 5
#define DELAY 1                       // spikes of step t reach their targets at step t + DELAY
#define PREFETCH_AHEAD 4

// mulberry32: a 32-bit generator that JavaScript reproduces exactly (../cuba-program.ts), so both
// builds draw the same network and must print the same spike count and checksum.
static uint32_t rng_state;
static inline uint32_t mulberry32(void) {
  uint32_t z = (rng_state += 0x6D2B79F5u);
  z = (z ^ (z >> 15)) * (z | 1u);
  z ^= z + (z ^ (z >> 7)) * (z | 61u);
  return z ^ (z >> 14);
}
static inline double urand(void) { return ((double)mulberry32() + 0.5) * 0x1.0p-32; }  // (0, 1)

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv) {
  const int N = argc > 1 ? atoi(argv[1]) : 10000;
  const int steps = argc > 2 ? atoi(argv[2]) : 1000;
  const double K = argc > 3 ? atof(argv[3]) : 200.0;
  const int mode = argc > 4 ? atoi(argv[4]) : 0;
  rng_state = argc > 5 ? (uint32_t)strtoul(argv[5], 0, 10) : 12345u;
#ifndef __AVX512F__
  if (mode & 1) { fprintf(stderr, "mode bit 1 needs AVX-512\n"); return 1; }
#endif
  const int NE = (int)(FRAC_EXC * N);
  const double p = K / N;

  // Bernoulli(p) connectivity by geometric skipping, as Brian2's connect(p=...) does.
  double t0 = now();
  size_t cap = (size_t)(N * K * 1.05) + 4096, nnz = 0;
  uint32_t *rowptr = malloc(sizeof(uint32_t) * (N + 1));
  uint32_t *col = malloc(sizeof(uint32_t) * cap);
  weight_t *w = malloc(sizeof(weight_t) * cap);
  const double log1mp = log1p(-p);
  for (int i = 0; i < N; i++) {
    rowptr[i] = (uint32_t)nnz;
    const weight_t wv = i < NE ? W_EXC : W_INH;
    long j = -1;
    for (;;) {
      j += 1 + (long)floor(log(urand()) / log1mp);
      if (j >= N) break;
      if (nnz == cap) {
        cap = cap * 5 / 4;
        col = realloc(col, sizeof(uint32_t) * cap);
        w = realloc(w, sizeof(weight_t) * cap);
      }
      col[nnz] = (uint32_t)j;
      w[nnz] = wv;
      nnz++;
    }
  }
  rowptr[N] = (uint32_t)nnz;
  int32_t *v = malloc(sizeof(int32_t) * N), *u = calloc(N, sizeof(int32_t));
  int32_t *acc = calloc((size_t)DELAY * N, sizeof(int32_t));
  uint8_t *ref = calloc(N, 1);
  uint32_t *spk = malloc(sizeof(uint32_t) * N);
  for (int i = 0; i < N; i++) v[i] = (int32_t)(urand() * VT_STATE);
  uint32_t *syn = NULL;
  if (mode & 8) {
    if (sizeof(weight_t) != 1 || N > (1 << 24)) { fprintf(stderr, "mode bit 8 needs int8 weights, N <= 2^24\n"); return 1; }
    syn = malloc(sizeof(uint32_t) * nnz);
    for (size_t k = 0; k < nnz; k++) syn[k] = col[k] << 8 | (uint8_t)w[k];
  }
  const double build_s = now() - t0;

  uint64_t total_spikes = 0, events = 0;
  double upd_s = 0, prop_s = 0;
  const double run0 = now();
  for (int t = 0; t < steps; t++) {
    // The slot read at step t is zeroed here and refilled by step t's spikes for step t + DELAY.
    int32_t *a = acc + (size_t)(t % DELAY) * N;
    const double ta = now();
    int ns = 0;
    if (mode & 2) {
      for (int i = 0; i < N; i++) {
        const int32_t I = u[i] + a[i] * (1 << STATE_SHIFT);
        a[i] = 0;
        const int32_t vi = v[i];
        const uint8_t r = ref[i];
        const int32_t integrated = vi + (((EL_STATE - vi + I) * AV) >> 12);
        v[i] = r ? vi : integrated;
        ref[i] = r ? (uint8_t)(r - 1) : 0;
        u[i] = I - ((I * AU) >> 12);
      }
      for (int i = 0; i < N; i++)
        if (v[i] >= VT_STATE) { v[i] = 0; ref[i] = REFRACTORY; spk[ns++] = (uint32_t)i; }
    } else {
      for (int i = 0; i < N; i++) {
        const int32_t I = u[i] + a[i] * (1 << STATE_SHIFT);
        a[i] = 0;
        int32_t vi = v[i];
        if (ref[i]) ref[i]--;
        else vi += ((EL_STATE - vi + I) * AV) >> 12;
        u[i] = I - ((I * AU) >> 12);
        if (vi >= VT_STATE) { vi = 0; ref[i] = REFRACTORY; spk[ns++] = (uint32_t)i; }
        v[i] = vi;
      }
    }
    const double tb = now();
    for (int s = 0; s < ns; s++) {
      const uint32_t src = spk[s], b = rowptr[src], e = rowptr[src + 1];
      events += e - b;
      if (mode & 8) {
        if ((mode & 4) && s + PREFETCH_AHEAD < ns) {
          const uint32_t nb = rowptr[spk[s + PREFETCH_AHEAD]], ne = rowptr[spk[s + PREFETCH_AHEAD] + 1];
          for (uint32_t q = nb; q < ne; q += 16) __builtin_prefetch(syn + q);
        }
        for (uint32_t k = b; k < e; k++) a[syn[k] >> 8] += (int8_t)(syn[k] & 0xff);
        continue;
      }
      if ((mode & 4) && s + PREFETCH_AHEAD < ns) {
        const uint32_t nb = rowptr[spk[s + PREFETCH_AHEAD]], ne = rowptr[spk[s + PREFETCH_AHEAD] + 1];
        for (uint32_t q = nb; q < ne; q += 16) __builtin_prefetch(col + q);
        for (uint32_t q = nb; q < ne; q += 64 / sizeof(weight_t)) __builtin_prefetch(w + q);
      }
      uint32_t k = b;
#ifdef __AVX512F__
      if (mode & 1) {
        for (; k + 16 <= e; k += 16) {
          const __m512i idx = _mm512_loadu_si512((const void *)(col + k));
#ifdef WEIGHT16
          const __m512i wv = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(w + k)));
#else
          const __m512i wv = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(w + k)));
#endif
          const __m512i g = _mm512_i32gather_epi32(idx, (const void *)a, 4);
          _mm512_i32scatter_epi32((void *)a, idx, _mm512_add_epi32(g, wv), 4);
        }
      }
#endif
      for (; k < e; k++) a[col[k]] += w[k];
    }
    prop_s += now() - tb;
    upd_s += tb - ta;
    total_spikes += ns;
  }
  const double run_s = now() - run0;
  long long checksum = 0;
  for (int i = 0; i < N; i++) checksum += v[i] + u[i];
  printf("{\"impl\":\"C %s%s%s%s%s\",\"N\":%d,\"synapses\":%zu,\"steps\":%d,\"spikes\":%llu,\"events\":%llu,"
         "\"rate_hz\":%.2f,\"build_s\":%.4f,\"run_s\":%.4f,\"update_s\":%.4f,\"propagate_s\":%.4f,"
         "\"events_per_s\":%.4g,\"neuron_updates_per_s\":%.4g,\"checksum\":%lld}\n",
         WEIGHT_NAME, mode & 1 ? " avx512-scatter" : "",
         mode & 2 ? " split-update" : "", mode & 4 ? " prefetch" : "", mode & 8 ? " packed" : "", N, nnz, steps, (unsigned long long)total_spikes,
         (unsigned long long)events, total_spikes / (double)N / (steps * 1e-3), build_s, run_s, upd_s,
         prop_s, events / run_s, (double)N * steps / run_s, checksum);
  return 0;
}
