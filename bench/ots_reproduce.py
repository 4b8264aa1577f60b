#!/usr/bin/python3
"""Which implementations reproduce an OTS fixture's frozen thresholds? PyTorch under several builds, and spikechip.

Issue #12 asks for frozen thresholds within 1e-4 of reference.json. This bench tests the claim that the bound is only
reachable by reproducing the fixture's PyTorch float32 summation order: it runs paper A's OTS calibration (one batch of
the stored calibration images, OSR norms from their running statistics, OTS live) in plain torch under several
configurations and compares, per LIF layer and step, the thresholds with `frozenThresholds` and the spike counts with
`calibrationSpikeCounts`:

  a  float32, 2 threads (the fixture generator's settings on this machine)
  b  float32, 1 thread
  c  float64 throughout (weights, inputs, norms, membranes, statistics)
  d  float32, 2 threads, torch.backends.mkldnn.enabled = False (im2col + OpenBLAS sgemm convolutions)
  e  float32, 2 threads, oneDNN limited to AVX2 (ONEDNN_MAX_CPU_ISA=AVX2): the convolution kernels of a CPU
     without AVX-512, e.g. AMD Zen 2/3; ATen's own kernels already run at AVX2 here
  f  float32, 4 threads (more threads than cores: only the reduction split changes)

and, with --spikechip, spikechip's float reference (`node dist/cli/main.js eval --thresholds dynamic --batch <all>`
on the calibration file, which computes the same table `eval --calibration-input` freezes, plus the spike counts).

Each configuration also runs the fixture's 4 inputs with reference.json's own frozen table (`outputsFrozen`,
`spikeCounts`), separating forward-pass differences from calibration differences.

The forward pass is written here from arch.json (snn-arch/2) and the seed code's semantics
(zhuyaoyu/SNN-online-normalization, models/spiking_resnet.py, modules/neurons.py, modules/layers.py):
- conv and linear are F.conv2d / F.linear with the checkpoint's tensors, one call per step on the whole batch;
- an OSR norm in eval is `batch_norm_elemt(x, gamma, beta, run_mean, invstd)` with invstd = 1/sqrt(run_var + eps);
  that kernel is CUDA-only, and the fixtures' CPU stand-in is `(x - mean) * invstd * gamma + beta` in this order
  (the form `(x - mean) / sqrt(var + eps) * gamma + beta` leaves one ResNet-19 threshold 2 to 3 ulp off);
- LIF (tau 2, soft reset): u = v * 0.5 + I; OTS takes mean and unbiased std of u over the whole batch tensor; at step 0
  ratio = (1 - mean) / std, at every step theta = mean + std * ratio; spike = (u - theta >= 0); v = u - spike * theta.
The network runs step by step (every layer at step t, then step t + 1), as the seed does, since a convolution's
blocking (and with it its summation order) may depend on the batch it sees.

Prints a table (or --json). Exits 1 with a one-line message on a missing or malformed fixture file.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "..", "..", "shared", "fixtures", "osr-resnet19-cifar-random")
BOUND = 1e-4
# Closer to its threshold than these, a membrane potential's side of the threshold depends on the summation order:
# float32 convolutions of ~10^3 terms differ between kernels by ~1e-7 to 1e-6.
KNIFE_EDGES = (1e-7, 1e-6)
# A threshold this far from the reference has moved by more than float32 rounding.
ROUNDING = 1e-6

CONFIGS = {
    "a": {"label": "float32, 2 threads", "threads": 2, "dtype": "float32", "mkldnn": True, "env": {}},
    "b": {"label": "float32, 1 thread", "threads": 1, "dtype": "float32", "mkldnn": True, "env": {}},
    "c": {"label": "float64, 2 threads", "threads": 2, "dtype": "float64", "mkldnn": True, "env": {}},
    "d": {"label": "float32, 2 threads, mkldnn off", "threads": 2, "dtype": "float32", "mkldnn": False, "env": {}},
    "e": {"label": "float32, 2 threads, oneDNN AVX2 only", "threads": 2, "dtype": "float32", "mkldnn": True, "env": {"ONEDNN_MAX_CPU_ISA": "AVX2"}},
    "f": {"label": "float32, 4 threads", "threads": 4, "dtype": "float32", "mkldnn": True, "env": {}},
}


class FixtureError(Exception):
    pass


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise FixtureError(f"{path}: {e}")


def fixture_file(directory, prefix, suffix):
    try:
        names = [n for n in sorted(os.listdir(directory)) if n.startswith(prefix) and n.endswith(suffix)]
    except OSError as e:
        raise FixtureError(f"{directory}: {e}")
    if not names:
        raise FixtureError(f"{directory}: no {prefix}*{suffix} file")
    return os.path.join(directory, names[0])


def load_fixture(directory):
    arch = read_json(os.path.join(directory, "arch.json"))
    reference = read_json(os.path.join(directory, "reference.json"))
    if not isinstance(reference.get("frozenThresholds"), dict):
        raise FixtureError(f"{os.path.join(directory, 'reference.json')}: frozenThresholds is not a table (not an OTS fixture)")
    if not isinstance(arch.get("layers"), list) or not isinstance(arch.get("timesteps"), int):
        raise FixtureError(f"{os.path.join(directory, 'arch.json')}: needs a layers list and an integer timesteps")
    return arch, reference


def lif_keys(arch):
    return [layer["prefix"] for layer in arch["layers"] if layer["op"] == "lif"]


# ---------------------------------------------------------------------------------------------------------------
# One configuration, in a process of its own (thread pools and oneDNN's ISA are fixed at first use).


def read_images(path, shape, torch):
    import numpy

    size = 1
    for s in shape:
        size *= s
    data = numpy.fromfile(path, dtype="<f4")
    if data.size == 0 or data.size % size:
        raise FixtureError(f"{path}: {data.size} float32 values is not a whole number of {shape} images")
    return torch.from_numpy(data.copy()).reshape([data.size // size] + list(shape))


def load_checkpoint(path, key):
    sys.path.insert(0, HERE)
    from pytorch_baseline import load_state_dict

    try:
        return load_state_dict(path, key)
    except Exception as e:  # the allow-list unpickler and torch's zip reader raise many kinds
        raise FixtureError(f"{path}: {e}")


class Network:
    """arch.json's graph over one batch, one time step per call; LIF layers keep their membranes between calls."""

    def __init__(self, arch, state, dtype, torch):
        self.torch = torch
        self.layers = []
        previous = "input"
        for position, spec in enumerate(arch["layers"]):
            node_id = spec.get("id", str(position))
            inputs = spec["inputs"] if spec["op"] == "add" else [spec.get("input", previous)]
            self.layers.append((node_id, spec, inputs))
            previous = node_id
        self.tensors = {}
        for _, spec, _ in self.layers:
            names = [spec.get("weight"), spec.get("bias")]
            if spec["op"] == "norm":
                if spec.get("kind") != "osr":
                    raise FixtureError(f"arch.json: layer {spec.get('id')}: norm kind {spec.get('kind')!r}, only OSR (paper A) has OTS")
                names = [spec["prefix"] + k for k in (".gamma", ".beta", ".run_mean", ".run_var")]
            for name in names:
                if name is None:
                    continue
                if name not in state:
                    raise FixtureError(f"checkpoint.pth: no tensor {name} (layer {spec.get('id')})")
                self.tensors[name] = state[name].to(dtype)
        self.dtype = dtype
        # Each value is dropped after its last reader of the step: a step of ResNet-19 holds ~70 maps otherwise.
        self.last_reader = {}
        for position, (_, _, inputs) in enumerate(self.layers):
            for i in inputs:
                self.last_reader[i] = position
        self.reset()

    def reset(self):
        self.membrane = {}
        self.ratio = {}

    def step(self, x, t, frozen, record):
        """One time step. frozen: key -> thresholds per step, or None for OTS live. record(key, u, theta, spikes)."""
        import torch.nn.functional as F

        torch = self.torch
        values = {"input": x}
        out = None
        for position, (node_id, spec, inputs) in enumerate(self.layers):
            a = values[inputs[0]]
            op = spec["op"]
            if op == "conv2d":
                bias = self.tensors[spec["bias"]] if spec.get("bias") else None
                out = F.conv2d(a, self.tensors[spec["weight"]], bias, spec.get("stride", 1), spec.get("padding", 0))
            elif op == "linear":
                bias = self.tensors[spec["bias"]] if spec.get("bias") else None
                out = F.linear(a, self.tensors[spec["weight"]], bias)
            elif op == "norm":
                p = spec["prefix"]
                gamma, beta, mean, var = (self.tensors[p + k] for k in (".gamma", ".beta", ".run_mean", ".run_var"))
                shape = [1, -1] + [1] * (a.dim() - 2)
                invstd = 1.0 / torch.sqrt(var + torch.tensor(spec.get("eps", 1e-4), dtype=self.dtype))
                out = (a - mean.view(shape)) * invstd.view(shape) * gamma.view(shape) + beta.view(shape)
            elif op == "lif":
                out = self.lif(spec["prefix"], a, t, frozen, record)
            elif op == "add":
                out = a + values[inputs[1]]
            elif op == "avgpool2d":
                out = F.avg_pool2d(a, spec["kernel"], spec.get("stride", spec["kernel"]))
            elif op == "adaptiveavgpool2d":
                out = F.adaptive_avg_pool2d(a, spec.get("output", 1))
            elif op == "maxpool2d":
                out = F.max_pool2d(a, spec["kernel"], spec.get("stride", spec["kernel"]), spec.get("padding", 0))
            elif op == "flatten":
                out = torch.flatten(a, 1)
            else:
                raise FixtureError(f"arch.json: layer {node_id}: op {op!r} is not one this bench evaluates")
            values[node_id] = out
            for i in inputs:
                if self.last_reader.get(i) == position:
                    del values[i]
        return out

    def lif(self, key, current, t, frozen, record):
        torch = self.torch
        if t == 0:
            self.membrane[key] = torch.zeros_like(current)
        # The seed's decay is torch.tensor(1 - 1/tau): a float32 0-dim tensor, which keeps the membrane's dtype.
        u = self.membrane[key] * torch.tensor(0.5) + current
        if frozen is None:
            mean, std = torch.mean(u), torch.std(u)
            if t == 0:
                self.ratio[key] = (1.0 - mean) / std
            theta = mean + std * self.ratio[key]
        else:
            theta = torch.tensor(frozen[key][t], dtype=torch.float32).to(self.dtype)
        spikes = ((u - theta) >= 0).to(u)
        record(key, u, theta, spikes)
        self.membrane[key] = u - spikes * float(theta)
        return spikes


def run_config(name, fixture):
    config = CONFIGS[name]
    for k, v in config["env"].items():
        os.environ[k] = v
    # OpenBLAS (the convolutions of c and d) keeps a thread pool of its own.
    os.environ["OPENBLAS_NUM_THREADS"] = str(config["threads"])
    import torch

    torch.set_num_threads(config["threads"])
    torch.backends.mkldnn.enabled = config["mkldnn"]
    dtype = getattr(torch, config["dtype"])
    arch, reference = load_fixture(fixture)
    state = load_checkpoint(os.path.join(fixture, "checkpoint.pth"), arch.get("stateDictKey", "net"))
    shape = arch["input"]["shape"]
    calibration = read_images(fixture_file(fixture, "calibration-", ".f32"), shape, torch).to(dtype)
    inputs = read_images(fixture_file(fixture, "inputs-", ".f32"), shape, torch).to(dtype)
    net = Network(arch, state, dtype, torch)
    steps = arch["timesteps"]
    keys = lif_keys(arch)
    thresholds = {k: [] for k in keys}
    counts = {k: [] for k in keys}
    near = {str(edge): {k: [] for k in keys} for edge in KNIFE_EDGES}
    closest = {k: [] for k in keys}

    def record_calibration(key, u, theta, spikes):
        thresholds[key].append(float(theta))
        counts[key].append(int(spikes.sum()))
        margin = (u - theta).abs()
        for edge in KNIFE_EDGES:
            near[str(edge)][key].append(int((margin < edge).sum()))
        closest[key].append(float(margin.min()))

    started = time.time()
    with torch.no_grad():
        for t in range(steps):
            net.step(calibration, t, None, record_calibration)
        calibration_seconds = time.time() - started

        frozen_counts = {k: [] for k in keys}
        net.reset()
        total = None
        for t in range(steps):
            out = net.step(inputs, t, reference["frozenThresholds"], lambda key, u, theta, s: frozen_counts[key].append(int(s.sum())))
            total = out.double() if total is None else total + out.double()
    outputs = (total / steps).tolist()
    expected = reference["outputsFrozen"]
    return {
        "config": name,
        **{k: v for k, v in config.items() if k != "env"},
        "env": config["env"],
        "torch": torch.__version__,
        "images": int(calibration.shape[0]),
        "calibrationSeconds": round(calibration_seconds, 2),
        "thresholds": thresholds,
        "calibrationSpikeCounts": counts,
        "nearThreshold": near,
        "closestMargin": closest,
        "frozenTable": {
            "maxAbsOutputError": max(abs(a - b) for ra, rb in zip(outputs, expected) for a, b in zip(ra, rb)),
            "spikeCountDeltas": {k: [a - b for a, b in zip(frozen_counts[k], reference["spikeCounts"][k])] for k in keys},
        },
    }


# ---------------------------------------------------------------------------------------------------------------
# spikechip's own calibration, through its CLI.


def run_spikechip(fixture, arch):
    main_js = os.path.join(HERE, "..", "dist", "cli", "main.js")
    if not os.path.exists(main_js):
        raise FixtureError(f"{main_js}: missing (npm run build --silent first)")
    calibration = fixture_file(fixture, "calibration-", ".f32")
    per_image = 4
    for s in arch["input"]["shape"]:
        per_image *= s
    images = os.path.getsize(calibration) // per_image
    command = ["node", main_js, "eval", "--model", os.path.join(fixture, "checkpoint.pth"), "--arch", os.path.join(fixture, "arch.json")]
    command += ["--data", calibration, "--thresholds", "dynamic", "--batch", str(images), "--outputs", "--json"]
    started = time.time()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise FixtureError(f"spikechip eval failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    report = json.loads(done.stdout)
    keys = lif_keys(arch)
    return {
        "config": "spikechip",
        "label": "spikechip float reference (float64 sums, float32 per output)",
        "images": images,
        "calibrationSeconds": round(time.time() - started, 2),
        "thresholds": {k: report["thresholds"][k][0] for k in keys},
        "calibrationSpikeCounts": {k: report["spikesPerLayerPerStep"][k] for k in keys},
    }


# ---------------------------------------------------------------------------------------------------------------
# Comparison with reference.json.


def compare(row, arch, reference):
    keys = lif_keys(arch)
    steps = arch["timesteps"]
    layers = {}
    first_flip = None
    first_drift = None
    for t in range(steps):
        for k in keys:
            got, want = row["thresholds"][k][t], reference["frozenThresholds"][k][t]
            delta = row["calibrationSpikeCounts"][k][t] - reference["calibrationSpikeCounts"][k][t]
            if first_drift is None and abs(got - want) > ROUNDING:
                first_drift = {"layer": k, "step": t, "error": abs(got - want)}
            if first_flip is None and delta != 0:
                first_flip = {"layer": k, "step": t, "spikeCountDelta": delta}
    for k in keys:
        errors = [abs(a - b) for a, b in zip(row["thresholds"][k], reference["frozenThresholds"][k])]
        deltas = [a - b for a, b in zip(row["calibrationSpikeCounts"][k], reference["calibrationSpikeCounts"][k])]
        layers[k] = {"maxAbsThresholdError": max(errors), "spikeCountDeltas": deltas}
    worst = max(v["maxAbsThresholdError"] for v in layers.values())
    return {
        "maxAbsThresholdError": worst,
        "withinBound": worst <= BOUND,
        "layersWithinBound": sum(1 for v in layers.values() if v["maxAbsThresholdError"] <= BOUND),
        "identicalSpikeCounts": first_flip is None,
        "largestSpikeCountDelta": max(abs(d) for v in layers.values() for d in v["spikeCountDeltas"]),
        "firstFlip": first_flip,
        "firstThresholdErrorOver1e-6": first_drift,
        "layers": layers,
    }


def format_table(rows, arch):
    keys = lif_keys(arch)
    names = [r["config"] for r in rows]
    lines = ["max |threshold - frozenThresholds| over the steps, per LIF layer", ""]
    lines.append("layer".ljust(14) + "".join(n.rjust(12) for n in names))
    for k in keys:
        lines.append(k.ljust(14) + "".join(f"{r['comparison']['layers'][k]['maxAbsThresholdError']:12.1e}" for r in rows))
    lines.append("")
    for r in rows:
        c = r["comparison"]
        flip = c["firstFlip"]
        where = f"{flip['layer']} step {flip['step']} ({flip['spikeCountDelta']:+d})" if flip else "none"
        lines.append(
            f"{r['config']}: {r['label']}: max {c['maxAbsThresholdError']:.2e} ({'within' if c['withinBound'] else 'misses'} {BOUND:g}; "
            f"{c['layersWithinBound']}/{len(keys)} layers within); first spike flip: {where}; largest count delta {c['largestSpikeCountDelta']}; "
            f"{r['calibrationSeconds']} s"
        )
        if "frozenTable" in r:
            f = r["frozenTable"]
            worst = max(abs(d) for v in f["spikeCountDeltas"].values() for d in v)
            near = ", ".join(f"{sum(sum(v) for v in r['nearThreshold'][str(e)].values())} within {e:g}" for e in KNIFE_EDGES)
            lines.append(
                f"   with reference.json's frozen table on the 4 inputs: outputs within {f['maxAbsOutputError']:.1e}, largest spike-count delta {worst}; "
                f"calibration membranes near their threshold: {near}"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", default=DEFAULT_FIXTURE, help="an OTS fixture folder (default: osr-resnet19-cifar-random)")
    parser.add_argument("--configs", default="a,b,c,d,e", help=f"comma-separated, from {','.join(CONFIGS)}")
    parser.add_argument("--spikechip", action="store_true", help="add spikechip's own calibration (needs npm run build)")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the table")
    parser.add_argument("--child", choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    fixture = os.path.abspath(args.fixture)
    try:
        if args.child:
            print(json.dumps(run_config(args.child, fixture)))
            return 0
        arch, reference = load_fixture(fixture)
        names = [n for n in args.configs.split(",") if n]
        unknown = [n for n in names if n not in CONFIGS]
        if unknown:
            raise FixtureError(f"--configs: unknown configuration {', '.join(unknown)} (known: {', '.join(CONFIGS)})")
        rows = []
        for name in names:
            done = subprocess.run([sys.executable, os.path.abspath(__file__), "--fixture", fixture, "--child", name], capture_output=True, text=True)
            if done.returncode != 0:
                message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
                raise FixtureError(f"configuration {name}: {message}")
            rows.append(json.loads(done.stdout))
        if args.spikechip:
            rows.append(run_spikechip(fixture, arch))
        for row in rows:
            row["comparison"] = compare(row, arch, reference)
    except FixtureError as e:
        print(f"ots_reproduce: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"fixture": fixture, "bound": BOUND, "rows": rows}, indent=1))
    else:
        print(format_table(rows, arch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
