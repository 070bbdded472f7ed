"""Measures of one fitted model on the test sample, and the summaries the claims read.

mse       ||f_hat - f*||^2 in L2(P_x): the squared L2 error, by Monte Carlo on the test sample.
grad_err  E ||grad f_hat - grad f*||_2^2: the squared L2 error of all d partial derivatives.
I_j       E (d f_hat / d x_j)^2 (lasso: coef_j^2); selection ranks the I_j.
tpr       |top-s of I| intersected with the support, over s; exact: tpr == 1.
auc       P(I_j > I_k) for j relevant, k irrelevant (ties count one half): the ranking's AUC.
"""

import numpy as np

S = 5


def auc(importance, support_size: int = S) -> float:
    """Mann-Whitney AUC of relevant (the first `support_size`) against irrelevant inputs."""
    imp = np.asarray(importance, dtype=float)
    rel, irr = imp[:support_size], imp[support_size:]
    greater = (rel[:, None] > irr[None, :]).sum()
    ties = (rel[:, None] == irr[None, :]).sum()
    return float((greater + 0.5 * ties) / (rel.size * irr.size))


def tpr(importance, support_size: int = S) -> float:
    """Share of the support among the `support_size` largest importances (stable order)."""
    top = np.argsort(-np.asarray(importance, dtype=float), kind="stable")[:support_size]
    return float(np.sum(top < support_size) / support_size)


def measures(pred, grad, f_true, g_true) -> dict:
    """Every measure of one model from its test predictions (N,) and input gradients (N, d)."""
    if not (np.all(np.isfinite(pred)) and np.all(np.isfinite(grad))):
        return {"diverged": 1.0}
    importance = np.mean(grad**2, axis=0)
    err = np.mean((grad - g_true) ** 2, axis=0)
    out = {
        "diverged": 0.0,
        "mse": float(np.mean((pred - f_true) ** 2)),
        "grad_err": float(err.sum()),
        "grad_err_irrelevant": float(err[S:].sum()),
        "tpr": tpr(importance),
        "auc": auc(importance),
    }
    out["exact"] = float(out["tpr"] == 1.0)
    for j in range(S):
        out[f"grad_err_{j + 1}"] = float(err[j])
        out[f"imp_{j + 1}"] = float(importance[j])
    out["imp_irr_max"] = float(importance[S:].max())
    out["imp_irr_median"] = float(np.median(importance[S:]))
    return out
