"""Batched ReLU networks: a leading batch dimension holds trials × λ × width × skip variants.

Members never interact: the loss is a sum over members, so autograd gives each its own gradient,
and Adam / gradient descent act elementwise. Weight decay covers the weights only; the biases and
the skip connection (affine part a·x + c) are not regularised, as in the source papers.
"""

import torch


def init_shallow(gen, batch, width, dim, widths, init_scale, knot_range, dtype=torch.float64):
    """Two-layer net per member; neurons beyond the member's width are masked (always zero).

    Knots -b/|w| (hyperplanes) start uniform in `knot_range`, input weights unit-norm Gaussian
    directions, output weights N(0, init_scale²): a small function at the start.
    """
    u = torch.randn(batch, width, dim, generator=gen, dtype=dtype)
    u = u / u.norm(dim=-1, keepdim=True)
    t = (torch.rand(batch, width, generator=gen, dtype=dtype) * 2 - 1) * knot_range
    v = torch.randn(batch, width, generator=gen, dtype=dtype) * init_scale
    mask = (torch.arange(width)[None, :] < torch.as_tensor(widths)[:, None]).to(dtype)
    params = {
        "W": u * mask[..., None],
        "b": -t * mask,
        "v": v * mask,
        "a": torch.zeros(batch, dim, dtype=dtype),
        "c": torch.zeros(batch, dtype=dtype),
    }
    return params, mask


def shallow(params, X, mask, skip):
    """f(x) = Σ_k v_k σ(w_k·x + b_k) + skip·a·x + c, for X of shape (batch, n, dim)."""
    pre = torch.einsum("bnd,bkd->bnk", X, params["W"]) + params["b"][:, None, :]
    out = torch.einsum("bnk,bk->bn", torch.relu(pre), params["v"] * mask)
    linear = torch.einsum("bnd,bd->bn", X, params["a"]) * skip[:, None]
    return out + linear + params["c"][:, None]


def shallow_decay(params, mask):
    """Σ_k (v_k² + ‖w_k‖²) per member (masked neurons excluded)."""
    return ((params["v"] ** 2 + (params["W"] ** 2).sum(-1)) * mask).sum(-1)


def init_deep(gen, batch, depth, dim, width, dtype=torch.float64):
    """depth weight matrices dim → width → … → width → 1, He-initialised; biases zero."""
    sizes = [dim] + [width] * (depth - 1) + [1]
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        w = torch.randn(batch, n_out, n_in, generator=gen, dtype=dtype) * (2.0 / n_in) ** 0.5
        params[f"W{layer}"] = w
        params[f"b{layer}"] = torch.zeros(batch, n_out, dtype=dtype)
    params["a"] = torch.zeros(batch, dim, dtype=dtype)
    return params


def deep_depth(params) -> int:
    return sum(1 for k in params if k.startswith("W"))


def deep(params, X, skip):
    """Fully connected ReLU net plus an optional unregularised linear skip, X: (batch, n, dim)."""
    depth = deep_depth(params)
    h = X
    for layer in range(depth):
        h = torch.einsum("bni,boi->bno", h, params[f"W{layer}"]) + params[f"b{layer}"][:, None]
        if layer < depth - 1:
            h = torch.relu(h)
    linear = torch.einsum("bnd,bd->bn", X, params["a"]) * skip[:, None]
    return h[..., 0] + linear


def deep_decay(params):
    return sum((params[f"W{i}"] ** 2).sum((-1, -2)) for i in range(deep_depth(params)))
