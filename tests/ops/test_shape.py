"""Shape ops: finite-difference gradients, parity with PyTorch (values, dtypes, grad_fn names,
gradients, errors), views sharing storage and version counter, writes through views, double backward."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_same


def _name(t) -> str | None:
    return None if t.grad_fn is None else t.grad_fn.name()


def _as_tuple(out) -> tuple:
    return out if isinstance(out, (tuple, list)) else (out,)


def _inputs(module, arrays, dtype=None):
    """Leaf tensors from arrays; float ones require grad. ``dtype`` overrides float arrays' dtype."""
    out = []
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = a.astype(dtype or np.float32)
        t = module.tensor(a)
        if a.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def check_parity(torch, fn, *arrays, check_grad=True):
    """Run ``fn(module, *tensors)`` on edutorch and PyTorch: same values, dtypes, grad_fn names, and the
    same gradients for a random upstream gradient (one per output, multi-output ops included)."""
    ours_in, theirs_in = _inputs(edutorch, arrays), _inputs(torch, arrays)
    ours, theirs = _as_tuple(fn(edutorch, *ours_in)), _as_tuple(fn(torch, *theirs_in))
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_same(o, t)
        assert _name(o) == _name(t), (_name(o), _name(t))
    diff = [i for i, t in enumerate(theirs_in) if t.requires_grad]
    if not check_grad or not diff or not any(t.requires_grad for t in theirs):
        return ours, theirs
    rng = np.random.default_rng(1)
    upstream = [rng.standard_normal(t.shape).astype(np.float32) for t in theirs]
    pairs = [(o, t, g) for o, t, g in zip(ours, theirs, upstream) if t.requires_grad]
    g_ours = edutorch.autograd.grad([p[0] for p in pairs], [ours_in[i] for i in diff],
                                    [edutorch.tensor(p[2]) for p in pairs], allow_unused=True)
    g_theirs = torch.autograd.grad([p[1] for p in pairs], [theirs_in[i] for i in diff],
                                   [torch.tensor(p[2]) for p in pairs], allow_unused=True)
    for go, gt in zip(g_ours, g_theirs):
        assert (go is None) == (gt is None)
        if gt is not None:
            assert_same(go, gt)
    return ours, theirs


def check_gradient(fn, *arrays):
    """Finite differences on float64 inputs (int arrays stay constants)."""
    xs = _inputs(edutorch, arrays, dtype=np.float64)
    assert gradcheck(lambda *ts: fn(edutorch, *ts), tuple(xs))


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# name -> (fn(module, x), input shape)
SINGLE = {
    "view": (lambda t, x: x.view(6, 2), (3, 4)),
    "view_infer": (lambda t, x: x.view(-1, 3), (3, 4)),
    "view_size": (lambda t, x: x.view(t.Size([2, 2, 3])), (3, 4)),
    "view_list": (lambda t, x: x.view([4, 3]), (3, 4)),
    "view_as": (lambda t, x: x.view_as(t.ones(12)), (3, 4)),
    "view_0d": (lambda t, x: x.view(1, 1), ()),
    "view_empty": (lambda t, x: x.view(3, 0), (0, 3)),
    "view_of_transpose_split": (lambda t, x: x.t().view(2, 2, 3), (3, 4)),
    "reshape_view": (lambda t, x: t.reshape(x, (2, 6)), (3, 4)),
    "reshape_copy": (lambda t, x: x.t().reshape(12), (3, 4)),
    "reshape_as": (lambda t, x: x.reshape_as(t.ones(2, 6)), (3, 4)),
    "flatten": (lambda t, x: t.flatten(x), (2, 3, 4)),
    "flatten_mid": (lambda t, x: x.flatten(1, 2), (2, 3, 4, 2)),
    "flatten_neg": (lambda t, x: x.flatten(-2), (2, 3, 4)),
    "flatten_copy": (lambda t, x: x.transpose(0, 1).flatten(), (2, 3)),
    "flatten_0d": (lambda t, x: x.flatten(), ()),
    "unflatten": (lambda t, x: x.unflatten(1, (2, 2)), (3, 4)),
    "unflatten_infer": (lambda t, x: t.unflatten(x, -1, (-1, 2)), (3, 4)),
    "unflatten_noncontig": (lambda t, x: x.t().unflatten(0, (2, 2)), (3, 4)),
    "squeeze_all": (lambda t, x: x.squeeze(), (2, 1, 3, 1)),
    "squeeze_dim": (lambda t, x: x.squeeze(1), (2, 1, 3, 1)),
    "squeeze_dim_kept": (lambda t, x: x.squeeze(0), (2, 1, 3, 1)),
    "squeeze_tuple": (lambda t, x: t.squeeze(x, (1, -1)), (2, 1, 3, 1)),
    "squeeze_0d": (lambda t, x: x.squeeze(), ()),
    "unsqueeze": (lambda t, x: x.unsqueeze(0), (3, 4)),
    "unsqueeze_end": (lambda t, x: t.unsqueeze(x, -1), (3, 4)),
    "unsqueeze_mid": (lambda t, x: x.unsqueeze(1), (3, 4)),
    "permute": (lambda t, x: x.permute(2, 0, 1), (2, 3, 4)),
    "permute_tuple": (lambda t, x: t.permute(x, (1, -1, 0)), (2, 3, 4)),
    "T": (lambda t, x: x.T, (2, 3)),
    "mT": (lambda t, x: x.mT, (2, 3, 4)),
    "transpose": (lambda t, x: x.transpose(0, 2), (2, 3, 4)),
    "transpose_neg": (lambda t, x: t.transpose(x, -1, 0), (2, 3)),
    "swapaxes": (lambda t, x: t.swapaxes(x, 0, 1), (2, 3)),
    "t": (lambda t, x: x.t(), (2, 3)),
    "t_1d": (lambda t, x: t.t(x), (3,)),
    "movedim": (lambda t, x: t.movedim(x, 0, 2), (2, 3, 4)),
    "movedim_tuple": (lambda t, x: x.movedim((0, 1), (2, 0)), (2, 3, 4)),
    "expand": (lambda t, x: x.expand(2, 3, 4), (3, 1)),
    "expand_minus1": (lambda t, x: x.expand(-1, 5), (3, 1)),
    "expand_size": (lambda t, x: x.expand(t.Size([2, 3, 1])), (3, 1)),
    "expand_0d": (lambda t, x: x.expand(3, 2), ()),
    "broadcast_to": (lambda t, x: t.broadcast_to(x, (4, 3)), (3,)),
    "expand_as": (lambda t, x: x.expand_as(t.ones(2, 3)), (1, 3)),
    "repeat": (lambda t, x: x.repeat(2, 3), (2, 3)),
    "repeat_lead": (lambda t, x: x.repeat(2, 1, 2), (2, 3)),
    "repeat_zero": (lambda t, x: x.repeat(0, 2), (2, 3)),
    "tile": (lambda t, x: x.tile((2,)), (2, 3)),
    "tile_lead": (lambda t, x: t.tile(x, (2, 1, 1)), (2, 3)),
    "flip": (lambda t, x: x.flip(0), (3, 4)),
    "flip_many": (lambda t, x: t.flip(x, (0, -1)), (2, 3, 4)),
    "roll_flat": (lambda t, x: x.roll(5), (3, 4)),
    "roll_dim": (lambda t, x: t.roll(x, -1, 0), (3, 4)),
    "roll_many": (lambda t, x: x.roll((1, -2), (0, 1)), (3, 4)),
    "narrow": (lambda t, x: x.narrow(1, 1, 2), (3, 4)),
    "narrow_neg_start": (lambda t, x: t.narrow(x, 0, -2, 2), (3, 4)),
    "repeat_interleave": (lambda t, x: t.repeat_interleave(x, 2), (2, 3)),
    "repeat_interleave_dim": (lambda t, x: t.repeat_interleave(x, 3, dim=1), (2, 3)),
    "repeat_interleave_tensor": (lambda t, x: t.repeat_interleave(x, t.tensor([1, 0, 2]), dim=1), (2, 3)),
    "split": (lambda t, x: x.split(2), (5, 3)),
    "split_sizes": (lambda t, x: t.split(x, [1, 2], dim=1), (4, 3)),
    "split_one_piece": (lambda t, x: x.split(9), (5, 3)),
    "chunk": (lambda t, x: x.chunk(3, 1), (2, 7)),
    "chunk_fewer": (lambda t, x: t.chunk(x, 4), (6,)),
    "unbind": (lambda t, x: x.unbind(1), (2, 3)),
    "unbind_1d": (lambda t, x: t.unbind(x), (3,)),
    "iter": (lambda t, x: tuple(x), (3, 2)),
    "contiguous_view": (lambda t, x: x.t().contiguous().view(-1), (3, 4)),
    "chain": (lambda t, x: x.permute(1, 0, 2).flatten(1).unsqueeze(0).expand(2, -1, -1), (2, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_single_input_parity(torch, name):
    fn, shape = SINGLE[name]
    check_parity(torch, fn, _rand(*shape))


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_single_input_gradcheck(name):
    fn, shape = SINGLE[name]
    if 0 in shape:
        return  # nothing to differentiate
    check_gradient(fn, _rand(*shape))


# name -> (fn(module, *xs), input arrays)
MULTI = {
    "cat": (lambda t, a, b: t.cat([a, b]), [_rand(2, 3), _rand(4, 3, seed=1)]),
    "cat_dim1": (lambda t, a, b: t.cat((a, b), 1), [_rand(2, 3), _rand(2, 1, seed=1)]),
    "cat_neg": (lambda t, a, b: t.cat([a, b, a], dim=-1), [_rand(2, 3), _rand(2, 2, seed=1)]),
    "concat": (lambda t, a, b: t.concat([a, b], 0), [_rand(2), _rand(3, seed=1)]),
    "concatenate": (lambda t, a, b: t.concatenate([a, b], 1), [_rand(2, 1, 2), _rand(2, 3, 2, seed=1)]),
    "cat_int_float": (lambda t, a, b: t.cat([a, b]), [np.arange(3), _rand(2)]),
    "cat_legacy_empty": (lambda t, a, b: t.cat([a, b]), [_rand(2, 3), np.zeros(0)]),
    "stack": (lambda t, a, b: t.stack([a, b]), [_rand(2, 3), _rand(2, 3, seed=1)]),
    "stack_last": (lambda t, a, b: t.stack((a, b, a), dim=-1), [_rand(2, 3), _rand(2, 3, seed=1)]),
    "stack_0d": (lambda t, a, b: t.stack([a, b]), [_rand(), _rand(seed=1)]),
    "stack_int_float": (lambda t, a, b: t.stack([a, b], 1), [np.arange(3), _rand(3)]),
}


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_input_parity(torch, name):
    fn, arrays = MULTI[name]
    # PyTorch gives a skipped legacy empty tensor an empty gradient; edutorch leaves it out of the graph.
    check_parity(torch, fn, *arrays, check_grad=name != "cat_legacy_empty")


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_input_gradcheck(name):
    fn, arrays = MULTI[name]
    if any(a.size == 0 for a in arrays):
        return
    check_gradient(fn, *arrays)


def test_split_outputs_share_one_node(torch):
    x = edutorch.randn(5, 2, requires_grad=True)
    pieces = x.split(2)
    assert len({id(p.grad_fn) for p in pieces}) == 1
    assert [p._output_nr for p in pieces] == [0, 1, 2]
    # Using only one output: the others get zero gradient.
    pieces[1].backward(edutorch.ones(2, 2))
    expected = np.zeros((5, 2), np.float32)
    expected[2:4] = 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_integer_and_bool_shape_ops_keep_dtype(torch):
    for dtype in ("int64", "int32", "bool", "uint8", "float64"):
        a = (np.arange(12) % 3).astype(dtype).reshape(3, 4)
        for fn in (lambda t, x: x.view(4, 3), lambda t, x: x.t(), lambda t, x: x.flip(0),
                   lambda t, x: x.repeat(2, 1), lambda t, x: t.cat([x, x]), lambda t, x: x.expand(2, 3, 4),
                   lambda t, x: x.roll(1, 1), lambda t, x: x.unbind(0)):
            ours, theirs = _as_tuple(fn(edutorch, edutorch.tensor(a))), _as_tuple(fn(torch, torch.tensor(a)))
            for o, t in zip(ours, theirs):
                assert_same(o, t)
                assert o.grad_fn is None


# ---------------------------------------------------------------------- views: storage and versions
def test_view_shares_memory_and_version_counter(torch):
    x = edutorch.arange(12.0)
    v = x.view(3, 4)
    assert np.shares_memory(v.numpy(), x.numpy())
    assert v._base is x
    v[1, 2] = 100.0
    assert x[6].item() == 100.0
    assert x._version == v._version == 1
    x.add_(1)
    assert v._version == 2 and v[1, 2].item() == 101.0
    # PyTorch counts the same way.
    tx = torch.arange(12.0)
    tv = tx.view(3, 4)
    tv[1, 2] = 100.0
    tx.add_(1)
    assert (tx._version, tv._version) == (x._version, v._version)


@pytest.mark.parametrize("make", [
    lambda x: x.view(4, 3), lambda x: x.reshape(2, 6), lambda x: x.flatten(), lambda x: x.unflatten(1, (2, 2)),
    lambda x: x.t(), lambda x: x.permute(1, 0), lambda x: x.transpose(0, 1), lambda x: x.movedim(0, 1),
    lambda x: x.unsqueeze(1), lambda x: x[None].squeeze(0), lambda x: x.narrow(1, 1, 2), lambda x: x.expand(2, 3, 4),
    lambda x: x.split(2)[1], lambda x: x.chunk(2, 1)[0], lambda x: x.unbind(1)[2], lambda x: x.T,
])
def test_view_ops_return_views(make):
    x = edutorch.randn(3, 4)
    v = make(x)
    assert v._base is x
    assert np.shares_memory(v.numpy(), x.numpy())
    assert v._version_counter is x._version_counter
    assert v.unsqueeze(0)._base is x  # a view of a view has the original tensor as its base


@pytest.mark.parametrize("make", [
    lambda x: x.t().reshape(12), lambda x: x.flip(0), lambda x: x.roll(1), lambda x: x.repeat(1, 1),
    lambda x: edutorch.cat([x]), lambda x: edutorch.stack([x]), lambda x: x.t().flatten(),
    lambda x: edutorch.repeat_interleave(x, 1),
])
def test_copying_shape_ops_do_not_share_memory(make):
    x = edutorch.randn(3, 4)
    out = make(x)
    assert out._base is not x
    assert not np.shares_memory(out.numpy(), x.numpy())


def test_view_errors_match_pytorch(torch):
    for module in (edutorch, torch):
        x = module.arange(12.0).view(3, 4)
        with pytest.raises(RuntimeError, match=r"shape '\[3, 5\]' is invalid for input of size 12"):
            x.view(3, 5)
        with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's size and "
                                               r"stride .*Use \.reshape\(\.\.\.\) instead\."):
            x.t().view(12)
        with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
            x.view(-1, -1)
        with pytest.raises(RuntimeError, match=r"invalid shape dimension -2"):
            x.view(-2, 6)
        with pytest.raises(TypeError):
            x.view(3.0, 4)
    # reshape copies instead.
    y = edutorch.arange(12.0).view(3, 4).t().reshape(12)
    assert y.tolist() == [0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0]


def test_cat_error_names_sizes(torch):
    for module in (edutorch, torch):
        with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 1. Expected size 2 "
                                               "but got size 3 for tensor number 1 in the list."):
            module.cat([module.ones(2, 4), module.ones(3, 4)], dim=1)
        with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions: got 2 and 1"):
            module.cat([module.ones(2, 4), module.ones(4)])
        with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at "
                                               r"entry 0 and \[3\] at entry 1"):
            module.stack([module.ones(2), module.ones(3)])


def test_expand_is_a_read_only_broadcast(torch):
    x = edutorch.tensor([[1.0], [2.0], [3.0]])
    e = x.expand(3, 4)
    assert e.stride() == (1, 0) and np.shares_memory(e.numpy(), x.numpy())
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single "
                                           "memory location"):
        e.add_(1)
    with pytest.raises(RuntimeError):
        e[0] = 5.0
    te = torch.tensor([[1.0], [2.0], [3.0]]).expand(3, 4)  # PyTorch raises for the same two writes
    with pytest.raises(RuntimeError):
        te.add_(1)
    with pytest.raises(RuntimeError):
        te[0] = 5.0
    # A copy is writable, and the original is untouched.
    c = e.contiguous()
    c.add_(1)
    assert x.tolist() == [[1.0], [2.0], [3.0]] and c[0].tolist() == [2.0] * 4
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(5\) must match the existing size "
                                           r"\(3\) at non-singleton dimension 0.  Target sizes: \[5, 4\].  Tensor "
                                           r"sizes: \[3, 1\]"):
        x.expand(5, 4)


# (fn(module, x), input shape): each raises the same exception type in edutorch as in PyTorch
ERRORS = [
    (lambda t, x: x.view(5, -1), (3, 4)),
    (lambda t, x: x.view(0, -1), (3, 4)),
    (lambda t, x: x.reshape(5, 3), (3, 4)),
    (lambda t, x: x.squeeze(2), (3, 4)),
    (lambda t, x: t.squeeze(x, (0, 0)), (3, 4)),
    (lambda t, x: x.unsqueeze(3), (3, 4)),
    (lambda t, x: x.permute(0), (3, 4)),
    (lambda t, x: x.permute(0, 0), (3, 4)),
    (lambda t, x: x.permute(0, 2), (3, 4)),
    (lambda t, x: x.transpose(0, 2), (3, 4)),
    (lambda t, x: x.t(), (2, 3, 4)),
    (lambda t, x: t.movedim(x, 0, 2), (3, 4)),
    (lambda t, x: t.movedim(x, (0, 1), (1, 1)), (3, 4)),
    (lambda t, x: t.movedim(x, (0, 1), (1,)), (3, 4)),
    (lambda t, x: x.expand(3, 5), (3, 4)),
    (lambda t, x: x.expand(4), (3, 4)),
    (lambda t, x: x.expand(-1, 3, 4), (3, 4)),
    (lambda t, x: x.repeat(2), (3, 4)),
    (lambda t, x: x.repeat(-1, 1), (3, 4)),
    (lambda t, x: x.flip((0, 0)), (3, 4)),
    (lambda t, x: x.flip(2), (3, 4)),
    (lambda t, x: x.roll((1, 2), (0,)), (3, 4)),
    (lambda t, x: x.roll((1, 2)), (3, 4)),
    (lambda t, x: x.roll(1, 5), (3, 4)),
    (lambda t, x: t.cat([]), (3, 4)),
    (lambda t, x: t.cat([x, x], 2), (3, 4)),
    (lambda t, x: t.cat(x), (3, 4)),
    (lambda t, x: t.cat([x[0, 0], x[0, 0]]), (3, 4)),
    (lambda t, x: t.stack([]), (3, 4)),
    (lambda t, x: t.stack([x], 3), (3, 4)),
    (lambda t, x: x.split(0), (3, 4)),
    (lambda t, x: x.split([1, 1]), (3, 4)),
    (lambda t, x: x.split(2, 2), (3, 4)),
    (lambda t, x: x.chunk(0), (3, 4)),
    (lambda t, x: x.narrow(0, 2, 2), (3, 4)),
    (lambda t, x: x.narrow(0, 0, -1), (3, 4)),
    (lambda t, x: x.narrow(0, 4, 0), (3, 4)),
    (lambda t, x: x.unflatten(1, (3, 2)), (3, 4)),
    (lambda t, x: x.unflatten(1, ()), (3, 4)),
    (lambda t, x: x.flatten(1, 0), (3, 4)),
    (lambda t, x: x.flatten(0, 2), (3, 4)),
    (lambda t, x: t.repeat_interleave(x, -1), (3, 4)),
    (lambda t, x: t.repeat_interleave(x, 2, dim=2), (3, 4)),
    (lambda t, x: t.repeat_interleave(x, t.tensor([1, 2]), dim=0), (3, 4)),
    (lambda t, x: x.unbind(), ()),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch, i):
    fn, shape = ERRORS[i]
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.zeros(shape))
    with pytest.raises(theirs.type):
        fn(edutorch, edutorch.zeros(shape))


# ----------------------------------------------------------------------- writes through shape views
WRITES = {
    "view": lambda y: y.view(-1)[2:5],
    "transpose_slice": lambda y: y.t()[1:3],
    "permute_unsqueeze": lambda y: y.permute(1, 0).unsqueeze(0),
    "movedim_select": lambda y: y.movedim(0, 1)[2],
    "narrow": lambda y: y.narrow(1, 1, 2),
    "unflatten": lambda y: y.unflatten(1, (2, 2))[:, 1],
    "squeeze": lambda y: y[None].squeeze(0),
    "t_view": lambda y: y.t().view(2, 2, 3)[1],
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_inplace_write_through_view_matches_pytorch(torch, name):
    """y = x * 1; v = view(y); v.mul_(w); the gradient reaching x and w must match PyTorch's."""
    make = WRITES[name]
    rng = np.random.default_rng(0)
    data, up = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        w = module.tensor(2.5, requires_grad=True)
        y = x * 1
        v = make(y)
        v.mul_(w)
        assert type(y.grad_fn).__name__ == "CopySlices"
        y.backward(module.tensor(up))
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy(), w.grad.item()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("make", [lambda y: y.split(2)[1], lambda y: y.chunk(2, 1)[0], lambda y: y.unbind(1)[3],
                                  lambda y: y.split([1, 3])[1][0], lambda y: y.unbind(0)[1].view(2, 2)])
def test_writing_into_outputs_of_multi_view_ops_is_refused_as_in_pytorch(torch, make):
    """split / chunk / unbind make several views in one node; PyTorch refuses in-place ops on them (and
    on views of them) while recording, and allows them without grad."""
    for module in (edutorch, torch):
        x = module.ones(4, 4, requires_grad=True)
        with pytest.raises(RuntimeError, match="This view is the output of a function that returns multiple views"):
            make(x * 1).mul_(2)
        y = module.zeros(4, 4)
        v = make(y)
        v.add_(1)
        assert float(y.numpy().sum()) == v.numel()
        with module.no_grad():
            make(x * 1).add_(1)


# ----------------------------------------------------------------------------------- double backward
DOUBLE = {
    "view": (lambda t, x: x.view(6, 2) ** 2, (3, 4)),
    "reshape_copy": (lambda t, x: x.t().reshape(-1) ** 2, (3, 4)),
    "permute": (lambda t, x: x.permute(2, 0, 1) ** 2, (2, 3, 2)),
    "transpose": (lambda t, x: x.transpose(0, 1) ** 2, (2, 3)),
    "t": (lambda t, x: x.t() ** 2, (2, 3)),
    "squeeze_unsqueeze": (lambda t, x: x.unsqueeze(1).squeeze() ** 2, (2, 3)),
    "flip": (lambda t, x: x.flip(0) ** 2, (3, 2)),
    "roll": (lambda t, x: x.roll(1, 1) ** 2, (3, 2)),
    "cat": (lambda t, x: t.cat([x, x ** 2]) ** 2, (2, 2)),
    "stack": (lambda t, x: t.stack([x, x * 3], 1) ** 2, (2, 2)),
    "split": (lambda t, x: x.split(1)[1] ** 2, (3, 2)),
    "unbind": (lambda t, x: x.unbind(1)[0] ** 2, (3, 2)),
    "narrow": (lambda t, x: x.narrow(0, 1, 2) ** 2, (3, 2)),
}
NEEDS_SUM = {
    "expand": (lambda t, x: x.expand(2, 3, 2) ** 2, (3, 1)),
    "repeat": (lambda t, x: x.repeat(2, 2) ** 2, (2, 2)),
}


@pytest.mark.parametrize("name", sorted(DOUBLE))
def test_double_backward(name):
    fn, shape = DOUBLE[name]
    x = edutorch.tensor(_rand(*shape), requires_grad=True)
    assert gradgradcheck(lambda t: fn(edutorch, t), (x,))


@pytest.mark.parametrize("name", sorted(NEEDS_SUM))
def test_double_backward_through_sum(name):
    fn, shape = NEEDS_SUM[name]
    x = edutorch.tensor(_rand(*shape), requires_grad=True)
    assert gradgradcheck(lambda t: fn(edutorch, t), (x,))


# ------------------------------------------------------------------------------ hypothesis: shapes
@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_random_permute_reshape_split_cat(torch, shape, data):
    """A random permutation, a reshape (often a copy after it), a split and a cat match PyTorch."""
    ndim = len(shape)
    perm = data.draw(st.permutations(range(ndim)))
    dim = data.draw(st.integers(-ndim, ndim - 1))
    size = data.draw(st.integers(1, 4))

    def fn(t, x):
        p = x.permute(*perm)
        pieces = p.split(size, dim)
        return (p.reshape(-1), t.cat(pieces[::-1], dim), t.stack(pieces[:1], dim))

    check_parity(torch, fn, _rand(*shape))


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3), data=st.data())
def test_random_expand_and_repeat(torch, shape, data):
    lead = data.draw(st.lists(st.integers(0, 3), min_size=0 if shape else 1, max_size=2))
    target = [data.draw(st.sampled_from([-1, 2])) if n == 1 else data.draw(st.sampled_from([-1, n])) for n in shape]
    reps = [data.draw(st.integers(0, 3)) for _ in range(max(len(shape) + len(lead), 1))]

    def fn(t, x):
        return x.expand(*lead, *target), x.repeat(*reps)

    check_parity(torch, fn, _rand(*shape))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch(indexing, torch):
    a, b, c = [0.0, 1.0, 2.0], [5.0, 6.0], [7.0, 8.0, 9.0, 10.0]
    ours = edutorch.meshgrid(edutorch.tensor(a, requires_grad=True), edutorch.tensor(b), edutorch.tensor(c),
                             indexing=indexing)
    theirs = torch.meshgrid(torch.tensor(a), torch.tensor(b), torch.tensor(c), indexing=indexing)
    for o, t in zip(ours, theirs):
        assert o.shape == tuple(t.shape)
        np.testing.assert_array_equal(o.detach().numpy(), t.numpy())
    x = edutorch.tensor(a, requires_grad=True)
    gx, _ = edutorch.meshgrid(x, edutorch.tensor(b), indexing=indexing)
    gx.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.warns(UserWarning, match="indexing"):
        edutorch.meshgrid(edutorch.tensor(a), edutorch.tensor(b))


def test_repeat_interleave_method(torch):
    assert edutorch.tensor([1, 2]).repeat_interleave(2).tolist() == torch.tensor([1, 2]).repeat_interleave(2).tolist()
