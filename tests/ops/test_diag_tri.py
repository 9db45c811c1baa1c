"""Diagonals and triangles (diag, diagonal, diag_embed, trace, tril, triu) and flip's varargs:
parity with PyTorch (values, dtypes, shapes, grad_fn names, gradients, errors), finite-difference
gradients, double backward, diagonal as a view (writes through it), in-place tril_ / triu_."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_same


def _name(t) -> str | None:
    return None if t.grad_fn is None else t.grad_fn.name()


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def check_parity(torch, fn, array):
    """``fn(module, x)`` on edutorch and PyTorch: same values, dtype, shape, grad_fn name, and (for a
    float input) the same gradient for a random upstream gradient."""
    a = np.asarray(array)
    floating = a.dtype.kind == "f"
    xs = []
    for module in (edutorch, torch):
        x = module.tensor(a.astype(np.float32) if a.dtype == np.float64 else a)
        xs.append(x.requires_grad_(True) if floating else x)
    ours, theirs = fn(edutorch, xs[0]), fn(torch, xs[1])
    assert_same(ours, theirs)
    assert _name(ours) == _name(theirs), (_name(ours), _name(theirs))
    if floating:
        up = np.random.default_rng(1).standard_normal(tuple(theirs.shape)).astype(np.float32)
        (g_ours,) = edutorch.autograd.grad(ours, xs[0], edutorch.tensor(up))
        (g_theirs,) = torch.autograd.grad(theirs, xs[1], torch.tensor(up))
        assert_same(g_ours, g_theirs)
    return ours, theirs


# name -> (fn(module, x), input shape)
CASES = {
    # diag: 1-D -> matrix, 2-D -> its diagonal (a copy)
    "diag_1d": (lambda t, x: t.diag(x), (4,)),
    "diag_1d_above": (lambda t, x: t.diag(x, 2), (3,)),
    "diag_1d_below": (lambda t, x: t.diag(x, diagonal=-1), (3,)),
    "diag_1d_method": (lambda t, x: x.diag(1), (2,)),
    "diag_1d_empty": (lambda t, x: t.diag(x, 1), (0,)),
    "diag_2d": (lambda t, x: t.diag(x), (3, 4)),
    "diag_2d_above": (lambda t, x: t.diag(x, 1), (3, 4)),
    "diag_2d_below": (lambda t, x: t.diag(x, -2), (4, 3)),
    "diag_2d_last_above": (lambda t, x: t.diag(x, 3), (3, 4)),
    "diag_2d_out_of_range": (lambda t, x: t.diag(x, 4), (3, 4)),
    "diag_2d_out_of_range_below": (lambda t, x: t.diag(x, -5), (3, 4)),
    "diag_2d_method": (lambda t, x: x.diag(-1), (3, 3)),
    # diagonal: a view; the diagonal is the last dim
    "diagonal": (lambda t, x: t.diagonal(x), (3, 4)),
    "diagonal_tall": (lambda t, x: t.diagonal(x), (5, 2)),
    "diagonal_above": (lambda t, x: t.diagonal(x, 2), (3, 4)),
    "diagonal_below": (lambda t, x: t.diagonal(x, offset=-1), (3, 4)),
    "diagonal_out_of_range": (lambda t, x: t.diagonal(x, 7), (3, 4)),
    "diagonal_out_of_range_below": (lambda t, x: t.diagonal(x, -3), (3, 4)),
    "diagonal_batched": (lambda t, x: t.diagonal(x, 0, 1, 2), (2, 3, 4)),
    "diagonal_batched_neg_dims": (lambda t, x: t.diagonal(x, 1, -2, -1), (2, 3, 4)),
    "diagonal_outer_dims": (lambda t, x: t.diagonal(x, -1, 0, 2), (3, 2, 4)),
    "diagonal_swapped_dims": (lambda t, x: t.diagonal(x, 1, 2, 0), (3, 2, 4)),
    "diagonal_4d": (lambda t, x: t.diagonal(x, 0, 3, 1), (2, 3, 2, 4)),
    "diagonal_method": (lambda t, x: x.diagonal(dim1=1, dim2=0, offset=-1), (3, 4)),
    "diagonal_of_transpose": (lambda t, x: x.t().diagonal(1), (3, 4)),
    "diagonal_then_sum": (lambda t, x: x.diagonal(0, -2, -1).sum(-1), (2, 3, 3)),
    "diagonal_empty_batch": (lambda t, x: t.diagonal(x, 0, 1, 2), (0, 3, 3)),
    # diag_embed: the last dim onto diagonals of new planes
    "diag_embed": (lambda t, x: t.diag_embed(x), (2, 3)),
    "diag_embed_1d": (lambda t, x: t.diag_embed(x), (3,)),
    "diag_embed_above": (lambda t, x: t.diag_embed(x, 1), (2, 3)),
    "diag_embed_below": (lambda t, x: t.diag_embed(x, offset=-2), (2, 3)),
    "diag_embed_dims": (lambda t, x: t.diag_embed(x, 1, 0, 2), (2, 3)),
    "diag_embed_swapped_dims": (lambda t, x: t.diag_embed(x, -1, dim1=-1, dim2=0), (2, 3)),
    "diag_embed_3d": (lambda t, x: t.diag_embed(x, 0, 1, 3), (2, 2, 3)),
    "diag_embed_method": (lambda t, x: x.diag_embed(2), (3,)),
    # trace: 2-D only
    "trace": (lambda t, x: t.trace(x), (3, 3)),
    "trace_wide": (lambda t, x: t.trace(x), (2, 5)),
    "trace_tall": (lambda t, x: x.trace(), (5, 2)),
    "trace_empty": (lambda t, x: t.trace(x), (0, 3)),
    # tril / triu: last two dims, batched
    "tril": (lambda t, x: t.tril(x), (3, 4)),
    "tril_above": (lambda t, x: t.tril(x, 1), (3, 4)),
    "tril_below": (lambda t, x: t.tril(x, diagonal=-1), (4, 3)),
    "tril_out_of_range": (lambda t, x: t.tril(x, -5), (3, 4)),
    "tril_all": (lambda t, x: t.tril(x, 9), (3, 4)),
    "tril_batched": (lambda t, x: t.tril(x, -1), (2, 3, 3)),
    "tril_method": (lambda t, x: x.tril(2), (2, 2, 5)),
    "triu": (lambda t, x: t.triu(x), (3, 4)),
    "triu_above": (lambda t, x: t.triu(x, 2), (3, 4)),
    "triu_below": (lambda t, x: t.triu(x, diagonal=-2), (4, 3)),
    "triu_out_of_range": (lambda t, x: t.triu(x, 6), (3, 4)),
    "triu_batched": (lambda t, x: t.triu(x, 1), (2, 2, 3, 3)),
    "triu_method": (lambda t, x: x.triu(-1), (3, 2)),
    "triu_empty": (lambda t, x: t.triu(x), (2, 0, 3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_parity(torch, name):
    fn, shape = CASES[name]
    check_parity(torch, fn, _rand(*shape))


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, shape = CASES[name]
    x = edutorch.tensor(_rand(*shape), requires_grad=True)  # float64
    if x.numel() == 0 or fn(edutorch, x).numel() == 0:
        return  # nothing to differentiate
    assert gradcheck(lambda t: fn(edutorch, t), (x,))


DOUBLE = {
    "diag_1d": (lambda t, x: t.diag(x, -1) ** 2, (3,)),
    "diag_2d": (lambda t, x: t.diag(x, 1) ** 2, (3, 4)),
    "diagonal": (lambda t, x: t.diagonal(x, 0, 0, 2) ** 2, (2, 3, 3)),
    "diag_embed": (lambda t, x: t.diag_embed(x, 1) ** 2, (2, 2)),
    "trace": (lambda t, x: t.trace(x * x), (3, 2)),
    "tril": (lambda t, x: t.tril(x, -1) ** 2, (3, 3)),
    "triu": (lambda t, x: t.triu(x, 1) ** 2, (2, 3, 3)),
}


@pytest.mark.parametrize("name", sorted(DOUBLE))
def test_double_backward(name):
    fn, shape = DOUBLE[name]
    x = edutorch.tensor(_rand(*shape), requires_grad=True)
    assert gradgradcheck(lambda t: fn(edutorch, t), (x,))


def test_second_derivative_matches_torch(torch):
    """d/dx of (d/dx trace(tril(x)^3)) summed: the same numbers as PyTorch's."""
    data = _rand(3, 3)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        y = module.trace(module.tril(x) ** 3) + module.diag_embed(x.diagonal(1)).pow(2).sum()
        (g,) = module.autograd.grad(y, x, create_graph=True)
        g.sum().backward()
        results.append((g.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


# ----------------------------------------------------------------------------- int and bool dtypes
INT_OPS = {
    "diag_1d": lambda t, x: t.diag(x[0], -1),
    "diag_2d": lambda t, x: t.diag(x, 1),
    "diagonal": lambda t, x: x.diagonal(-1),
    "diag_embed": lambda t, x: t.diag_embed(x, 1, 0, 2),
    "trace": lambda t, x: t.trace(x),
    "tril": lambda t, x: x.tril(1),
    "triu": lambda t, x: t.triu(x, -1),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8", "bool", "float64", "float16"])
@pytest.mark.parametrize("op", sorted(INT_OPS))
def test_dtypes_match_torch(torch, op, dtype):
    """Every op keeps the dtype (trace: integers sum to int64, bool is refused as in PyTorch)."""
    a = ((np.arange(12) % 5) - (dtype != "uint8") * 1).astype(dtype).reshape(3, 4)
    fn = INT_OPS[op]
    try:
        theirs = fn(torch, torch.tensor(a))
    except Exception as e:  # noqa: BLE001 - PyTorch's own refusal is the expected answer
        with pytest.raises(type(e), match="not implemented for 'Bool'"):
            fn(edutorch, edutorch.tensor(a))
        return
    ours = fn(edutorch, edutorch.tensor(a))
    assert_same(ours, theirs)
    assert ours.grad_fn is None


# ------------------------------------------------------------------------------------------ errors
# (fn(module, x), input shape): each raises the same exception type in edutorch as in PyTorch
ERRORS = [
    (lambda t, x: t.trace(x), (2, 3, 3)),
    (lambda t, x: t.trace(x), (3,)),
    (lambda t, x: x.trace(), ()),
    (lambda t, x: t.diag(x), (2, 3, 3)),
    (lambda t, x: x.diag(), ()),
    (lambda t, x: t.diag(x, 1.0), (3,)),
    (lambda t, x: t.diag(x, True), (3,)),
    (lambda t, x: t.diagonal(x, 0, 1, 1), (3, 4)),
    (lambda t, x: t.diagonal(x, 0, 1, -1), (3, 4)),
    (lambda t, x: t.diagonal(x, 0, -3, 0), (2, 3, 4)),
    (lambda t, x: t.diagonal(x), (3,)),
    (lambda t, x: t.diagonal(x), ()),
    (lambda t, x: t.diagonal(x, 0, 0, 2), (3, 4)),
    (lambda t, x: t.diagonal(x, 0.5), (3, 4)),
    (lambda t, x: t.diagonal(x, 0, 0.0, 1), (3, 4)),
    (lambda t, x: t.diag_embed(x), ()),
    (lambda t, x: t.diag_embed(x, 0, 1, 1), (2, 3)),
    (lambda t, x: t.diag_embed(x, 0, -1, 2), (2, 3)),
    (lambda t, x: t.diag_embed(x, 0, 0, 3), (2, 3)),
    (lambda t, x: t.diag_embed(x, 1.0), (2, 3)),
    (lambda t, x: t.tril(x), (3,)),
    (lambda t, x: x.triu(), ()),
    (lambda t, x: t.tril(x, 1.5), (3, 3)),
    (lambda t, x: t.triu(x, None), (3, 3)),
    (lambda t, x: t.trace(x.tolist()), (2, 2)),
    (lambda t, x: t.diag(x.tolist()), (2,)),
    (lambda t, x: t.diagonal(x.tolist()), (2, 2)),
    (lambda t, x: t.diag_embed(x.tolist()), (2,)),
    (lambda t, x: t.tril(x.tolist()), (2, 2)),
    (lambda t, x: x.flip(), (2, 3)),
    (lambda t, x: x.flip(0.5), (2, 3)),
    (lambda t, x: x.flip(0, 0), (2, 3)),
    (lambda t, x: x.flip(0, 2), (2, 3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(torch, i):
    fn, shape = ERRORS[i]
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.zeros(shape))
    with pytest.raises(theirs.type):
        fn(edutorch, edutorch.zeros(shape))


@pytest.mark.parametrize("fn, shape, exc, message", [
    (lambda t, x: t.trace(x), (2, 3, 3), RuntimeError, "trace: expected a matrix, but got tensor with dim 3"),
    (lambda t, x: t.trace(x), (4,), RuntimeError, "trace: expected a matrix, but got tensor with dim 1"),
    (lambda t, x: t.trace(x.bool()), (2, 2), NotImplementedError, "\"trace\" not implemented for 'Bool'"),
    (lambda t, x: t.diag(x), (2, 3, 3), RuntimeError, r"diag\(\): Supports 1D or 2D tensors. Got 3D"),
    (lambda t, x: t.diagonal(x, 0, 1, -1), (3, 4), RuntimeError,
     "diagonal dimensions cannot be identical 1, -1"),
    (lambda t, x: t.diag_embed(x, 0, -1, 2), (2, 3), RuntimeError,
     "diagonal dimensions cannot be identical -1, 2"),
    (lambda t, x: t.diagonal(x), (3,), IndexError,
     r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"),
    (lambda t, x: t.diag_embed(x), (), IndexError,
     r"Dimension out of range \(expected to be in range of \[-1, 0\], but got -2\)"),
    (lambda t, x: t.tril(x), (3,), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda t, x: t.triu(x), (), RuntimeError, "triu: input tensor must have at least 2 dimensions"),
    (lambda t, x: t.diag(x, 1.0), (3,), TypeError,
     r"diag\(\): argument 'diagonal' \(position 2\) must be int, not float"),
    (lambda t, x: t.diagonal(x, 0, 0.0, 1), (3, 3), TypeError,
     r"diagonal\(\): argument 'dim1' \(position 3\) must be int, not float"),
    (lambda t, x: t.tril(x.tolist()), (2, 2), TypeError,
     r"tril\(\): argument 'input' \(position 1\) must be Tensor, not list"),
    (lambda t, x: x.flip(), (2, 2), TypeError, r"flip\(\) missing 1 required positional arguments: \"dims\""),
])
def test_error_messages_match_pytorch(torch, fn, shape, exc, message):
    for module in (edutorch, torch):
        with pytest.raises(exc, match=message):
            fn(module, module.zeros(shape))


# ---------------------------------------------------------------------------- diagonal is a view
def test_diagonal_is_a_view_and_diag_a_copy(torch):
    x = edutorch.arange(12.0).view(3, 4).clone()
    d = x.diagonal(1)
    assert d._base is x and d._version_counter is x._version_counter
    assert np.shares_memory(d.numpy(), x.numpy())
    assert d.stride() == torch.arange(12.0).view(3, 4).diagonal(1).stride() == (5,)
    d.fill_(-1.0)  # writes through: x's diagonal changes, as in PyTorch
    tx = torch.arange(12.0).view(3, 4)
    tx.diagonal(1).fill_(-1.0)
    assert x.tolist() == tx.tolist()
    assert x._version == 1
    # torch.diag of a matrix copies
    c = edutorch.diag(x)
    assert c._base is None and not np.shares_memory(c.numpy(), x.numpy())
    c.zero_()
    assert x[0, 0].item() == 0.0 and x[1, 1].item() == 5.0


def test_diagonal_of_an_expanded_tensor_is_read_only(torch):
    """Diagonals of a batch expanded from one matrix share memory: writing is refused, as in PyTorch."""
    for module in (edutorch, torch):
        e = module.arange(9.0).view(3, 3).expand(2, 3, 3)
        assert e.diagonal(0, 1, 2).tolist() == [[0.0, 4.0, 8.0]] * 2
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a "
                                               "single memory location"):
            e.diagonal(0, 1, 2).add_(1)


@pytest.mark.parametrize("write", [
    lambda d, w: d.zero_(),
    lambda d, w: d.mul_(w),
    lambda d, w: d.copy_(w.expand(d.shape)),
])
@pytest.mark.parametrize("make", [
    lambda y: y.diagonal(),
    lambda y: y.diagonal(-1),
    lambda y: y.t().diagonal(1),
    lambda y: y.view(2, 2, 3).diagonal(0, 0, 2),
])
def test_write_through_diagonal_matches_pytorch(torch, make, write):
    """y = x * 1; write into a diagonal of y; y's value and the gradients reaching x and w match PyTorch."""
    rng = np.random.default_rng(0)
    data, up = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        w = module.tensor(2.5, requires_grad=True)
        y = x * 1
        write(make(y), w)
        assert type(y.grad_fn).__name__ == "CopySlices"
        y.backward(module.tensor(up))
        w_grad = 0.0 if w.grad is None else w.grad.item()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy(), w_grad))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


def test_writing_into_diagonal_of_a_leaf_is_refused(torch):
    for module in (edutorch, torch):
        x = module.ones(3, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            x.diagonal().zero_()
        with module.no_grad():
            x.diagonal().zero_()
        assert x.sum().item() == 6.0


# ------------------------------------------------------------------------------- tril_ and triu_
@pytest.mark.parametrize("method, k, shape", [("tril_", 0, (3, 4)), ("tril_", -1, (2, 3, 3)),
                                              ("triu_", 1, (4, 3)), ("triu_", -2, (2, 2, 3))])
def test_inplace_tril_triu_match_pytorch(torch, method, k, shape):
    data, up = _rand(*shape), _rand(*shape, seed=1)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        y = x * 2
        out = getattr(y, method)(k)
        assert out is y and y._version == 1
        assert y.grad_fn.name() == ("TrilBackward0" if method == "tril_" else "TriuBackward0")
        y.backward(module.tensor(up))
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_inplace_tril_triu_on_int_bool_leaf_and_views(torch):
    for module in (edutorch, torch):
        a = module.arange(12).view(3, 4)
        a.tril_(1)
        b = module.ones(3, 3, dtype=module.bool)
        b.triu_()
        assert a.dtype == module.int64 and b.dtype == module.bool
        leaf = module.ones(3, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            leaf.tril_()
        with module.no_grad():
            leaf.triu_(1)
        base = module.ones(2, 3, 3)
        base[1].tril_()  # through a view: base changes too
        results = (a.tolist(), b.tolist(), leaf.detach().tolist(), base.tolist())
        if module is edutorch:
            ours = results
    assert ours == results
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        edutorch.ones(3).tril_()


def test_inplace_tril_after_save_is_detected(torch):
    """exp saves its output; triangulating it in place must make backward raise, as in PyTorch."""
    for module in (edutorch, torch):
        x = module.ones(2, 2, requires_grad=True)
        y = x.exp()
        y.tril_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


# ------------------------------------------------------------------------------- flip's varargs
@pytest.mark.parametrize("call", [
    lambda x: x.flip(0, 1), lambda x: x.flip((0, 1)), lambda x: x.flip([0, 1]), lambda x: x.flip(dims=(0, 1)),
    lambda x: x.flip(-1, 0), lambda x: x.flip(2), lambda x: x.flip(()), lambda x: x.flip(dims=[-2]),
])
def test_flip_accepts_varargs_and_a_sequence(torch, call):
    check_parity(torch, lambda t, x: call(x), _rand(2, 3, 4))


def test_flip_varargs_equals_tuple_and_torch_flip():
    x = edutorch.tensor(_rand(2, 3, 4), requires_grad=True)
    assert edutorch.equal(x.flip(0, 2), x.flip((0, 2)))
    assert edutorch.equal(x.flip(0, 2), edutorch.flip(x, (0, 2)))
    assert edutorch.equal(x.flip(1), edutorch.flip(x, dims=[1]))
    assert x.flip(0, 2).grad_fn.name() == "FlipBackward0"
    assert gradcheck(lambda t: t.flip(0, -1), (x.detach().requires_grad_(),))


# ------------------------------------------------------------------------ hypothesis: shapes, dims
@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=2, max_size=4), data=st.data())
def test_random_diagonal_and_diag_embed(torch, shape, data):
    """A random diagonal (any two dims, any offset), then diag_embed of it back into random dims."""
    ndim = len(shape)
    dim1 = data.draw(st.integers(-ndim, ndim - 1))
    dim2 = data.draw(st.integers(-ndim, ndim - 1).filter(lambda d: d % ndim != dim1 % ndim))
    offset = data.draw(st.integers(-5, 5))
    e1 = data.draw(st.integers(-ndim, ndim - 1))
    e2 = data.draw(st.integers(-ndim, ndim - 1).filter(lambda d: d % ndim != e1 % ndim))
    e_offset = data.draw(st.integers(-2, 2))

    def fn(t, x):
        return t.diag_embed(x.diagonal(offset, dim1, dim2), e_offset, e1, e2)

    check_parity(torch, fn, _rand(*shape))


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=2, max_size=4), k=st.integers(-5, 5), upper=st.booleans())
def test_random_tril_triu(torch, shape, k, upper):
    check_parity(torch, lambda t, x: (t.triu if upper else t.tril)(x, k), _rand(*shape))
