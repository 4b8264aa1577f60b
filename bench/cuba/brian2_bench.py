#!/usr/bin/python3
"""Brian2 (Debian python3-brian 2.5.1) version of the benchmark network in snn.c (and ../cuba-program.ts).

Float CUBA LIF with one exponential synaptic current, Euler integration, dt = 1 ms,
Bernoulli(p = fan_in / N) connectivity with a per-synapse weight (like a CSR weight array),
spikes reach their targets one step later (Brian2 applies on_pre after the threshold, so the
current jump is seen by the next step's integration: the same timing as DELAY = 1 in snn.c).

usage: /usr/bin/python3 brian2_bench.py --target {numpy,cython,cpp_standalone} --N 10000
           [--steps 1000] [--fan-in 200] [--repeats 3] [--cold] [--delay-ms 0]

Prints one JSON line per measured run. Times:
  construct_s  building NeuronGroup/Synapses, connect() and initial values (runtime targets;
               for cython this includes compiling the connect/initialisation code when --cold)
  prepare_s    Network.run() minus its simulation loop: code generation, (cython) compilation
               or cache loading, before_run work
  loop_s       Brian2's own measurement of the simulation loop (device._last_run_time)
  cpp_standalone: codegen_s, compile_s (make), then binary_s (whole ./main: connect, init, loop,
               writing results) and loop_s (the loop, from results/last_run_info.txt) per run;
               the first run comes from device.build(), the rest re-execute ./main.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--target", required=True, choices=["numpy", "cython", "cpp_standalone"])
parser.add_argument("--N", type=int, default=10000)
parser.add_argument("--steps", type=int, default=1000)
parser.add_argument("--fan-in", type=float, default=200.0)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--cold", action="store_true", help="cython: start from an empty extension cache")
parser.add_argument("--delay-ms", type=float, default=0.0, help="extra homogeneous synaptic delay")
parser.add_argument("--seed", type=int, default=12345)
args = parser.parse_args()

t_import = time.time()
import warnings  # noqa: E402
warnings.filterwarnings("ignore", category=FutureWarning)
import numpy as np  # noqa: E402
import brian2  # noqa: E402
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs, ms, mV,  # noqa: E402
                    set_device, device, seed)

import_s = time.time() - t_import

CACHE = os.path.join(tempfile.gettempdir(), "brian2_bench_cython_cache")
prefs.codegen.runtime.cython.cache_dir = CACHE
prefs.logging.file_log = False
prefs.logging.console_log_level = "ERROR"

N, steps = args.N, args.steps
NE = int(0.8 * N)
p = args.fan_in / N
# Same statistics as params.json / snn.c: q = 0.04 mV per weight unit, w_exc = 16 q, w_inh = -80 q.
namespace = dict(taum=20 * ms, taus=5 * ms, Vr=-60 * mV, Vt=-50 * mV, El=-49 * mV,
                 we=16 * 0.04 * mV, wi=-80 * 0.04 * mV, NE=NE)
# snn.c keeps a neuron frozen for the 5 steps after its spike; Brian2 freezes while
# timestep(t - lastspike) < refractory/dt, so 6 ms gives the same 5 frozen steps.
refractory = 6 * ms

standalone_dir = os.path.join(tempfile.gettempdir(), f"brian2_bench_standalone_N{N}_d{args.delay_ms:g}")
if args.target == "cpp_standalone":
    set_device("cpp_standalone", directory=standalone_dir, build_on_run=False)
else:
    prefs.codegen.target = args.target
    if args.target == "cython" and args.cold:
        shutil.rmtree(CACHE, ignore_errors=True)

defaultclock.dt = 1 * ms
seed(args.seed)

t0 = time.time()
eqs = """
dv/dt = (El - v + I) / taum : volt (unless refractory)
dI/dt = -I / taus : volt
"""
G = NeuronGroup(N, eqs, threshold="v >= Vt", reset="v = Vr", refractory=refractory,
                method="euler", namespace=namespace)
S_kwargs = dict(model="w : volt", on_pre="I_post += w", namespace=namespace)
if args.delay_ms > 0:
    S_kwargs["delay"] = args.delay_ms * ms
S = Synapses(G, G, **S_kwargs)
S.connect(p=p)
S.w = "int(i < NE) * we + int(i >= NE) * wi"
G.v = "Vr + rand() * (Vt - Vr)"
G.I = 0 * mV
mon = SpikeMonitor(G, record=False)
net = Network(G, S, mon)
construct_s = time.time() - t0


def summary(extra):
    counts = np.asarray(mon.count[:], dtype=np.int64)
    outdeg = np.bincount(np.asarray(S.i[:]), minlength=N).astype(np.int64)
    spikes = int(counts.sum())
    events = int((counts * outdeg).sum())
    res = dict(impl=f"Brian2 {brian2.__version__} {args.target}", N=N, synapses=int(len(S)), steps=steps,
               spikes=spikes, events=events, rate_hz=round(spikes / N / (steps * 1e-3), 2),
               delay_ms=args.delay_ms, import_s=round(import_s, 3))
    res.update(extra)
    loop = res["loop_s"]
    res["events_per_s"] = float(f"{events / loop:.4g}")
    res["neuron_updates_per_s"] = float(f"{N * steps / loop:.4g}")
    return res


if args.target == "cpp_standalone":
    net.run(steps * defaultclock.dt, namespace={})
    shutil.rmtree(standalone_dir, ignore_errors=True)  # always measure a full compile
    tb = time.time()
    device.build(directory=standalone_dir, compile=True, run=True, with_output=False, clean=True)
    build_total = time.time() - tb
    compile_s = device.timers["compile"]["make"] + (device.timers["compile"]["clean"] or 0)
    run_binary = device.timers["run_binary"]
    codegen_s = build_total - compile_s - run_binary
    base = dict(construct_s=round(construct_s, 3), codegen_s=round(codegen_s, 3),
                compile_s=round(compile_s, 3))
    runs = [(run_binary, device._last_run_time)]
    for _ in range(args.repeats - 1):
        tr = time.time()
        subprocess.run(["./main"], cwd=standalone_dir, check=True, stdout=subprocess.DEVNULL)
        binary_s = time.time() - tr
        with open(os.path.join(standalone_dir, "results", "last_run_info.txt")) as f:
            runs.append((binary_s, float(f.read().split()[0])))
    for k, (binary_s, loop_s) in enumerate(runs):
        print(json.dumps(summary(dict(base, run=k, binary_s=round(binary_s, 3), loop_s=round(loop_s, 4)))))
else:
    tr = time.time()
    net.run(steps * defaultclock.dt, namespace={})
    run_call = time.time() - tr
    loop_s = device._last_run_time
    print(json.dumps(summary(dict(construct_s=round(construct_s, 3), prepare_s=round(run_call - loop_s, 3),
                                  loop_s=round(loop_s, 4), cold=args.cold))))
    sys.stdout.flush()
