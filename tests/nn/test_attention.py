"""scaled_dot_product_attention and MultiheadAttention: finite differences and PyTorch parity."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch import nn
from edutorch.autograd import gradcheck
from edutorch.ops.attention import Attention
from tests.conftest import assert_same

rng = np.random.default_rng(0)


def _leaf(*shape):
    return edutorch.tensor(rng.standard_normal(shape), requires_grad=True)


def _both(torch, array, grad=True):
    return edutorch.tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


# ====================================================================== the Function, by finite differences
def test_attention_gradcheck_plain():
    q, k, v = _leaf(2, 3, 4), _leaf(2, 5, 4), _leaf(2, 5, 3)
    assert gradcheck(lambda q, k, v: Attention.apply(q, k, v, None, None, 0.5), (q, k, v))


def test_attention_gradcheck_float_mask_and_weights_output():
    """The float mask gets a gradient (broadcast over the batch), and so does the weights output."""
    q, k, v, mask = _leaf(2, 3, 4), _leaf(2, 5, 4), _leaf(2, 5, 3), _leaf(3, 5)
    assert gradcheck(lambda q, k, v, m: Attention.apply(q, k, v, m, None, 0.7), (q, k, v, mask))


def test_attention_gradcheck_dropout_and_masked_rows():
    keep = (rng.random((2, 3, 5)) > 0.3) / 0.7
    mask = np.zeros((3, 5))
    mask[:, 1] = -np.inf
    mask[2] = -np.inf  # a row with every key masked: weights and gradient 0
    q, k, v = _leaf(2, 3, 4), _leaf(2, 5, 4), _leaf(2, 5, 3)
    assert gradcheck(lambda q, k, v: Attention.apply(q, k, v, edutorch.tensor(mask), keep, 0.5), (q, k, v))


def test_attention_gradcheck_grouped_query():
    q, k, v = _leaf(1, 4, 3, 2), _leaf(1, 2, 5, 2), _leaf(1, 2, 5, 3)
    assert gradcheck(lambda q, k, v: Attention.apply(q, k, v, None, None, 1.0, 2), (q, k, v))


# ====================================================================== F.scaled_dot_product_attention
def _sdpa_both(torch, q_shape, k_shape, v_shape, mask=None, **kw):
    (eq, tq), (ek, tk), (ev, tv) = (_both(torch, rng.standard_normal(s)) for s in (q_shape, k_shape, v_shape))
    em = tm = None
    if mask is not None:
        em, tm = _both(torch, mask, grad=mask.dtype != bool)
    eo = F.scaled_dot_product_attention(eq, ek, ev, attn_mask=em, **kw)
    to = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, **kw)
    assert_same(eo, to, rtol=1e-7, atol=1e-9)
    g = rng.standard_normal(tuple(to.shape))
    eo.backward(edutorch.tensor(g))
    to.backward(torch.tensor(g))
    pairs = [(eq, tq), (ek, tk), (ev, tv)] + ([(em, tm)] if mask is not None and mask.dtype != bool else [])
    for e, t in pairs:
        assert_same(e.grad, t.grad, rtol=1e-7, atol=1e-9)


def _bool_mask(shape, p=0.7):
    mask = rng.random(shape) < p
    mask[..., 0] = True
    return mask


SDPA_GRID = [
    ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), None, {}),
    ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), "bool", {}),
    ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), "float", {"scale": 0.3}),
    ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), None, {"is_causal": True}),
    ((5, 6, 8), (5, 6, 8), (5, 6, 8), None, {"is_causal": True}),
    ((4, 8), (6, 8), (6, 3), "bool", {}),  # no batch dims
    ((2, 4, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8), None, {"enable_gqa": True}),
    ((2, 3, 4, 8), (1, 1, 6, 8), (1, 1, 6, 5), None, {}),  # key and value broadcast over batch and heads
]


@pytest.mark.parametrize("q,k,v,mask,kw", SDPA_GRID)
def test_sdpa_parity(torch, q, k, v, mask, kw):
    shape = q[:-1] + k[-2:-1]
    if mask == "bool":
        mask = _bool_mask(shape)
    elif mask == "float":
        mask = rng.standard_normal(shape[-2:])
    _sdpa_both(torch, q, k, v, mask, **kw)


def test_sdpa_fully_masked_row_is_zero(torch):
    mask = _bool_mask((4, 6))
    mask[1] = False
    _sdpa_both(torch, (2, 4, 8), (2, 6, 8), (2, 6, 5), mask)


def test_sdpa_dropout():
    q, k, v = (edutorch.randn(2, 4, 8) for _ in range(3))
    plain = F.scaled_dot_product_attention(q, k, v)
    edutorch.manual_seed(1)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    edutorch.manual_seed(1)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert np.array_equal(a.numpy(), b.numpy())  # the global generator decides the mask
    assert not np.allclose(a.numpy(), plain.numpy())
    assert np.array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy(), np.zeros((2, 4, 8)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.randn(2, 4, 8), lib.randn(2, 5, 8), lib.randn(2, 5, 8), attn_mask=lib.ones(4, 5, dtype=lib.bool),
        is_causal=True),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.randn(2, 4, 8), lib.randn(2, 5, 7),
                                                               lib.randn(2, 5, 8)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.randn(2, 4, 8), lib.randn(2, 5, 8),
                                                               lib.randn(2, 6, 8)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.randn(1, 2, 4, 8), lib.randn(1, 3, 5, 8),
                                                               lib.randn(1, 3, 5, 8)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.randn(2, 4, 8), lib.randn(2, 5, 8),
                                                               lib.randn(2, 5, 8),
                                                               attn_mask=lib.zeros(4, 5, dtype=lib.float64)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.randn(2, 4, 8), lib.randn(2, 5, 8),
                                                               lib.randn(2, 5, 8),
                                                               attn_mask=lib.zeros(4, 5, dtype=lib.int64)),
])
def test_sdpa_errors_match_torch(torch, call):
    def error(lib):
        try:
            call(lib)
        except Exception as e:  # noqa: BLE001
            return type(e)
        return None

    assert error(torch) is not None and error(edutorch) is error(torch)


# ====================================================================== nn.MultiheadAttention
def _pair_mha(torch, *args, **kw):
    ours = nn.MultiheadAttention(*args, **kw).double()
    theirs = torch.nn.MultiheadAttention(*args, **kw).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


MHA_GRID = [
    ({}, {}),
    ({"bias": False}, {}),
    ({"kdim": 3, "vdim": 5}, {}),
    ({"add_bias_kv": True}, {"kpm": "bool"}),
    ({"add_zero_attn": True}, {"mask": "bool2d"}),
    ({"add_bias_kv": True, "add_zero_attn": True, "kdim": 3, "vdim": 5}, {"kpm": "bool", "mask": "float3d"}),
    ({"batch_first": True}, {"mask": "float2d", "kpm": "float"}),
    ({}, {"need_weights": False, "kpm": "bool"}),
    ({}, {"average_attn_weights": False, "mask": "bool3d"}),
    ({}, {"mask": "causal", "is_causal": True}),
    ({}, {"mask": "causal", "is_causal": True, "need_weights": False}),
    ({"dropout": 0.5}, {"eval": True, "kpm": "bool"}),
    ({}, {"kpm": "masked_item"}),                          # every key of item 1 masked: nan, as PyTorch
    ({}, {"kpm": "masked_item", "need_weights": False}),   # ... and 0 on PyTorch's SDPA path
]


def _masks(torch, spec, n, heads, tgt, src, batched=True):
    """Matching edutorch / torch masks for the forward's keyword arguments."""
    out_e, out_t = {}, {}
    kpm = spec.get("kpm")
    if kpm:
        shape = (n, src) if batched else (src,)
        m = rng.random(shape) < 0.3
        m[..., 0] = False
        if kpm == "masked_item":
            m[1] = True
        if kpm == "float":
            m = np.where(m, -np.inf, 0.0)
        out_e["key_padding_mask"], out_t["key_padding_mask"] = edutorch.tensor(m), torch.tensor(m)
    mask = spec.get("mask")
    if mask:
        shape = (tgt, src) if mask.endswith("2d") or mask == "causal" else (n * heads, tgt, src)
        if mask == "causal":
            m = np.triu(np.ones(shape, dtype=bool), 1)
        else:
            m = rng.random(shape) < 0.3
            m[..., 0] = False
            if mask.startswith("float"):
                m = rng.standard_normal(shape)
        out_e["attn_mask"], out_t["attn_mask"] = edutorch.tensor(m), torch.tensor(m)
    for key in ("need_weights", "average_attn_weights", "is_causal"):
        if key in spec:
            out_e[key] = out_t[key] = spec[key]
    return out_e, out_t


@pytest.mark.parametrize("init_kw,call", MHA_GRID)
def test_mha_parity(torch, init_kw, call):
    ours, theirs = _pair_mha(torch, 8, 2, **init_kw)
    if call.get("eval"):
        ours.eval()
        theirs.eval()
    n, tgt, src = 3, 4, 6
    bf = init_kw.get("batch_first", False)
    shapes = [(tgt, n, 8), (src, n, init_kw.get("kdim", 8)), (src, n, init_kw.get("vdim", 8))]
    if bf:
        shapes = [(s[1], s[0], s[2]) for s in shapes]
    pairs = [_both(torch, rng.standard_normal(s)) for s in shapes]
    kw_e, kw_t = _masks(torch, call, n, 2, tgt, src)
    with warnings.catch_warnings(record=True) as caught_e:
        warnings.simplefilter("always")
        eo, ew = ours(*[p[0] for p in pairs], **kw_e)
    with warnings.catch_warnings(record=True) as caught_t:
        warnings.simplefilter("always")
        to, tw = theirs(*[p[1] for p in pairs], **kw_t)
    assert [str(w.message) for w in caught_e] == [str(w.message) for w in caught_t]
    assert_same(eo, to, rtol=1e-7, atol=1e-9)
    assert (ew is None) == (tw is None)
    loss_e = (eo * edutorch.tensor(g := rng.standard_normal(tuple(to.shape)))).sum()
    loss_t = (to * torch.tensor(g)).sum()
    if tw is not None:
        assert_same(ew, tw, rtol=1e-7, atol=1e-9)
        gw = rng.standard_normal(tuple(tw.shape))
        loss_e = loss_e + (ew * edutorch.tensor(gw)).sum()
        loss_t = loss_t + (tw * torch.tensor(gw)).sum()
    loss_e.backward()
    loss_t.backward()
    for e, t in pairs:
        assert_same(e.grad, t.grad, rtol=1e-7, atol=1e-9)
    t_params = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(t_params)
    for name, p in ours.named_parameters():
        assert_same(p.grad, t_params[name].grad, rtol=1e-7, atol=1e-9)


def test_mha_unbatched_parity(torch):
    ours, theirs = _pair_mha(torch, 8, 4)
    x = rng.standard_normal((5, 8))
    (ex, tx) = _both(torch, x)
    kw_e, kw_t = _masks(torch, {"kpm": "bool"}, 1, 4, 5, 5, batched=False)
    eo, ew = ours(ex, ex, ex, **kw_e)
    to, tw = theirs(tx, tx, tx, **kw_t)
    assert_same(eo, to, rtol=1e-7, atol=1e-9)
    assert_same(ew, tw, rtol=1e-7, atol=1e-9)
    eo.sum().backward()
    to.sum().backward()
    assert_same(ex.grad, tx.grad, rtol=1e-7, atol=1e-9)


def test_mha_dropout_in_training():
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = edutorch.randn(4, 2, 8)
    a, b = m(x, x, x)[0], m(x, x, x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    assert np.array_equal(m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy())


def test_mha_state_dict_from_torch_and_repr(torch):
    theirs = torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    ours = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: edutorch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in ((4, 2, 8), (6, 2, 3), (6, 2, 5)))
    eo, ew = ours(edutorch.tensor(q), edutorch.tensor(k), edutorch.tensor(v))
    to, tw = theirs(torch.tensor(q), torch.tensor(k), torch.tensor(v))
    assert_same(eo, to, rtol=1e-5, atol=1e-6)
    assert_same(ew, tw, rtol=1e-5, atol=1e-6)


def test_mha_default_init(torch):
    """Xavier-uniform projections, zero biases, as in PyTorch: compare the ranges of the two inits."""
    ours, theirs = nn.MultiheadAttention(64, 4), torch.nn.MultiheadAttention(64, 4)
    bound = (6 / (64 + 192)) ** 0.5
    w = ours.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(theirs.in_proj_weight.detach().numpy()).max() <= bound
    assert not ours.in_proj_bias.detach().numpy().any() and not ours.out_proj.bias.detach().numpy().any()


@pytest.mark.parametrize("build,call", [
    (lambda nn: nn.MultiheadAttention(7, 2), lambda lib, m: None),
    (lambda nn: nn.MultiheadAttention(8, 2), lambda lib, m: m(lib.randn(4, 2, 6), lib.randn(5, 2, 6),
                                                               lib.randn(5, 2, 6))),
    (lambda nn: nn.MultiheadAttention(8, 2), lambda lib, m: m(lib.randn(4, 2, 8), lib.randn(5, 2, 8),
                                                               lib.randn(5, 2, 8),
                                                               attn_mask=lib.zeros(3, 3, dtype=lib.bool))),
    (lambda nn: nn.MultiheadAttention(8, 2), lambda lib, m: m(lib.randn(4, 2, 8), lib.randn(5, 2, 8),
                                                               lib.randn(5, 2, 8), is_causal=True)),
    (lambda nn: nn.MultiheadAttention(8, 2), lambda lib, m: m(lib.randn(4, 2, 8), lib.randn(5, 8),
                                                               lib.randn(5, 8))),
    (lambda nn: nn.MultiheadAttention(8, 2), lambda lib, m: m(lib.randn(4, 2, 8), lib.randn(5, 2, 8),
                                                               lib.randn(6, 2, 8))),
    (lambda nn: nn.MultiheadAttention(8, 2), lambda lib, m: m(lib.randn(4, 2, 8), lib.randn(5, 2, 8),
                                                               lib.randn(5, 2, 8),
                                                               attn_mask=lib.zeros(4, 5, dtype=lib.int64))),
])
def test_mha_errors_match_torch(torch, build, call):
    def error(lib, nn_mod):
        try:
            call(lib, build(nn_mod))
        except Exception as e:  # noqa: BLE001
            return type(e), str(e)
        return None, None

    ours, theirs = error(edutorch, nn), error(torch, torch.nn)
    assert theirs[0] is not None and ours[0] is theirs[0], (ours, theirs)


def test_weights_changed_in_place_are_caught(torch):
    """The attention weights are saved for backward; changing them in place must fail loudly, as in PyTorch."""
    q, k, v = _leaf(2, 3, 4), _leaf(2, 5, 4), _leaf(2, 5, 3)
    out, weights = Attention.apply(q, k, v, None, None, 0.5)
    weights.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
