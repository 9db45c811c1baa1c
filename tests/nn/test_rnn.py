"""RNN / LSTM / GRU, their cells and nn.utils.rnn: finite differences and PyTorch parity."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch import nn
from edutorch.autograd import gradcheck
from edutorch.nn.utils import rnn as rnn_utils
from edutorch.ops.recurrent import (
    GRULayer,
    LSTMLayer,
    PackedToPadded,
    PaddedToPacked,
    RNNLayer,
)
from tests.conftest import assert_same

rng = np.random.default_rng(0)


def _leaf(*shape):
    return edutorch.tensor(rng.standard_normal(shape), requires_grad=True)


# ====================================================================== finite differences, one Function each
BATCH_SIZES = [None, np.array([3, 3, 2, 1])]  # full batch, or packed: lengths 4, 3, 2


@pytest.mark.parametrize("batch_sizes", BATCH_SIZES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_layer_gradcheck(nonlinearity, reverse, batch_sizes):
    x, h0 = _leaf(4, 3, 2), _leaf(3, 5)
    w_ih, w_hh, b_ih, b_hh = _leaf(5, 2), _leaf(5, 5), _leaf(5), _leaf(5)
    assert gradcheck(lambda *a: RNNLayer.apply(*a, nonlinearity, reverse, batch_sizes),
                     (x, h0, w_ih, w_hh, b_ih, b_hh))


@pytest.mark.parametrize("batch_sizes", BATCH_SIZES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("proj", [False, True])
def test_lstm_layer_gradcheck(proj, reverse, batch_sizes):
    hidden, out = 4, (2 if proj else 4)
    x, h0, c0 = _leaf(4, 3, 2), _leaf(3, out), _leaf(3, hidden)
    w_ih, w_hh, b_ih, b_hh = _leaf(4 * hidden, 2), _leaf(4 * hidden, out), _leaf(4 * hidden), _leaf(4 * hidden)
    w_hr = _leaf(out, hidden) if proj else None
    assert gradcheck(lambda x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr:
                     LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, reverse, batch_sizes),
                     (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr))


@pytest.mark.parametrize("batch_sizes", BATCH_SIZES)
@pytest.mark.parametrize("reverse", [False, True])
def test_gru_layer_gradcheck(reverse, batch_sizes):
    x, h0 = _leaf(4, 3, 2), _leaf(3, 4)
    w_ih, w_hh, b_ih, b_hh = _leaf(12, 2), _leaf(12, 4), _leaf(12), _leaf(12)
    assert gradcheck(lambda *a: GRULayer.apply(*a, reverse, batch_sizes), (x, h0, w_ih, w_hh, b_ih, b_hh))


def test_layers_without_bias_gradcheck():
    x, h0, c0 = _leaf(3, 2, 2), _leaf(2, 3), _leaf(2, 3)
    assert gradcheck(lambda x, h, w, u: RNNLayer.apply(x, h, w, u, None, None), (x, h0, _leaf(3, 2), _leaf(3, 3)))
    assert gradcheck(lambda x, h, c, w, u: LSTMLayer.apply(x, h, c, w, u, None, None),
                     (x, h0, c0, _leaf(12, 2), _leaf(12, 3)))
    assert gradcheck(lambda x, h, w, u: GRULayer.apply(x, h, w, u, None, None), (x, h0, _leaf(9, 2), _leaf(9, 3)))


def test_packed_padded_functions_gradcheck():
    batch_sizes = np.array([3, 2, 2, 1])
    data = _leaf(8, 2)
    assert gradcheck(lambda d: PackedToPadded.apply(d, batch_sizes, 6, -1.0), (data,))
    padded = _leaf(5, 3, 2)
    assert gradcheck(lambda p: PaddedToPacked.apply(p, batch_sizes), (padded,))


def test_lstm_layer_gradient_is_not_trivially_zero():
    """The checks above would pass for an op that ignores h0; make sure h0 reaches the output."""
    x, h0, c0 = _leaf(3, 2, 2), _leaf(2, 3), _leaf(2, 3)
    out, _, _ = LSTMLayer.apply(x, h0, c0, _leaf(12, 2), _leaf(12, 3), None, None)
    out.sum().backward()
    assert np.abs(h0.grad.numpy()).min() > 0 and np.abs(c0.grad.numpy()).min() > 0


# ====================================================================== parity with PyTorch
def _pair_modules(torch, name, *args, **kwargs):
    """The same layer in both libraries, float64, with edutorch's weights copied into PyTorch's."""
    ours = getattr(nn, name)(*args, **kwargs).double()
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def _both(torch, array):
    return edutorch.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def _flat(result):
    """(output, h) or (output, (h, c)) -> [output, h] / [output, h, c]."""
    out, state = result
    return [out] + (list(state) if isinstance(state, tuple) else [state])


def _compare_run(torch, ours, theirs, x_shape, states=(), packed_lengths=None, rtol=1e-7, atol=1e-9):
    """Forward both layers, compare every output, backward a random weighting of all of them, compare the
    gradients of the input, the initial states and every parameter."""
    x = rng.standard_normal(x_shape)
    ex, tx = _both(torch, x)
    state_pairs = [_both(torch, rng.standard_normal(s)) for s in states]
    e_in, t_in = ex, tx
    if packed_lengths is not None:
        e_in = rnn_utils.pack_padded_sequence(ex, packed_lengths, batch_first=ours.batch_first, enforce_sorted=False)
        t_in = torch.nn.utils.rnn.pack_padded_sequence(tx, packed_lengths, batch_first=theirs.batch_first,
                                                       enforce_sorted=False)
    args_e, args_t = [e_in], [t_in]
    if state_pairs:
        e_states, t_states = [p[0] for p in state_pairs], [p[1] for p in state_pairs]
        args_e.append(e_states[0] if len(states) == 1 else tuple(e_states))
        args_t.append(t_states[0] if len(states) == 1 else tuple(t_states))
    eo, to = _flat(ours(*args_e)), _flat(theirs(*args_t))
    if packed_lengths is not None:
        assert np.array_equal(eo[0].batch_sizes.numpy(), to[0].batch_sizes.numpy())
        assert np.array_equal(eo[0].sorted_indices.numpy(), to[0].sorted_indices.numpy())
        eo[0], to[0] = eo[0].data, to[0].data
    loss_e, loss_t = 0, 0
    for e, t in zip(eo, to):
        assert_same(e, t, rtol=rtol, atol=atol)
        g = rng.standard_normal(tuple(t.shape))
        loss_e = loss_e + (e * edutorch.tensor(g)).sum()
        loss_t = loss_t + (t * torch.tensor(g)).sum()
    loss_e.backward()
    loss_t.backward()
    assert_same(ex.grad, tx.grad, rtol=rtol, atol=atol)
    for (es, ts) in state_pairs:
        assert_same(es.grad, ts.grad, rtol=rtol, atol=atol)
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_same(p.grad, t_params[name].grad, rtol=rtol, atol=atol)


GRID = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "batch_first": True}),
    ("RNN", {"bias": False, "num_layers": 2, "bidirectional": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "batch_first": True}),
    ("LSTM", {"proj_size": 3, "bidirectional": True, "bias": False}),
    ("GRU", {}),
    ("GRU", {"num_layers": 3, "batch_first": True}),
    ("GRU", {"bidirectional": True, "num_layers": 2, "bias": False}),
]


def _state_shapes(name, kw, batch, hidden=5):
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    h = (layers,) + ((batch,) if batch else ()) + (kw.get("proj_size") or hidden,)
    if name == "LSTM":
        return [h, (layers,) + ((batch,) if batch else ()) + (hidden,)]
    return [h]


@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("name,kw", GRID)
def test_recurrent_parity(torch, name, kw, with_states):
    ours, theirs = _pair_modules(torch, name, 3, 5, **kw)
    shape = (2, 6, 3) if kw.get("batch_first") else (6, 2, 3)
    _compare_run(torch, ours, theirs, shape, _state_shapes(name, kw, 2) if with_states else ())


@pytest.mark.parametrize("name,kw", GRID[::2])
def test_recurrent_unbatched_parity(torch, name, kw):
    ours, theirs = _pair_modules(torch, name, 3, 5, **kw)
    _compare_run(torch, ours, theirs, (6, 3), _state_shapes(name, kw, None))


@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("name,kw", GRID)
def test_recurrent_packed_parity(torch, name, kw, with_states):
    """Unsorted lengths (a tie included): outputs, final states at each sequence's own length, gradients."""
    ours, theirs = _pair_modules(torch, name, 3, 5, **kw)
    shape = (4, 6, 3) if kw.get("batch_first") else (6, 4, 3)
    _compare_run(torch, ours, theirs, shape, _state_shapes(name, kw, 4) if with_states else (),
                 packed_lengths=[3, 6, 1, 3])


def test_lstm_float32_parity(torch):
    ours, theirs = nn.LSTM(8, 16, num_layers=2), torch.nn.LSTM(8, 16, num_layers=2)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = rng.standard_normal((10, 4, 8)).astype(np.float32)
    eo, (eh, ec) = ours(edutorch.tensor(x))
    to, (th, tc) = theirs(torch.tensor(x))
    assert eo.dtype is edutorch.float32
    for e, t in [(eo, to), (eh, th), (ec, tc)]:
        assert_same(e, t, rtol=1e-4, atol=1e-5)
    eo.sum().backward()
    to.sum().backward()
    assert_same(ours.weight_hh_l0.grad, theirs.weight_hh_l0.grad, rtol=1e-4, atol=1e-5)


def test_state_dict_from_torch(torch):
    """The other direction: PyTorch's initial weights loaded into edutorch give PyTorch's outputs."""
    theirs = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True)
    ours = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    ours.load_state_dict({k: edutorch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    assert_same(ours(edutorch.tensor(x))[0], theirs(torch.tensor(x))[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers(torch, name):
    ours, theirs = _pair_modules(torch, name, 3, 5, num_layers=3, dropout=0.5)
    x = rng.standard_normal((4, 2, 3))
    a, b = ours(edutorch.tensor(x))[0], ours(edutorch.tensor(x))[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())  # training: a fresh mask per call
    ours.eval()
    theirs.eval()
    assert_same(ours(edutorch.tensor(x))[0], theirs(torch.tensor(x))[0], rtol=1e-7, atol=1e-9)


def test_dropout_leaves_last_layer_alone():
    """With one layer there is no 'between': dropout changes nothing (PyTorch warns about it)."""
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        m = nn.LSTM(3, 4, dropout=0.5)
    x = edutorch.randn(5, 2, 3)
    assert np.array_equal(m(x)[0].detach().numpy(), m(x)[0].detach().numpy())


# ====================================================================== cells
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
         ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("name,kw", CELLS)
def test_cell_parity(torch, name, kw, with_state, batched):
    ours, theirs = _pair_modules(torch, name, 3, 4, **kw)
    lead = (2,) if batched else ()
    ex, tx = _both(torch, rng.standard_normal(lead + (3,)))
    n_states = 2 if name == "LSTMCell" else 1
    pairs = [_both(torch, rng.standard_normal(lead + (4,))) for _ in range(n_states)] if with_state else []
    args_e, args_t = [ex], [tx]
    if pairs:
        args_e.append(pairs[0][0] if n_states == 1 else tuple(p[0] for p in pairs))
        args_t.append(pairs[0][1] if n_states == 1 else tuple(p[1] for p in pairs))
    eo, to = ours(*args_e), theirs(*args_t)
    eo, to = (list(eo), list(to)) if n_states == 2 else ([eo], [to])
    loss_e = loss_t = 0
    for e, t in zip(eo, to):
        assert_same(e, t, rtol=1e-7, atol=1e-9)
        g = rng.standard_normal(tuple(t.shape))
        loss_e = loss_e + (e * edutorch.tensor(g)).sum()
        loss_t = loss_t + (t * torch.tensor(g)).sum()
    loss_e.backward()
    loss_t.backward()
    assert_same(ex.grad, tx.grad, rtol=1e-7, atol=1e-9)
    for e, t in pairs:
        assert_same(e.grad, t.grad, rtol=1e-7, atol=1e-9)
    t_params = dict(theirs.named_parameters())
    for n, p in ours.named_parameters():
        assert_same(p.grad, t_params[n].grad, rtol=1e-7, atol=1e-9)


def test_cell_loop_equals_layer(torch):
    """An LSTMCell stepped by hand over a sequence gives the LSTM layer's output (same weights)."""
    layer, cell = nn.LSTM(3, 4), nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = edutorch.randn(5, 2, 3)
    h = c = edutorch.zeros(2, 4)
    outs = []
    for step in x:
        h, c = cell(step, (h, c))
        outs.append(h)
    np.testing.assert_allclose(edutorch.stack(outs).detach().numpy(), layer(x)[0].detach().numpy(), rtol=1e-5,
                               atol=1e-6)


# ====================================================================== module surface
@pytest.mark.parametrize("name,args,kw", [
    ("RNN", (10, 20), {}), ("RNN", (10, 20, 2), {"nonlinearity": "relu", "dropout": 0.5, "batch_first": True}),
    ("LSTM", (10, 20), {"proj_size": 5, "bidirectional": True, "bias": False}), ("GRU", (10, 20, 3), {}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu"}), ("LSTMCell", (3, 4), {"bias": False}), ("GRUCell", (3, 4), {}),
])
def test_repr_names_and_shapes(torch, name, args, kw):
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    if hasattr(theirs, "all_weights"):
        assert [[tuple(p.shape) for p in group] for group in ours.all_weights] == \
               [[tuple(p.shape) for p in group] for group in theirs.all_weights]
        assert ours._flat_weights_names == theirs._flat_weights_names
        ours.flatten_parameters()


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "LSTMCell"])
def test_default_init_is_uniform_in_one_over_sqrt_hidden(name):
    m = getattr(nn, name)(30, 64)
    bound = 1 / math.sqrt(64)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(values).max() <= bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-b, b) has std b / sqrt(3)


# ====================================================================== errors
def _error_of(fn):
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the type and message are what we compare
        return type(error), str(error)
    return None, None


def _same_error(torch, build, call):
    """The same exception type in both libraries (and PyTorch's message, where we copy it)."""
    ours, theirs = _error_of(lambda: call(edutorch, build(nn))), _error_of(lambda: call(torch, build(torch.nn)))
    assert theirs[0] is not None, "PyTorch accepted it: the test is wrong"
    assert ours[0] is theirs[0], (ours, theirs)
    return ours[1], theirs[1]


@pytest.mark.parametrize("build,call", [
    (lambda m: m.LSTM(3, 4), lambda lib, m: m(lib.randn(2, 2, 5))),                       # input size
    (lambda m: m.LSTM(3, 4), lambda lib, m: m(lib.randn(2, 2, 2, 3))),                    # 4-D input
    (lambda m: m.GRU(3, 4), lambda lib, m: m(lib.randn(5, 2, 3), lib.randn(1, 3, 4))),     # h0 batch
    (lambda m: m.GRU(3, 4), lambda lib, m: m(lib.randn(5, 2, 3), lib.randn(2, 4))),        # h0 dims
    (lambda m: m.RNN(3, 4), lambda lib, m: m(lib.randn(5, 3), lib.randn(1, 2, 4))),        # unbatched, 3-D h0
    (lambda m: m.LSTM(3, 4), lambda lib, m: m(lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 5)))),
    (lambda m: m.LSTM(3, 4, proj_size=2), lambda lib, m: m(lib.randn(5, 2, 3), (lib.randn(1, 2, 4),
                                                                                lib.randn(1, 2, 4)))),
    (lambda m: m.LSTM(3, 4), lambda lib, m: m(lib.randn(5, 2, 3, dtype=lib.float64))),    # dtype
    (lambda m: m.LSTMCell(3, 4), lambda lib, m: m(lib.randn(2, 5))),
    (lambda m: m.GRUCell(3, 4), lambda lib, m: m(lib.randn(2, 3), lib.randn(3, 4))),
    (lambda m: m.RNNCell(3, 4), lambda lib, m: m(lib.randn(2, 2, 3))),
    (lambda m: m.LSTM(3, 4, proj_size=4), lambda lib, m: None),
    (lambda m: m.GRU(3, 4, proj_size=2), lambda lib, m: None),
    (lambda m: m.RNN(3, 4, nonlinearity="sigmoid"), lambda lib, m: None),
    (lambda m: m.LSTM(3, 4, dropout=1.5), lambda lib, m: None),
    (lambda m: m.LSTM(3, 0), lambda lib, m: None),
])
def test_errors_match_torch(torch, build, call):
    ours, theirs = _same_error(torch, build, call)
    assert ours == theirs


def test_error_messages_name_the_sizes():
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 4\), got \[1, 2, 5\]"):
        nn.LSTM(3, 4)(edutorch.randn(5, 2, 3), (edutorch.randn(1, 2, 4), edutorch.randn(1, 2, 5)))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"):
        nn.GRU(3, 4)(edutorch.randn(5, 2, 5))


# ====================================================================== nn.utils.rnn
def _seqs(torch, lengths, feature=(2,)):
    arrays = [rng.standard_normal((n,) + feature) for n in lengths]
    return ([edutorch.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(torch, batch_first, padding_side):
    es, ts = _seqs(torch, [3, 5, 1])
    e = rnn_utils.pad_sequence(es, batch_first=batch_first, padding_value=-2.0, padding_side=padding_side)
    t = torch.nn.utils.rnn.pad_sequence(ts, batch_first=batch_first, padding_value=-2.0,
                                        padding_side=padding_side)
    assert_same(e, t)
    g = rng.standard_normal(tuple(t.shape))
    (e * edutorch.tensor(g)).sum().backward()
    (t * torch.tensor(g)).sum().backward()
    for a, b in zip(es, ts):
        assert_same(a.grad, b.grad)


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_pad_roundtrip(torch, batch_first, enforce_sorted):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    x = rng.standard_normal((4, 5, 2) if batch_first else (5, 4, 2))
    ex, tx = _both(torch, x)
    ep = rnn_utils.pack_padded_sequence(ex, edutorch.tensor(lengths), batch_first, enforce_sorted)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths), batch_first, enforce_sorted)
    assert_same(ep.data, tp.data)
    assert_same(ep.batch_sizes, tp.batch_sizes)
    for a, b in [(ep.sorted_indices, tp.sorted_indices), (ep.unsorted_indices, tp.unsorted_indices)]:
        assert (a is None) == (b is None) and (a is None or np.array_equal(a.numpy(), b.numpy()))
    e_pad, e_len = rnn_utils.pad_packed_sequence(ep, batch_first, padding_value=7.0, total_length=6)
    t_pad, t_len = torch.nn.utils.rnn.pad_packed_sequence(tp, batch_first, padding_value=7.0, total_length=6)
    assert_same(e_pad, t_pad)
    assert_same(e_len, t_len)
    g = rng.standard_normal(tuple(t_pad.shape))
    (e_pad * edutorch.tensor(g)).sum().backward()
    (t_pad * torch.tensor(g)).sum().backward()
    assert_same(ex.grad, tx.grad)


def test_pack_unpack_sequence(torch):
    es, ts = _seqs(torch, [2, 4, 3])
    ep = rnn_utils.pack_sequence(es, enforce_sorted=False)
    tp = torch.nn.utils.rnn.pack_sequence(ts, enforce_sorted=False)
    assert_same(ep.data, tp.data)
    assert isinstance(ep, tuple) and ep._fields == tp._fields
    for a, b in zip(rnn_utils.unpack_sequence(ep), torch.nn.utils.rnn.unpack_sequence(tp)):
        assert_same(a, b)
    padded = rnn_utils.pad_sequence(es, batch_first=True)
    for a, b in zip(rnn_utils.unpad_sequence(padded, edutorch.tensor([2, 4, 3]), batch_first=True), es):
        assert_same(a, b.detach())


@pytest.mark.parametrize("call", [
    lambda lib, u: u.pack_padded_sequence(lib.randn(4, 3, 2), [2, 3, 1]),                      # not sorted
    lambda lib, u: u.pack_padded_sequence(lib.randn(4, 3, 2), [2, 0, 1], enforce_sorted=False),  # zero length
    lambda lib, u: u.pack_padded_sequence(lib.randn(4, 3, 2), [2, 1]),                           # count
    lambda lib, u: u.pad_packed_sequence(u.pack_sequence([lib.randn(3, 2)]), total_length=2),
    lambda lib, u: u.pad_sequence([lib.randn(3, 2)], padding_side="middle"),
])
def test_utils_errors_match_torch(torch, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _error_of(lambda: call(edutorch, rnn_utils))
        theirs = _error_of(lambda: call(torch, torch.nn.utils.rnn))
    assert theirs[0] is not None and ours[0] is theirs[0], (ours, theirs)


def test_length_beyond_padding_is_an_error():
    """PyTorch reads past the tensor here (garbage rows); edutorch says what is wrong."""
    with pytest.raises(RuntimeError, match="larger than the padded input's time dimension"):
        rnn_utils.pack_padded_sequence(edutorch.randn(4, 3, 2), [5, 2, 1])


def test_output_changed_in_place_is_caught():
    """RNN's backward reads its output (tanh' = 1 - h^2): an in-place change must fail, not give wrong grads."""
    out, _ = nn.RNN(3, 4)(edutorch.randn(5, 2, 3))
    out.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_packed_random_configs(torch, data):
    """Random modes, stacks, directions, projections and lengths (ties, a single step, all equal):
    packed outputs, final states and every gradient against PyTorch."""
    name = data.draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
    kw = {"num_layers": data.draw(st.integers(1, 2)), "bidirectional": data.draw(st.booleans()),
          "bias": data.draw(st.booleans()), "batch_first": data.draw(st.booleans())}
    if name == "LSTM" and data.draw(st.booleans()):
        kw["proj_size"] = data.draw(st.integers(1, 3))
    lengths = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    batch, longest = len(lengths), max(lengths)
    ours, theirs = _pair_modules(torch, name, 2, 4, **kw)
    shape = (batch, longest, 2) if kw["batch_first"] else (longest, batch, 2)
    states = _state_shapes(name, kw, batch, hidden=4) if data.draw(st.booleans()) else ()
    _compare_run(torch, ours, theirs, shape, states, packed_lengths=lengths)
