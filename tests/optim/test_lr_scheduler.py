"""Learning-rate schedulers against PyTorch: lr sequences over many epochs, state_dict, resume, warnings."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest

import edutorch
from tests.optim._oracle import make_params, train

EPOCHS = 60


def _optimizer(lib, kind="SGD"):
    w, b, u = make_params(lib)
    groups = [{"params": [w]}, {"params": [b, u], "lr": 0.02}]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


SCHEDULERS = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda epoch: 0.95 ** epoch),
    "LambdaLR-per-group": lambda L, o: L.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: math.cos(e / 10) ** 2]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda epoch: 0.97),
    "StepLR": lambda L, o: L.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=8),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=15),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=40, power=2.0),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-long": lambda L, o: L.CosineAnnealingLR(o, T_max=45),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-3),
    "CosineAnnealingWarmRestarts-1": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=7),
    "CyclicLR-triangular": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.05], step_size_up=4),
    "CyclicLR-triangular2": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=5,
                                                      mode="triangular2"),
    "CyclicLR-exp_range": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.97),
    "CyclicLR-no-momentum": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, cycle_momentum=False),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS + 1),
    "OneCycleLR-linear-3phase": lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=6, steps_per_epoch=11,
                                                          anneal_strategy="linear", three_phase=True),
    "SequentialLR": lambda L, o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                                    L.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "SequentialLR-3": lambda L, o: L.SequentialLR(o, [L.ConstantLR(o, factor=0.5, total_iters=3),
                                                      L.StepLR(o, 4), L.CosineAnnealingLR(o, T_max=8)],
                                                  milestones=[6, 20]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=2),
                                                         L.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler-3": lambda L, o: L.ChainedScheduler([L.StepLR(o, 5, 0.5), L.MultiStepLR(o, [8, 16]),
                                                           L.LinearLR(o, 0.5, total_iters=10)]),
}


def _record(lib, name, kind="SGD", epochs=EPOCHS):
    """Run the schedule: optimizer.step() then scheduler.step(); record lrs and momentum each epoch."""
    opt = _optimizer(lib, kind)
    sched = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
    momentum_key = "betas" if kind == "Adam" else "momentum"
    seq = [(list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups],
            [g[momentum_key] for g in opt.param_groups])]
    for _ in range(epochs):
        opt.step()  # no gradients: parameters stay, but PyTorch's "optimizer stepped" check is satisfied
        sched.step()
        seq.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups],
                    [g[momentum_key] for g in opt.param_groups]))
    return seq, sched, opt


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_lr_sequence_matches_torch(torch, name):
    ours, ours_sched, ours_opt = _record(edutorch, name)
    theirs, theirs_sched, theirs_opt = _record(torch, name)
    # the same Python float arithmetic in the same order: equal, not just close
    for epoch, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"epoch {epoch}: {a} != {b}"
    assert len({tuple(lrs) for lrs, _, _ in ours}) > 1  # the schedule really changes the lr
    assert ours_sched.state_dict().keys() == theirs_sched.state_dict().keys()
    assert _plain(ours_sched.state_dict()) == _plain(theirs_sched.state_dict())
    strip = lambda groups: [{k: v for k, v in g.items() if k != "params"} for g in groups]  # noqa: E731
    assert strip(ours_opt.param_groups) == strip(theirs_opt.param_groups)  # incl. initial_lr, max_lr, ...


@pytest.mark.parametrize("name", ["CyclicLR-triangular", "OneCycleLR", "OneCycleLR-linear-3phase"])
def test_beta1_cycles_for_adam_like_torch(torch, name):
    ours, _, _ = _record(edutorch, name, kind="Adam")
    theirs, _, _ = _record(torch, name, kind="Adam")
    assert ours == theirs


def _plain(state):
    """A scheduler state_dict with the lambdas' and nested entries comparable across libraries."""
    return {k: ([_plain(s) for s in v] if k == "_schedulers" else v) for k, v in state.items()}


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                                  "PolynomialLR", "CosineAnnealingLR"])
def test_step_with_epoch_uses_closed_form_and_warns(torch, name):
    seqs = []
    for lib in (edutorch, torch):
        opt = _optimizer(lib)
        sched = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
        seq = []
        for epoch in [3, 9, 1, 17, 40, 25]:
            opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
                sched.step(epoch)
            seq.append(sched.get_last_lr())
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_warm_restarts_with_fractional_epochs(torch):
    seqs = []
    for lib in (edutorch, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
        seq = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                seq.append(sched.get_last_lr())
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_reduce_lr_on_plateau_matches_torch(torch):
    metrics = [1.0, 0.9, 0.91, 0.92, 0.93, 0.89, 0.95, 0.96, 0.97, 0.98, 0.99, 0.7, 0.71, 0.72, 0.73, 0.74,
               0.75, 0.76, 0.77, 0.78, 0.79, 0.8]
    configs = [dict(patience=2), dict(mode="max", patience=1, factor=0.5, cooldown=2),
               dict(patience=0, threshold=0.05, threshold_mode="abs", min_lr=[0.01, 0.015]),
               dict(patience=1, min_lr=0.05, eps=1e-3)]
    for config in configs:
        seqs, sds = [], []
        for lib in (edutorch, torch):
            opt = _optimizer(lib)
            sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **config)
            seq = []
            for m in metrics:
                opt.step()
                sched.step(m)
                seq.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter, sched.best))
            seqs.append(seq)
            sds.append(sched.state_dict())
        assert seqs[0] == seqs[1], config
        assert sds[0] == sds[1]
        assert len({tuple(s[0]) for s in seqs[0]}) > 1, config


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_resume_from_state_dict(name):
    """Stepping 30 epochs straight == 12 epochs, state_dicts into fresh objects, 18 more."""
    straight, _, _ = _record(edutorch, name, epochs=30)
    first, sched, opt = _record(edutorch, name, epochs=12)
    opt_sd, sched_sd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())

    fresh_opt = _optimizer(edutorch)
    fresh_sched = SCHEDULERS[name](edutorch.optim.lr_scheduler, fresh_opt)  # scheduler first, then the optimizer
    fresh_opt.load_state_dict(opt_sd)
    fresh_sched.load_state_dict(sched_sd)
    rest = []
    for _ in range(18):
        fresh_opt.step()
        fresh_sched.step()
        rest.append(fresh_sched.get_last_lr())
    assert [lrs for lrs, _, _ in straight[13:]] == rest


def test_scheduler_state_dict_loads_into_torch(torch):
    """Our StepLR/CosineAnnealingLR state_dicts are PyTorch's: torch resumes from them."""
    for name in ["StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR"]:
        _, sched, opt = _record(edutorch, name, epochs=9)
        t_opt = _optimizer(torch)
        t_sched = SCHEDULERS[name](torch.optim.lr_scheduler, t_opt)
        t_opt.load_state_dict(copy.deepcopy(opt.state_dict()))
        t_sched.load_state_dict(copy.deepcopy(sched.state_dict()))
        for _ in range(10):
            opt.step(), sched.step(), t_opt.step(), t_sched.step()
            assert sched.get_last_lr() == t_sched.get_last_lr()


def test_lambda_objects_are_saved_by_their_attributes(torch):
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    sds = []
    for lib in (edutorch, torch):
        sched = lib.optim.lr_scheduler.LambdaLR(_optimizer(lib), [Decay(0.9), lambda e: 1.0])
        sds.append(sched.state_dict())
    assert sds[0]["lr_lambdas"] == sds[1]["lr_lambdas"] == [{"rate": 0.9}, None]
    sched = edutorch.optim.lr_scheduler.LambdaLR(_optimizer(edutorch), [Decay(0.5), lambda e: 1.0])
    sched.load_state_dict(sds[0])
    assert sched.lr_lambdas[0].rate == 0.9


def test_warns_when_scheduler_steps_before_optimizer(torch):
    for lib in (edutorch, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        expected = "Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"
        with pytest.warns(UserWarning, match=expected):
            sched.step()
        # the right order is silent
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()


def test_warns_when_optimizer_step_is_replaced(torch):
    for lib in (edutorch, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
        opt.step = lambda closure=None: None
        with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler initialization"):
            sched.step()


def test_get_lr_outside_step_warns(torch):
    for lib in (edutorch, torch):
        sched = lib.optim.lr_scheduler.StepLR(_optimizer(lib), 3)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()


def test_optimizer_step_wrapped_once_and_still_works():
    opt = _optimizer(edutorch)
    edutorch.optim.lr_scheduler.StepLR(opt, 3)
    wrapped = opt.step
    edutorch.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    assert opt.step is wrapped
    w, b, u = opt.param_groups[0]["params"] + opt.param_groups[1]["params"]
    before = w.detach().numpy().copy()
    train(edutorch, [w, b, u], opt, 1)
    assert not np.array_equal(before, w.detach().numpy())


def test_constructor_errors_match_torch(torch):
    def errors(lib):
        L = lib.optim.lr_scheduler
        o = _optimizer(lib)
        cases = [
            lambda: L.StepLR("not an optimizer", 3),
            lambda: L.StepLR(_optimizer(lib), 3, last_epoch=4),
            lambda: L.LambdaLR(o, [lambda e: 1.0]),
            lambda: L.ConstantLR(o, factor=1.5),
            lambda: L.LinearLR(o, start_factor=0),
            lambda: L.LinearLR(o, end_factor=2),
            lambda: L.CosineAnnealingWarmRestarts(o, T_0=0),
            lambda: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=0),
            lambda: L.CyclicLR(o, 0.01, 0.1, mode="bogus"),
            lambda: L.CyclicLR(lib.optim.Adagrad(make_params(lib)), 0.01, 0.1),
            lambda: L.OneCycleLR(o, 0.1),
            lambda: L.OneCycleLR(o, 0.1, total_steps=10, pct_start=2.0),
            lambda: L.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
            lambda: L.ReduceLROnPlateau(o, factor=1.0),
            lambda: L.ReduceLROnPlateau(o, mode="avg"),
            lambda: L.ReduceLROnPlateau(o, min_lr=[0.1]),
            lambda: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(o, 3)], milestones=[]),
            lambda: L.SequentialLR(o, [], milestones=[]),
            lambda: L.ChainedScheduler([L.StepLR(o, 2), L.ReduceLROnPlateau(o)]),
        ]
        out = []
        for case in cases:
            with pytest.raises(Exception) as info:
                case()
            out.append((type(info.value).__name__, str(info.value)))
        return out

    assert errors(edutorch) == errors(torch)


def test_onecycle_refuses_to_step_past_total_steps(torch):
    for lib in (edutorch, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            sched.step()
