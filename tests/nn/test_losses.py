"""Losses: forward values, grad_fn names and gradients against PyTorch, gradcheck, extremes, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

REDUCTIONS = ["none", "mean", "sum"]


class G:
    """A float input that requires grad (given as a NumPy array)."""

    def __init__(self, array):
        self.array = np.asarray(array)


class C:
    """A constant tensor argument (no grad): targets, weights, index tensors."""

    def __init__(self, array):
        self.array = np.asarray(array)


def _rng():
    return np.random.default_rng(0)


def _probs(rng, *shape):
    return rng.uniform(0.05, 0.95, shape).astype(np.float32)


def _softmax(a, axis=1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(np.float32)


def _cases():
    """(id, function name, args builder, kwargs): each run for every reduction."""
    r = _rng()
    x = r.standard_normal((4, 5)).astype(np.float32)
    y = r.standard_normal((4, 5)).astype(np.float32)
    idx = np.array([0, 3, 4, 1])
    sign = np.where(r.standard_normal((4, 5)) > 0, 1.0, -1.0).astype(np.float32)
    x4 = r.standard_normal((2, 3, 4, 2)).astype(np.float32)
    idx4 = r.integers(0, 3, (2, 4, 2))
    x3 = r.standard_normal((2, 3, 4)).astype(np.float32)
    idx3 = r.integers(0, 3, (2, 4))
    x5 = r.standard_normal((2, 3, 2, 2, 2)).astype(np.float32)
    idx5 = r.integers(0, 3, (2, 2, 2, 2))
    w5 = np.array([0.5, 2.0, 1.0, 0.1, 3.0], np.float32)
    idx_ign = np.array([0, -100, 4, 1])
    mlm_t = np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 0, 0, 0, 0], [4, -1, 2, 2, 2]])
    return [
        ("mse", "mse_loss", lambda: [G(x), G(y)], {}),
        ("mse_bcast", "mse_loss", lambda: [G(x), G(y[:1])], {}),
        ("l1", "l1_loss", lambda: [G(x), G(y)], {}),
        ("smooth_l1", "smooth_l1_loss", lambda: [G(x), G(y)], {}),
        ("smooth_l1_beta", "smooth_l1_loss", lambda: [G(x), G(y)], {"beta": 0.3}),
        ("smooth_l1_beta0", "smooth_l1_loss", lambda: [G(x), G(y)], {"beta": 0.0}),
        ("huber", "huber_loss", lambda: [G(x), G(y)], {}),
        ("huber_delta", "huber_loss", lambda: [G(x), G(y)], {"delta": 0.4}),
        ("mse_weight", "mse_loss", lambda: [G(x), G(y)], {"weight": C(_probs(r, 4, 5))}),
        ("l1_weight", "l1_loss", lambda: [G(x), G(y)], {"weight": C(_probs(r, 4, 5))}),
        ("huber_weight", "huber_loss", lambda: [G(x), G(y)], {"weight": C(_probs(r, 4, 5))}),
        ("nll", "nll_loss", lambda: [G(x), C(idx)], {}),
        ("nll_1d", "nll_loss", lambda: [G(x[0]), C(np.array(3))], {}),
        ("nll_weight", "nll_loss", lambda: [G(x), C(idx)], {"weight": C(w5)}),
        ("nll_ignore", "nll_loss", lambda: [G(x), C(idx_ign)], {"weight": C(w5)}),
        ("nll_ignore_idx", "nll_loss", lambda: [G(x), C(idx)], {"ignore_index": 3}),
        ("nll_3d", "nll_loss", lambda: [G(x3), C(idx3)], {}),
        ("nll_4d", "nll_loss", lambda: [G(x4), C(idx4)], {"weight": C(w5[:3])}),
        ("nll_5d", "nll_loss", lambda: [G(x5), C(idx5)], {}),
        ("ce", "cross_entropy", lambda: [G(x), C(idx)], {}),
        ("ce_1d", "cross_entropy", lambda: [G(x[0]), C(np.array(2))], {}),
        ("ce_weight_ignore", "cross_entropy", lambda: [G(x), C(idx_ign)], {"weight": C(w5)}),
        ("ce_4d", "cross_entropy", lambda: [G(x4), C(idx4)], {}),
        ("ce_3d", "cross_entropy", lambda: [G(x3), C(idx3)], {}),
        ("ce_ls", "cross_entropy", lambda: [G(x), C(idx_ign)], {"label_smoothing": 0.2}),
        ("ce_ls_weight", "cross_entropy", lambda: [G(x), C(idx_ign)],
         {"label_smoothing": 0.1, "weight": C(w5)}),
        ("ce_ls_4d", "cross_entropy", lambda: [G(x4), C(idx4)], {"label_smoothing": 0.3}),
        ("ce_probs", "cross_entropy", lambda: [G(x), G(_softmax(y))], {}),
        ("ce_probs_1d", "cross_entropy", lambda: [G(x[0]), G(_softmax(y)[0])], {}),
        ("ce_probs_ls_w", "cross_entropy", lambda: [G(x), G(_softmax(y))],
         {"label_smoothing": 0.2, "weight": C(w5)}),
        ("ce_probs_4d", "cross_entropy", lambda: [G(x4), C(_softmax(x4[::-1].copy()))], {}),
        ("bce", "binary_cross_entropy", lambda: [G(_probs(r, 4, 5)), G(_probs(r, 4, 5))], {}),
        ("bce_weight", "binary_cross_entropy", lambda: [G(_probs(r, 4, 5)), C(_probs(r, 4, 5))],
         {"weight": C(w5)}),
        ("bce_01", "binary_cross_entropy", lambda: [G(np.array([0.0, 1.0, 0.5, 1.0], np.float32)),
                                                    C(np.array([1.0, 0.0, 1.0, 1.0], np.float32))], {}),
        ("bcel", "binary_cross_entropy_with_logits", lambda: [G(x), G(_probs(r, 4, 5))], {}),
        ("bcel_pw", "binary_cross_entropy_with_logits", lambda: [G(x), G(_probs(r, 4, 5))],
         {"pos_weight": C(w5), "weight": C(_probs(r, 4, 5))}),
        ("kl", "kl_div", lambda: [G(np.log(_softmax(x))), G(_softmax(y))], {}),
        ("kl_log_target", "kl_div", lambda: [G(np.log(_softmax(x))), G(np.log(_softmax(y)))],
         {"log_target": True}),
        ("poisson", "poisson_nll_loss", lambda: [G(x), C(np.abs(y))], {}),
        ("poisson_full", "poisson_nll_loss", lambda: [G(np.abs(x) + 0.1), C(np.abs(y) * 3)],
         {"log_input": False, "full": True}),
        ("gauss", "gaussian_nll_loss", lambda: [G(x), G(y), G(_probs(r, 4, 5))], {}),
        ("gauss_homo", "gaussian_nll_loss", lambda: [G(x), C(y), G(_probs(r, 4))], {"full": True}),
        ("gauss_float", "gaussian_nll_loss", lambda: [G(x), C(y), 0.5], {}),
        ("margin_rank", "margin_ranking_loss", lambda: [G(x[:, 0]), G(y[:, 0]), C(sign[:, 0])],
         {"margin": 0.2}),
        ("hinge_emb", "hinge_embedding_loss", lambda: [G(x), C(sign)], {"margin": 0.7}),
        ("mlm", "multilabel_margin_loss", lambda: [G(x), C(mlm_t)], {}),
        ("mlm_1d", "multilabel_margin_loss", lambda: [G(x[0]), C(mlm_t[0])], {}),
        ("mlsm", "multilabel_soft_margin_loss", lambda: [G(x), G((sign > 0).astype(np.float32))],
         {"weight": C(w5)}),
        ("mm", "multi_margin_loss", lambda: [G(x), C(idx)], {}),
        ("mm_p2_w", "multi_margin_loss", lambda: [G(x), C(idx)], {"p": 2, "margin": 0.5, "weight": C(w5)}),
        ("mm_1d", "multi_margin_loss", lambda: [G(x[0]), C(np.array([2]))], {}),
        ("mm_1d_0d_target", "multi_margin_loss", lambda: [G(x[0]), C(np.array(2))], {}),
        ("soft_margin", "soft_margin_loss", lambda: [G(x), C(sign)], {}),
        ("triplet", "triplet_margin_loss", lambda: [G(x), G(y), G(x[::-1].copy())], {}),
        ("triplet_swap_p1", "triplet_margin_loss", lambda: [G(x), G(y), G(x[::-1].copy())],
         {"swap": True, "p": 1, "margin": 2.0}),
        ("cos_emb", "cosine_embedding_loss", lambda: [G(x), G(y), C(sign[:, 0])], {"margin": 0.1}),
        ("cos_emb_1d", "cosine_embedding_loss", lambda: [G(x[0]), G(y[0]), C(np.array(-1.0))], {}),
    ]


def _build(lib, spec, dtype=None):
    """Turn G/C markers into tensors of ``lib`` (torch or edutorch)."""
    if isinstance(spec, (G, C)):
        a = spec.array
        if dtype is not None and a.dtype.kind == "f":
            a = a.astype(dtype)
        t = lib.tensor(a)
        if isinstance(spec, G):
            t.requires_grad_(True)
        return t
    return spec


def _run(lib, F_, name, args, kwargs, reduction, dtype=None):
    targs = [_build(lib, a, dtype) for a in args]
    tkw = {k: _build(lib, v, dtype) for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(F_, name)(*targs, reduction=reduction, **tkw)
    grads = [t for t in targs + list(tkw.values()) if hasattr(t, "requires_grad") and t.requires_grad]
    return out, grads


CASES = _cases()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_parity_with_torch(torch, case, reduction):
    _, name, build, kwargs = case
    args = build()
    ours, our_leaves = _run(edutorch, F, name, args, kwargs, reduction)
    theirs, their_leaves = _run(torch, torch.nn.functional, name, args, kwargs, reduction)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    seed = np.random.default_rng(1).standard_normal(tuple(theirs.shape)).astype(np.float32)
    ours.backward(edutorch.tensor(seed))
    theirs.backward(torch.tensor(seed))
    for a, b in zip(our_leaves, their_leaves):
        assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-5)


# Cases whose inputs are safely away from kinks (hinges, |d| = beta) so central differences are exact.
GRADCHECK = [c for c in CASES if c[0] not in ("bce_01", "mlm", "mlm_1d", "l1_weight")]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck(case, reduction):
    _, name, build, kwargs = case
    args = build()
    targs = [_build(edutorch, a, np.float64) for a in args]
    tkw = {k: _build(edutorch, v, np.float64) for k, v in kwargs.items()}
    fn = getattr(F, name)

    def f(*inputs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*inputs, reduction=reduction, **tkw)

    assert gradcheck(f, tuple(targs), eps=1e-6, atol=1e-5, rtol=1e-3)


def test_multilabel_margin_gradcheck():
    """Hinge kinks avoided: scores spread far apart relative to eps."""
    x = edutorch.tensor(np.array([[0.1, 2.3, -1.7, 0.6], [1.1, -0.4, 3.0, 0.0]]), requires_grad=True)
    t = edutorch.tensor([[2, 0, -1, 1], [1, -1, 0, 0]])
    for reduction in REDUCTIONS:
        assert gradcheck(lambda a: F.multilabel_margin_loss(a, t, reduction=reduction), (x,))


# ------------------------------------------------------------------------------------- extremes
EXTREME = np.array([[-1e4, 1e4, 0.0], [1e4, -1e4, 5.0]], np.float32)


@pytest.mark.parametrize("name,make_target", [
    ("cross_entropy", lambda: edutorch.tensor([0, 2])),
    ("cross_entropy_probs", lambda: edutorch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])),
    ("cross_entropy_ls", lambda: edutorch.tensor([0, 2])),
    ("binary_cross_entropy_with_logits", lambda: edutorch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])),
    ("multilabel_soft_margin_loss", lambda: edutorch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])),
    ("soft_margin_loss", lambda: edutorch.tensor([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]])),
    ("multi_margin_loss", lambda: edutorch.tensor([0, 2])),
    ("nll_loss_of_log_softmax", lambda: edutorch.tensor([1, 0])),
])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_extreme_logits_stay_finite(name, make_target, reduction):
    x = edutorch.tensor(EXTREME, requires_grad=True)
    target = make_target()
    if name == "cross_entropy_probs":
        out = F.cross_entropy(x, target, reduction=reduction)
    elif name == "cross_entropy_ls":
        out = F.cross_entropy(x, target, reduction=reduction, label_smoothing=0.1)
    elif name == "nll_loss_of_log_softmax":
        out = F.nll_loss(edutorch.log_softmax(x, 1), target, reduction=reduction)
    elif name == "binary_cross_entropy_with_logits":
        out = F.binary_cross_entropy_with_logits(x, target, reduction=reduction,
                                                 pos_weight=edutorch.tensor([2.0, 0.5, 1.0]))
    else:
        out = getattr(F, name)(x, target, reduction=reduction)
    assert np.isfinite(out.detach().numpy()).all()
    out.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_extreme_values_match_torch(torch):
    """Where PyTorch itself is finite at ±1e4, the numbers agree too."""
    x = EXTREME
    for fn, target in [("cross_entropy", np.array([0, 2])),
                       ("binary_cross_entropy_with_logits", np.array([[1, 0, 1], [0, 1, .5]], np.float32))]:
        a = edutorch.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        lo = getattr(F, fn)(a, edutorch.tensor(target), reduction="sum")
        lt = getattr(torch.nn.functional, fn)(b, torch.tensor(target), reduction="sum")
        assert_same(lo, lt)
        lo.backward()
        lt.backward()
        assert_same(a.grad, b.grad)


def test_bce_log_clamped_at_minus_100(torch):
    p = edutorch.tensor([0.0, 1.0])
    out = F.binary_cross_entropy(p, edutorch.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0])


def test_nll_all_ignored_mean_is_nan(torch):
    x = edutorch.randn(2, 3, requires_grad=True)
    t = edutorch.tensor([-100, -100])
    ours = F.nll_loss(x, t)
    theirs = torch.nn.functional.nll_loss(torch.tensor(x.detach().numpy()), torch.tensor(t.numpy()))
    assert np.isnan(ours.item()) and np.isnan(theirs.item())


def test_cross_entropy_is_log_softmax_plus_nll():
    x = edutorch.randn(5, 4)
    t = edutorch.tensor([0, 1, 2, 3, 0])
    np.testing.assert_allclose(F.cross_entropy(x, t).item(),
                               F.nll_loss(edutorch.log_softmax(x, 1), t).item(), rtol=1e-6)


def test_kl_div_batchmean(torch):
    r = _rng()
    inp, tgt = np.log(_softmax(r.standard_normal((3, 4)))), _softmax(r.standard_normal((3, 4)))
    a = edutorch.tensor(inp, requires_grad=True)
    b = torch.tensor(inp, requires_grad=True)
    lo = F.kl_div(a, edutorch.tensor(tgt), reduction="batchmean")
    lt = torch.nn.functional.kl_div(b, torch.tensor(tgt), reduction="batchmean")
    assert_same(lo, lt)
    assert lo.grad_fn.name() == lt.grad_fn.name()
    lo.backward()
    lt.backward()
    assert_same(a.grad, b.grad)


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(edutorch.zeros(2, 2), edutorch.ones(2, 2) / 2)


def test_float64_and_mixed_dtypes(torch):
    x = np.random.default_rng(0).standard_normal((3, 4))
    for fn in ("mse_loss", "smooth_l1_loss", "huber_loss", "l1_loss"):
        for a, b in ((x.astype(np.float32), x * 0.5), (x, (x * 0.5).astype(np.float32))):
            ours = getattr(F, fn)(edutorch.tensor(a), edutorch.tensor(b))
            theirs = getattr(torch.nn.functional, fn)(torch.tensor(a), torch.tensor(b))
            assert_same(ours, theirs)
    ours = F.cross_entropy(edutorch.tensor(x), edutorch.tensor([0, 1, 3]))
    theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor([0, 1, 3]))
    assert_same(ours, theirs)


# --------------------------------------------------------------------------------- legacy arguments
@pytest.mark.parametrize("size_average,reduce,expected", [
    (None, False, "none"), (False, None, "sum"), (True, True, "mean"), (False, False, "none"),
])
def test_legacy_size_average_reduce(torch, size_average, reduce, expected):
    r = _rng()
    x, y = r.standard_normal((3, 4)).astype(np.float32), r.standard_normal((3, 4)).astype(np.float32)
    for fn in ("mse_loss", "l1_loss", "soft_margin_loss", "kl_div"):
        with pytest.warns(UserWarning, match=f"reduction='{expected}'"):
            ours = getattr(F, fn)(edutorch.tensor(x), edutorch.tensor(y), size_average=size_average,
                                  reduce=reduce)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.nn.functional, fn)(torch.tensor(x), torch.tensor(y),
                                                      size_average=size_average, reduce=reduce)
        assert_same(ours, theirs, rtol=1e-4)
    with pytest.warns(UserWarning):
        out = F.nll_loss(edutorch.tensor(x), edutorch.tensor([0, 1, 2]), size_average=size_average,
                         reduce=reduce)
    assert out.dim() == (1 if expected == "none" else 0)


# ---------------------------------------------------------------------------------------- errors
def _errors():
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    return {
        "nll_batch": lambda L, F_: F_.nll_loss(L.tensor(x), L.tensor([0, 1])),
        "nll_oob": lambda L, F_: F_.nll_loss(L.tensor(x), L.tensor([0, 1, 5])),
        "nll_negative": lambda L, F_: F_.nll_loss(L.tensor(x), L.tensor([0, 1, -3])),
        "nll_float_target": lambda L, F_: F_.nll_loss(L.tensor(x), L.tensor([0.0, 1, 2])),
        "nll_int32_target": lambda L, F_: F_.nll_loss(L.tensor(x), L.tensor([0, 1, 2], dtype=L.int32)),
        "nll_weight": lambda L, F_: F_.nll_loss(L.tensor(x), L.tensor([0, 1, 2]), weight=L.ones(4)),
        "nll_0d": lambda L, F_: F_.nll_loss(L.tensor(1.0), L.tensor(0)),
        "nll_3d_target": lambda L, F_: F_.nll_loss(L.zeros(2, 5, 3), L.zeros(2, 4, dtype=L.long)),
        "nll_4d_target": lambda L, F_: F_.nll_loss(L.zeros(2, 5, 3, 3), L.zeros(2, 3, 4, dtype=L.long)),
        "nll_4d_oob": lambda L, F_: F_.nll_loss(L.zeros(2, 5, 3, 3), L.full((2, 3, 3), 7)),
        "nll_2d_target": lambda L, F_: F_.nll_loss(L.tensor(x), L.zeros(3, 1, dtype=L.long)),
        "nll_long_input": lambda L, F_: F_.nll_loss(L.ones(3, 5, dtype=L.long), L.tensor([0, 1, 2])),
        "ce_float_wrong_shape": lambda L, F_: F_.cross_entropy(L.tensor(x), L.rand(3, 4)),
        "ce_float_1d": lambda L, F_: F_.cross_entropy(L.tensor(x), L.rand(3)),
        "ce_float_wrong_batch": lambda L, F_: F_.cross_entropy(L.tensor(x), L.rand(2, 5)),
        "ce_oob": lambda L, F_: F_.cross_entropy(L.tensor(x), L.tensor([0, 1, 5])),
        "ce_batch": lambda L, F_: F_.cross_entropy(L.tensor(x), L.tensor([0, 1])),
        "ce_label_smoothing": lambda L, F_: F_.cross_entropy(L.tensor(x), L.tensor([0, 1, 2]),
                                                            label_smoothing=1.5),
        "ce_probs_ignore_index": lambda L, F_: F_.cross_entropy(L.tensor(x), L.rand(3, 5), ignore_index=0),
        "ce_int32": lambda L, F_: F_.cross_entropy(L.tensor(x), L.tensor([0, 1, 2], dtype=L.int32)),
        "ce_weight": lambda L, F_: F_.cross_entropy(L.tensor(x), L.tensor([0, 1, 2]), weight=L.ones(4)),
        "ce_probs_weight": lambda L, F_: F_.cross_entropy(L.tensor(x), L.rand(3, 5), weight=L.ones(4)),
        "ce_reduction": lambda L, F_: F_.cross_entropy(L.tensor(x), L.tensor([0, 1, 2]), reduction="foo"),
        "mse_reduction": lambda L, F_: F_.mse_loss(L.tensor(x), L.tensor(x), reduction="foo"),
        "mse_shape": lambda L, F_: F_.mse_loss(L.tensor(x), L.zeros(2, 5)),
        "mse_long": lambda L, F_: F_.mse_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
        "mse_weight_shape": lambda L, F_: F_.mse_loss(L.tensor(x), L.tensor(x), weight=L.ones(5)),
        "bce_size": lambda L, F_: F_.binary_cross_entropy(L.rand(3), L.rand(3, 1)),
        "bce_range": lambda L, F_: F_.binary_cross_entropy(L.tensor([1.5]), L.rand(1)),
        "bce_target_range": lambda L, F_: F_.binary_cross_entropy(L.tensor([0.5]), L.tensor([2.0])),
        "bce_long_target": lambda L, F_: F_.binary_cross_entropy(L.tensor([0.5]), L.tensor([1])),
        "bcel_size": lambda L, F_: F_.binary_cross_entropy_with_logits(L.rand(3), L.rand(3, 1)),
        "bcel_long_target": lambda L, F_: F_.binary_cross_entropy_with_logits(L.tensor([0.5]), L.tensor([1])),
        "kl_reduction": lambda L, F_: F_.kl_div(L.tensor(x), L.tensor(x), reduction="foo"),
        "smooth_l1_beta": lambda L, F_: F_.smooth_l1_loss(L.tensor(x), L.tensor(x), beta=-1.0),
        "huber_delta": lambda L, F_: F_.huber_loss(L.tensor(x), L.tensor(x), delta=0.0),
        "mm_p": lambda L, F_: F_.multi_margin_loss(L.tensor(x), L.tensor([0, 1, 2]), p=3),
        "mm_oob": lambda L, F_: F_.multi_margin_loss(L.tensor(x), L.tensor([0, 1, 7])),
        "mm_batch": lambda L, F_: F_.multi_margin_loss(L.tensor(x), L.tensor([0, 1])),
        "mm_weight_2d": lambda L, F_: F_.multi_margin_loss(L.tensor(x), L.tensor([0, 1, 2]),
                                                          weight=L.ones(1, 5)),
        "mlm_shape": lambda L, F_: F_.multilabel_margin_loss(L.tensor(x), L.tensor([0, 1, 2])),
        "mlm_oob": lambda L, F_: F_.multilabel_margin_loss(L.tensor(x), L.full((3, 5), 9)),
        "gauss_negative": lambda L, F_: F_.gaussian_nll_loss(L.tensor(x), L.tensor(x), -L.ones(3, 5)),
        "gauss_size": lambda L, F_: F_.gaussian_nll_loss(L.tensor(x), L.tensor(x), L.ones(2, 2)),
        "gauss_reduction": lambda L, F_: F_.gaussian_nll_loss(L.tensor(x), L.tensor(x), L.ones(3, 5),
                                                             reduction="foo"),
        "triplet_margin": lambda L, F_: F_.triplet_margin_loss(L.tensor(x), L.tensor(x), L.tensor(x), margin=0),
        "triplet_dims": lambda L, F_: F_.triplet_margin_loss(L.tensor(x), L.tensor(x), L.tensor(x[0])),
        "cos_target_dim": lambda L, F_: F_.cosine_embedding_loss(L.tensor(x), L.tensor(x), L.ones(3, 1)),
        "cos_input_dim": lambda L, F_: F_.cosine_embedding_loss(L.tensor(x[0]), L.tensor(x[0]), L.ones(3)),
        "margin_rank_dims": lambda L, F_: F_.margin_ranking_loss(L.tensor(x), L.tensor(x), L.ones(3)),
        "soft_margin_shape": lambda L, F_: F_.soft_margin_loss(L.tensor(x), L.ones(2, 5)),
        "poisson_reduction": lambda L, F_: F_.poisson_nll_loss(L.tensor(x), L.tensor(x), reduction="foo"),
        "mlsm_reduction": lambda L, F_: F_.multilabel_soft_margin_loss(L.tensor(x), L.tensor(x),
                                                                      reduction="foo"),
        "bce_weight_requires_grad": lambda L, F_: F_.binary_cross_entropy(
            L.rand(3), L.rand(3), weight=L.ones(3, requires_grad=True)),
        "bcel_pos_weight_requires_grad": lambda L, F_: F_.binary_cross_entropy_with_logits(
            L.rand(3), L.rand(3), pos_weight=L.ones(3, requires_grad=True)),
    }


ERRORS = _errors()


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_types_match_torch(torch, name):
    make = ERRORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            make(torch, torch.nn.functional)
        with pytest.raises(Exception) as ours:
            make(edutorch, F)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


def test_error_messages_name_shapes_and_values():
    x = edutorch.zeros(3, 5)
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)\."):
        F.nll_loss(x, edutorch.tensor([0, 1]))
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(x, edutorch.tensor([0, 1, 5]))
    with pytest.raises(RuntimeError, match=r"multi-target not supported: input of shape \[3, 5\] needs a "
                                           r"target of shape \[3\], got \[3, 4\]"):
        F.cross_entropy(x, edutorch.rand(3, 4))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 3\], got \[2, 4\]"):
        F.nll_loss(edutorch.zeros(2, 5, 3), edutorch.zeros(2, 4, dtype=edutorch.long))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.nll_loss(x, edutorch.tensor([0.0, 1, 2]))
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[3, 1\]\)\) must be the same as input"):
        F.binary_cross_entropy_with_logits(edutorch.rand(3), edutorch.rand(3, 1))


@pytest.mark.parametrize("input_shape, target_shape", [
    ((4, 3), (4,)), ((4, 3), (4, 2)), ((4, 3), (4, 1)), ((4, 3), (4, 3, 1)), ((3,), ()), ((3,), (2,)),
    ((4, 3, 5), (4, 5)), ((4, 3, 5), (4, 6))])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_cross_entropy_wrong_target_messages_start_like_torch(torch, input_shape, target_shape, dtype):
    """A target not of the input's shape is read as class indices and checked as nll_loss checks them
    (PyTorch's order of checks): PyTorch's message, then edutorch's hint. Lesson 20 prints PyTorch's part."""
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.cross_entropy(torch.zeros(input_shape),
                                          torch.zeros(target_shape, dtype=getattr(torch, dtype)))
    with pytest.raises(Exception) as ours:
        F.cross_entropy(edutorch.zeros(input_shape), edutorch.zeros(target_shape, dtype=getattr(edutorch, dtype)))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).startswith(str(theirs.value)), (str(ours.value), str(theirs.value))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_one_sample_with_a_1d_target_of_size_1(torch, reduction):
    """PyTorch accepts a (1,) target for a single (C,) sample, and gives a 0-d loss. (Its backward then
    fails with "size mismatch", a PyTorch bug: our gradient is compared with the 0-d target's.)"""
    x = np.array([0.1, 0.5, 0.2], dtype=np.float32)
    for name in ("nll_loss", "cross_entropy"):
        ours_x, theirs_x = edutorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours = getattr(F, name)(ours_x, edutorch.tensor([1]), reduction=reduction)
        assert_same(ours, getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor([1]), reduction=reduction))
        theirs = getattr(torch.nn.functional, name)(theirs_x, torch.tensor(1), reduction=reduction)
        ours.backward()
        theirs.backward()
        assert_same(ours_x.grad, theirs_x.grad)


def test_byte_targets_accepted(torch):
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    ours = F.cross_entropy(edutorch.tensor(x), edutorch.tensor([0, 1, 4], dtype=edutorch.uint8))
    theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor([0, 1, 4], dtype=torch.uint8))
    assert_same(ours, theirs)


def test_mse_broadcast_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(edutorch.zeros(3, 4), edutorch.zeros(1, 4))


# ------------------------------------------------------------------- hypothesis: shapes and options
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(ndim=st.integers(1, 5), n_classes=st.integers(1, 4), seed=st.integers(0, 2**16),
       reduction=st.sampled_from(REDUCTIONS), use_weight=st.booleans(), smoothing=st.sampled_from([0.0, 0.25]),
       ignore=st.booleans(), probs=st.booleans())
def test_cross_entropy_shapes_hypothesis(torch, ndim, n_classes, seed, reduction, use_weight, smoothing, ignore,
                                         probs):
    r = np.random.default_rng(seed)
    shape = (n_classes,) if ndim == 1 else (int(r.integers(1, 4)), n_classes) + tuple(r.integers(1, 3, ndim - 2))
    x = r.standard_normal(shape).astype(np.float32)
    class_dim = 0 if ndim == 1 else 1
    if probs:
        t = np.moveaxis(r.dirichlet(np.ones(n_classes), size=x.size // n_classes).astype(np.float32), -1, 0)
        t = np.moveaxis(t.reshape((n_classes,) + tuple(np.delete(shape, class_dim))), 0, class_dim)
        ignore_index = -100
    else:
        t_shape = () if ndim == 1 else (shape[0],) + shape[2:]
        t = r.integers(0, n_classes, t_shape)
        ignore_index = int(r.integers(0, n_classes)) if ignore else -100
    kw = dict(reduction=reduction, label_smoothing=smoothing, ignore_index=ignore_index)
    w = r.uniform(0.5, 2, n_classes).astype(np.float32) if use_weight else None
    a, b = edutorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.cross_entropy(a, edutorch.tensor(t), weight=None if w is None else edutorch.tensor(w), **kw)
    theirs = torch.nn.functional.cross_entropy(b, torch.tensor(t), weight=None if w is None else torch.tensor(w),
                                               **kw)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    if np.isfinite(theirs.detach().numpy()).all():  # all-ignored 'mean' is nan in both
        ours.sum().backward()
        theirs.sum().backward()
        assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["mse_loss", "smooth_l1_loss"])
def test_integer_prediction_with_float_target_promotes_and_two_integers_raise(torch, name):
    ours_fn, theirs_fn = getattr(edutorch.nn.functional, name), getattr(torch.nn.functional, name)
    assert_same(ours_fn(edutorch.tensor([1, 2]), edutorch.tensor([1.0, 3.0])),
                theirs_fn(torch.tensor([1, 2]), torch.tensor([1.0, 3.0])))
    with pytest.raises(NotImplementedError) as theirs:
        theirs_fn(torch.tensor([1, 2]), torch.tensor([1, 3]))
    with pytest.raises(NotImplementedError) as ours:
        ours_fn(edutorch.tensor([1, 2]), edutorch.tensor([1, 3]))
    assert str(ours.value).startswith(str(theirs.value))


@pytest.mark.parametrize("case", ["all_ignored", "all_ignored_spatial", "zero_weight_class", "sum_all_ignored"])
def test_ignored_targets_get_zero_gradient_as_torch(torch, case):
    """Every target ignored: the mean is 0/0 = nan, but no input took part, so every gradient is 0
    (an optimizer step then leaves the weights alone); a class of weight 0 that *is* a target gives
    nan at its picked entries, as PyTorch."""
    results = []
    for lib in (edutorch, torch):
        F = lib.nn.functional
        if case == "all_ignored_spatial":
            x = lib.ones(2, 4, 3, requires_grad=True)
            loss = F.cross_entropy(x, lib.full((2, 3), -100))
        else:
            x = lib.tensor([[0.1, 0.2, 0.3, 0.4]] * 3, requires_grad=True)
            if case == "zero_weight_class":
                loss = F.nll_loss(x, lib.tensor([1, 1, -100]), weight=lib.tensor([1.0, 0.0, 1.0, 1.0]))
            else:
                loss = F.cross_entropy(x, lib.tensor([-100, -100, -100]),
                                       reduction="sum" if case == "sum_all_ignored" else "mean")
        loss.backward()
        results.append((loss.detach().numpy(), x.grad.numpy()))
    (ours_loss, ours_grad), (theirs_loss, theirs_grad) = results
    np.testing.assert_array_equal(ours_loss, theirs_loss)
    np.testing.assert_array_equal(ours_grad, theirs_grad)   # nan where torch has nan, 0 elsewhere
