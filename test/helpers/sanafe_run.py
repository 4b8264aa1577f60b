"""Runs a network of dense layers in SANA-FE itself (its Python package, `sanafe`) on its own Loihi architecture.

Usage: python3 sanafe_run.py network.json timesteps
network.json (written by test/simulator/sanafe-python.test.ts from a compiled program), in SANA-FE's units (the
chip's v / 64): {"layers": [{"name", "neurons", "bias": [...], "threshold", "leakDecay", "inputDecay",
"weights": [[source][target]] or null, "cores": [[tile, core] per neuron]}]}.
Prints one JSON object: energy (J), simple-model time (s), spikes, packets, neurons updated.
"""
import json
import sys

import sanafe


def main():
    network_file, timesteps = sys.argv[1], int(sys.argv[2])
    with open(network_file) as f:
        spec = json.load(f)
    arch = sanafe.load_loihi()
    net = sanafe.Network()
    groups = []
    for layer in spec["layers"]:
        group = net.create_neuron_group(layer["name"], layer["neurons"])
        for n, neuron in enumerate(group):
            neuron.set_attributes(
                soma_hw_name="loihi_lif",
                default_synapse_hw_name="loihi_dense_synapse",
                dendrite_hw_name="loihi_dendrites",
                model_attributes={
                    "threshold": layer["threshold"],
                    "reset": 0.0,
                    "reset_mode": "hard",
                    "leak_decay": layer["leakDecay"],
                    "input_decay": layer["inputDecay"],
                    "bias": layer["bias"][n],
                },
            )
            tile, core = layer["cores"][n]
            neuron.map_to_core(arch.tiles[tile].cores[core])
        groups.append(group)
    for l, layer in enumerate(spec["layers"]):
        if l == 0 or layer["weights"] is None:
            continue
        weights = [w for row in layer["weights"] for w in row]
        groups[l - 1].connect_neurons_dense(groups[l], {"weight": weights})
    chip = sanafe.SpikingChip(arch)
    chip.load(net)
    result = chip.sim(timesteps, timing_model="simple")
    print(json.dumps({
        "energyJ": result["energy"]["total"],
        "simTimeS": result["sim_time"],
        "spikes": result["spikes"],
        "packetsSent": result["packets_sent"],
        "neuronsUpdated": result["neurons_updated"],
        "neuronsFired": result["neurons_fired"],
    }))


if __name__ == "__main__":
    main()
