"""Reads a .nir file the way NIR's reference reader (nir.read) walks it with h5py, and prints what it found as
JSON: the version, every node's type and field shapes (nested graphs recursively), and the edges. It checks what
nir.read would need to build each node: a known type, the fields that type requires, edges naming existing
nodes. Exits 1 with a message on the first problem. Needs python3-h5py (Debian); no NIR package.

Usage: python3 read_nir_like_nir.py file.nir
"""
import json
import sys

import h5py
import numpy as np

# Required fields per NIR node type (NIR's primitives; optional fields such as v_reset, input_type are allowed).
REQUIRED = {
    "Input": ["shape"],
    "Output": ["shape"],
    "Affine": ["weight", "bias"],
    "Linear": ["weight"],
    "Conv1d": ["weight", "stride", "padding", "dilation", "groups", "bias"],
    "Conv2d": ["weight", "stride", "padding", "dilation", "groups", "bias"],
    "SumPool2d": ["kernel_size", "stride", "padding"],
    "AvgPool2d": ["kernel_size", "stride", "padding"],
    "Flatten": ["start_dim", "end_dim"],
    "Scale": ["scale"],
    "Threshold": ["threshold"],
    "IF": ["r", "v_threshold"],
    "LIF": ["tau", "r", "v_leak", "v_threshold"],
    "CubaLIF": ["tau_mem", "tau_syn", "r", "v_leak", "v_threshold", "w_in"],
    "LI": ["tau", "r", "v_leak"],
    "CubaLI": ["tau_mem", "tau_syn", "r", "v_leak", "w_in"],
    "I": ["r"],
}


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def fail(message):
    sys.stderr.write(f"read_nir_like_nir: {message}\n")
    sys.exit(1)


def read_node(group, path):
    node_type = text(group["type"][()])
    if node_type == "NIRGraph":
        nodes = {name: read_node(child, f"{path}/nodes/{name}") for name, child in group["nodes"].items()}
        raw = group["edges"][()]
        edges = [[text(a), text(b)] for a, b in np.asarray(raw).reshape(-1, 2)]
        for a, b in edges:
            for end in (a, b):
                if end not in nodes:
                    fail(f"{path}: edge {a} -> {b} names missing node {end}")
        return {"type": "NIRGraph", "nodes": nodes, "edges": edges}
    if node_type not in REQUIRED:
        fail(f"{path}: unknown node type {node_type}")
    fields = {}
    for key, dataset in group.items():
        if key == "type":
            continue
        value = np.asarray(dataset[()])
        if not np.issubdtype(value.dtype, np.number):
            fail(f"{path}/{key}: not numeric ({value.dtype})")
        if not np.all(np.isfinite(value)):
            fail(f"{path}/{key}: not finite")
        fields[key] = list(value.shape)
    missing = [k for k in REQUIRED[node_type] if k not in fields]
    if missing:
        fail(f"{path} ({node_type}): missing {', '.join(missing)}")
    return {"type": node_type, "fields": fields}


def main():
    with h5py.File(sys.argv[1], "r") as f:
        version = text(f["version"][()])
        graph = read_node(f["node"], "/node")
    json.dump({"version": version, "graph": graph}, sys.stdout, sort_keys=True)


main()
