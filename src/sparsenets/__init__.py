"""sparsenets: five theory results about sparsity in neural networks, as a reproducible paper."""

FAMILIES = ("diagonal",)
