"""``LBFGS``: a quasi-Newton method that learns the curvature from its last few steps.

Unlike SGD or Adam, one ``step(closure)`` runs a whole inner optimisation (up to ``max_iter``
iterations), re-evaluating the loss through the closure as often as it needs.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _check_lr

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    r"""L-BFGS (limited-memory Broyden–Fletcher–Goldfarb–Shanno), as in PyTorch (after minFunc).

    All parameters are seen as one flat vector x with gradient g. Newton's method would step by
    -H⁻¹g; BFGS builds an estimate of H⁻¹ from the pairs it has seen,

        s_k = x_{k+1} - x_k   (a step),      y_k = g_{k+1} - g_k   (how the gradient changed),

    and L-BFGS keeps only the last ``history_size`` pairs, never the matrix. The direction
    d = -H⁻¹g comes from the **two-loop recursion** (ρ_i = 1 / (y_iᵀ s_i))::

        q ← -g
        for i = newest … oldest:   α_i ← ρ_i s_iᵀ q;    q ← q - α_i y_i
        r ← γ q,   γ = y_newᵀ s_new / y_newᵀ y_new          (H_diag: the scale of H⁻¹)
        for i = oldest … newest:   β_i ← ρ_i y_iᵀ r;    r ← r + (α_i - β_i) s_i
        d ← r

    A pair is stored only when y_iᵀ s_i > 1e-10 (the curvature is positive, so H⁻¹ stays positive
    definite). The first iteration has no pairs: d = -g with step t = min(1, 1/‖g‖₁)·lr.

    Each iteration then moves x ← x + t d, with t = lr, or, with ``line_search_fn='strong_wolfe'``,
    a t that satisfies the strong Wolfe conditions (enough decrease, and a flat enough slope)::

        f(x + t d) ≤ f(x) + c₁ t gᵀd,       |g(x + t d)ᵀd| ≤ c₂ |gᵀd|       (c₁ = 1e-4, c₂ = 0.9)

    The inner loop stops after ``max_iter`` iterations or ``max_eval`` closure calls, or when
    max|g| ≤ ``tolerance_grad``, or when the step or the change in loss is below ``tolerance_change``.

    Args:
        params (iterable): parameters to optimize (one group only: L-BFGS has no per-group options).
        lr (float): learning rate: the step length t (default: 1).
        max_iter (int): maximal number of iterations per ``step`` (default: 20).
        max_eval (int, optional): maximal number of closure evaluations per ``step``
            (default: ``max_iter * 5 // 4``).
        tolerance_grad (float): stop when every |gradient entry| is at most this (default: 1e-7).
        tolerance_change (float): stop when the step or the loss changes by less (default: 1e-9).
        history_size (int): how many (s, y) pairs to remember (default: 100).
        line_search_fn (str, optional): ``None`` (a fixed step) or ``'strong_wolfe'`` (default: None).

    Example:
        >>> optimizer = torch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     optimizer.zero_grad()
        ...     loss = loss_fn(model(input), target)
        ...     loss.backward()
        ...     return loss
        >>> optimizer.step(closure)

    State (kept on the first parameter): ``func_evals``, ``n_iter`` (totals over all steps), ``d``,
    ``t`` (the last direction and step), ``old_dirs`` (the y's), ``old_stps`` (the s's), ``ro`` (the ρ's),
    ``al`` (the α's), ``H_diag`` (γ), ``prev_flat_grad``, ``prev_loss``.
    """

    def __init__(self, params, lr: float | Tensor = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    # ------------------------------------------------------------------ all parameters as one vector
    @property
    def _params(self) -> list[Tensor]:
        return self.param_groups[0]["params"]

    def _gather_flat_grad(self) -> np.ndarray:
        """g: every parameter's gradient flattened and joined (zeros for a parameter without one)."""
        return np.concatenate([p.grad._data.reshape(-1) if p.grad is not None else np.zeros(p.numel(), p._data.dtype)
                               for p in self._params])

    def _add_grad(self, t, d: np.ndarray) -> None:
        """x ← x + t d, written into each parameter's slice of the flat vector."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p._data += t * d[offset:offset + n].reshape(p.shape)
            p._bump_version()
            offset += n

    def _directional_evaluate(self, closure: Callable, x: list[np.ndarray], t, d: np.ndarray):
        """f(x + t d) and its gradient, then put the parameters back to x (what the line search probes)."""
        self._add_grad(t, d)
        loss = float(self._evaluate_closure(closure))
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p._data[...] = saved
            p._bump_version()
        return loss, flat_grad

    # ------------------------------------------------------------------ the algorithm
    @staticmethod
    def _two_loop_direction(flat_grad, old_dirs, old_stps, ro, H_diag, al) -> np.ndarray:
        """d = -H⁻¹g by the two-loop recursion (class docstring); fills ``al`` with the α's."""
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):  # newest to oldest
            al[i] = np.dot(old_stps[i], q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * H_diag
        for i in range(len(old_dirs)):  # oldest to newest
            be_i = np.dot(old_dirs[i], r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r

    def step(self, closure: Callable):
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss of the closure's first evaluation.

        Args:
            closure (callable): clears the gradients, computes the loss, calls ``backward()`` on it and
                returns it. Required: L-BFGS evaluates the loss several times per step.
        """
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        lr = lr.item() if isinstance(lr, Tensor) else lr  # a 1-element tensor lr is allowed
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]  # one state for the whole flat vector
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._evaluate_closure(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss

        d, t, H_diag = _array(state.get("d")), _array(state.get("t")), _array(state.get("H_diag"))
        old_dirs, old_stps, ro = (_arrays(state.get(key)) for key in ("old_dirs", "old_stps", "ro"))
        prev_flat_grad, prev_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")

        n_iter, opt_cond = 0, False
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # 1. the direction: steepest descent at first, then the two-loop recursion
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = np.dot(y, s)
                if ys > 1e-10:  # keep the pair only when the curvature is positive
                    if len(old_dirs) == history_size:  # forget the oldest pair
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / np.dot(y, y)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = _arrays(state["al"])
                d = self._two_loop_direction(flat_grad, old_dirs, old_stps, ro, H_diag, al)
                state["al"] = _tensors(al)

            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # 2. the step length: a cautious first step, then lr
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = np.dot(flat_grad, d)  # the slope along d
            if gtd > -tolerance_change:  # d is not a descent direction any more
                break

            # 3. move: a strong-Wolfe line search, or a fixed step and one more evaluation
            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._data.copy() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:  # the next step() evaluates the last point anyway
                    loss = float(self._evaluate_closure(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # 4. stop?
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # the step is tiny
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss stopped changing
                break

        state.update(d=_tensor(d), t=_tensor(t), old_dirs=_tensors(old_dirs), old_stps=_tensors(old_stps),
                     ro=_tensors(ro), H_diag=_tensor(H_diag), prev_flat_grad=_tensor(prev_flat_grad),
                     prev_loss=prev_loss)
        return orig_loss


# ---------------------------------------------------------------------- state: tensors outside, arrays inside
def _array(value):
    """A state entry as the algorithm uses it: a tensor's array (a 0-d one as a NumPy scalar), else as is."""
    if isinstance(value, Tensor):
        return value._data[()] if value.ndim == 0 else value._data
    return value


def _arrays(values):
    return None if values is None else [_array(v) for v in values]


def _tensor(value):
    """A state entry as PyTorch stores it: NumPy arrays and scalars become tensors, Python numbers stay."""
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor._make(np.array(value, copy=True))
    return value


def _tensors(values):
    return None if values is None else [_tensor(v) for v in values]


# ---------------------------------------------------------------------- the strong-Wolfe line search
def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to ``bounds``
    (default: the interval between x1 and x2); the midpoint when the cubic has no minimum."""
    xmin_bound, xmax_bound = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find t with f(x+td) ≤ f + c₁ t gᵀd and |g(x+td)ᵀd| ≤ c₂|gᵀd| (Nocedal & Wright, Alg. 3.5 and 3.6).

    Phase 1 (bracketing) grows t until an interval [lo, hi] surely holds such a point; phase 2 (zoom)
    shrinks the interval by cubic interpolation. Returns ``(f_new, g_new, t, evaluations)``.
    """
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals, ls_iter = 1, 0
    gtd_new = np.dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    while ls_iter < max_ls:
        too_far = f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev)  # not enough decrease
        if not too_far and abs(gtd_new) <= -c2 * gtd:  # both conditions hold: done
            bracket, bracket_f, bracket_g, done = [t], [f_new], [g_new], True
            break
        if too_far or gtd_new >= 0:  # too far, or the slope turned up: [t_prev, t] holds a good point
            bracket, bracket_f, bracket_g = [t_prev, t], [f_prev, f_new], [g_prev, g_new]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        # still going down: extrapolate to a longer step
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    insuf_progress = False
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:  # the interval is too small
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        t, insuf_progress = _keep_away_from_ends(t, bracket, insuf_progress)
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:  # not enough decrease: new hi
            bracket[high_pos], bracket_f[high_pos], bracket_g[high_pos] = t, f_new, g_new
            bracket_gtd[high_pos] = gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:  # the minimum is behind lo
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos], bracket_g[low_pos] = t, f_new, g_new  # new lo
            bracket_gtd[low_pos] = gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def _keep_away_from_ends(t, bracket, insuf_progress):
    """Zoom safeguard: a t within 10% of an end of the bracket is moved 10% inside it, unless the last
    trial already made progress there (then it may stay once)."""
    lo, hi = min(bracket), max(bracket)
    eps = 0.1 * (hi - lo)
    if min(hi - t, t - lo) < eps:
        if insuf_progress or t >= hi or t <= lo:
            t = hi - eps if abs(t - hi) < abs(t - lo) else lo + eps
            return t, False
        return t, True
    return t, False
