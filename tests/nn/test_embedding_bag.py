"""F.embedding_bag and nn.EmbeddingBag: values and gradients (weight and per_sample_weights) against PyTorch for
every mode, offsets, 2-D input, padding_idx, include_last_offset; finite differences; reprs; errors."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch import nn
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

IDS = np.array([1, 2, 4, 5, 4, 3, 2, 9, 4, 4])
CASES = [
    # kwargs of embedding_bag; "offsets" None means a 2-D input of 2 bags of 5
    {"offsets": [0, 4]},
    {"offsets": [0, 4], "mode": "sum"},
    {"offsets": [0, 4], "mode": "max"},
    {"offsets": [0, 0, 3, 3, 10], "mode": "sum"},  # empty bags give zeros
    {"offsets": [0, 2, 5], "padding_idx": 4},  # padding entries are left out of the mean
    {"offsets": [0, 2, 5], "padding_idx": -6, "mode": "max"},
    {"offsets": [0, 1, 6], "padding_idx": 4, "mode": "sum", "per_sample_weights": True},
    {"offsets": [0, 3, 10], "include_last_offset": True, "mode": "sum"},
    {"offsets": [0, 3, 3, 10], "include_last_offset": True, "mode": "mean"},
    {"offsets": None, "mode": "max"},
    {"offsets": None, "mode": "sum", "per_sample_weights": True},
    {"offsets": None, "mode": "mean"},
]


def _run(lib, fn, case, weight, ties=False):
    case = dict(case)
    offsets, psw = case.pop("offsets"), case.pop("per_sample_weights", False)
    ids = lib.tensor(IDS if offsets is not None else IDS.reshape(2, 5))
    w = lib.tensor(weight, requires_grad=True)
    p = lib.tensor(np.linspace(0.5, 2.0, 10).reshape(tuple(ids.shape)), requires_grad=True) if psw else None
    out = fn(ids, w, None if offsets is None else lib.tensor(offsets), per_sample_weights=p, **case)
    (out * lib.tensor(np.arange(out.numel()).reshape(tuple(out.shape)) + 1.0)).sum().backward()
    return out, w, p


@pytest.mark.parametrize("case", CASES)
def test_embedding_bag_matches_torch(torch, case):
    for ties in (False, True):  # small integers: ties in max mode, the first row that reaches the max wins
        rng = np.random.default_rng(0)
        weight = rng.integers(-2, 3, (10, 3)).astype(np.float64) if ties else rng.standard_normal((10, 3))
        eo, ew, ep = _run(edutorch, F.embedding_bag, case, weight)
        to, tw, tp = _run(torch, torch.nn.functional.embedding_bag, case, weight)
        assert_same(eo, to, rtol=1e-7, atol=1e-9)
        assert eo.grad_fn.name() == to.grad_fn.name() == "EmbeddingBagBackward0"
        assert_same(ew.grad, tw.grad, rtol=1e-7, atol=1e-9)
        if ep is not None:
            assert_same(ep.grad, tp.grad, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck(mode):
    ids, offsets = edutorch.tensor(IDS), edutorch.tensor([0, 3, 3, 7])
    w = edutorch.randn(10, 4, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda w: F.embedding_bag(ids, w, offsets, mode=mode, padding_idx=2), (w,))
    if mode == "sum":
        p = edutorch.rand(10, dtype=edutorch.float64, requires_grad=True)
        assert gradcheck(lambda w, p: F.embedding_bag(ids, w, offsets, mode="sum", per_sample_weights=p), (w, p))


def test_embedding_bag_is_a_reduced_embedding():
    # sum / mean / max of each bag of F.embedding rows, and the same gradient (also with scale_grad_by_freq)
    ids, w = edutorch.tensor(IDS), edutorch.randn(10, 3, requires_grad=True)
    rows = F.embedding(ids, w)
    for mode, reduce in (("sum", "sum"), ("mean", "mean"), ("max", "amax")):
        bags = F.embedding_bag(ids, w, edutorch.tensor([0, 4]), mode=mode)
        expected = edutorch.stack([getattr(rows[:4], reduce)(0), getattr(rows[4:], reduce)(0)])
        np.testing.assert_allclose(bags.detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    w2 = edutorch.tensor(w.detach().numpy(), requires_grad=True)
    F.embedding_bag(ids, w, edutorch.tensor([0, 4]), mode="sum", scale_grad_by_freq=True).sum().backward()
    F.embedding(ids, w2, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), w2.grad.numpy(), rtol=1e-6)
    assert F.embedding_bag(ids, w, edutorch.tensor([0, 4])).dtype == edutorch.float32


@pytest.mark.parametrize("call", [
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2, 3]), w, t.tensor([1])),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2, 3]), w, t.tensor([0, 4])),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 12]), w, t.tensor([0])),
    lambda F, t, w: F.embedding_bag(t.tensor([1.0, 2.0]), w, t.tensor([0])),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([0]), mode="foo"),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([0]), mode="max", scale_grad_by_freq=True),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([0]), per_sample_weights=t.ones(2)),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([0]), mode="sum", per_sample_weights=t.ones(3)),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([0]), mode="sum",
                                    per_sample_weights=t.ones(2, dtype=t.float64)),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([0]), padding_idx=10),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w, t.tensor([[0]])),
    lambda F, t, w: F.embedding_bag(t.tensor([[1, 2]]), w, t.tensor([0])),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w),
    lambda F, t, w: F.embedding_bag(t.tensor([[[1, 2]]]), w),
    lambda F, t, w: F.embedding_bag(t.tensor([1, 2]), w[0], t.tensor([0])),
])
def test_embedding_bag_errors_like_torch(torch, call):
    with pytest.raises(Exception) as expected:
        call(torch.nn.functional, torch, torch.zeros(10, 3))
    with pytest.raises(type(expected.value)) as got:
        call(F, edutorch, edutorch.zeros(10, 3))
    # the type repr in one message differs ("<class 'edutorch...Tensor'>"): compare what comes before it
    assert str(got.value).split("<class")[0] == str(expected.value).split("<class")[0]


@pytest.mark.parametrize("kw", [{}, {"mode": "sum"}, {"mode": "max", "padding_idx": -2},
                                {"max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True, "padding_idx": 3},
                                {"include_last_offset": True}])
def test_embedding_bag_module(torch, kw):
    ours, theirs = nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    w = ours.weight.detach().numpy()
    assert abs(w.std() - 1) < 0.5 and (ours.padding_idx is None or (w[ours.padding_idx] == 0).all())
    ours.weight.data = edutorch.tensor(theirs.weight.detach().numpy())
    offsets = [0, 4, 10] if kw.get("include_last_offset") else [0, 4]
    eo = ours(edutorch.tensor(IDS), edutorch.tensor(offsets))
    to = theirs(torch.tensor(IDS), torch.tensor(offsets))
    assert_same(eo, to)
    assert_same(ours.weight, theirs.weight)  # max_norm renormalises the looked-up rows in place, as torch
    eo.sum().backward()
    to.sum().backward()
    if not kw.get("scale_grad_by_freq"):  # (PyTorch's bag frequencies differ from Embedding's: not compared)
        assert_same(ours.weight.grad, theirs.weight.grad)


def test_embedding_bag_from_pretrained(torch):
    table = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    ours = nn.EmbeddingBag.from_pretrained(edutorch.tensor(table), mode="sum")
    theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(table), mode="sum")
    assert repr(ours) == repr(theirs) and not ours.weight.requires_grad
    assert_same(ours(edutorch.tensor([[0, 4], [1, 1]])), theirs(torch.tensor([[0, 4], [1, 1]])))
