"""Indexing: x[...] (views for basic indexing, copies for advanced), x[...] = v through the in-place
machinery (CopySlices / IndexPutBackward0), gather / scatter / index_select / masked_fill /
masked_select / index_fill / nonzero. Finite-difference gradients and parity with PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_same


def _node_name(t) -> str | None:
    """grad_fn's name in either library (PyTorch's CopySlices.name() has a C++ namespace)."""
    if t.grad_fn is None:
        return None
    return t.grad_fn.name().split("::")[-1]


def _as_tuple(out) -> tuple:
    return out if isinstance(out, (tuple, list)) else (out,)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _leaf(module, array, dtype=None):
    array = np.asarray(array)
    if array.dtype.kind == "f":
        return module.tensor(array.astype(dtype or np.float32), requires_grad=True)
    return module.tensor(array)


def check_parity(torch, fn, *arrays):
    """fn(module, *tensors) in both libraries: same values, dtypes, grad_fn names and gradients."""
    ours_in = [_leaf(edutorch, a) for a in arrays]
    theirs_in = [_leaf(torch, a) for a in arrays]
    ours, theirs = _as_tuple(fn(edutorch, *ours_in)), _as_tuple(fn(torch, *theirs_in))
    for o, t in zip(ours, theirs, strict=True):
        assert_same(o, t)
        assert _node_name(o) == _node_name(t), (_node_name(o), _node_name(t))
    diff = [i for i, t in enumerate(theirs_in) if t.requires_grad]
    pairs = [(o, t) for o, t in zip(ours, theirs) if t.requires_grad]
    if not diff or not pairs:
        return ours, theirs
    rng = np.random.default_rng(1)
    ups = [rng.standard_normal(t.shape).astype(np.float32) for _, t in pairs]
    g_ours = edutorch.autograd.grad([o for o, _ in pairs], [ours_in[i] for i in diff],
                                    [edutorch.tensor(u) for u in ups], allow_unused=True)
    g_theirs = torch.autograd.grad([t for _, t in pairs], [theirs_in[i] for i in diff],
                                   [torch.tensor(u) for u in ups], allow_unused=True)
    for go, gt in zip(g_ours, g_theirs):
        assert (go is None) == (gt is None)
        if gt is not None:
            assert_same(go, gt)
    return ours, theirs


def check_gradient(fn, *arrays):
    xs = [_leaf(edutorch, a, np.float64) for a in arrays]
    assert gradcheck(lambda *ts: fn(edutorch, *ts), tuple(xs))


X = _rand(3, 4)
X3 = _rand(2, 3, 4)

# name -> (fn(module, x), input): basic indexing (views) and advanced indexing (copies)
GETITEM = {
    "int": (lambda t, x: x[0], X),
    "neg_int": (lambda t, x: x[-1], X),
    "slice": (lambda t, x: x[1:3], X),
    "slice_step": (lambda t, x: x[::2], X),
    "slice_full": (lambda t, x: x[:], X),
    "slice_clamped": (lambda t, x: x[1:10], X),
    "slice_empty": (lambda t, x: x[2:1], X),
    "col": (lambda t, x: x[:, 0], X),
    "col_slice": (lambda t, x: x[:, 1:3], X),
    "ellipsis_int": (lambda t, x: x[..., 1], X3),
    "two_ints": (lambda t, x: x[0, 1], X3),
    "element": (lambda t, x: x[1, 2], X),
    "none": (lambda t, x: x[None], X),
    "none_mid": (lambda t, x: x[:, None], X),
    "none_end": (lambda t, x: x[..., None], X),
    "mixed_basic": (lambda t, x: x[0, None, 1:2], X3),
    "ellipsis": (lambda t, x: x[...], X),
    "full_tuple": (lambda t, x: x[:, :], X),
    "chained": (lambda t, x: x[1][2:], X),
    "tensor_0d": (lambda t, x: x[t.tensor(1)], X),
    "np_int": (lambda t, x: x[np.int64(2)], X),
    "list": (lambda t, x: x[[0, 0, 2]], X),
    "list_neg": (lambda t, x: x[[-1, 0]], X),
    "tensor_index": (lambda t, x: x[t.tensor([2, 0, 2])], X),
    "int32_index": (lambda t, x: x[t.tensor([1, 1], dtype=t.int32)], X),
    "numpy_index": (lambda t, x: x[np.array([0, 2])], X),
    "index_2d": (lambda t, x: x[t.tensor([[0, 1], [1, 1]])], X),
    "empty_list": (lambda t, x: x[[]], X),
    "mask": (lambda t, x: x[x > 0], X),
    "row_mask": (lambda t, x: x[t.tensor([True, False, True])], X),
    "list_of_bools": (lambda t, x: x[[True, False, True]], X),
    "mask_2d_of_3d": (lambda t, x: x[t.tensor([[True, False, True], [False, False, True]])], X3),
    "adv_col": (lambda t, x: x[:, [1, 1, 0]], X),
    "adv_after_slice": (lambda t, x: x[1:, [0]], X),
    "int_then_adv": (lambda t, x: x[0, :, [0, 1]], X3),
    "two_adv_apart": (lambda t, x: x[[0, 1], :, [0, 1]], X3),
    "two_adv_adjacent": (lambda t, x: x[:, [0, 2, 2], [1, 1, 3]], X3),
    "adv_broadcast": (lambda t, x: x[t.tensor([[0], [1]]), t.tensor([0, 1, 2])], X),
    "adv_with_none": (lambda t, x: x[None, [1, 1]], X),
    "true": (lambda t, x: x[True], X),
    "false": (lambda t, x: x[False], X),
    "mask_0d_tensor": (lambda t, x: x[t.tensor(True)], X),
}


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_parity(torch, name):
    fn, x = GETITEM[name]
    check_parity(torch, fn, x)


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_gradcheck(name):
    fn, x = GETITEM[name]
    if fn(edutorch, edutorch.tensor(x)).numel() == 0:
        return
    check_gradient(fn, x)


def test_basic_indexing_returns_views_advanced_returns_copies():
    x = edutorch.arange(12.0).view(3, 4)
    for view in (x[0], x[:, 1], x[1:3], x[None], x[..., ::2], x[1, 2], x[...]):
        assert view._base is x._base and np.shares_memory(view.numpy(), x.numpy())
        assert view._version_counter is x._version_counter
    for copy in (x[[0, 1]], x[x > 3], x[:, [0]], x[edutorch.tensor([1])]):
        assert copy._base is None and not np.shares_memory(copy.numpy(), x.numpy())
    x[1, 2].fill_(100.0)  # a write through a 0-d view
    assert x[1, 2].item() == 100.0


def test_repeated_index_read_accumulates_gradient(torch):
    for module in (edutorch, torch):
        x = module.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x[[0, 0, 1]].sum().backward()
        assert x.grad.tolist() == [2.0, 1.0, 0.0]
        y = module.zeros(4, 2, requires_grad=True)
        y[module.tensor([[3, 3], [3, 0]])].backward(module.ones(2, 2, 2))
        assert y.grad[:, 0].tolist() == [1.0, 0.0, 0.0, 3.0]


# (fn(module, x)): the same exception type (and, where given, message) as PyTorch
GETITEM_ERRORS = [
    (lambda t, x: x[5], "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[-4], "index -4 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[:, 4], "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda t, x: x[0, 0, 0], "too many indices for tensor of dimension 2"),
    (lambda t, x: x[::-1], "step must be greater than zero"),
    (lambda t, x: x[::0], None),
    (lambda t, x: x[[5]], "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[[0, -4]], "index -4 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[t.tensor([0.5])], "tensors used as indices must be long, int, byte or bool tensors"),
    (lambda t, x: x[t.tensor([1], dtype=t.int16)], "tensors used as indices must be long, int, byte or bool"),
    (lambda t, x: x[t.tensor([True, False])], r"The shape of the mask \[2\] at index 0 does not match"),
    (lambda t, x: x[1.5], None),
    (lambda t, x: x[t.tensor([0, 1]), t.tensor([0, 1, 2])], "shape mismatch: indexing tensors could not be "
                                                             r"broadcast together with shapes \[2\], \[3\]"),
    (lambda t, x: x[0][0][0], "invalid index of a 0-dim tensor"),
]


@pytest.mark.parametrize("i", range(len(GETITEM_ERRORS)))
def test_getitem_errors_match_pytorch(torch, i):
    fn, message = GETITEM_ERRORS[i]
    with pytest.raises(Exception, match=message) as theirs:
        fn(torch, torch.zeros(3, 4))
    with pytest.raises(theirs.type, match=message):
        fn(edutorch, edutorch.zeros(3, 4))


# ------------------------------------------------------------------------------------------ setitem
# name -> (index maker(module, y), value: number | array | "int"-tagged array)
SETITEM = {
    "row_number": (lambda t, y: 0, 5.0),
    "row_tensor": (lambda t, y: 0, _rand(4, seed=2)),
    "col_tensor": (lambda t, y: (slice(None), 1), _rand(3, seed=2)),
    "block_broadcast": (lambda t, y: (slice(1, None), slice(2, None)), _rand(1, 2, seed=2)),
    "element_0d": (lambda t, y: (0, 0), _rand(seed=2)),
    "ellipsis": (lambda t, y: Ellipsis, 0.0),
    "full_slice": (lambda t, y: slice(None), _rand(4, seed=2)),
    "full_tuple": (lambda t, y: (slice(None), slice(None)), 1.5),
    "none": (lambda t, y: None, 1.0),
    "step_slice": (lambda t, y: (slice(None), slice(None, None, 2)), _rand(3, 2, seed=2)),
    "rows_list": (lambda t, y: [0, 2], _rand(2, 4, seed=2)),
    "repeated_rows_same": (lambda t, y: [0, 0], _rand(4, seed=2)),
    "repeated_rows_distinct": (lambda t, y: [1, 1], _rand(2, 4, seed=2)),
    "mask_number": (lambda t, y: y > 0, 0.0),
    "mask_0d_tensor": (lambda t, y: y > 0, _rand(seed=2)),
    "row_mask": (lambda t, y: t.tensor([True, False, True]), _rand(4, seed=2)),
    "adv_cols": (lambda t, y: (slice(None), [0, 1]), _rand(3, 2, seed=2)),
    "slice_then_adv": (lambda t, y: (slice(1, None), [0]), 5.0),
    "int_then_adv": (lambda t, y: (0, [1, 2]), _rand(2, seed=2)),
    "tensor_index": (lambda t, y: t.tensor([2, 0]), _rand(1, 4, seed=2)),
    "int_value_tensor": (lambda t, y: 1, np.arange(4)),
}


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_parity(torch, name):
    """y = x * 1; y[index] = value: values, y's grad_fn, version and gradients of x and value as PyTorch."""
    make_index, value = SETITEM[name]
    up = _rand(3, 4, seed=3).astype(np.float32)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(X.astype(np.float32), requires_grad=True)
        v = _leaf(module, value) if isinstance(value, np.ndarray) else value
        y = x * 1
        y[make_index(module, y)] = v
        y.backward(module.tensor(up))
        grads = [x.grad.numpy().copy()]
        if isinstance(v, (edutorch.Tensor, torch.Tensor)) and v.requires_grad:
            grads.append(v.grad.numpy().copy())
        results.append((y.detach().numpy().copy(), _node_name(y), y._version, grads))
    (y_o, name_o, ver_o, g_o), (y_t, name_t, ver_t, g_t) = results
    np.testing.assert_allclose(y_o, y_t, rtol=1e-6)
    assert (name_o, ver_o) == (name_t, ver_t)
    for a, b in zip(g_o, g_t, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("make", [lambda y: y[...], lambda y: y[1, 2], lambda y: y[None, 1:, ::2],
                                  lambda y: y[:, -1], lambda y: y[1:][:, 1:3][0]])
def test_inplace_op_on_an_indexing_view(torch, make):
    """v = y[index]; v.mul_(w): y's history becomes CopySlices; gradients of x and w as PyTorch."""
    results = []
    for module in (edutorch, torch):
        x = module.tensor(X.astype(np.float32), requires_grad=True)
        w = module.tensor(-1.5, requires_grad=True)
        y = x * 1
        v = make(y)
        v.mul_(w)
        assert _node_name(y) == "CopySlices" and _node_name(v) == "AsStridedBackward0"
        (y * y).backward(module.ones(3, 4))
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy(), w.grad.numpy().copy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_setitem_row_then_sum_backward(torch):
    """The brief's example: y = x.clone(); y[0] = 5; y.sum().backward() -> row 0 of x gets no gradient."""
    for module in (edutorch, torch):
        x = module.ones(2, 3, requires_grad=True)
        y = x.clone()
        y[0] = 5
        assert _node_name(y) == "CopySlices"
        y.sum().backward()
        assert x.grad.tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
        assert y.tolist() == [[5.0, 5.0, 5.0], [1.0, 1.0, 1.0]]


def test_augmented_assignment_through_a_view(torch):
    """y[:, 1] *= 2 is getitem, an in-place mul on the view, then setitem: two CopySlices, as PyTorch."""
    results = []
    for module in (edutorch, torch):
        x = module.tensor(X.astype(np.float32), requires_grad=True)
        w = module.tensor(1.5, requires_grad=True)
        y = x * 1
        y[:, 1] *= 2
        y[0] += w
        y[y > 1] = 0
        (y * y).sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy(), w.grad.item(), y._version,
                        _node_name(y)))
    for a, b in zip(*results):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        else:
            assert a == pytest.approx(b) if isinstance(a, float) else a == b


def test_setitem_repeated_index_values(torch):
    """x[idx] = v with a repeated index: the last write wins (as PyTorch on CPU), and every value's
    gradient is grad[idx] -- both copies get it, as in PyTorch."""
    for module in (edutorch, torch):
        z = module.zeros(3)
        v = module.tensor([1.0, 2.0], requires_grad=True)
        z[[0, 0]] = v
        assert z.tolist() == [2.0, 0.0, 0.0]
        (z * module.tensor([3.0, 1.0, 1.0])).sum().backward()
        assert v.grad.tolist() == [3.0, 3.0]


def test_setitem_without_grad_and_int_tensors(torch):
    for module in (edutorch, torch):
        z = module.arange(12).view(3, 4)
        z[z > 5] = 0
        z[0] = 2.7  # cast to the tensor's dtype: int64 truncates
        z[:, 3] = module.tensor([7.9, 8.1, 9.5])
        z[[1, 2], [0, 1]] = module.tensor(-1)
        assert z.tolist() == [[2, 2, 2, 7], [-1, 5, 0, 8], [0, -1, 0, 9]]
        assert z.dtype == module.int64 and z._version == 4
        with module.no_grad():
            x = module.ones(2, 2, requires_grad=True)
            x[0] = 3
        assert x.tolist() == [[3.0, 3.0], [1.0, 1.0]] and x.grad_fn is None


# (fn(module, leaf)): raises the same exception type as PyTorch
SETITEM_ERRORS = [
    lambda t, x: x.__setitem__(0, 1.0),  # a view of a leaf that requires grad
    lambda t, x: x.__setitem__([0], 1.0),  # the leaf itself
    lambda t, x: x.__setitem__(slice(None), 1.0),
    lambda t, x: (x * 1).__setitem__(0, t.ones(2)),  # cannot broadcast
    lambda t, x: (x * 1).__setitem__([0], t.ones(2)),
    lambda t, x: (x * 1).__setitem__(0, [1.0, 2.0, 3.0, 4.0]),  # lists are not values
    lambda t, x: (x * 1).__setitem__(0, np.ones(4)),
    lambda t, x: (x * 1).__setitem__(5, 1.0),
    lambda t, x: (x * 1)[:, :1].expand(3, 4).__setitem__(0, 1.0),  # overlapping memory
]


@pytest.mark.parametrize("i", range(len(SETITEM_ERRORS)))
def test_setitem_errors_match_pytorch(torch, i):
    fn = SETITEM_ERRORS[i]
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.ones(3, 4, requires_grad=True))
    with pytest.raises(theirs.type):
        fn(edutorch, edutorch.ones(3, 4, requires_grad=True))


def test_setitem_invalidates_saved_tensors(torch):
    for module in (edutorch, torch):
        y = module.ones(3, requires_grad=True) * 1
        z = y * y  # saves y
        y[0] = 2.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_write_through_expanded_tensor_raises(torch):
    for module in (edutorch, torch):
        e = module.ones(3, 1).expand(3, 4)
        with pytest.raises(RuntimeError):
            e[1] = 5.0
        with pytest.raises(RuntimeError):
            e.mul_(2)


# ------------------------------------------------------------------------ gather, scatter and friends
IDX = np.array([[0, 0], [3, 1], [2, 2]])
OPS = {
    "gather": (lambda t, x: t.gather(x, 1, t.tensor(IDX)), [X]),
    "gather_dim0": (lambda t, x: x.gather(0, t.tensor([[2, 0, 0, 1]])), [X]),
    "gather_small_index": (lambda t, x: x.gather(1, t.tensor([[1], [3]])), [X]),
    "gather_int32": (lambda t, x: x.gather(1, t.tensor(IDX, dtype=t.int32)), [X]),
    "scatter_src": (lambda t, x, s: x.scatter(1, t.tensor([[0, 1], [3, 2]]), s), [X, _rand(2, 2, seed=2)]),
    "scatter_fn": (lambda t, x, s: t.scatter(x, 0, t.tensor([[2, 0, 1, 0]]), s), [X, _rand(1, 4, seed=2)]),
    "scatter_number": (lambda t, x: x.scatter(1, t.tensor(IDX), 2.5), [X]),
    "scatter_value_kw": (lambda t, x: x.scatter(0, t.tensor([[1, 2]]), value=-1.0), [X]),
    "index_select": (lambda t, x: t.index_select(x, 1, t.tensor([3, 0, 3, 3])), [X]),
    "index_select_dim0": (lambda t, x: x.index_select(0, t.tensor([2, 2])), [X]),
    "index_select_0d_index": (lambda t, x: x.index_select(1, t.tensor(1)), [X]),
    "index_select_int32": (lambda t, x: x.index_select(-1, t.tensor([1, 0], dtype=t.int32)), [X]),
    "masked_fill": (lambda t, x: x.masked_fill(x > 0, 0.5), [X]),
    "masked_fill_broadcast": (lambda t, x: t.masked_fill(x, t.tensor([True, False, False, True]), -2.0), [X]),
    "masked_fill_tensor": (lambda t, x, v: x.masked_fill(x < 0, v), [X, _rand(seed=2)]),
    "masked_fill_int_value": (lambda t, x: x.masked_fill(x < 0, t.tensor(3)), [X]),
    "masked_fill_bigger_mask": (lambda t, x: x[0].masked_fill(t.ones(2, 4, dtype=t.bool), 1.0), [X]),
    "masked_select": (lambda t, x: x.masked_select(x > 0), [X]),
    "masked_select_broadcast": (lambda t, x: t.masked_select(x, t.tensor([True, False, True, True])), [X]),
    "masked_select_bigger_mask": (lambda t, x: x[0].masked_select(t.tensor([[True], [False]])), [X]),
    "index_fill": (lambda t, x: x.index_fill(1, t.tensor([0, 0, 2]), 1.5), [X]),
    "index_fill_neg": (lambda t, x: x.index_fill(0, t.tensor([-1]), 1.5), [X]),
    "index_fill_tensor": (lambda t, x, v: x.index_fill(1, t.tensor([3, 1, 3]), v), [X, _rand(seed=2)]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_indexing_ops_parity(torch, name):
    fn, arrays = OPS[name]
    check_parity(torch, fn, *arrays)


@pytest.mark.parametrize("name", sorted(OPS))
def test_indexing_ops_gradcheck(name):
    fn, arrays = OPS[name]
    check_gradient(fn, *arrays)


def test_gather_and_index_select_accumulate_repeated_indices(torch):
    for module in (edutorch, torch):
        x = module.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        x.gather(1, module.tensor([[2, 2, 2, 0]])).sum().backward()
        assert x.grad.tolist() == [[1.0, 0.0, 3.0]]
        x.grad = None
        x.index_select(1, module.tensor([1, 1])).sum().backward()
        assert x.grad.tolist() == [[0.0, 2.0, 0.0]]


def test_scatter_gradients(torch):
    """input's gradient is zero where scattered; src's is the gradient gathered back."""
    for module in (edutorch, torch):
        x = module.zeros(2, 3, requires_grad=True)
        src = module.tensor([[1.0], [4.0]], requires_grad=True)
        out = x.scatter(1, module.tensor([[2], [0]]), src)
        assert out.tolist() == [[0.0, 0.0, 1.0], [4.0, 0.0, 0.0]]
        out.backward(module.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
        assert x.grad.tolist() == [[1.0, 2.0, 0.0], [0.0, 5.0, 6.0]]
        assert src.grad.tolist() == [[3.0], [4.0]]


def test_scatter_from_a_larger_src():
    """Only src's first index.shape block is used, so the rest gets zero gradient. (PyTorch's backward
    raises here: its gradient for src has index's shape, not src's.)"""
    src = edutorch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    out = edutorch.zeros(2, 3).scatter(1, edutorch.tensor([[2], [0]]), src)
    assert out.tolist() == [[0.0, 0.0, 1.0], [4.0, 0.0, 0.0]]
    out.backward(edutorch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert src.grad.tolist() == [[3.0, 0.0, 0.0], [4.0, 0.0, 0.0]]
    check_gradient(lambda t, s: t.zeros(2, 3, dtype=t.float64).scatter(1, t.tensor([[2, 1], [0, 2]]), s),
                   _rand(2, 3))


def test_scatter_reduce_values_and_no_gradient(torch):
    for module in (edutorch, torch):
        base = module.ones(2, 3)
        idx = module.tensor([[0, 0, 2]])
        with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src is deprecated"):
            added = base.scatter(1, idx, module.tensor([[1.0, 2.0, 3.0]]), reduce="add")
        assert added.tolist() == [[4.0, 1.0, 4.0], [1.0, 1.0, 1.0]]
        assert base.scatter(1, idx, 3.0, reduce="multiply").tolist() == [[9.0, 1.0, 3.0], [1.0, 1.0, 1.0]]
    x = edutorch.ones(2, 3, requires_grad=True)
    out = x.scatter(1, edutorch.tensor([[0]]), 2.0, reduce="add")
    assert out.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="not implemented"):
        out.backward(edutorch.ones(2, 3))


def test_inplace_indexing_methods(torch):
    results = []
    for module in (edutorch, torch):
        x = module.tensor(X.astype(np.float32), requires_grad=True)
        y = x * 1
        y.masked_fill_(y > 1, 0.0)
        y.scatter_(1, module.tensor([[0], [1], [2]]), 9.0)
        y.index_fill_(0, module.tensor([1]), -1.0)
        (y * y).sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy(), _node_name(y), y._version))
    for a, b in zip(*results):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        else:
            assert a == b


def test_nonzero(torch):
    data = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    for fn in (lambda t, x: x.nonzero(), lambda t, x: t.nonzero(x, as_tuple=True), lambda t, x: x.argwhere(),
               lambda t, x: t.where(x != 0), lambda t, x: x[0, 0].nonzero(), lambda t, x: x[0, 1].nonzero(),
               lambda t, x: t.nonzero(x[0, 1], as_tuple=True), lambda t, x: x[1].nonzero()):
        ours, theirs = _as_tuple(fn(edutorch, edutorch.tensor(data))), _as_tuple(fn(torch, torch.tensor(data)))
        for o, t in zip(ours, theirs, strict=True):
            assert_same(o, t)


# (fn(module, x)): the same exception type as PyTorch
OP_ERRORS = [
    lambda t, x: x.gather(1, t.tensor([[0.0, 0.0]])),
    lambda t, x: x.gather(1, t.tensor([0, 0])),
    lambda t, x: x.gather(1, t.tensor([[4]])),
    lambda t, x: x.gather(1, t.tensor([[-1]])),
    lambda t, x: x.gather(1, t.tensor([[0], [0], [0], [0]])),
    lambda t, x: x.gather(2, t.tensor([[0]])),
    lambda t, x: x.scatter(1, t.tensor([[0, 1]]), t.ones(1, 1)),
    lambda t, x: x.scatter(1, t.tensor([[0, 5]]), t.ones(1, 2)),
    lambda t, x: x.scatter(1, t.tensor([[0, 1]]), t.ones(1, 2, dtype=t.float64)),
    lambda t, x: x.scatter(1, t.tensor([0, 1]), 1.0),
    lambda t, x: x.scatter(1, t.tensor([[0, 1]]), t.ones(1, 2), reduce="mean"),
    lambda t, x: x.index_select(1, t.tensor([[0]])),
    lambda t, x: x.index_select(1, t.tensor([0.0])),
    lambda t, x: x.index_select(1, t.tensor([4])),
    lambda t, x: x.masked_fill(x > 0, t.tensor([0.0])),
    lambda t, x: x.masked_fill((x > 0).int(), 0.0),
    lambda t, x: x.masked_fill(t.ones(5, dtype=t.bool), 0.0),
    lambda t, x: x.masked_select((x > 0).int()),
    lambda t, x: x.index_fill(1, t.tensor([[0]]), 1.0),
    lambda t, x: x.index_fill(1, t.tensor([0.0]), 1.0),
    lambda t, x: x.index_fill(1, t.tensor([9]), 1.0),
    lambda t, x: x.index_fill(1, t.tensor([0]), t.tensor([1.0])),
]


@pytest.mark.parametrize("i", range(len(OP_ERRORS)))
def test_indexing_op_errors_match_pytorch(torch, i):
    fn = OP_ERRORS[i]
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.zeros(3, 4))
    with pytest.raises(theirs.type):
        fn(edutorch, edutorch.zeros(3, 4))


# ----------------------------------------------------------------------------------- double backward
@pytest.mark.parametrize("fn", [lambda x: x[1:, 0] ** 2, lambda x: x[None, 1, ::2] ** 3,
                                lambda x: x.masked_fill(x > 0, 1.0) ** 2, lambda x: x[...].narrow(1, 1, 2) ** 2])
def test_double_backward(fn):
    x = edutorch.tensor(_rand(3, 4), requires_grad=True)
    assert gradgradcheck(fn, (x,))


# -------------------------------------------------------------------------- hypothesis: index tuples
@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_random_basic_index_is_a_view_with_pytorch_values_and_gradient(torch, shape, data):
    items = list(data.draw(st.tuples(*(st.one_of(
        st.integers(-n, n - 1),
        st.builds(slice, st.integers(-n - 1, n + 1) | st.none(), st.integers(-n - 1, n + 1) | st.none(),
                  st.integers(1, 3) | st.none())) for n in shape))))
    cut = data.draw(st.integers(0, len(items)))
    extra = data.draw(st.sampled_from([[], [None], [Ellipsis], [None, Ellipsis]]))
    index = tuple(items[:cut] + extra + items[cut:])
    x = _rand(*shape)
    ours, _ = check_parity(torch, lambda t, a: a[index], x)
    if ours[0].numel():
        assert ours[0]._base is not None


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_random_advanced_index_with_repeats_matches_pytorch(torch, shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    n = shape[dim]
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=6))
    index = (slice(None),) * dim + (np.array(idx, dtype=np.int64),)
    check_parity(torch, lambda t, a: a[tuple(t.tensor(i) if isinstance(i, np.ndarray) else i for i in index)],
                 _rand(*shape))


# ------------------------------------------------ x[i] outside a graph (the fast path of a DataLoader)
def test_int_index_outside_a_graph_is_a_view_like_torch(torch):
    for lib in (edutorch, torch):
        base = lib.arange(12.0).reshape(3, 4).clone()
        row = base[-1]
        assert row.tolist() == [8.0, 9.0, 10.0, 11.0] and row._base is base and row.is_leaf
        row.mul_(2)  # writes through the view into the base, one version counter for both
        assert base[2].tolist() == [16.0, 18.0, 20.0, 22.0] and base._version == row._version == 1
        w = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            picked = w[1]
        assert picked.grad_fn is None and picked.is_leaf
        assert w[1].grad_fn.name() == "SelectBackward0"  # in a graph: the recorded op
    with pytest.raises(IndexError) as theirs:
        torch.zeros(3, 2)[3]
    with pytest.raises(IndexError) as ours:
        edutorch.zeros(3, 2)[3]
    assert str(ours.value) == str(theirs.value)


def test_a_saved_view_sees_in_place_changes_of_its_base(torch):
    """The version counter a fast-path view shares with its base still protects saved tensors."""
    for lib in (edutorch, torch):
        base = lib.ones(2, 3)
        row = base[0]
        w = lib.ones(3, requires_grad=True)
        y = (w * row).sum()  # saves row for backward
        base.add_(1)         # changes row's storage: its version moves with the base's
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()
