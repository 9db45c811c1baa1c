"""Every optimizer against PyTorch: trajectories over many steps for every option, state layout, interop."""
from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest

import edutorch
from tests.optim._oracle import describe_state, make_params, to_edutorch, to_torch, train

STEPS = 25


def _combos(**options):
    """Every combination of the given option values, as kwargs dicts."""
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


def _sgd_cases():
    cases = []
    for kw in _combos(momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True], weight_decay=[0, 0.1],
                      maximize=[False, True]):
        if kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0):
            continue  # PyTorch rejects it (tested below)
        cases.append(("SGD", dict(lr=0.02, **kw)))
    return cases


def _adam_cases(name, lr):
    return [(name, dict(lr=lr, **kw)) for kw in _combos(amsgrad=[False, True], weight_decay=[0, 0.1],
                                                        maximize=[False, True], betas=[(0.9, 0.999), (0.5, 0.9)])]


CASES = (
    _sgd_cases()
    + _adam_cases("Adam", 0.05)
    + [("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
       ("Adam", dict(lr=0.05, eps=1e-3))]
    + _adam_cases("AdamW", 0.05)
    + [("AdamW", {})]
    + [("Adagrad", dict(lr=0.1, **kw)) for kw in _combos(lr_decay=[0, 0.05], weight_decay=[0, 0.1],
                                                          initial_accumulator_value=[0, 0.5], maximize=[False, True])]
    + [("RMSprop", dict(lr=0.01, **kw)) for kw in _combos(alpha=[0.99, 0.8], centered=[False, True],
                                                           momentum=[0, 0.9], weight_decay=[0, 0.1],
                                                           maximize=[False, True])]
    + [("Adadelta", dict(**kw)) for kw in _combos(lr=[1.0, 0.5], rho=[0.9, 0.5], weight_decay=[0, 0.1],
                                                   maximize=[False, True])]
    + [("Adamax", dict(lr=0.05, **kw)) for kw in _combos(betas=[(0.9, 0.999), (0.5, 0.9)],
                                                          weight_decay=[0, 0.1], maximize=[False, True])]
    + [("NAdam", dict(lr=0.05, **kw)) for kw in _combos(momentum_decay=[4e-3, 0.1], weight_decay=[0, 0.1],
                                                         decoupled_weight_decay=[False, True],
                                                         maximize=[False, True])]
    + [("RAdam", dict(lr=0.05, **kw)) for kw in _combos(betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0, 0.1],
                                                         decoupled_weight_decay=[False, True],
                                                         maximize=[False, True])]
)


def _ids(cases):
    return [name + "-" + ",".join(f"{k}={v}" for k, v in kw.items()) for name, kw in cases]


def _run_both(torch, name, kwargs, steps=STEPS, dtype="float32", groups=None):
    """Train the same objective ``steps`` times in both libraries; return both histories and optimizers."""
    sign = -1.0 if kwargs.get("maximize") else 1.0  # maximize -f: the same valley, climbed
    results = []
    for lib in (edutorch, torch):
        params = make_params(lib, dtype)
        spec = params if groups is None else groups(params)
        opt = getattr(lib.optim, name)(spec, **kwargs)
        results.append((params, opt, train(lib, params, opt, steps, sign)))
    return results


@pytest.mark.parametrize("name,kwargs", CASES, ids=_ids(CASES))
def test_trajectory_matches_torch(torch, name, kwargs):
    """25 steps in float64 match to ~1e-10 (the same algorithm, step for step); in float32 they match
    closely for the first 10 steps. (Later float32 steps drift apart by rounding alone: the adaptive
    methods amplify 1-ulp differences along this curved valley, and float64 shows the rule is the same.)"""
    (ours_p, ours_opt, ours), (theirs_p, theirs_opt, theirs) = _run_both(torch, name, kwargs, dtype="float64")
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == y.dtype == np.float64
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-10, err_msg=f"step {step + 1}, param {i}")
    # the parameters really moved (the case is not vacuous), and the one without a gradient did not
    assert not np.allclose(ours[-1][0], ours[0][0])
    np.testing.assert_array_equal(ours[-1][2], theirs[-1][2])
    # same state as PyTorch: same entries, dtypes, shapes and values, and the same param_groups
    ours_sd, theirs_sd = ours_opt.state_dict(), theirs_opt.state_dict()
    assert describe_state(ours_sd) == describe_state(theirs_sd)
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    for index, entries in theirs_sd["state"].items():
        for key, value in entries.items():
            np.testing.assert_allclose(ours_sd["state"][index][key].numpy(), value.numpy(), rtol=1e-8, atol=1e-10,
                                       err_msg=f"state[{index}][{key!r}]")

    (_, ours_opt, ours), (_, theirs_opt, theirs) = _run_both(torch, name, kwargs, dtype="float32")
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == y.dtype == np.float32  # no silent float64 upcast anywhere in the update
            if step < 10:
                np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6, err_msg=f"float32 step {step + 1}, param {i}")
    assert describe_state(ours_opt.state_dict()) == describe_state(theirs_opt.state_dict())


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "Adamax", "NAdam",
                                  "RAdam"])
def test_per_group_hyperparameters_and_float64(torch, name):
    """Two groups, the second overriding lr (and weight_decay); float64 parameters stay float64."""
    extra = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}

    def groups(params):
        return [{"params": [params[0]]}, {"params": [params[1], params[2]], "lr": 0.003, "weight_decay": 0.05}]

    (_, ours_opt, ours), (_, theirs_opt, theirs) = _run_both(torch, name, dict(lr=0.01, **extra), steps=20,
                                                             dtype="float64", groups=groups)
    for a, b in zip(ours, theirs):
        for x, y in zip(a, b):
            assert x.dtype == y.dtype == np.float64
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
    assert ours_opt.state_dict()["param_groups"] == theirs_opt.state_dict()["param_groups"]
    assert describe_state(ours_opt.state_dict()) == describe_state(theirs_opt.state_dict())


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.02, momentum=0.9, nesterov=True)),
                                         ("Adam", dict(lr=0.05, amsgrad=True)), ("AdamW", dict(lr=0.05)),
                                         ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
                                         ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
                                         ("Adadelta", {}), ("Adamax", dict(lr=0.05)), ("NAdam", dict(lr=0.05)),
                                         ("RAdam", dict(lr=0.05))])
def test_state_dict_interoperates_with_torch(torch, name, kwargs):
    """A state_dict moves both ways: train 6 steps in one library, continue 6 in the other, compare."""
    def six_steps(lib):
        params = make_params(lib)
        opt = getattr(lib.optim, name)(params, **kwargs)
        train(lib, params, opt, 6)
        return params, opt

    ours_p, ours_opt = six_steps(edutorch)
    theirs_p, theirs_opt = six_steps(torch)
    theirs_sd = copy.deepcopy(theirs_opt.state_dict())

    # torch checkpoint -> fresh edutorch optimizer (params copied from torch), vs torch continuing
    fresh_p = [edutorch.nn.Parameter(edutorch.from_numpy(p.detach().numpy().copy())) for p in theirs_p]
    fresh = getattr(edutorch.optim, name)(fresh_p, **kwargs)
    fresh.load_state_dict(to_edutorch(theirs_sd, torch))
    # edutorch checkpoint -> fresh torch optimizer, vs edutorch continuing
    fresh_tp = [torch.nn.Parameter(torch.from_numpy(p.detach().numpy().copy())) for p in ours_p]
    fresh_t = getattr(torch.optim, name)(fresh_tp, **kwargs)
    fresh_t.load_state_dict(to_torch(copy.deepcopy(ours_opt.state_dict()), torch))

    for a, b in [(train(edutorch, fresh_p, fresh, 6), train(torch, theirs_p, theirs_opt, 6)),
                 (train(torch, fresh_tp, fresh_t, 6), train(edutorch, ours_p, ours_opt, 6))]:
        for x, y in zip(a[-1], b[-1]):
            np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam"])
def test_step_is_a_float32_0d_tensor_like_torch(torch, name):
    params = make_params(edutorch)
    opt = getattr(edutorch.optim, name)(params)
    train(edutorch, params, opt, 3)
    step = opt.state[params[0]]["step"]
    assert isinstance(step, edutorch.Tensor) and step.shape == () and step.dtype == edutorch.float32
    assert step.item() == 3.0
    assert params[2] not in opt.state or name == "Adagrad"  # lazy state: only params that had a gradient


def test_sgd_without_momentum_keeps_no_state(torch):
    params = make_params(edutorch)
    opt = edutorch.optim.SGD(params, lr=0.1)
    train(edutorch, params, opt, 2)
    tparams = make_params(torch)
    topt = torch.optim.SGD(tparams, lr=0.1)
    train(torch, tparams, topt, 2)
    assert opt.state_dict()["state"] == topt.state_dict()["state"] == {}


def test_adagrad_state_exists_before_the_first_step(torch):
    ours = edutorch.optim.Adagrad(make_params(edutorch), initial_accumulator_value=0.25).state_dict()
    theirs = torch.optim.Adagrad(make_params(torch), initial_accumulator_value=0.25).state_dict()
    assert describe_state(ours) == describe_state(theirs)
    np.testing.assert_array_equal(ours["state"][1]["sum"].numpy(), theirs["state"][1]["sum"].numpy())


@pytest.mark.parametrize("name,kwargs,message", [
    ("SGD", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("SGD", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("SGD", dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ("Adam", dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("AdamW", dict(weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    ("RMSprop", dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adamax", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("RAdam", dict(eps=-1), "Invalid epsilon value: -1"),
])
def test_invalid_hyperparameters_raise_like_torch(torch, name, kwargs, message):
    with pytest.raises(ValueError, match=message) as ours:
        getattr(edutorch.optim, name)(make_params(edutorch), **kwargs)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)(make_params(torch), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_unsupported_accelerator_flags_are_refused():
    with pytest.raises(RuntimeError, match="fused"):
        edutorch.optim.Adam(make_params(edutorch), fused=True)
    with pytest.raises(RuntimeError, match="differentiable"):
        edutorch.optim.SGD(make_params(edutorch), differentiable=True)
    edutorch.optim.SGD(make_params(edutorch), foreach=True)  # same math, accepted
