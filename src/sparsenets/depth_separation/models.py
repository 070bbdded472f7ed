"""The learners, batched over seeds: parameters carry a leading seed axis S.

depth 2 (the source's learner): x ↦ σ(v·φ(x) + c) with a FIXED random first layer of sigmoid
units. Unit (i, j) reads one coordinate: h_ij(x) = σ(a_ij·√d·x_i/r + b_ij) − 1/2, k units per
coordinate, a ~ N(0, α²), b ~ N(0, β²); φ = h standardised by fixed constants (FixedLayer).
Sums of such units approximate Σ_i x_i² = ‖x‖², so the trained output unit only has to threshold
a linear function of the features: learning reduces to a single sigmoid neuron on random
features.

one hidden layer (the comparison): x ↦ Σ_j u_j act(w_j·x + b_j) + c, a single layer of
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


def depth2(phi, v, c):
    return torch.sigmoid(torch.bmm(phi, v[:, :, None])[..., 0] + c[:, None])


def shallow_init(gen, seeds, d, widths):
    """Every width in one batch (axis: width-major, then seed), padded to the largest width.

    Padded units are switched off by a fixed 0/1 mask in the forward pass, so they get zero
    gradients (GD and Adam leave them at zero) and each block trains exactly its own width.
    """
    m, B = max(widths), len(widths) * seeds
    mask = torch.zeros(B, m)
    for i, w in enumerate(widths):
        mask[i * seeds : (i + 1) * seeds, :w] = 1.0
    scale = torch.tensor([1.0 / math.sqrt(w) for w in widths]).repeat_interleave(seeds)
    params = {
        "W": torch.randn(B, d, m, generator=gen),
        "b": torch.randn(B, m, generator=gen),
        "u": torch.randn(B, m, generator=gen) * scale[:, None],
        "c": torch.zeros(B),
    }
    return params, mask


ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu}


def shallow(X, p, activation, mask):
    h = ACTIVATIONS[activation](torch.bmm(X, p["W"]) + p["b"][:, None])
    return torch.bmm(h, (p["u"] * mask)[:, :, None])[..., 0] + p["c"][:, None]


def depth2_params(d, k):
    """(trained, total): the output unit's d·k + 1, plus the fixed layer's 2dk."""
    return d * k + 1, 3 * d * k + 1


def shallow_params(d, m):
    return m * (d + 2) + 1, m * (d + 2) + 1


def shallow_width(d, budget, factor):
    """Hidden width whose parameter count is at least factor × budget."""
    return max(1, math.ceil((factor * budget - 1) / (d + 2)))
