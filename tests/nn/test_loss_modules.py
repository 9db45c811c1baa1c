"""Loss modules: reprs, buffers and state_dict, constructor options and errors, parity with PyTorch."""
from __future__ import annotations


import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
from tests.conftest import assert_same

W = np.array([0.5, 2.0, 1.0, 0.1, 3.0], np.float32)


def _w(lib):
    return lib.tensor(W)


# (class name, constructor kwargs builder (lib -> kwargs), inputs builder (rng -> list of (array, grad)))
def _inputs():
    r = np.random.default_rng(0)
    x = r.standard_normal((4, 5)).astype(np.float32)
    y = r.standard_normal((4, 5)).astype(np.float32)
    p = r.uniform(0.05, 0.95, (4, 5)).astype(np.float32)
    idx = np.array([0, 3, 4, 1])
    sign = np.where(y > 0, 1.0, -1.0).astype(np.float32)
    e = np.exp(y - y.max(1, keepdims=True))
    probs = (e / e.sum(1, keepdims=True)).astype(np.float32)
    return dict(x=x, y=y, p=p, idx=idx, sign=sign, probs=probs,
                logp=np.log(probs), mlm=np.array([[3, 0, -1, 1, 2]] * 4))


INPUTS = _inputs()
MODULES = [
    ("L1Loss", lambda L: {}, [("x", True), ("y", True)]),
    ("MSELoss", lambda L: {"reduction": "sum"}, [("x", True), ("y", True)]),
    ("SmoothL1Loss", lambda L: {"beta": 0.5}, [("x", True), ("y", True)]),
    ("HuberLoss", lambda L: {"delta": 0.5, "reduction": "none"}, [("x", True), ("y", True)]),
    ("NLLLoss", lambda L: {"weight": _w(L), "ignore_index": 3}, [("logp", True), ("idx", False)]),
    ("CrossEntropyLoss", lambda L: {"weight": _w(L), "label_smoothing": 0.1}, [("x", True), ("idx", False)]),
    ("CrossEntropyLoss", lambda L: {}, [("x", True), ("probs", False)]),
    ("BCELoss", lambda L: {"weight": _w(L)}, [("p", True), ("probs", False)]),
    ("BCEWithLogitsLoss", lambda L: {"pos_weight": _w(L)}, [("x", True), ("p", False)]),
    ("MultiLabelSoftMarginLoss", lambda L: {"weight": _w(L)}, [("x", True), ("p", False)]),
    ("MultiLabelMarginLoss", lambda L: {}, [("x", True), ("mlm", False)]),
    ("MultiMarginLoss", lambda L: {"p": 2, "margin": 0.5, "weight": _w(L)}, [("x", True), ("idx", False)]),
    ("SoftMarginLoss", lambda L: {}, [("x", True), ("sign", False)]),
    ("KLDivLoss", lambda L: {"reduction": "batchmean"}, [("logp", True), ("probs", False)]),
    ("KLDivLoss", lambda L: {"reduction": "sum", "log_target": True}, [("x", True), ("logp", False)]),
    ("PoissonNLLLoss", lambda L: {"full": True}, [("x", True), ("p", False)]),
    ("GaussianNLLLoss", lambda L: {"full": True, "eps": 1e-3}, [("x", True), ("y", False), ("p", True)]),
    ("MarginRankingLoss", lambda L: {"margin": 0.3}, [("x", True), ("y", True), ("sign", False)]),
    ("HingeEmbeddingLoss", lambda L: {"margin": 0.5}, [("x", True), ("sign", False)]),
    ("CosineEmbeddingLoss", lambda L: {"margin": 0.2}, [("x", True), ("y", True), ("idx_sign", False)]),
    ("TripletMarginLoss", lambda L: {"margin": 0.5, "swap": True}, [("x", True), ("y", True), ("p", True)]),
]
INPUTS["idx_sign"] = np.array([1.0, -1.0, -1.0, 1.0], np.float32)


@pytest.mark.parametrize("entry", MODULES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MODULES)])
def test_module_parity_and_repr(torch, entry):
    name, kwargs, inputs = entry
    ours_m = getattr(nn, name)(**kwargs(edutorch))
    theirs_m = getattr(torch.nn, name)(**kwargs(torch))
    assert repr(ours_m) == repr(theirs_m)
    assert list(ours_m.state_dict()) == list(theirs_m.state_dict())
    assert [n for n, _ in ours_m.named_buffers()] == [n for n, _ in theirs_m.named_buffers()]
    assert list(ours_m.parameters()) == []
    ours_in = [edutorch.tensor(INPUTS[k], requires_grad=g) for k, g in inputs]
    theirs_in = [torch.tensor(INPUTS[k], requires_grad=g) for k, g in inputs]
    out, ref = ours_m(*ours_in), theirs_m(*theirs_in)
    assert_same(out, ref, rtol=1e-4, atol=1e-5)
    assert out.grad_fn.name() == ref.grad_fn.name()
    out.sum().backward()
    ref.sum().backward()
    for a, b in zip(ours_in, theirs_in):
        if b.requires_grad:
            assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-5)


def test_default_reprs_and_attributes(torch):
    for name in ["L1Loss", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
                 "SmoothL1Loss", "HuberLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
                 "MarginRankingLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
                 "MultiMarginLoss", "SoftMarginLoss", "TripletMarginLoss", "CosineEmbeddingLoss"]:
        ours, theirs = getattr(nn, name)(), getattr(torch.nn, name)()
        assert repr(ours) == repr(theirs) == f"{name}()"
        for attr in ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target", "log_input",
                     "full", "eps", "margin", "p", "swap", "weight", "pos_weight"):
            if hasattr(theirs, attr):
                assert getattr(ours, attr) == getattr(theirs, attr), (name, attr)


def test_weight_is_a_buffer_not_a_parameter():
    m = nn.CrossEntropyLoss(weight=edutorch.ones(3))
    assert list(m.parameters()) == []
    assert list(dict(m.named_buffers())) == ["weight"]
    assert nn.CrossEntropyLoss().weight is None
    m = nn.BCEWithLogitsLoss(weight=edutorch.ones(2), pos_weight=edutorch.ones(2))
    assert list(m.state_dict()) == ["weight", "pos_weight"]


def test_legacy_constructor_args_set_reduction():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        m = nn.CrossEntropyLoss(reduce=False)
    assert m.reduction == "none"
    out = m(edutorch.zeros(2, 3), edutorch.tensor([0, 1]))
    assert tuple(out.shape) == (2,)


def test_constructor_errors(torch):
    for lib in (torch, edutorch):
        with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
            lib.nn.MultiMarginLoss(p=3)
        with pytest.raises(ValueError, match="expected weight to be None or 1D tensor, got 2D instead"):
            lib.nn.MultiMarginLoss(weight=lib.ones(2, 2))
        with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0"):
            lib.nn.TripletMarginLoss(margin=0)
        with pytest.raises(ValueError, match="expected margin to be greater than 0"):
            lib.nn.TripletMarginWithDistanceLoss(margin=-1.0, distance_function=lambda a, b: (a - b).abs())


def test_nllloss2d_deprecated():
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        m = nn.NLLLoss2d()
    x = edutorch.log_softmax(edutorch.randn(2, 3, 4, 4, requires_grad=True), 1)
    assert m(x, edutorch.zeros(2, 4, 4, dtype=edutorch.long)).grad_fn.name() == "NllLoss2DBackward0"


def test_triplet_with_custom_distance(torch):
    x, y, p = INPUTS["x"], INPUTS["y"], INPUTS["p"]

    def dist(lib):
        return lambda a, b: (a - b).abs().sum(-1)

    ours = nn.TripletMarginWithDistanceLoss(distance_function=dist(edutorch), swap=True)
    theirs = torch.nn.TripletMarginWithDistanceLoss(distance_function=dist(torch), swap=True)
    assert_same(ours(edutorch.tensor(x), edutorch.tensor(y), edutorch.tensor(p)),
                theirs(torch.tensor(x), torch.tensor(y), torch.tensor(p)))


def test_triplet_with_distance_default_repr(torch):
    assert repr(nn.TripletMarginWithDistanceLoss()) == repr(torch.nn.TripletMarginWithDistanceLoss())


def test_buffers_follow_double(torch):
    m = nn.CrossEntropyLoss(weight=edutorch.ones(3))
    m.double()
    assert m.weight.dtype is edutorch.float64
    out = m(edutorch.zeros(2, 3, dtype=edutorch.float64), edutorch.tensor([0, 2]))
    assert out.dtype is edutorch.float64


def test_training_step_with_loss_module():
    """A loss module drives a tiny regression fit end to end (the notes' pattern)."""
    edutorch.manual_seed(0)
    w = edutorch.zeros(3, requires_grad=True)
    x = edutorch.randn(20, 3)
    y = x @ edutorch.tensor([1.0, -2.0, 0.5])
    criterion = nn.MSELoss()
    for _ in range(200):
        loss = criterion(x @ w, y)
        loss.backward()
        with edutorch.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
    np.testing.assert_allclose(w.detach().numpy(), [1.0, -2.0, 0.5], atol=1e-3)
