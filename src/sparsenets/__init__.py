"""sparsenets: five theory results about sparsity in neural networks, as a reproducible paper."""

# The result families, in the order of the paper: package folder, rule file, results folder and
# config section all carry these names.
FAMILIES = ("diagonal", "sparse_dnn", "depth_separation", "phase_transition", "splines")
