"""L-BFGS against PyTorch: the same trajectories (fixed step and strong Wolfe), state layout, interop, errors."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import edutorch
from tests.optim._oracle import to_edutorch, to_torch

A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]], dtype=np.float32)
B = np.array([1.0, -2.0, 0.5], dtype=np.float32)
X = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6], [-0.7, 0.8, 0.9], [1.0, -1.1, 0.2]], dtype=np.float32)
Y = np.array([[0.3], [-0.5], [0.8], [0.1]], dtype=np.float32)


def _quadratic(lib, dtype):
    """f(x) = ½ xᵀAx - bᵀx: minimum at A⁻¹b."""
    x = lib.nn.Parameter(lib.tensor(np.ones(3, dtype)))
    a, b = lib.tensor(A.astype(dtype)), lib.tensor(B.astype(dtype))
    return [x], lambda: 0.5 * (x @ (a @ x)) - (b * x).sum()


def _rosenbrock(lib, dtype):
    """f(x, y) = (1 - x)² + 100 (y - x²)²: a curved valley, minimum at (1, 1)."""
    w = lib.nn.Parameter(lib.tensor(np.array([-1.5, 2.0], dtype)))
    return [w], lambda: (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


def _mlp(lib, dtype):
    """A 3-5-1 tanh network on four points, with fixed starting weights."""
    rng = np.random.default_rng(0)
    w1, b1 = rng.normal(0, 0.5, (5, 3)).astype(np.float32), rng.normal(0, 0.1, 5).astype(np.float32)
    w2, b2 = rng.normal(0, 0.5, (1, 5)).astype(np.float32), np.zeros(1, np.float32)
    model = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 1)).to(getattr(lib, dtype))
    with lib.no_grad():
        for p, v in zip(model.parameters(), (w1, b1, w2, b2)):
            p.copy_(lib.tensor(v.astype(dtype)))
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    return list(model.parameters()), lambda: ((model(x) - y) ** 2).mean()


PROBLEMS = {"quadratic": _quadratic, "rosenbrock": _rosenbrock, "mlp": _mlp}


def _run(lib, problem, steps, dtype="float32", **kwargs):
    """``steps`` calls of step(closure); returns params, optimizer, the returned losses, the parameters after
    each step and the number of closure calls."""
    params, f = PROBLEMS[problem](lib, dtype)
    opt = lib.optim.LBFGS(params, **kwargs)
    calls = []

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        calls.append(1)
        return loss

    losses, history = [], []
    for _ in range(steps):
        losses.append(opt.step(closure).item())
        history.append([p.detach().numpy().copy() for p in params])
    return params, opt, losses, history, len(calls)


CASES = [("quadratic", {}), ("quadratic", {"line_search_fn": "strong_wolfe"}),
         ("rosenbrock", {"lr": 0.002, "max_iter": 5}), ("rosenbrock", {"line_search_fn": "strong_wolfe"}),
         ("rosenbrock", {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 7}),
         ("mlp", {"lr": 0.5, "max_iter": 4}), ("mlp", {"line_search_fn": "strong_wolfe", "max_iter": 10}),
         ("mlp", {"line_search_fn": "strong_wolfe", "history_size": 2, "max_eval": 6})]


@pytest.mark.parametrize("problem,kwargs", CASES, ids=[f"{p}-{k}" for p, k in CASES])
def test_trajectory_matches_torch(torch, problem, kwargs):
    """Same starting weights and closure: the same losses, parameters, evaluation counts and state.

    Four steps (up to 80 inner iterations) in float64 match to ~1e-7: the same algorithm, decision for
    decision. In float32 the first step matches closely; later, near the minimum, the curvature pairs
    (differences of nearly equal gradients) amplify 1-ulp rounding differences, as they would between
    two PyTorch builds."""
    _, ours_opt, ours_losses, ours, ours_calls = _run(edutorch, problem, 4, "float64", **kwargs)
    _, theirs_opt, theirs_losses, theirs, theirs_calls = _run(torch, problem, 4, "float64", **kwargs)
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=1e-6, atol=1e-10)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            assert x.dtype == y.dtype == np.float64
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-8, err_msg=f"step {step + 1}")
    assert ours_calls == theirs_calls

    _, _, ours_losses32, ours32, _ = _run(edutorch, problem, 1, **kwargs)
    _, _, theirs_losses32, theirs32, _ = _run(torch, problem, 1, **kwargs)
    assert ours_losses32 == theirs_losses32  # the first evaluation: before any update
    for x, y in zip(ours32[0], theirs32[0]):
        assert x.dtype == y.dtype == np.float32
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)
    assert not np.allclose(ours[-1][0], ours[0][0]) or problem == "quadratic"  # it kept moving
    ours_state = ours_opt.state_dict()["state"][0]
    theirs_state = theirs_opt.state_dict()["state"][0]
    assert list(ours_state) == list(theirs_state)
    assert ours_state["func_evals"] == theirs_state["func_evals"] and ours_state["n_iter"] == theirs_state["n_iter"]
    for key in ("old_dirs", "old_stps", "ro"):
        assert len(ours_state[key]) == len(theirs_state[key])
    np.testing.assert_allclose(ours_state["d"].numpy(), theirs_state["d"].numpy(), rtol=1e-5, atol=1e-8)
    assert ours_opt.state_dict()["param_groups"] == theirs_opt.state_dict()["param_groups"]


def test_strong_wolfe_reaches_the_rosenbrock_minimum():
    """Rosenbrock's curved valley from (-1.5, 2): (1, 1) within five steps (100 iterations at most)."""
    params, _, losses, _, _ = _run(edutorch, "rosenbrock", 5, line_search_fn="strong_wolfe")
    np.testing.assert_allclose(params[0].detach().numpy(), [1.0, 1.0], atol=1e-3)
    assert losses[0] > 1 and 0 <= losses[-1] < 1e-6


def test_quadratic_reaches_the_exact_minimum():
    params, _, _, _, _ = _run(edutorch, "quadratic", 2, line_search_fn="strong_wolfe")
    np.testing.assert_allclose(params[0].detach().numpy(), np.linalg.solve(A, B), rtol=1e-4, atol=1e-5)


def _describe(state):
    """Each state entry's kind: type, dtype and shape (per element for the lists of tensors)."""
    def kind(v):
        if isinstance(v, list):
            return [kind(x) for x in v]
        if hasattr(v, "shape"):
            return (type(v).__name__, str(v.dtype).replace("torch.", ""), tuple(v.shape))
        return type(v).__name__
    return {k: kind(v) for k, v in state.items()}


def test_state_dict_layout_matches_torch(torch):
    ours = _run(edutorch, "mlp", 2, line_search_fn="strong_wolfe", history_size=4)[1].state_dict()
    theirs = _run(torch, "mlp", 2, line_search_fn="strong_wolfe", history_size=4)[1].state_dict()
    assert list(ours["state"]) == list(theirs["state"]) == [0]  # all state lives on the first parameter
    assert _describe(ours["state"][0]) == _describe(theirs["state"][0])
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["param_groups"][0]["max_eval"] == 25  # max_iter * 5 // 4


def test_repr_and_defaults_match_torch(torch):
    ours = edutorch.optim.LBFGS([edutorch.nn.Parameter(edutorch.zeros(2))])
    theirs = torch.optim.LBFGS([torch.nn.Parameter(torch.zeros(2))])
    assert repr(ours) == repr(theirs)
    assert ours.defaults == theirs.defaults


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_state_dict_moves_both_ways(torch, line_search_fn):
    """Three steps in one library, a checkpoint, three more in the other: same as continuing."""
    kwargs = {"line_search_fn": line_search_fn, "max_iter": 3, "lr": 1 if line_search_fn else 0.3}
    ours_p, ours_opt, _, _, _ = _run(edutorch, "mlp", 3, **kwargs)
    theirs_p, theirs_opt, _, _, _ = _run(torch, "mlp", 3, **kwargs)

    def continue_(lib, params, opt, steps=3):
        x, y = lib.tensor(X), lib.tensor(Y)

        def closure():
            opt.zero_grad()
            h = lib.tanh(x @ params[0].T + params[1]) @ params[2].T + params[3]
            loss = ((h - y) ** 2).mean()
            loss.backward()
            return loss
        for _ in range(steps):
            opt.step(closure)
        return [p.detach().numpy().copy() for p in params]

    fresh_p = [edutorch.nn.Parameter(edutorch.from_numpy(p.detach().numpy().copy())) for p in theirs_p]
    fresh = edutorch.optim.LBFGS(fresh_p, **kwargs)
    fresh.load_state_dict(to_edutorch(copy.deepcopy(theirs_opt.state_dict()), torch))
    fresh_tp = [torch.nn.Parameter(torch.from_numpy(p.detach().numpy().copy())) for p in ours_p]
    fresh_t = torch.optim.LBFGS(fresh_tp, **kwargs)
    fresh_t.load_state_dict(to_torch(copy.deepcopy(ours_opt.state_dict()), torch))
    for a, b in [(continue_(edutorch, fresh_p, fresh), continue_(torch, theirs_p, theirs_opt)),
                 (continue_(torch, fresh_tp, fresh_t), continue_(edutorch, ours_p, ours_opt))]:
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)


def _distance_to_one(opt, w):
    """The closure of a tiny problem: ‖w - 1‖²."""
    def closure():
        opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()
        return loss
    return closure


def test_stops_at_once_when_the_gradient_is_zero(torch):
    for lib in (edutorch, torch):
        w = lib.nn.Parameter(lib.tensor([1.0, 1.0]))
        opt = lib.optim.LBFGS([w])
        assert opt.step(_distance_to_one(opt, w)).item() == 0.0
        assert dict(opt.state[w]) == {"func_evals": 1, "n_iter": 0}


def test_errors_match_torch(torch):
    for lib in (edutorch, torch):
        a, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
        with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [a]}, {"params": [b]}])
        with pytest.raises(ValueError, match="Invalid learning rate: -1"):
            lib.optim.LBFGS([a], lr=-1)
        opt = lib.optim.LBFGS([a])
        with pytest.raises(TypeError):
            opt.step()  # the closure is required
        opt = lib.optim.LBFGS([a], line_search_fn="wolfe")
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(_distance_to_one(opt, a))


def test_parameters_without_gradient_and_the_shared_oracle(torch):
    """The optim tests' curved valley with three parameters, one of them unused (its gradient stays None:
    L-BFGS counts it as zeros and never moves it), as in PyTorch."""
    from tests.optim._oracle import make_params, objective

    finals = []
    for lib in (edutorch, torch):
        params = make_params(lib, "float64")
        opt = lib.optim.LBFGS(params, history_size=5, max_iter=8, line_search_fn="strong_wolfe")

        def closure(opt=opt, params=params):
            opt.zero_grad()
            loss = objective(params[0], params[1])
            loss.backward()
            return loss
        for _ in range(3):
            opt.step(closure)
        finals.append([p.detach().numpy().copy() for p in params])
        assert params[2].grad is None
    for ours, theirs in zip(*finals):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(finals[0][2], [3.0, -3.0])
