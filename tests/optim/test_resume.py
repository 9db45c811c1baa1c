"""Checkpoint resume: 10 steps straight are bit-identical to 5 steps, a state_dict round trip into fresh
parameters, optimizer and scheduler, and 5 more steps."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import edutorch
from tests.optim._oracle import make_params, train

OPTIMIZERS = [
    ("SGD", dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.02, momentum=0.5, dampening=0.2)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adadelta", dict(weight_decay=0.01)),
    ("Adamax", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05)),
]

SCHEDULERS = [
    None,
    lambda o: edutorch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    lambda o: edutorch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4),
    lambda o: edutorch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.03, total_steps=11, cycle_momentum=False),
]


def _fresh(name, kwargs, make_scheduler, values=None):
    params = make_params(edutorch)
    if values is not None:  # the "model checkpoint": fresh parameters holding the saved numbers
        for p, v in zip(params, values):
            p.detach().numpy()[...] = v
    opt = getattr(edutorch.optim, name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], **kwargs)
    sched = make_scheduler(opt) if make_scheduler else None
    return params, opt, sched


@pytest.mark.parametrize("scheduler", range(len(SCHEDULERS)), ids=["none", "StepLR", "Cosine", "OneCycle"])
@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)])
@pytest.mark.parametrize("roundtrip", ["deepcopy", "pickle"])
def test_resume_is_bit_identical(name, kwargs, scheduler, roundtrip):
    make_scheduler = SCHEDULERS[scheduler]
    params, opt, sched = _fresh(name, kwargs, make_scheduler)
    straight = train(edutorch, params, opt, 10, scheduler=sched)

    params, opt, sched = _fresh(name, kwargs, make_scheduler)
    train(edutorch, params, opt, 5, scheduler=sched)
    checkpoint = {"model": [p.detach().numpy().copy() for p in params], "optimizer": opt.state_dict(),
                  "scheduler": sched.state_dict() if sched else None, "epoch": 5}
    checkpoint = copy.deepcopy(checkpoint) if roundtrip == "deepcopy" else pickle.loads(pickle.dumps(checkpoint))
    del params, opt, sched

    params, opt, sched = _fresh(name, kwargs, make_scheduler, values=checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])  # after the scheduler was built, as PyTorch advises
    if sched:
        sched.load_state_dict(checkpoint["scheduler"])
    resumed = train(edutorch, params, opt, 5, scheduler=sched)

    for a, b in zip(straight[5:], resumed):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(straight[4][0], straight[9][0])
    assert all(np.isfinite(x).all() for x in straight[-1])  # a real trajectory, not NaN == NaN
