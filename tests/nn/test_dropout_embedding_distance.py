"""Dropout (scaling, masks, train/eval, the global generator, errors), Embedding (padding_idx, max_norm,
repeated-index gradient accumulation), CosineSimilarity and PairwiseDistance, against PyTorch."""
from __future__ import annotations


import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _rand(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ------------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_zeroes_about_p_and_scales_the_rest(p):
    x = edutorch.ones(200, 200)
    out = F.dropout(x, p).numpy()
    kept = out != 0
    assert kept.mean() == pytest.approx(1 - p, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    assert out.dtype == np.float32
    assert out.mean() == pytest.approx(1.0, abs=0.05)  # expected value preserved


def test_dropout_gradient_is_the_mask(torch):
    x = edutorch.tensor(_rand((6, 7)), requires_grad=True)
    out = F.dropout(x, 0.3)
    assert out.grad_fn.name() == "MulBackward0"
    out.sum().backward()
    mask = out.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)


def test_dropout_identity_cases_and_p_one(torch):
    x = edutorch.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    assert (F.alpha_dropout(x, 0.5) is x)  # alpha_dropout's training defaults to False, as in PyTorch
    for fn in (F.dropout, F.dropout1d, F.dropout2d, F.alpha_dropout):
        with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
            fn(edutorch.randn(2, 3, 4), 1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(-0.1)
    with pytest.raises(ValueError):
        torch.nn.Dropout(-0.1)


def test_dropout_uses_the_global_generator():
    edutorch.manual_seed(11)
    a = F.dropout(edutorch.ones(50)).numpy()
    edutorch.manual_seed(11)
    b = F.dropout(edutorch.ones(50)).numpy()
    assert (a == b).all()


def test_dropout_inplace(torch):
    leaf = edutorch.ones(100, requires_grad=True)
    x = leaf * 1
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and out.grad_fn.name() == "MulBackward0"
    out.sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), x.detach().numpy())


def test_channel_dropout_masks_whole_channels():
    x = edutorch.ones(8, 16, 5, 5)
    out = F.dropout2d(x, 0.5).numpy()
    per_channel = out.reshape(8, 16, -1)
    assert ((per_channel == 0).all(2) | (per_channel == 2).all(2)).all()
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    out = F.dropout1d(edutorch.ones(8, 16, 5), 0.5).numpy()
    assert ((out == 0).all(2) | (out == 2).all(2)).all()
    out = F.dropout1d(edutorch.ones(16, 5), 0.5).numpy()  # no batch dim
    assert ((out == 0).all(1) | (out == 2).all(1)).all()
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(edutorch.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        F.dropout2d(edutorch.ones(2, 3, 4))


def test_alpha_dropout_keeps_mean_and_variance():
    x = edutorch.randn(400, 400)
    out = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert out.mean() == pytest.approx(0.0, abs=0.02)
    assert out.std() == pytest.approx(1.0, abs=0.02)
    assert F.alpha_dropout(edutorch.randn(3, requires_grad=True), 0.5, True).grad_fn.name() == "AddBackward0"


@pytest.mark.parametrize("make", [lambda nn: nn.Dropout(), lambda nn: nn.Dropout(0.2, True),
                                  lambda nn: nn.Dropout1d(), lambda nn: nn.Dropout2d(0.1),
                                  lambda nn: nn.AlphaDropout(0.3), lambda nn: nn.FeatureAlphaDropout()])
def test_dropout_modules_train_and_eval(make, torch):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    x = (edutorch.randn(4, 6, 5) if isinstance(ours, nn.Dropout1d) else edutorch.randn(4, 6, 5, 2)) + 3
    assert not np.allclose(ours(x * 1).numpy(), x.numpy())
    ours.eval()
    assert_same(ours(x), x)


# ------------------------------------------------------------------- embedding
def test_embedding_parity_with_repeated_indices(torch):
    weight = _rand((10, 4))
    idx = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [1, 1, 1, 0]])
    ours_w, theirs_w = edutorch.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    ours = F.embedding(edutorch.tensor(idx), ours_w)
    theirs = torch.nn.functional.embedding(torch.tensor(idx), theirs_w)
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == "EmbeddingBackward0"
    up = _rand((3, 4, 4), 1)
    ours.backward(edutorch.tensor(up))
    theirs.backward(torch.tensor(up))
    assert_same(ours_w.grad, theirs_w.grad)  # row 1 received three gradients, summed


@pytest.mark.parametrize("kw", [{"padding_idx": 1}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding_options(kw, torch):
    weight = _rand((10, 3))
    idx = np.array([1, 1, 9, 0, 1, 3])
    ours_w, theirs_w = edutorch.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    o = F.embedding(edutorch.tensor(idx), ours_w, **kw)
    t = torch.nn.functional.embedding(torch.tensor(idx), theirs_w, **kw)
    assert_same(o, t)
    (o * o).sum().backward()
    (t * t).sum().backward()
    assert_same(ours_w.grad, theirs_w.grad)


def test_embedding_max_norm_renormalises_looked_up_rows(torch):
    weight = _rand((6, 3)) * 3
    idx = np.array([0, 2, 2, 5])
    ours_w, theirs_w = edutorch.tensor(weight), torch.tensor(weight)
    version = ours_w._version
    o = F.embedding(edutorch.tensor(idx), ours_w, max_norm=1.0)
    t = torch.nn.functional.embedding(torch.tensor(idx), theirs_w, max_norm=1.0)
    assert_same(o, t)
    assert_same(ours_w, theirs_w)  # the weight itself was rescaled, only rows 0, 2 and 5
    assert ours_w._version > version
    o = F.embedding(edutorch.tensor(idx), edutorch.tensor(weight), max_norm=2.0, norm_type=1.0)
    t = torch.nn.functional.embedding(torch.tensor(idx), torch.tensor(weight), max_norm=2.0, norm_type=1.0)
    assert_same(o, t)


def test_embedding_gradcheck():
    w = edutorch.tensor(_rand((5, 3), 0, np.float64), requires_grad=True)
    idx = edutorch.tensor([[0, 1, 1], [4, 0, 2]])
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))  # (padding_idx deliberately breaks it)


def test_embedding_errors(torch):
    w = edutorch.randn(3, 2)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(edutorch.tensor([5]), w)
    with pytest.raises(IndexError):
        torch.nn.functional.embedding(torch.tensor([5]), torch.randn(3, 2))
    with pytest.raises(RuntimeError, match="Long, Int"):
        F.embedding(edutorch.tensor([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 0}, {"padding_idx": -1},
                                {"max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True}])
def test_embedding_module(kw, torch):
    ours, theirs = nn.Embedding(10, 3, **kw), torch.nn.Embedding(10, 3, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if ours.padding_idx is not None:
        assert (ours.weight.detach().numpy()[ours.padding_idx] == 0).all()
    big = nn.Embedding(300, 300)
    assert big.weight.detach().numpy().std() == pytest.approx(1.0, abs=0.01)  # N(0, 1)


def test_embedding_from_pretrained(torch):
    table = edutorch.tensor(_rand((4, 2)))
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    assert_same(frozen(edutorch.tensor([3, 0])), torch.tensor(table.numpy())[[3, 0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


# ------------------------------------------------------------------- distances
@pytest.mark.parametrize("shapes, dim", [(((4, 5), (4, 5)), 1), (((4, 5), (1, 5)), 1), (((3, 4, 2), (3, 4, 2)), 0),
                                         (((5,), (5,)), 0)])
def test_cosine_similarity(shapes, dim, torch):
    a, b = _rand(shapes[0], 1), _rand(shapes[1], 2)
    oa, ob = edutorch.tensor(a, requires_grad=True), edutorch.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    o, t = F.cosine_similarity(oa, ob, dim), torch.nn.functional.cosine_similarity(ta, tb, dim)
    assert_same(o, t)
    assert o.grad_fn.name() == type(t.grad_fn).__name__ == "SumBackward1"
    (o * o).sum().backward()
    (t * t).sum().backward()
    assert_same(oa.grad, ta.grad, atol=1e-5)
    assert_same(ob.grad, tb.grad, atol=1e-5)
    assert_same(nn.CosineSimilarity(dim)(oa, ob), torch.nn.CosineSimilarity(dim)(ta, tb))


def test_cosine_similarity_of_zero_vectors_is_finite(torch):
    z = edutorch.zeros(2, 3)
    assert (F.cosine_similarity(z, z).numpy() == 0).all()


@pytest.mark.parametrize("p, keepdim", [(2.0, False), (1.0, True), (3.0, False)])
def test_pairwise_distance(p, keepdim, torch):
    a, b = _rand((4, 5), 1), _rand((4, 5), 2)
    oa, ob = edutorch.tensor(a, requires_grad=True), edutorch.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    o = F.pairwise_distance(oa, ob, p, keepdim=keepdim)
    t = torch.nn.functional.pairwise_distance(ta, tb, p, keepdim=keepdim)
    assert_same(o, t)
    o.sum().backward()
    t.sum().backward()
    assert_same(oa.grad, ta.grad, atol=1e-5)
    assert_same(nn.PairwiseDistance(p, keepdim=keepdim)(oa, ob), torch.nn.PairwiseDistance(p, keepdim=keepdim)(ta, tb))


def test_distance_gradcheck():
    a = edutorch.tensor(_rand((3, 4), 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand((3, 4), 2, np.float64), requires_grad=True)
    assert gradcheck(F.cosine_similarity, (a, b))
    assert gradcheck(F.pairwise_distance, (a, b))


def test_glu_gradcheck_and_node(torch):
    x = edutorch.tensor(_rand((4, 3), 1, np.float64), requires_grad=True)
    assert gradcheck(lambda a: F.glu(a, 0), (x,))
    theirs = torch.nn.functional.glu(torch.randn(2, 4, requires_grad=True))
    assert F.glu(x, 0).grad_fn.name() == type(theirs.grad_fn).__name__
