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


# Closed-form gradients of J = (1/n)Σ(f(x_i) − y_i)² + (λ/2)·decay, per member. Autograd spends
# most of a step re-reading and copying the (batch, n, width) activations (the einsum backward's
# permuted copies, the relu mask, the broadcast of v); these read them three times and allocate
# two such arrays. ReLU′(0) = 0, as autograd has it. tests/test_splines.py checks them against
# autograd and finite differences.


def shallow_grads(params, X, mask, skip, y, lam, work=None):
    """(mse, gradients in the order of `params`) of the shallow net's objective.

    Every product over the activations is written row vector × matrix, (1, n)·(n, width) or
    (1, width)·(width, n): torch's bmm runs those 4-6x faster than matrix × column vector.
    `work` (a dict kept across calls) holds the two (batch, n, width) arrays, so a step does not
    pay the kernel for fresh pages of them."""
    W, b, v, a, c = (params[k] for k in ("W", "b", "v", "a", "c"))
    work = {} if work is None else work
    shape = (*X.shape[:2], W.shape[1])
    if "h" not in work or work["h"].shape != shape:
        work.update(h=X.new_empty(shape), active=X.new_empty(shape))
    vm = v * mask
    if X.shape[-1] == 1:  # one input: an outer product, 8x faster than a bmm of inner size 1
        h = torch.addcmul(b[:, None, :], X, W.mT, out=work["h"])
    else:
        h = torch.baddbmm(b[:, None, :], X, W.mT, out=work["h"])
    h.clamp_min_(0)  # (batch, n, width)
    f = torch.bmm(vm[:, None, :], h.mT)[:, 0] + torch.bmm(a[:, None, :], X.mT)[:, 0] * skip[:, None]
    r = f + c[:, None] - y
    mse = (r * r).mean(-1)
    g = r * (2.0 / y.shape[-1])  # ∂mse/∂f
    lam = lam[:, None]
    grad_v = torch.bmm(g[:, None, :], h)[:, 0] * mask + lam * vm
    # Σ_i g_i·1{pre_ik > 0}·(1, x_i): the bias and input-weight gradients before the factor v_k.
    gx = torch.cat([g[..., None], g[..., None] * X], -1)
    through = torch.bmm(gx.mT, torch.sign(h, out=work["active"]))  # (batch, 1 + dim, width)
    grad_b = through[:, 0] * vm
    grad_W = through[:, 1:].mT * vm[..., None] + (lam * mask)[..., None] * W
    grad_a = torch.bmm(g[:, None, :], X)[:, 0] * skip[:, None]
    grads = {"W": grad_W, "b": grad_b, "v": grad_v, "a": grad_a, "c": g.sum(-1)}
    return mse, [grads[k] for k in params]


def deep_grads(params, X, skip, y, lam):
    """(mse, gradients in the order of `params`) of the deep net's objective.

    Activations are held feature-major, (batch, width, n): W·H then runs 1.5-2x faster in torch's
    bmm than the sample-major H·Wᵀ (forward and backward alike)."""
    depth, XT = deep_depth(params), X.mT
    hs = [XT]  # the input of each layer, (batch, features, n)
    for layer in range(depth - 1):
        pre = torch.baddbmm(params[f"b{layer}"][..., None], params[f"W{layer}"], hs[-1])
        hs.append(pre.clamp_min_(0))
    last = depth - 1
    out = torch.baddbmm(params[f"b{last}"][..., None], params[f"W{last}"], hs[-1])[:, 0]
    r = out + torch.bmm(params["a"][:, None, :], XT)[:, 0] * skip[:, None] - y
    mse = (r * r).mean(-1)
    g = r * (2.0 / y.shape[-1])
    lam = lam[:, None, None]
    grads = {"a": torch.bmm(g[:, None, :], X)[:, 0] * skip[:, None]}
    up = g[:, None, :]  # ∂mse/∂(pre-activations of the layer), (batch, out, n)
    for layer in range(last, -1, -1):
        w = params[f"W{layer}"]
        grads[f"W{layer}"] = torch.bmm(up, hs[layer].mT) + lam * w
        grads[f"b{layer}"] = up.sum(-1)
        if layer:
            up = torch.bmm(w.mT, up).mul_(torch.sign(hs[layer]))
    return mse, [grads[k] for k in params]
