"""Scatter / index ops for message passing: index_add, scatter_add, scatter_reduce, index_put
(accumulate), unique / unique_consecutive, repeat_interleave. Finite-difference gradients with
repeated indices, parity with PyTorch (values, dtypes, grad_fn names, gradients, errors), the in-place
variants, and a graph convolution written with index_add_ / scatter_add against the dense formula
D^-1/2 (A + I) D^-1/2 X W."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _node_name(t) -> str | None:
    return None if t.grad_fn is None else t.grad_fn.name().split("::")[-1]


def _as_tuple(out) -> tuple:
    return out if isinstance(out, (tuple, list)) else (out,)


def _tensors(lib, arrays, requires_grad=True):
    """Float arrays become float32 leaves (requiring grad when asked), integer arrays index tensors."""
    out = []
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            out.append(lib.tensor(a.astype(np.float32), requires_grad=requires_grad))
        else:
            out.append(lib.tensor(a))
    return out


def check_parity(torch, fn, *arrays):
    """fn(lib, *tensors) in both libraries: same values, dtypes, grad_fn names and gradients."""
    ours_in, theirs_in = _tensors(edutorch, arrays), _tensors(torch, arrays)
    ours, theirs = _as_tuple(fn(edutorch, *ours_in)), _as_tuple(fn(torch, *theirs_in))
    for o, t in zip(ours, theirs, strict=True):
        assert_same(o, t)
        assert _node_name(o) == _node_name(t), (_node_name(o), _node_name(t))
    leaves = [i for i, t in enumerate(theirs_in) if t.requires_grad]
    ups = [np.random.default_rng(1).standard_normal(t.shape).astype(np.float32) for t in theirs]
    g_ours = edutorch.autograd.grad(ours[0], [ours_in[i] for i in leaves], edutorch.tensor(ups[0]),
                                    allow_unused=True)
    g_theirs = torch.autograd.grad(theirs[0], [theirs_in[i] for i in leaves], torch.tensor(ups[0]),
                                   allow_unused=True)
    for go, gt in zip(g_ours, g_theirs, strict=True):
        assert (go is None) == (gt is None)
        if gt is not None:
            assert_same(go, gt)
    return ours, theirs


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _ties(*shape, seed=0):
    """Small whole numbers as floats: max / min reductions then meet ties."""
    return np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float64)


ROWS = np.array([0, 2, 0, 4, 2, 0])  # repeated indices: row 0 three times, row 2 twice, rows 1, 3 never
SCATTER_INDEX = np.array([[0, 1, 0], [2, 2, 4], [0, 1, 4], [2, 1, 0]])  # (4, 3) into dim 0 of (5, 3)
REDUCES = ["sum", "mean", "prod", "amax", "amin"]

# name -> (fn(lib, *tensors), arrays): every differentiable op, repeated indices everywhere.
DIFFERENTIABLE = {
    "index_add_dim0": (lambda lib, x, i, s: lib.index_add(x, 0, i, s), (_rand(5, 3), ROWS, _rand(6, 3, seed=1))),
    "index_add_alpha": (lambda lib, x, i, s: x.index_add(1, i, s, alpha=-2.5),
                        (_rand(3, 5), ROWS, _rand(3, 6, seed=1))),
    "index_add_3d": (lambda lib, x, i, s: lib.index_add(x, -1, i, s), (_rand(2, 3, 5), ROWS, _rand(2, 3, 6, seed=1))),
    "scatter_add": (lambda lib, x, i, s: lib.scatter_add(x, 0, i, s),
                    (_rand(5, 3), SCATTER_INDEX, _rand(4, 3, seed=1))),
    "scatter_add_dim1": (lambda lib, x, i, s: x.scatter_add(1, i, s),
                         (_rand(3, 5), SCATTER_INDEX.T.copy(), _rand(3, 4, seed=1))),
    "index_put_accumulate": (lambda lib, x, i, v: lib.index_put(x, (i,), v, accumulate=True),
                             (_rand(5, 3), ROWS, _rand(6, 3, seed=1))),
    "index_put_accumulate_broadcast": (lambda lib, x, i, v: x.index_put((i, i[:1] * 0 + 2), v, accumulate=True),
                                       (_rand(5, 3), ROWS, _rand(1, seed=1))),
    "index_put": (lambda lib, x, i, v: lib.index_put(x, (i,), v), (_rand(5, 3), np.array([3, 1, 0]), _rand(3, 3))),
    "repeat_interleave_tensor": (lambda lib, x, r: lib.repeat_interleave(x, r, dim=1),
                                 (_rand(2, 4), np.array([2, 0, 1, 3]))),
    "repeat_interleave_int": (lambda lib, x: x.repeat_interleave(3, dim=0), (_rand(2, 4),)),
    "repeat_interleave_flat": (lambda lib, x, r: lib.repeat_interleave(x, r),
                               (_rand(2, 2), np.array([1, 3, 0, 2]))),
}
for _reduce in REDUCES:
    for _self in (True, False):
        DIFFERENTIABLE[f"scatter_reduce_{_reduce}_{_self}"] = (
            lambda lib, x, i, s, r=_reduce, inc=_self: lib.scatter_reduce(x, 0, i, s, r, include_self=inc),
            (_rand(5, 3), SCATTER_INDEX, _rand(4, 3, seed=1)))


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_gradcheck(name):
    fn, arrays = DIFFERENTIABLE[name]
    inputs = [edutorch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    assert gradcheck(lambda *ts: fn(edutorch, *ts), tuple(inputs))


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_parity(torch, name):
    fn, arrays = DIFFERENTIABLE[name]
    check_parity(torch, fn, *arrays)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_ties_and_zeros_parity(torch, reduce, include_self):
    """Whole-number data: amax / amin meet ties (the gradient is shared evenly, a's own value counted
    as torch counts it), prod meets one and several zeros at a position."""
    for seed in range(4):
        x, src = _ties(5, 3, seed=seed), _ties(4, 3, seed=seed + 10)
        check_parity(torch, lambda lib, a, i, s: lib.scatter_reduce(a, 0, i, s, reduce, include_self=include_self),
                     x, SCATTER_INDEX, src)


def test_scatter_reduce_prod_gradcheck_with_zeros():
    """One zero and two zeros reduced into the same position, and a zero in a itself."""
    x = np.array([[0.0, 2.0], [1.5, -1.0], [3.0, 0.5]])
    src = np.array([[0.0, 1.3], [0.0, -0.7], [2.0, 0.0], [1.1, 0.9]])
    idx = np.array([[1, 0], [1, 2], [0, 0], [2, 2]])
    for include_self in (True, False):
        inputs = (edutorch.tensor(x, requires_grad=True), edutorch.tensor(src, requires_grad=True))
        assert gradcheck(lambda a, s: edutorch.scatter_reduce(a, 0, edutorch.tensor(idx), s, "prod",
                                                              include_self=include_self), inputs)


@pytest.mark.parametrize("dtype", ["int64", "int32", "float64"])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_dtypes_and_integer_mean(torch, dtype, reduce):
    """Integer 'mean' is a floor division (negative sums round down), as in PyTorch."""
    x = np.array([-10, 20, 30, 7]).astype(dtype)
    src = np.array([1, 2, 3, 4, 5, 6, -9]).astype(dtype)
    idx = np.array([0, 0, 1, 1, 1, 0, 3])
    for include_self in (True, False):
        ours = edutorch.scatter_reduce(edutorch.tensor(x), 0, edutorch.tensor(idx), edutorch.tensor(src), reduce,
                                       include_self=include_self)
        theirs = torch.scatter_reduce(torch.tensor(x), 0, torch.tensor(idx), torch.tensor(src), reduce,
                                      include_self=include_self)
        assert_same(ours, theirs)


def test_scatter_add_and_index_add_integer_and_bool(torch):
    for lib_pair in [(edutorch, torch)]:
        ours, theirs = (lib.index_add(lib.zeros(5, dtype=lib.int64), 0, lib.tensor(ROWS), lib.arange(6), alpha=2)
                        for lib in lib_pair)
        assert_same(ours, theirs)
        ours, theirs = (lib.scatter_add(lib.tensor([True, False, False]), 0, lib.tensor([1, 1]),
                                        lib.tensor([True, False])) for lib in lib_pair)
        assert_same(ours, theirs)


def test_zero_dim_and_empty_index(torch):
    cases = [
        lambda lib: lib.index_add(lib.tensor(1.0), 0, lib.tensor(0), lib.tensor(2.0)),
        lambda lib: lib.scatter_add(lib.zeros(3), 0, lib.tensor(1), lib.tensor(2.0)),
        lambda lib: lib.scatter_add(lib.tensor(0.0), 0, lib.tensor([0, 0]), lib.tensor([2.0, 3.0])),
        lambda lib: lib.scatter_add(lib.ones(5, 3), 0, lib.zeros(0, dtype=lib.int64), lib.ones(4, 3)),
        lambda lib: lib.scatter_reduce(lib.ones(5, 3), 0, lib.zeros(0, 3, dtype=lib.int64), lib.ones(4, 3), "prod"),
        lambda lib: lib.index_put(lib.zeros(4, 3), (lib.tensor(1),), lib.tensor(7.0), accumulate=True),
        lambda lib: lib.index_put(lib.zeros(4, 3), (lib.tensor([[True, False, True]] * 4),), lib.tensor(1.0),
                                  accumulate=True),
        lambda lib: lib.index_put(lib.zeros(4, 3), (lib.tensor([0, 0]), lib.tensor([1, 1])),
                                  lib.tensor([1.0, 2.0]), accumulate=True),
        lambda lib: lib.index_put(lib.zeros(3, dtype=lib.int64), (lib.tensor([0, 0, -1]),), lib.tensor(7),
                                  accumulate=True),
    ]
    for case in cases:
        assert_same(case(edutorch), case(torch))


# ----------------------------------------------------------------------------------- errors
ERRORS = {
    "index_add float index": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0.0]), lib.ones(1, 3)),
    "index_add 2-d index": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([[0, 1]]), lib.ones(2, 3)),
    "index_add out of bounds": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0, 5]), lib.ones(2, 3)),
    "index_add negative": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0, -1]), lib.ones(2, 3)),
    "index_add count": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0, 1]), lib.ones(3, 3)),
    "index_add shape": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0, 1]), lib.ones(2, 2)),
    "index_add rank": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0, 1]), lib.ones(2, 3, 1)),
    "index_add dtype": lambda lib: lib.index_add(lib.zeros(5, 3), 0, lib.tensor([0]), lib.ones(1, 3).double()),
    "index_add dim": lambda lib: lib.index_add(lib.zeros(5, 3), 2, lib.tensor([0]), lib.ones(1, 3)),
    "index_add 0-d source": lambda lib: lib.index_add(lib.zeros(3), 0, lib.tensor([0]), lib.tensor(2.0)),
    "scatter_add float index": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.ones(2, 3), lib.ones(2, 3)),
    "scatter_add rank": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.tensor([0, 1]), lib.ones(2, 3)),
    "scatter_add bounds": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.tensor([[5, 0, 0]]), lib.ones(1, 3)),
    "scatter_add negative": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.tensor([[-1, 0, 0]]),
                                                        lib.ones(1, 3)),
    "scatter_add src small": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.zeros(2, 3, dtype=lib.int64),
                                                         lib.ones(1, 3)),
    "scatter_add self small": lambda lib: lib.scatter_add(lib.zeros(5, 3), 1, lib.zeros(6, 1, dtype=lib.int64),
                                                          lib.ones(6, 1)),
    "scatter_add dtype": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.zeros(1, 3, dtype=lib.int64),
                                                     lib.ones(1, 3, dtype=lib.float64)),
    "scatter_add number src": lambda lib: lib.scatter_add(lib.zeros(5, 3), 0, lib.zeros(1, 3, dtype=lib.int64), 2.0),
    "scatter_reduce name": lambda lib: lib.scatter_reduce(lib.zeros(3), 0, lib.tensor([0]), lib.ones(1), "add"),
    "scatter_reduce bool mean": lambda lib: lib.scatter_reduce(lib.tensor([True]), 0, lib.tensor([0]),
                                                               lib.tensor([True]), "mean"),
    "scatter_reduce bounds": lambda lib: lib.scatter_reduce(lib.zeros(3), 0, lib.tensor([3]), lib.ones(1), "amax"),
    "scatter_reduce max backward": lambda lib: lib.scatter_reduce(
        lib.zeros(3, requires_grad=True), 0, lib.tensor([0]), lib.ones(1), "max").sum().backward(),
    "index_put dtype": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([0]),), lib.ones(3).double()),
    "index_put shape": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([0, 1]),), lib.ones(3, 3)),
    "index_put not tuple": lambda lib: lib.index_put(lib.zeros(5, 3), lib.tensor([0]), lib.tensor(1.0)),
    "index_put number": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([0]),), 1.0),
    "index_put None": lambda lib: lib.index_put(lib.zeros(5, 3), (None, lib.tensor([0])), lib.tensor(1.0)),
    "index_put float index": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([0.0]),), lib.tensor(1.0)),
    "index_put bounds": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([5]),), lib.tensor(1.0), True),
    "index_put too many": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([0]),) * 3, lib.tensor(1.0)),
    "index_put broadcast": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([0, 1, 2]), lib.tensor([0, 1])),
                                                     lib.tensor(1.0)),
    "index_put mask shape": lambda lib: lib.index_put(lib.zeros(5, 3), (lib.tensor([True, False]),), lib.tensor(1.0)),
    "unique dim": lambda lib: lib.unique(lib.tensor([[1, 2]]), dim=2),
    "unique empty dims": lambda lib: lib.unique(lib.zeros(2, 0), dim=0),
    "unique backward": lambda lib: lib.unique(lib.ones(3, requires_grad=True)).sum().backward(),
    "unique dim backward": lambda lib: lib.unique(lib.ones(3, 2, requires_grad=True), dim=0).sum().backward(),
    "unique_consecutive backward": lambda lib: lib.unique_consecutive(lib.ones(3, requires_grad=True)).sum().backward(),
    "repeat_interleave negative": lambda lib: lib.repeat_interleave(lib.ones(2), lib.tensor([1, -1])),
    "repeat_interleave size": lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, 2]), dim=1),
    "index_add_ leaf": lambda lib: lib.zeros(3, requires_grad=True).index_add_(0, lib.tensor([0]), lib.ones(1)),
    "scatter_add_ leaf": lambda lib: lib.zeros(3, requires_grad=True).scatter_add_(0, lib.tensor([0]), lib.ones(1)),
    "index_put_ leaf": lambda lib: lib.zeros(3, requires_grad=True).index_put_((lib.tensor([0]),), lib.tensor(1.0)),
}


def _raised(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return type(e), str(e)
    return None, None


# PyTorch's own wording is kept for these; the others name the same shapes / values in edutorch's words.
SAME_MESSAGE = {"index_add float index", "index_add 2-d index", "index_add out of bounds", "index_add count",
                "index_add shape", "index_add dtype", "scatter_add rank", "scatter_add bounds", "scatter_add src small",
                "scatter_add dtype", "scatter_reduce name", "index_put dtype", "index_put shape", "index_put not tuple",
                "index_put bounds", "index_put too many", "index_put broadcast", "index_put mask shape",
                "unique dim", "unique empty dims", "unique backward", "unique dim backward",
                "unique_consecutive backward"}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_parity(torch, name):
    ours, ours_msg = _raised(ERRORS[name], edutorch)
    theirs, theirs_msg = _raised(ERRORS[name], torch)
    assert theirs is not None and ours is theirs, (ours, ours_msg, theirs, theirs_msg)
    if name in SAME_MESSAGE:
        assert ours_msg.splitlines()[0] == theirs_msg.splitlines()[0]


# ---------------------------------------------------------------------------------- in place
INPLACE = {
    "index_add_": lambda t, lib: t.index_add_(0, lib.tensor(ROWS), lib.ones(6, 3), alpha=2),
    "scatter_add_": lambda t, lib: t.scatter_add_(0, lib.tensor(SCATTER_INDEX), lib.ones(4, 3)),
    "scatter_reduce_": lambda t, lib: t.scatter_reduce_(0, lib.tensor(SCATTER_INDEX), lib.full((4, 3), 2.0), "prod",
                                                        include_self=False),
    "index_put_": lambda t, lib: t.index_put_((lib.tensor(ROWS),), lib.ones(3), accumulate=True),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_values_version_and_graph(torch, name):
    results = []
    for lib in (edutorch, torch):
        w = lib.tensor(_rand(5, 3).astype(np.float32), requires_grad=True)
        t = w * 1.0
        before = t._version
        out = INPLACE[name](t, lib)
        assert out is t and t._version == before + 1
        (t * t).sum().backward()
        results.append((t, _node_name(t), w.grad))
    (ours, ours_name, ours_grad), (theirs, theirs_name, theirs_grad) = results
    assert_same(ours, theirs)
    assert ours_name == theirs_name
    assert_same(ours_grad, theirs_grad)


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_through_a_view_and_saved_tensor_check(torch, name):
    for lib in (edutorch, torch):
        w = lib.tensor(_rand(2, 5, 3).astype(np.float32), requires_grad=True)
        base = w * 1.0
        INPLACE[name](base[1], lib)  # a write through a view rewrites the base's history
        assert _node_name(base) == "CopySlices"
        base.sum().backward()
        assert w.grad is not None and tuple(w.grad.shape) == (2, 5, 3)

        y = lib.tensor(_rand(5, 3).astype(np.float32), requires_grad=True) * 1.0
        z = y.exp()  # saves its output y.exp(); then y.sin() saves y itself
        s = y.sin()
        INPLACE[name](y, lib)
        z.sum().backward()  # exp's saved output is unchanged
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            s.sum().backward()


def test_inplace_without_grad_and_int(torch):
    for lib in (edutorch, torch):
        counts = lib.zeros(5, dtype=lib.int64)
        counts.index_add_(0, lib.tensor(ROWS), lib.ones(6, dtype=lib.int64))
        assert counts.tolist() == [3, 0, 2, 0, 1]
        with lib.no_grad():
            p = lib.zeros(5, requires_grad=True)
            p.index_put_((lib.tensor(ROWS),), lib.ones(6), accumulate=True)  # a leaf update under no_grad
        assert p.tolist() == [3.0, 0.0, 2.0, 0.0, 1.0] and p.grad_fn is None


# --------------------------------------------------------------------------------- hypothesis
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_scatter_family_random_shapes(torch, data):
    """Random rank, dim, index shape and index values (many repeats) for the differentiable ops."""
    ndim = data.draw(st.integers(1, 3))
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    dim = data.draw(st.integers(-ndim, ndim - 1))
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    d = dim % ndim
    idx_shape = tuple(rng.integers(1, n + 1) if k != d else rng.integers(0, 6) for k, n in enumerate(shape))
    src_shape = tuple(n + rng.integers(0, 2) for n in idx_shape)  # src may be larger than index
    index = rng.integers(0, shape[d], idx_shape)
    x, src = _ties(*shape, seed=seed), _ties(*src_shape, seed=seed + 1)
    reduce = data.draw(st.sampled_from(REDUCES))
    include_self = data.draw(st.booleans())
    # PyTorch's backward rejects a src larger than index (edutorch gives its unused part 0): compare
    # gradients on the index-sized part only, as src.
    src_used = src[tuple(slice(n) for n in idx_shape)]
    check_parity(torch, lambda lib, a, i, s: lib.scatter_reduce(a, dim, i, s, reduce, include_self=include_self),
                 x, index, src_used)
    check_parity(torch, lambda lib, a, i, s: lib.scatter_add(a, dim, i, s), x, index, src_used)
    ours = edutorch.scatter_add(edutorch.tensor(x), dim, edutorch.tensor(index), edutorch.tensor(src))
    theirs = torch.scatter_add(torch.tensor(x), dim, torch.tensor(index), torch.tensor(src))
    assert_same(ours, theirs)
    rows = rng.integers(0, shape[d], rng.integers(0, 7))
    source = _rand(*(len(rows) if k == d else n for k, n in enumerate(shape)), seed=seed)
    check_parity(torch, lambda lib, a, i, s: lib.index_add(a, dim, i, s, alpha=1.5), x, rows, source)
    rows0 = rng.integers(0, shape[0], len(rows))
    check_parity(torch, lambda lib, a, i, v: lib.index_put(a, (i,), v, accumulate=True),
                 x, rows0, _rand(len(rows0), *shape[1:], seed=seed))


def test_scatter_add_src_larger_than_index_gradient():
    """The unused part of src gets gradient 0 (PyTorch's backward raises a shape error here)."""
    src = edutorch.ones(3, 4, requires_grad=True)
    edutorch.scatter_add(edutorch.zeros(2, 4), 0, edutorch.tensor([[1, 0, 1, 1]]), src).sum().backward()
    assert src.grad.tolist() == [[1.0] * 4, [0.0] * 4, [0.0] * 4]


# ------------------------------------------------------------------------------------ unique
UNIQUE_INPUTS = {
    "ints": np.array([3, 1, 3, 2, 2, 5, 9, 1]),
    "matrix": np.array([[3, 1], [1, 3], [3, 3]]),
    "floats nan": np.array([np.nan, 2.0, 1.0, np.nan, 2.0, -0.0, 0.0]),
    "bools": np.array([True, False, True]),
    "scalar": np.array(5),
    "empty": np.zeros(0),
    "rows": np.array([[1, 2, 0], [1, 2, 0], [0, 1, 4], [1, 1, 0], [0, 1, 4]]),
    "3d": np.random.default_rng(0).integers(0, 2, (3, 4, 2)),
    "runs": np.array([1, 1, 2, 2, 3, 1, 1, 2]),
}


@pytest.mark.parametrize("name", sorted(UNIQUE_INPUTS))
def test_unique_parity(torch, name):
    array = UNIQUE_INPUTS[name]
    dims = [None] + list(range(-array.ndim, array.ndim))
    for dim in dims:
        if dim is not None and name == "floats nan":
            continue  # NaN rows: PyTorch's unique_dim compares them equal on some paths; not taught here
        for sorted_ in (True, False):
            ours = edutorch.unique(edutorch.tensor(array), sorted=sorted_, return_inverse=True, return_counts=True,
                                   dim=dim)
            theirs = torch.unique(torch.tensor(array), sorted=sorted_, return_inverse=True, return_counts=True,
                                  dim=dim)
            for o, t in zip(ours, theirs, strict=True):
                assert_same(o, t)
        ours = edutorch.tensor(array).unique_consecutive(return_inverse=True, return_counts=True, dim=dim)
        theirs = torch.tensor(array).unique_consecutive(return_inverse=True, return_counts=True, dim=dim)
        for o, t in zip(ours, theirs, strict=True):
            assert_same(o, t)


def test_unique_return_forms_and_grad_fn(torch):
    for lib in (edutorch, torch):
        x = lib.tensor([3, 1, 3, 2])
        assert isinstance(lib.unique(x), lib.Tensor)
        values, counts = x.unique(return_counts=True)
        assert values.tolist() == [1, 2, 3] and counts.tolist() == [1, 1, 2]
        values, inverse = lib.unique(x, return_inverse=True)
        assert (values[inverse] == x).all()
        assert type(lib.unique(x, return_inverse=True)) is tuple
        f = lib.tensor([2.0, 1.0, 2.0], requires_grad=True)
        assert _node_name(lib.unique(f)) == "Unique2Backward0"
        assert _node_name(lib.unique(f.reshape(3, 1), dim=0)) == "UniqueDimBackward0"
        assert _node_name(lib.unique_consecutive(f)) == "UniqueConsecutiveBackward0"
        assert lib.unique(f, return_inverse=True)[1].requires_grad is False


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=0, max_size=12), st.integers(1, 3))
def test_unique_random(torch, values, width):
    values = values[:len(values) // width * width]
    array = np.array(values, dtype=np.int64).reshape(-1, width)
    for dim in (None, 0, 1):
        if dim == 1 and array.shape[0] == 0:
            continue
        for fn in ("unique", "unique_consecutive"):
            ours = getattr(edutorch, fn)(edutorch.tensor(array), return_inverse=True, return_counts=True, dim=dim)
            theirs = getattr(torch, fn)(torch.tensor(array), return_inverse=True, return_counts=True, dim=dim)
            for o, t in zip(ours, theirs, strict=True):
                assert_same(o, t)


# --------------------------------------------------------------------------- repeat_interleave
def test_repeat_interleave_parity(torch):
    cases = [
        lambda lib, x: lib.repeat_interleave(x, 2),
        lambda lib, x: lib.repeat_interleave(x, 2, dim=-1),
        lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 0, 3]), dim=1),
        lambda lib, x: lib.repeat_interleave(x, lib.tensor([2]), dim=0),
        lambda lib, x: lib.repeat_interleave(x, lib.tensor(2), dim=0),
        lambda lib, x: x.repeat_interleave(lib.tensor([1, 2]), dim=0, output_size=3),
        lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 2, 0, 1, 1, 1])),
        lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 2], dtype=lib.int32), dim=0),
    ]
    for case in cases:
        check_parity(torch, case, _rand(2, 3))


# ------------------------------------------------------------------------ graph convolution
def _random_graph(n: int, p: float, seed: int):
    """A random undirected graph without self-loops as edge_index (2, E), both directions listed."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, k=1)
    src, dst = np.nonzero(upper | upper.T)
    return np.stack([src, dst]).astype(np.int64)


def gcn_index_add(lib, x, weight, edge_index):
    """One GCN layer by message passing: self-loops, degree normalisation, sum of incoming messages."""
    n = x.shape[0]
    loops = lib.arange(n)
    src = lib.cat([edge_index[0], loops])
    dst = lib.cat([edge_index[1], loops])
    deg = lib.zeros(n).index_add_(0, dst, lib.ones(dst.shape[0]))  # in-degree with the self-loop
    norm = deg.pow(-0.5)
    h = x @ weight
    messages = h[src] * (norm[src] * norm[dst]).unsqueeze(1)
    return lib.zeros(n, h.shape[1]).index_add_(0, dst, messages)


def gcn_scatter_add(lib, x, weight, edge_index):
    """The same layer with scatter_add: the destination index expanded over the feature columns."""
    n = x.shape[0]
    loops = lib.arange(n)
    src = lib.cat([edge_index[0], loops])
    dst = lib.cat([edge_index[1], loops])
    deg = lib.zeros(n).scatter_add(0, dst, lib.ones(dst.shape[0]))
    norm = deg.pow(-0.5)
    h = x @ weight
    messages = h.index_select(0, src) * (norm[src] * norm[dst]).unsqueeze(1)
    return lib.zeros(n, h.shape[1]).scatter_add(0, dst.unsqueeze(1).expand(-1, h.shape[1]), messages)


def gcn_dense(lib, x, weight, edge_index):
    """D^-1/2 (A + I) D^-1/2 X W with the dense adjacency matrix."""
    n = x.shape[0]
    a = lib.zeros(n, n)
    a[edge_index[1], edge_index[0]] = 1.0
    a_hat = a + lib.eye(n)
    d = a_hat.sum(1).pow(-0.5)
    return d.unsqueeze(1) * a_hat * d.unsqueeze(0) @ (x @ weight)


@pytest.mark.parametrize("layer", [gcn_index_add, gcn_scatter_add])
def test_gcn_equals_dense_formula(torch, layer):
    edge_index = _random_graph(9, 0.35, seed=3)
    assert edge_index.shape[0] == 2 and edge_index.shape[1] > 9
    x_np, w_np = _rand(9, 4, seed=1).astype(np.float32), _rand(4, 2, seed=2).astype(np.float32)
    up = _rand(9, 2, seed=5).astype(np.float32)
    results = {}
    for lib in (edutorch, torch):
        for form in (layer, gcn_dense):
            x = lib.tensor(x_np, requires_grad=True)
            w = lib.tensor(w_np, requires_grad=True)
            out = form(lib, x, w, lib.tensor(edge_index))
            out.backward(lib.tensor(up))
            results[lib.__name__, form.__name__] = (out, x.grad, w.grad)
    mp, dense = results["edutorch", layer.__name__], results["edutorch", "gcn_dense"]
    for ours, reference in zip(mp, dense):
        np.testing.assert_allclose(ours.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(mp, results["torch", layer.__name__]):
        assert_same(ours, theirs)


def test_gcn_gradcheck_float64():
    edge_index = edutorch.tensor(_random_graph(6, 0.5, seed=0))
    x = edutorch.tensor(_rand(6, 3, seed=1), requires_grad=True)
    w = edutorch.tensor(_rand(3, 2, seed=2), requires_grad=True)

    def layer(x, w):
        n = x.shape[0]
        src, dst = edge_index[0], edge_index[1]
        deg = edutorch.zeros(n, dtype=edutorch.float64).index_add_(0, dst, edutorch.ones(dst.shape[0],
                                                                                        dtype=edutorch.float64)) + 1
        norm = deg.pow(-0.5)
        h = x @ w
        out = (h * (norm * norm).unsqueeze(1)).index_add(0, dst, h[src] * (norm[src] * norm[dst]).unsqueeze(1))
        return out

    assert gradcheck(layer, (x, w))


# ------------------------------------------------------------------ repeat_interleave's other forms
@pytest.mark.parametrize("call", [
    lambda t: t.repeat_interleave(t.tensor([2, 0, 3])),                        # counts alone -> positions
    lambda t: t.tensor([[1, 2], [3, 4]]).repeat_interleave(t.tensor([1, 2]), dim=0, output_size=3),
    lambda t: t.tensor([1, 2]).repeat_interleave(2, output_size=4),
])
def test_repeat_interleave_forms_match_torch(torch, call):
    assert_same(call(edutorch), call(torch))


@pytest.mark.parametrize("call", [
    lambda t: t.tensor([1, 2]).repeat_interleave(t.tensor([[1, 2]])),
    lambda t: t.tensor([1, 2]).repeat_interleave(t.tensor([1.0, 2.0])),
    lambda t: t.tensor([1, 2]).repeat_interleave(t.tensor([1, 2]), output_size=5),
    lambda t: t.repeat_interleave(t.tensor([[1, 2]])),
])
def test_repeat_interleave_errors_match_torch(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)):
        call(edutorch)
