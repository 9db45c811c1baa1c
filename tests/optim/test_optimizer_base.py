"""The Optimizer base class: param groups, defaults, state, zero_grad, closure, errors, state_dict layout."""
from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import edutorch
from tests.optim._oracle import make_params, objective, train


def _both(torch):
    return [(edutorch, make_params(edutorch)), (torch, make_params(torch))]


def test_defaults_state_and_param_groups_like_torch(torch):
    for lib, params in _both(torch):
        opt = lib.optim.SGD(params, lr=0.1, momentum=0.9)
        assert opt.defaults == dict(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=False,
                                    maximize=False, foreach=None, differentiable=False, fused=None)
        assert len(opt.param_groups) == 1 and opt.param_groups[0]["params"] == params or lib is torch
        assert all(a is b for a, b in zip(opt.param_groups[0]["params"], params))
        assert len(opt.state) == 0
        train(lib, params, opt, 1)
        # state is keyed by the parameter tensor itself; u (no gradient) gets none
        assert set(map(id, opt.state)) == {id(params[0]), id(params[1])}
        assert list(opt.state[params[0]]) == ["momentum_buffer"]


def test_repr_matches_torch(torch):
    texts = []
    for lib, params in _both(torch):
        opt = lib.optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.1}], weight_decay=0.01)
        texts.append(repr(opt))
    assert texts[0] == texts[1]


def test_group_hyperparameters_override_defaults(torch):
    """The fine-tuning pattern: one group at the default lr, another at its own."""
    groups = []
    for lib, (w, b, u) in _both(torch):
        opt = lib.optim.SGD([{"params": [w]}, {"params": [b, u], "lr": 1e-2, "momentum": 0.5}], lr=1e-3)
        groups.append([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups])
        assert opt.param_groups[1]["lr"] == 1e-2 and opt.param_groups[0]["lr"] == 1e-3
    assert groups[0] == groups[1]


def test_add_param_group_later(torch):
    sds = []
    for lib, (w, b, u) in _both(torch):
        opt = lib.optim.Adam([w], lr=0.01)
        opt.add_param_group({"params": b, "lr": 0.5})  # a single tensor is accepted
        train(lib, [w, b, u], opt, 2)
        sds.append(opt.state_dict())
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [w]})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([u])
    assert sds[0]["param_groups"] == sds[1]["param_groups"]
    assert sds[0]["param_groups"][1]["params"] == [1]


def test_named_parameters_keep_their_names(torch):
    sds = []
    for lib, (w, b, u) in _both(torch):
        opt = lib.optim.SGD([("w", w), ("b", b)], lr=0.1)
        sds.append(opt.state_dict()["param_groups"])
    assert sds[0] == sds[1] and sds[0][0]["param_names"] == ["w", "b"]


def test_errors_match_torch(torch):
    """Same exception type and message as PyTorch for each misuse."""
    def errors(lib):
        w, b, u = make_params(lib)
        nonleaf = w * 2
        cases = [
            lambda: lib.optim.SGD([], lr=0.1),                                   # empty list
            lambda: lib.optim.SGD(iter([]), lr=0.1),                             # empty generator
            lambda: lib.optim.SGD([{"params": [w]}, {"params": [w, b]}], lr=0.1),  # one param in two groups
            lambda: lib.optim.SGD([w], lr=-0.1),                                 # negative lr
            lambda: lib.optim.SGD([nonleaf], lr=0.1),                            # a computed tensor
            lambda: lib.optim.SGD(w, lr=0.1),                                    # a tensor, not an iterable
            lambda: lib.optim.SGD([{"params": {w, b}}], lr=0.1),                 # a set: no fixed order
            lambda: lib.optim.SGD([w, 3.0], lr=0.1),                             # not a tensor
        ]
        out = []
        for case in cases:
            with pytest.raises(Exception) as info:
                case()
            out.append((type(info.value), str(info.value).replace("torch.", "").replace("edutorch.", "")))
        return out

    ours, theirs = errors(edutorch), errors(torch)
    for (ours_type, ours_msg), (theirs_type, theirs_msg) in zip(ours, theirs):
        assert ours_type is theirs_type, (ours_msg, theirs_msg)
    assert [m for _, m in ours] == [m for _, m in theirs]
    assert ours[0][1] == "optimizer got an empty parameter list"
    assert ours[2][1] == "some parameters appear in more than one parameter group"
    assert ours[3][1] == "Invalid learning rate: -0.1"
    assert ours[4][1] == "can't optimize a non-leaf Tensor"


def test_retain_grad_nonleaf_is_allowed():
    w = make_params(edutorch)[0] * 1.0
    w.retain_grad()
    edutorch.optim.SGD([w], lr=0.1)


def test_a_generator_is_read_once(torch):
    for lib, params in _both(torch):
        gen = (p for p in params)
        opt = lib.optim.SGD(gen, lr=0.1)
        assert len(opt.param_groups[0]["params"]) == 3
        assert list(gen) == []  # consumed exactly once, by the constructor


def test_duplicate_parameter_in_a_group_warns(torch):
    for lib, (w, b, u) in _both(torch):
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([w, w], lr=0.1)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(torch, set_to_none):
    for lib, (w, b, u) in _both(torch):
        opt = lib.optim.SGD([w, b, u], lr=0.1)
        objective(w, b).backward()
        grad_w = w.grad
        opt.zero_grad(set_to_none=set_to_none)
        assert u.grad is None
        if set_to_none:
            assert w.grad is None and b.grad is None
        else:
            assert w.grad is grad_w  # the same tensor, filled with zeros
            assert np.all(w.grad.numpy() == 0) and np.all(b.grad.numpy() == 0)
            assert not w.grad.requires_grad
    # default is set_to_none=True, as in PyTorch 2
    w, b, u = make_params(edutorch)
    objective(w, b).backward()
    edutorch.optim.SGD([w], lr=0.1).zero_grad()
    assert w.grad is None


def test_step_skips_parameters_without_grad_and_bumps_version():
    w, b, u = make_params(edutorch)
    opt = edutorch.optim.Adam([w, b, u], lr=0.1)
    objective(w, b).backward()
    version = w._version
    u_before = u.detach().numpy().copy()
    opt.step()
    assert w._version == version + 1
    np.testing.assert_array_equal(u.detach().numpy(), u_before)
    assert u not in opt.state


def test_closure_runs_with_grad_enabled_and_returns_loss(torch):
    results = []
    for lib, (w, b, u) in _both(torch):
        opt = lib.optim.SGD([w, b], lr=0.01, momentum=0.9)
        calls = []

        def closure():
            opt.zero_grad()
            loss = objective(w, b)
            loss.backward()
            calls.append(lib.is_grad_enabled())
            return loss

        with lib.no_grad():  # PyTorch turns grad on for the closure
            losses = [float(opt.step(closure)) for _ in range(5)]
        assert calls == [True] * 5
        assert opt.step() is None
        results.append((losses, w.detach().numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)


def test_state_dict_layout_matches_torch(torch):
    """Parameters by index, counted across groups; state keyed by the same indices; groups as dicts."""
    sds = []
    for lib, (w, b, u) in _both(torch):
        opt = lib.optim.Adam([{"params": [w, u]}, {"params": [b], "lr": 0.3, "amsgrad": True}], lr=0.01)
        train(lib, [w, b, u], opt, 3)
        sds.append(opt.state_dict())
    ours, theirs = sds
    assert ours.keys() == theirs.keys() == {"state", "param_groups"}
    assert ours["param_groups"] == theirs["param_groups"]
    assert [g["params"] for g in ours["param_groups"]] == [[0, 1], [2]]
    assert sorted(ours["state"]) == sorted(theirs["state"]) == [0, 2]
    for index in theirs["state"]:
        assert list(ours["state"][index]) == list(theirs["state"][index])  # same keys, same order


def test_load_state_dict_errors_like_torch(torch):
    for lib in (edutorch, torch):
        w, b, u = make_params(lib)
        sd = lib.optim.SGD([w, b], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="different number of parameter groups"):
            lib.optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            lib.optim.SGD([w, b, u], lr=0.1).load_state_dict(sd)


def test_load_state_dict_restores_hyperparameters_and_state():
    w, b, u = make_params(edutorch)
    opt = edutorch.optim.SGD([w, b], lr=0.1, momentum=0.9)
    train(edutorch, [w, b, u], opt, 2)
    sd = copy.deepcopy(opt.state_dict())
    sd["param_groups"][0]["lr"] = 0.25
    fresh = edutorch.optim.SGD(make_params(edutorch)[:2], lr=0.1, momentum=0.9)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["lr"] == 0.25
    new_w = fresh.param_groups[0]["params"][0]
    buf = fresh.state[new_w]["momentum_buffer"]
    np.testing.assert_array_equal(buf.numpy(), sd["state"][0]["momentum_buffer"].numpy())


def test_load_state_dict_shares_state_tensors_as_torch(torch):
    """PyTorch moves loaded state with .to(), which returns the same tensor when nothing changes: two
    optimizers loaded from one live state_dict share buffers (and with the optimizer it came from),
    so they train differently from optimizers loaded from copies. edutorch does the same."""
    runs = {}
    for lib in (edutorch, torch):
        p = lib.nn.Parameter(lib.ones(3))
        source = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        p.grad = lib.ones(3)
        source.step()
        live = source.state_dict()
        params = [lib.nn.Parameter(lib.ones(3)) for _ in range(4)]
        opts = [lib.optim.SGD([q], lr=0.1, momentum=0.9) for q in params]
        opts[0].load_state_dict(live)
        opts[1].load_state_dict(live)
        opts[2].load_state_dict(copy.deepcopy(live))
        opts[3].load_state_dict(copy.deepcopy(live))
        shared = opts[0].state[params[0]]["momentum_buffer"]
        assert shared is opts[1].state[params[1]]["momentum_buffer"]
        assert shared is source.state[p]["momentum_buffer"]
        assert opts[2].state[params[2]]["momentum_buffer"] is not opts[3].state[params[3]]["momentum_buffer"]
        for q, opt in zip(params, opts):
            q.grad = lib.ones(3)
            opt.step()
        runs[lib.__name__] = [q.detach().numpy().copy() for q in params]
    for ours, theirs in zip(runs["edutorch"], runs["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    shared_first, shared_second, copy_first, copy_second = runs["edutorch"]
    assert not np.allclose(shared_first, shared_second)   # the second step saw the first's buffer
    np.testing.assert_array_equal(copy_first, copy_second)


def test_load_state_dict_casts_state_to_parameter_dtype():
    w = edutorch.nn.Parameter(edutorch.ones(3))
    sd = {"state": {0: {"step": edutorch.tensor(4.0), "exp_avg": edutorch.ones(3, dtype=edutorch.float64),
                        "exp_avg_sq": edutorch.ones(3, dtype=edutorch.float64)}},
          "param_groups": [dict(edutorch.optim.Adam([w]).param_groups[0], params=[0])]}
    opt = edutorch.optim.Adam([w])
    opt.load_state_dict(sd)
    assert opt.state[w]["exp_avg"].dtype == edutorch.float32
    assert opt.state[w]["step"].dtype == edutorch.float32


def test_optimizer_pickles_with_its_state():
    w, b, u = make_params(edutorch)
    opt = edutorch.optim.Adam([w, b], lr=0.1)
    train(edutorch, [w, b, u], opt, 2)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.param_groups[0]["lr"] == 0.1 and len(clone.state) == 2


def test_no_warnings_in_a_normal_loop():
    w, b, u = make_params(edutorch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = edutorch.optim.AdamW([w, b, u], lr=0.1)
        sched = edutorch.optim.lr_scheduler.StepLR(opt, 2)
        train(edutorch, [w, b, u], opt, 4, scheduler=sched)
