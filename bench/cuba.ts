import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getChip } from '../chips/registry.js';
import { packageRoot } from '../models/package-root.js';
import { runRecurrent, runRecurrentThreaded, type FreeRunResult } from '../simulator/free-run/free-run.js';
import { buildRuntime } from '../simulator/runtime.js';
import { withCpuHog } from './cpu-hog.js';
import { cubaProgram } from './cuba-program.js';

export interface CubaBench {
  readonly N: number;
  /** True when another CPU-bound process ran beside every figure of this row (`--busy`). */
  readonly busy: boolean;
  /** The simulator as it runs by default: one share of the neurons per CPU core (`threads`). */
  readonly eventsPerSec: number;
  readonly threads: number;
  /** Each of our figures and each C figure is the best of this many runs (cubaRepeats). */
  readonly runsPerFigure: number;
  /** The same network in one thread (WebAssembly kernels), and with the scalar TypeScript loop. */
  readonly eventsPerSecOneThread: number;
  readonly eventsPerSecScalar: number;
  readonly spikes: number;
  readonly rateHz: number;
  /** The fastest C mode of bench/cuba/snn.c, compiled and run in this same run; null without gcc. */
  readonly cEventsPerSec: number | null;
  readonly cPlainEventsPerSec: number | null;
  readonly cSpikes: number | null;
  /** Brian2 C++ standalone, when Debian's python3-brian is installed; else null. */
  readonly brian2CppEventsPerSec: number | null;
  readonly ratioToC: number | null;
  readonly ratioToBrian2: number | null;
}

const CUBA_DIR = resolve(packageRoot(), 'bench', 'cuba');

/** The C baseline binary, built once per bench run; null where gcc or the source is missing. */
function buildC(): string | null {
  const source = join(CUBA_DIR, 'snn.c');
  if (!existsSync(source) || spawnSync('gcc', ['--version']).status !== 0) return null;
  const binary = join(mkdtempSync(join(tmpdir(), 'spikechip-cuba-')), 'snn');
  execFileSync('gcc', ['-O3', '-march=native', '-o', binary, source, '-lm']);
  return binary;
}

function runC(binary: string, n: number, mode: number): { eventsPerSec: number; spikes: number } {
  const out = execFileSync(binary, [String(n), '1000', '200', String(mode)], { encoding: 'utf8' });
  const json = JSON.parse(out.trim().split('\n').pop()!) as { events_per_s: number; spikes: number };
  return { eventsPerSec: json.events_per_s, spikes: json.spikes };
}

/** Brian2 C++ standalone's loop speed: the best of the script's repeated runs, as it gives its baseline the benefit. */
function runBrian2(n: number): number | null {
  const script = join(CUBA_DIR, 'brian2_bench.py');
  if (!existsSync(script) || spawnSync('/usr/bin/python3', ['-c', 'import brian2']).status !== 0) return null;
  const run = spawnSync('/usr/bin/python3', [script, '--target', 'cpp_standalone', '--N', String(n)], { encoding: 'utf8', timeout: 900_000 });
  const rates = (run.stdout ?? '')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((line) => (JSON.parse(line) as { events_per_s?: number }).events_per_s)
    .filter((rate): rate is number => typeof rate === 'number');
  return rates.length > 0 ? Math.max(...rates) : null;
}

/**
 * Runs per figure at N neurons: every figure, ours and the C baseline's, is the best of this many, about a second of
 * runs each (a 1,000-step run at N = 10,000 takes tens of milliseconds, where one hiccup of this VM weighs).
 */
export function cubaRepeats(n: number): number {
  return Math.max(5, Math.round(200_000 / n));
}

/** The fastest of `repeats` runs, in events per second, and the spike count they all must share. */
async function best(repeats: number, run: () => Promise<FreeRunResult> | FreeRunResult): Promise<{ eventsPerSec: number; spikes: number }> {
  let eventsPerSec = 0;
  let spikes = -1;
  for (let r = 0; r < repeats; r++) {
    const result = await run();
    if (spikes >= 0 && result.spikes !== spikes) throw new Error(`CUBA: two runs of one network disagree (${spikes}, ${result.spikes} spikes)`);
    spikes = result.spikes;
    eventsPerSec = Math.max(eventsPerSec, result.synapticEvents / result.seconds);
  }
  return { eventsPerSec, spikes };
}

/**
 * The CUBA network as a Loihi chip program, simulated for 1000 steps at each N, beside the baselines: in one
 * thread per CPU core (the default), in one thread, and with the scalar loop; every run must give the same spikes.
 * Each figure, ours and the C baseline's, is the best of cubaRepeats(N) runs; Brian2's the best of its script's.
 * `busy`: every figure measured while another program keeps one core busy (withCpuHog).
 */
export async function benchCuba(sizes: readonly number[] = [10_000, 100_000], stage: (what: string) => void = () => undefined, busy = false): Promise<CubaBench[]> {
  const binary = buildC();
  const threads = Math.max(1, availableParallelism());
  const results: CubaBench[] = [];
  for (const n of sizes) {
    const at = `CUBA N = ${n.toLocaleString('en-US')}${busy ? ', beside a CPU-bound process' : ''}`;
    const measure = () => benchCubaSize(n, binary, threads, busy, (what) => stage(`${at}: ${what}`));
    results.push(busy ? await withCpuHog(measure) : await measure());
  }
  return results;
}

/** One row of the CUBA bench: our three modes, the C baseline's two and Brian2's, at N neurons. */
async function benchCubaSize(n: number, binary: string | null, threads: number, busy: boolean, stage: (what: string) => void): Promise<CubaBench> {
  const spec = getChip('loihi');
  const program = cubaProgram(spec, n);
  const fresh = () => buildRuntime(program, spec, `cuba-${n}`);
  const repeats = cubaRepeats(n);
  stage(`${threads} threads`);
  const run = await best(repeats, () => runRecurrentThreaded(fresh(), 1000, threads));
  stage('one thread');
  const one = await best(repeats, () => runRecurrent(fresh(), 1000));
  stage('the scalar loop');
  const scalar = await best(1, () => runRecurrent(fresh(), 1000, { kernel: 'js' }));
  if (one.spikes !== run.spikes || scalar.spikes !== run.spikes) {
    throw new Error(`CUBA N = ${n}: the runs disagree (${run.spikes}, ${one.spikes}, ${scalar.spikes} spikes)`);
  }
  const eventsPerSec = run.eventsPerSec;
  stage('the C baseline');
  const plain = binary ? bestC(binary, n, 0, repeats) : null;
  const fastest = binary ? bestC(binary, n, 14, repeats) : null;
  const c = plain && fastest ? Math.max(plain.eventsPerSec, fastest.eventsPerSec) : null;
  stage('Brian2 C++ standalone (builds its C++ first)');
  const brian2 = runBrian2(n);
  return {
    N: n,
    busy,
    eventsPerSec,
    threads,
    runsPerFigure: repeats,
    eventsPerSecOneThread: one.eventsPerSec,
    eventsPerSecScalar: scalar.eventsPerSec,
    spikes: run.spikes,
    rateHz: run.spikes / n / 1,
    cEventsPerSec: c,
    cPlainEventsPerSec: plain?.eventsPerSec ?? null,
    cSpikes: plain?.spikes ?? null,
    brian2CppEventsPerSec: brian2,
    ratioToC: c ? eventsPerSec / c : null,
    ratioToBrian2: brian2 ? eventsPerSec / brian2 : null,
  };
}

function bestC(binary: string, n: number, mode: number, repeats: number): { eventsPerSec: number; spikes: number } {
  const runs = Array.from({ length: repeats }, () => runC(binary, n, mode));
  return { eventsPerSec: Math.max(...runs.map((r) => r.eventsPerSec)), spikes: runs[0]!.spikes };
}
