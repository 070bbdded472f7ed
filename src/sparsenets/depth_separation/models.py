"""The learners, batched: parameters carry a leading batch axis (runs: step size × trial, …).

depth 2 (the source's learner, as its abstract fixes it: two layers of sigmoid units, the hidden
layer fixed, GD on the rest): x ↦ σ(v·φ(x) + c) with a FIXED random first layer of sigmoid units.
Our reading where the abstract is silent: unit (i, j) reads one coordinate,
h_ij(x) = σ(a_ij·√d·x_i/r + b_ij) − 1/2, k units per coordinate, a ~ N(0, α²), b ~ N(0, β²);
φ = h standardised by fixed constants (FixedLayer: an affine map the output unit could absorb, so
the network class is unchanged and GD becomes a preconditioned GD).
Sums of such units approximate Σ_i x_i² = ‖x‖², so the trained output unit only has to threshold
a linear function of the features: learning reduces to a single sigmoid neuron on random
features. Its gradient is written out (depth2_grad) and tested against finite differences.

ablation: the same fixed features with a linear readout (no output non-linearity), trained by
the same full-batch GD.

one hidden layer (the baselines): x ↦ Σ_j u_j act(w_j·x + b_j) + c, a single layer of
non-linearities, act = sigmoid or ReLU, every parameter trained; w ~ N(0, I), b ~ N(0, 1),
u ~ N(0, 1/m), c = 0. Float32 throughout: errors of interest are ≥ 1e-3, far above its precision.
"""

import math

import torch


def fixed_layer(gen, seeds, d, k, *, weight_scale, bias_scale, radius):
    a = torch.randn(seeds, d, k, generator=gen) * weight_scale * math.sqrt(d) / radius
    b = torch.randn(seeds, d, k, generator=gen) * bias_scale
    return a, b


def features(X, a, b):
    """X (S, n, d), a and b (S, d, k) → φ (S, n, d·k)."""
    S, n, d = X.shape
    k = a.shape[-1]
    h = torch.sigmoid(X[..., None] * a[:, None] + b[:, None]) - 0.5
    return h.reshape(S, n, d * k)


class FixedLayer:
    """φ(x), standardised by constants fixed at initialisation (the training features' mean and
    standard deviation per unit), then scaled by 1/√(dk): plain GD on the output unit is then
    well conditioned. Nothing here is trained."""

    def __init__(self, a, b, X_train):
        self.a, self.b = a, b
        h = features(X_train, a, b)
        self.mean = h.mean(dim=1, keepdim=True)
        self.scale = (h.std(dim=1, keepdim=True) + 1e-6) * math.sqrt(h.shape[-1])

    def __call__(self, X):
        return (features(X, self.a, self.b) - self.mean) / self.scale


def depth2(phi, v, c, link="sigmoid"):
    """phi (S, n, p), v (S, p, L), c (S, L) → outputs (S, n, L): L output units per trial;
    link "sigmoid" is the source's output unit, "linear" the ablation's readout."""
    z = torch.bmm(phi, v) + c[:, None]
    return torch.sigmoid(z) if link == "sigmoid" else z


def depth2_loss(phi, y, v, c, link="sigmoid"):
    """Mean squared error per (trial, output unit): (S, L)."""
    return ((depth2(phi, v, c, link) - y[..., None]) ** 2).mean(dim=1)


def depth2_grad(phi, y, v, c, link="sigmoid"):
    """(∂loss/∂v, ∂loss/∂c) of depth2_loss, each output unit's own."""
    out = depth2(phi, v, c, link)
    dz = 2.0 * (out - y[..., None]) / phi.shape[1]
    if link == "sigmoid":
        dz = dz * out * (1.0 - out)
    return torch.bmm(phi.transpose(1, 2), dz), dz.sum(dim=1)


def shallow_init(gen, rows, d, widths):
    """Every width in one batch (axis: width-major, then `rows`), padded to the largest width.

    Padded units are switched off by a fixed 0/1 mask in the forward pass, so they get zero
    gradients (SGD leaves them at zero) and each block trains exactly its own width.
    """
    m, B = max(widths), len(widths) * rows
    mask = torch.zeros(B, m)
    for i, w in enumerate(widths):
        mask[i * rows : (i + 1) * rows, :w] = 1.0
    scale = torch.tensor([1.0 / math.sqrt(w) for w in widths]).repeat_interleave(rows)
    params = {
        "W": torch.randn(B, d, m, generator=gen),
        "b": torch.randn(B, m, generator=gen),
        "u": torch.randn(B, m, generator=gen) * scale[:, None],
        "c": torch.zeros(B),
    }
    return params, mask


ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu}
# autograd's own backward kernels of the activations, given the grad and the activation's output
BACKWARD = {
    "sigmoid": lambda grad, h: torch.ops.aten.sigmoid_backward(grad, h),
    "relu": lambda grad, h: torch.ops.aten.threshold_backward(grad, h, 0),
}


def shallow(X, p, activation, mask):
    """X (R, n, d) → outputs (R, n); `mask` switches off padded units."""
    h = ACTIVATIONS[activation](torch.bmm(X, p["W"]) + p["b"][:, None])
    return torch.bmm(h, (p["u"] * mask)[:, :, None])[..., 0] + p["c"][:, None]


def shallow_sgd_step(X, y, p, activation, mask, lr, diverged):
    """One SGD step on each row's mean squared error, in place.

    Rows that are or become non-finite (`diverged`, updated) get a zero gradient, so their NaNs
    reach no other row. The gradients are autograd's through `shallow`, written out with its
    operations in its order, so it equals `autograd_sgd_step` to the bit (a test checks), which
    keeps a graph and fresh buffers per step: 1.1-1.8x slower (benchmarks/)."""
    W, b, u, c = p["W"], p["b"], p["u"], p["c"]
    um = u * mask
    h = ACTIVATIONS[activation](torch.bmm(X, W) + b[:, None])
    out = torch.bmm(h, um[:, :, None])[..., 0] + c[:, None]
    diff = out - y
    diverged |= ~torch.isfinite((diff**2).mean(dim=1))
    g = torch.where(diverged, 0.0, 1.0)[:, None].expand_as(out) / out.shape[1] * (2 * diff)
    gz = BACKWARD[activation](torch.bmm(g[..., None], um[:, None, :]), h)
    grads = (
        (W, torch.bmm(X.transpose(1, 2), gz)),
        (b, gz.sum(dim=1)),
        (u, torch.bmm(h.transpose(1, 2), g[..., None])[..., 0] * mask),
        (c, g.sum(dim=1)),
    )
    for v, grad in grads:
        v -= lr.reshape(-1, *[1] * (v.dim() - 1)) * grad


def autograd_sgd_step(X, y, p, activation, mask, lr, diverged):
    """The same step by autograd through `shallow` (the previous implementation): the reference
    `shallow_sgd_step` is tested and benchmarked against."""
    for v in p.values():
        v.requires_grad_(True)
    loss = ((shallow(X, p, activation, mask) - y) ** 2).mean(dim=1)
    diverged |= ~torch.isfinite(loss)
    torch.where(diverged, 0.0, loss).sum().backward()
    with torch.no_grad():
        for v in p.values():
            v -= lr.reshape(-1, *[1] * (v.dim() - 1)) * v.grad
            v.grad = None
            v.requires_grad_(False)


def depth2_params(d, k):
    """(trained, total): the output unit's d·k + 1, plus the fixed layer's 2dk."""
    return d * k + 1, 3 * d * k + 1


def shallow_params(d, m):
    return m * (d + 2) + 1
