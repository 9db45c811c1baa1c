"""Transformer layers, stacks and the whole model: PyTorch parity of outputs and every gradient."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import edutorch
from edutorch import nn
from tests.conftest import assert_same

rng = np.random.default_rng(0)


def _pair(torch, name, *args, **kw):
    """The same module in both libraries, float64, edutorch's weights copied into PyTorch's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor's note
        ours = getattr(nn, name)(*args, **kw).double()
        theirs = getattr(torch.nn, name)(*args, **kw).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def _both(torch, shape):
    a = rng.standard_normal(shape)
    return edutorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


TOL = {"rtol": 1e-5, "atol": 1e-7}  # float64; edutorch's gelu agrees with PyTorch's to ~4e-8 (its erf)


def _backward_and_compare(torch, ours, theirs, eo, to, inputs):
    assert_same(eo, to, **TOL)
    g = rng.standard_normal(tuple(to.shape))
    eo.backward(edutorch.tensor(g))
    to.backward(torch.tensor(g))
    for e, t in inputs:
        assert_same(e.grad, t.grad, **TOL)
    t_params = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(t_params)
    for name, p in ours.named_parameters():
        assert_same(p.grad, t_params[name].grad, **TOL)


def _masks(torch, seq, batch, kind):
    """(edutorch kwargs, torch kwargs) for an encoder / self-attention call."""
    if kind is None:
        return {}, {}
    if kind == "causal":
        return ({"mask": nn.Transformer.generate_square_subsequent_mask(seq, dtype=edutorch.float64)},
                {"mask": torch.nn.Transformer.generate_square_subsequent_mask(seq, dtype=torch.float64)})
    pad = rng.random((batch, seq)) < 0.3
    pad[:, 0] = False
    return {"src_key_padding_mask": edutorch.tensor(pad)}, {"src_key_padding_mask": torch.tensor(pad)}


ENCODER_GRID = [
    ({}, None),
    ({"norm_first": True}, "causal"),
    ({"activation": "gelu", "batch_first": True}, "padding"),
    ({"bias": False, "layer_norm_eps": 1e-3}, None),
]


@pytest.mark.parametrize("kw,mask", ENCODER_GRID)
def test_encoder_layer_parity(torch, kw, mask):
    ours, theirs = _pair(torch, "TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, **kw)
    shape = (3, 5, 8) if kw.get("batch_first") else (5, 3, 8)
    ex, tx = _both(torch, shape)
    em, tm = _masks(torch, 5, 3, mask)
    em = {("src_mask" if k == "mask" else k): v for k, v in em.items()}
    tm = {("src_mask" if k == "mask" else k): v for k, v in tm.items()}
    _backward_and_compare(torch, ours, theirs, ours(ex, **em), theirs(tx, **tm), [(ex, tx)])


def test_encoder_layer_callable_activation(torch):
    ours = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=nn.GELU(approximate="tanh")).double()
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                              activation=torch.nn.GELU(approximate="tanh")).double()
    assert repr(ours) == repr(theirs)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    ex, tx = _both(torch, (4, 2, 8))
    _backward_and_compare(torch, ours, theirs, ours(ex), theirs(tx), [(ex, tx)])


@pytest.mark.parametrize("mask", [None, "causal", "padding"])
@pytest.mark.parametrize("final_norm", [False, True])
def test_encoder_stack_parity(torch, final_norm, mask):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = nn.TransformerEncoder(layer, 2, nn.LayerNorm(8) if final_norm else None).double()
        theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2,
                                             torch.nn.LayerNorm(8) if final_norm else None).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    ex, tx = _both(torch, (5, 3, 8))
    em, tm = _masks(torch, 5, 3, mask)
    _backward_and_compare(torch, ours, theirs, ours(ex, **em), theirs(tx, **tm), [(ex, tx)])


def test_encoder_copies_have_their_own_weights():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 3)
    weights = [layer.linear1.weight for layer in encoder.layers]
    assert len({id(w) for w in weights}) == 3
    assert len(list(encoder.parameters())) == 3 * len(list(encoder.layers[0].parameters()))


def test_nested_tensor_warning_matches_torch(torch):
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, norm_first=True), 2)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, norm_first=True), 2)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs if "nested" in str(w.message)]


@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "batch_first": True}, {"activation": "gelu"}])
def test_decoder_layer_parity(torch, kw):
    ours, theirs = _pair(torch, "TransformerDecoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, **kw)
    bf = kw.get("batch_first", False)
    (et, tt), (em, tm) = _both(torch, (3, 4, 8) if bf else (4, 3, 8)), _both(torch, (3, 6, 8) if bf else (6, 3, 8))
    pad = rng.random((3, 6)) < 0.3
    pad[:, 0] = False
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=edutorch.float64)
    eo = ours(et, em, tgt_mask=mask, memory_key_padding_mask=edutorch.tensor(pad), tgt_is_causal=True)
    to = theirs(tt, tm, tgt_mask=torch.tensor(mask.numpy()), memory_key_padding_mask=torch.tensor(pad),
                tgt_is_causal=True)
    _backward_and_compare(torch, ours, theirs, eo, to, [(et, tt), (em, tm)])


@pytest.mark.parametrize("kw", [{}, {"batch_first": True, "norm_first": True}])
def test_transformer_parity(torch, kw):
    ours, theirs = _pair(torch, "Transformer", 8, 2, 2, 2, 16, dropout=0.0, **kw)
    bf = kw.get("batch_first", False)
    (es, ts), (et, tt) = _both(torch, (3, 6, 8) if bf else (6, 3, 8)), _both(torch, (3, 4, 8) if bf else (4, 3, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=edutorch.float64)
    eo = ours(es, et, tgt_mask=mask)
    to = theirs(ts, tt, tgt_mask=torch.tensor(mask.numpy()))
    _backward_and_compare(torch, ours, theirs, eo, to, [(es, ts), (et, tt)])


def test_transformer_unbatched_and_eval_dropout(torch):
    ours, theirs = _pair(torch, "Transformer", 8, 2, 1, 1, 16, dropout=0.3)
    ours.eval()
    theirs.eval()
    (es, ts), (et, tt) = _both(torch, (6, 8)), _both(torch, (4, 8))
    _backward_and_compare(torch, ours, theirs, ours(es, et), theirs(ts, tt), [(es, ts), (et, tt)])
    ours.train()
    a, b = ours(es, et), ours(es, et)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())


def test_generate_square_subsequent_mask(torch):
    assert_same(nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4))


def test_transformer_init_and_repr(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor's note, in both
        ours = nn.Transformer(16, 2, 1, 1, 32)
        theirs = torch.nn.Transformer(16, 2, 1, 1, 32)
    assert repr(ours) == repr(theirs)
    w = ours.encoder.layers[0].linear1.weight.detach().numpy()  # Xavier-uniform: bound sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= (6 / 48) ** 0.5 and np.abs(w).max() > 0.9 * (6 / 48) ** 0.5


@pytest.mark.parametrize("call", [
    lambda lib, m: m(lib.randn(6, 3, 16), lib.randn(4, 2, 16)),   # batch mismatch
    lambda lib, m: m(lib.randn(6, 3, 8), lib.randn(4, 3, 8)),     # d_model mismatch
    lambda lib, m: lib.nn.TransformerEncoderLayer(16, 2, activation="tanh"),
])
def test_errors_match_torch(torch, call):
    def error(lib):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call(lib, lib.nn.Transformer(16, 2, 1, 1, 32))
        except Exception as e:  # noqa: BLE001
            return type(e), str(e)
        return None, None

    ours, theirs = error(edutorch), error(torch)
    assert theirs[0] is not None and ours == theirs
