#!/usr/bin/python3
"""PyTorch's float images/s on a fixture, the baseline `npm run bench` sets the float reference beside.

Builds the folded, frozen-threshold network of a fixture folder (checkpoint.pth, arch.json, reference.json) in
plain torch from the arch.json layers (snn-arch/1 chains and snn-arch/2 graphs), checks its outputs on the fixture's
inputs against reference.json's outputsFrozen before timing, then times batches of each --batch size (a comma list)
on --threads threads and reports the fastest: eager PyTorch is memory-bound at large batches (ResNet-19's T*B
activations at batch 64 are hundreds of MB per layer; measured here 4.6 images/s at batch 64, 12.9 at batch 8), so
one fixed batch size would understate it. Prints one JSON line. Exits 2 when the outputs differ by more than
--tolerance, 3 without torch.

The network runs the T steps layer by layer with time folded into the batch (a conv sees T*B images at once, a LIF
layer loops over T), and a layer whose input is the same at every step (the analog first layer under direct
encoding) runs once: the fastest plain-torch form of the same arithmetic, so the baseline is not a strawman.
"""
import argparse
import json
import math
import os
import pickle
import sys
import time
import types

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"error": "torch is not installed (Debian: apt-get install python3-torch)"}))
    sys.exit(3)


def read_f32(path, shape):
    data = torch.from_numpy(__import__("numpy").fromfile(path, dtype="<f4").copy())
    return data.reshape(shape)


class _AllowListUnpickler(pickle.Unpickler):
    """Resolves only the globals a fixture checkpoint names (shared/fixtures/README.md): nothing else can run."""

    ALLOWED = {
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch", "FloatStorage"),
        ("torch", "LongStorage"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"checkpoint names {module}.{name}, which a fixture checkpoint never does")
        return super().find_class(module, name)


def load_state_dict(path, key):
    # torch 1.13's weights_only loader refuses the float opcode the seed's checkpoints hold: an allow-list instead.
    module = types.SimpleNamespace(Unpickler=_AllowListUnpickler, load=pickle.load, __name__="allow_list_pickle")
    checkpoint = torch.load(path, map_location="cpu", pickle_module=module)
    return checkpoint[key] if key in checkpoint else checkpoint


class Node:
    """One arch.json layer: its op, the ids it reads, its tensors once folded."""

    def __init__(self, spec, node_id, inputs):
        self.spec = spec
        self.op = spec["op"]
        self.id = node_id
        self.inputs = inputs
        self.weight = None
        self.bias = None
        # A norm that could not fold: its per-channel affine map y = scale*x + shift.
        self.scale = None
        self.shift = None
        # An add's per-input affine maps (a norm after the add, on a branch that owns no weights), or None.
        self.branch_scale = None
        # A norm left unfolded (fold_norms False): the seed's own float32 arithmetic, (x, per_channel) -> y.
        self.exact = None


def read_graph(arch):
    nodes = []
    previous = "input"
    for position, spec in enumerate(arch["layers"]):
        node_id = spec.get("id", str(position))
        inputs = list(spec["inputs"]) if "inputs" in spec else [spec.get("input", previous)]
        nodes.append(Node(spec, node_id, inputs))
        previous = node_id
    return nodes


def norm_affine(spec, sd):
    """A norm at inference as y = g*x + c per channel: OSR (gamma, beta, run_mean, run_var) or BatchNorm."""
    p = spec["prefix"]
    if spec["kind"] == "osr":
        gamma, beta, mean, var = sd[p + ".gamma"], sd[p + ".beta"], sd[p + ".run_mean"], sd[p + ".run_var"]
    else:
        gamma, beta, mean, var = sd[p + ".weight"], sd[p + ".bias"], sd[p + ".running_mean"], sd[p + ".running_var"]
    eps = spec.get("eps", 1e-4 if spec["kind"] == "osr" else 1e-5)
    g = gamma.double().flatten() / torch.sqrt(var.double().flatten() + eps)
    return g, beta.double().flatten() - mean.double().flatten() * g


def seed_norm(spec, sd):
    """A norm as the seed code computes it in float32: OSR `(x - mean) / sqrt(var + eps) * gamma + beta`, four ops
    per element; BatchNorm (PyTorch's CPU eval kernel) `x * alpha + (beta - mean * alpha)`."""
    p = spec["prefix"]
    if spec["kind"] == "osr":
        mean, var, gamma, beta = (sd[p + k].float().flatten() for k in (".run_mean", ".run_var", ".gamma", ".beta"))
        std = torch.sqrt(var + torch.tensor(spec.get("eps", 1e-4), dtype=torch.float32))
        return lambda x, ch: (x - ch(mean, x)) / ch(std, x) * ch(gamma, x) + ch(beta, x)
    mean, var, gamma, beta = (sd[p + k].float().flatten() for k in (".running_mean", ".running_var", ".weight", ".bias"))
    alpha = 1 / torch.sqrt(var + torch.tensor(spec.get("eps", 1e-5), dtype=torch.float32)) * gamma
    shift = beta - mean * alpha
    return lambda x, ch: x * ch(alpha, x) + ch(shift, x)


def fold(nodes, sd, fold_norms=True):
    """Loads weights, then folds each norm into the conv/linear it follows (through an add: into every branch);
    with fold_norms False every norm stays, computed as the seed computes it."""
    by_id = {n.id: n for n in nodes}
    consumers = {n.id: [] for n in nodes}
    for n in nodes:
        for i in n.inputs:
            if i in consumers:
                consumers[i].append(n)
        if n.op in ("conv2d", "linear"):
            n.weight = sd[n.spec["weight"]].double()
            b = n.spec.get("bias")
            n.bias = sd[b].double() if b else torch.zeros(n.weight.shape[0], dtype=torch.float64)
    alias = {}

    def resolve(node_id):
        while node_id in alias:
            node_id = alias[node_id]
        return node_id

    def owns_weights(node):
        """A conv or linear read by one consumer only: y = g*x + c can go into its weights and bias."""
        return node.op in ("conv2d", "linear") and len(consumers[node.id]) == 1

    def fold_into(node, g, c):
        shape = (-1,) + (1,) * (node.weight.dim() - 1)
        node.weight = node.weight * g.reshape(shape)
        node.bias = node.bias * g + c

    for n in nodes:
        for k, i in enumerate(n.inputs):
            n.inputs[k] = resolve(i)
        if n.op != "norm":
            continue
        if not fold_norms:
            n.exact = seed_norm(n.spec, sd)
            continue
        g, c = norm_affine(n.spec, sd)
        source = by_id[n.inputs[0]]
        if owns_weights(source):
            fold_into(source, g, c)
        elif source.op == "add" and len(consumers[source.id]) == 1:
            # norm(a + b) = (g*a + c) + g*b: into each branch's weights where it owns them, else on the add's edge.
            source.branch_scale = [None] * len(source.inputs)
            for k, branch in enumerate(by_id[i] for i in source.inputs):
                shift = c if k == 0 else torch.zeros_like(c)
                if owns_weights(branch):
                    fold_into(branch, g, shift)
                else:
                    source.branch_scale[k] = (g.float(), shift.float())
        else:
            # Read by others too, or not a weighted layer: the norm stays, a per-channel affine map.
            n.scale, n.shift = g, c
            continue
        alias[n.id] = source.id
        consumers[source.id] = consumers[n.id]
    live = [n for n in nodes if n.op != "norm" or n.scale is not None or n.exact is not None]
    for n in live:
        n.inputs = [resolve(i) for i in n.inputs]
        for name in ("weight", "bias", "scale", "shift"):
            if getattr(n, name) is not None:
                setattr(n, name, getattr(n, name).float())
    return live


class FoldedSnn:
    def __init__(self, arch, sd, thresholds, fold_norms=True):
        self.T = arch["timesteps"]
        neuron = arch.get("neuron", {})
        self.decay = neuron.get("decay", 0.5)
        self.threshold = neuron.get("threshold", 1.0)
        self.thresholds = thresholds or {}
        self.nodes = fold(read_graph(arch), sd, fold_norms)
        self.output = self.nodes[-1].id

    def lif(self, node, current, batch):
        """u = decay*u + I; fire at u >= theta[t]; soft reset u -= s*theta[t]. `current` is [B,..] (the same every step) or [T*B,..]."""
        T = self.T
        prefix = node.spec.get("prefix")
        table = self.thresholds.get(prefix) if prefix else None
        decay = node.spec.get("decay", self.decay)
        steps = current.reshape((T, batch) + current.shape[1:]) if current.shape[0] == T * batch else None
        u = None
        spikes = []
        for t in range(T):
            i = steps[t] if steps is not None else current
            u = i.clone() if u is None else u * decay + i
            theta = torch.tensor(table[t] if table else self.threshold, dtype=torch.float32)
            s = (u >= theta).to(torch.float32)
            u = u - s * theta
            spikes.append(s)
        return torch.cat(spikes)

    def forward(self, images):
        batch = images.shape[0]
        T = self.T
        values = {"input": images}

        def channels(v, x):
            return v.reshape((1, -1) + (1,) * (x.dim() - 2))

        def temporal(x):
            return x if x.shape[0] == T * batch else x.repeat((T,) + (1,) * (x.dim() - 1))

        for n in self.nodes:
            xs = [values[i] for i in n.inputs]
            x = xs[0]
            s = n.spec
            if n.op == "conv2d":
                y = F.conv2d(x, n.weight, n.bias, stride=s.get("stride", 1), padding=s.get("padding", 0))
            elif n.op == "linear":
                y = F.linear(x, n.weight, n.bias)
            elif n.op == "lif":
                y = self.lif(n, x, batch)
            elif n.op == "add":
                if n.branch_scale:
                    xs = [x if m is None else x * channels(m[0], x) + channels(m[1], x) for x, m in zip(xs, n.branch_scale)]
                a, b = xs
                y = (a + b) if a.shape[0] == b.shape[0] else temporal(a) + temporal(b)
            elif n.op == "avgpool2d":
                y = F.avg_pool2d(x, s["kernel"], s.get("stride", s["kernel"]), s.get("padding", 0))
            elif n.op == "maxpool2d":
                y = F.max_pool2d(x, s["kernel"], s.get("stride", s["kernel"]), s.get("padding", 0))
            elif n.op == "adaptiveavgpool2d":
                y = F.adaptive_avg_pool2d(x, s.get("output", 1))
            elif n.op == "flatten":
                y = torch.flatten(x, 1)
            elif n.op == "dropout":
                y = x
            elif n.op == "norm":
                y = n.exact(x, channels) if n.exact is not None else x * channels(n.scale, x) + channels(n.shift, x)
            else:
                raise ValueError(f"arch.json layer {n.id}: op {n.op} is not known to this baseline")
            values[n.id] = y
        out = values[self.output]
        if out.shape[0] == T * batch:
            out = out.reshape((T, batch) + out.shape[1:]).mean(0)
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture", help="fixture folder: checkpoint.pth, arch.json, reference.json, inputs-*.f32")
    parser.add_argument("--batch", default="8,16,32,64", help="batch sizes to time, comma-separated; the fastest is reported")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=12.0, help="time all batch sizes for about this long (at least 3 batches each)")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    folder = args.fixture
    with open(os.path.join(folder, "arch.json")) as f:
        arch = json.load(f)
    with open(os.path.join(folder, "reference.json")) as f:
        reference = json.load(f)
    sd = load_state_dict(os.path.join(folder, "checkpoint.pth"), arch.get("stateDictKey", "net"))
    shape = arch["input"]["shape"]
    if "outputsFrozen" not in reference:
        print(json.dumps({"error": f"{folder}/reference.json: no outputsFrozen to check the network against"}))
        sys.exit(2)
    expected = reference["outputsFrozen"]
    expected = torch.tensor(json.loads(expected) if isinstance(expected, str) else expected, dtype=torch.float32)
    inputs = read_f32(os.path.join(folder, reference.get("inputs", "inputs-4x%dx%dx%d.f32" % tuple(shape))), [-1] + shape)
    # Folded norms where that reproduces the reference; in deep residual nets the last-bit changes of folding flip
    # a few spikes that then spread, so there the norms stay as the seed computes them (one elementwise pass each).
    with torch.no_grad():
        for norms in ("folded", "seed"):
            net = FoldedSnn(arch, sd, reference.get("frozenThresholds"), fold_norms=norms == "folded")
            difference = (net.forward(inputs) - expected).abs().max().item()
            if difference <= args.tolerance:
                break
        if not difference <= args.tolerance:
            print(json.dumps({"error": f"{folder}: outputs differ from reference.json outputsFrozen by {difference:.3g} > {args.tolerance}"}))
            sys.exit(2)
        # The timed batches: the fixture's calibration images (real pixel statistics), repeated to each batch size.
        calibration = [f for f in os.listdir(folder) if f.startswith("calibration-") and f.endswith(".f32")]
        pool = read_f32(os.path.join(folder, calibration[0]), [-1] + shape) if calibration else inputs
        sizes = [int(b) for b in str(args.batch).split(",")]
        rates = {}
        for size in sizes:
            batch = pool.repeat((math.ceil(size / pool.shape[0]), 1, 1, 1))[:size].contiguous()
            net.forward(batch)  # warm-up
            batches = 0
            started = time.perf_counter()
            while batches < 3 or time.perf_counter() - started < args.seconds / len(sizes):
                net.forward(batch)
                batches += 1
            rates[size] = batches * size / (time.perf_counter() - started)
    best = max(rates, key=rates.get)
    print(json.dumps({
        "fixture": os.path.basename(os.path.normpath(folder)),
        "imagesPerSec": rates[best],
        "batch": best,
        "imagesPerSecByBatch": {str(k): v for k, v in rates.items()},
        "threads": args.threads,
        "maxAbsDifference": difference,
        "norms": norms,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
