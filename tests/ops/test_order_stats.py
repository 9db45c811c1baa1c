"""Order statistics, running extremes and binning of issue 18 (ops/order_stats.py): median, nanmedian,
kthvalue, mode, quantile, nanquantile, cummax, cummin, logcumsumexp, searchsorted, bucketize, histc.
Parity with PyTorch (values, indices, dtypes, shapes, return types, gradients, errors) and
finite-difference gradients in float64."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_raises_like_torch, assert_same


def _distinct(*shape, seed=0):
    """Random values without ties (PyTorch leaves the index of tied elements unspecified)."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) / 7.0 - 1.0


NAN = np.nan
WITH_NAN = np.array([[1.0, NAN, 2.0, NAN], [4.0, 3.0, 2.0, 1.0], [NAN, NAN, NAN, NAN], [0.5, -1.0, NAN, 3.0]])
# A slice of nothing but nan: PyTorch's nanmedian index there is unspecified (2 for 4 or 5 nans, 0 for 3).
SOME_NAN = WITH_NAN[[0, 1, 3]]


def _values(result):
    """The value tensor of a named tuple, or the tensor itself."""
    return result[0] if isinstance(result, tuple) else result


# name -> (fn(module, x), input)
CASES = {
    "median_all": (lambda t, x: t.median(x), _distinct(3, 4)),
    "median_all_even": (lambda t, x: x.median(), _distinct(6)),
    "median_dim": (lambda t, x: t.median(x, 1), _distinct(3, 4)),
    "median_dim_keepdim": (lambda t, x: t.median(x, dim=0, keepdim=True), _distinct(5, 3)),
    "median_dim_neg": (lambda t, x: x.median(-1), _distinct(2, 3, 5)),
    "median_0d": (lambda t, x: t.median(x, 0), np.array(2.5)),
    "median_nan_dim": (lambda t, x: t.median(x, 1), WITH_NAN),
    "median_nan_all": (lambda t, x: t.median(x), WITH_NAN),
    "nanmedian_all": (lambda t, x: t.nanmedian(x), WITH_NAN),
    "nanmedian_dim": (lambda t, x: t.nanmedian(x, 1), SOME_NAN),
    "nanmedian_dim_keepdim": (lambda t, x: x.nanmedian(0, True), WITH_NAN),
    "kthvalue": (lambda t, x: t.kthvalue(x, 2), _distinct(3, 4)),
    "kthvalue_dim0": (lambda t, x: t.kthvalue(x, 3, 0), _distinct(4, 2)),
    "kthvalue_keepdim": (lambda t, x: x.kthvalue(1, dim=1, keepdim=True), _distinct(2, 5)),
    "kthvalue_last": (lambda t, x: x.kthvalue(5), _distinct(2, 5)),
    "mode": (lambda t, x: t.mode(x), np.array([[1.0, 2, 2, 1, 3], [5, 5, 4, 4, 4], [7, 8, 9, 6, 0]])),
    "mode_dim0_keepdim": (lambda t, x: x.mode(0, True), np.array([[1.0, 2], [2, 2], [1, 3], [3, 3]])),
    "mode_0d": (lambda t, x: t.mode(x), np.array(4.0)),
    "quantile_scalar": (lambda t, x: t.quantile(x, 0.3), _distinct(3, 4)),
    "quantile_dim": (lambda t, x: t.quantile(x, 0.75, dim=1), _distinct(3, 5)),
    "quantile_dim_keepdim": (lambda t, x: t.quantile(x, 0.5, dim=0, keepdim=True), _distinct(4, 3)),
    "quantile_all_keepdim": (lambda t, x: x.quantile(0.9, keepdim=True), _distinct(3, 4)),
    "quantile_nan": (lambda t, x: t.quantile(x, 0.4, dim=1), WITH_NAN),
    "nanquantile": (lambda t, x: t.nanquantile(x, 0.4, dim=1), WITH_NAN),
    "nanquantile_all": (lambda t, x: x.nanquantile(0.25), WITH_NAN),
    "cummax": (lambda t, x: t.cummax(x, 1), _distinct(3, 5)),
    "cummax_ties_nan": (lambda t, x: t.cummax(x, 0), np.array([1.0, 3, 2, 3, NAN, 4, NAN])),
    "cummin": (lambda t, x: x.cummin(0), _distinct(4, 3)),
    "cummin_ties_nan": (lambda t, x: t.cummin(x, -1), np.array([[1.0, 0, 2, 0, NAN, 4]])),
    "cummax_0d": (lambda t, x: t.cummax(x, 0), np.array(1.5)),
    "logcumsumexp": (lambda t, x: t.logcumsumexp(x, 1), _distinct(3, 4)),
    "logcumsumexp_dim0": (lambda t, x: x.logcumsumexp(0), _distinct(4, 2)),
    "logcumsumexp_wide": (lambda t, x: t.logcumsumexp(x, 0), np.array([-100.0, 50.0, -30.0, 80.0, 79.0])),
}


def _check_named(ours, theirs):
    if isinstance(theirs, tuple):
        assert type(ours).__name__ == type(theirs).__name__
        assert ours._fields == ("values", "indices")
        assert_same(ours.values, theirs.values)
        assert_same(ours.indices, theirs.indices)
        assert repr(ours).startswith(f"torch.return_types.{type(theirs).__name__}(")
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    else:
        assert_same(ours, theirs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_parity(torch, name):
    fn, data = CASES[name]
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data.astype(np.float32), requires_grad=True)
        results.append((x, fn(module, x)))
    (x_ours, ours), (x_theirs, theirs) = results
    _check_named(ours, theirs)
    v_ours, v_theirs = _values(ours), _values(theirs)
    assert v_ours.grad_fn.name() == v_theirs.grad_fn.name() or isinstance(theirs, tuple) is False
    up = np.random.default_rng(1).standard_normal(tuple(v_theirs.shape)).astype(np.float32)
    (g_ours,) = edutorch.autograd.grad(v_ours, x_ours, edutorch.tensor(up))
    (g_theirs,) = torch.autograd.grad(v_theirs, x_theirs, torch.tensor(up))
    assert_same(g_ours, g_theirs)


@pytest.mark.parametrize("name", sorted(n for n in CASES if "nan" not in n and "mode" not in n))
def test_gradcheck(name):
    fn, data = CASES[name]
    x = edutorch.tensor(data, requires_grad=True)
    assert gradcheck(lambda t: _values(fn(edutorch, t)), (x,))


@pytest.mark.parametrize("name", ["median_all", "median_dim", "kthvalue", "mode", "cummax", "cummin"])
def test_node_names(torch, name):
    fn, data = CASES[name]
    names = [_values(fn(m, m.tensor(data, requires_grad=True))).grad_fn.name() for m in (edutorch, torch)]
    assert names[0] == names[1]


def test_median_all_shares_gradient_among_ties(torch):
    """median() of [2, 1, 2, 3, 2] is 2, found three times: each gets a third of the gradient."""
    for module in (edutorch, torch):
        x = module.tensor([2.0, 1.0, 2.0, 3.0, 2.0], requires_grad=True)
        x.median().backward()
        np.testing.assert_allclose(x.grad.numpy(), [1 / 3, 0, 1 / 3, 0, 1 / 3], rtol=1e-6)


@pytest.mark.parametrize("fn", [lambda t, x: t.median(x, 1), lambda t, x: t.kthvalue(x, 2, 1),
                                lambda t, x: t.nanmedian(x, 1)])
def test_ties_value_matches_and_index_points_at_it(torch, fn):
    """On ties PyTorch's index is unspecified: the values must match, and each index must hold the value."""
    data = np.array([[2.0, 2.0, 2.0, 1.0], [3.0, 1.0, 3.0, 1.0]], dtype=np.float32)
    ours, theirs = fn(edutorch, edutorch.tensor(data)), fn(torch, torch.tensor(data))
    assert_same(ours.values, theirs.values)
    assert np.all(np.take_along_axis(data, ours.indices.numpy()[:, None], 1)[:, 0] == ours.values.numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float64", "bool"])
@pytest.mark.parametrize("fn", [lambda t, x: t.median(x), lambda t, x: t.median(x, 0),
                                lambda t, x: t.nanmedian(x, 0), lambda t, x: t.kthvalue(x, 3),
                                lambda t, x: t.mode(x), lambda t, x: t.cummax(x, 0),
                                lambda t, x: t.cummin(x, 0)])
def test_integer_inputs_match_torch(torch, fn, dtype):
    data = np.array([5, 1, 4, 2, 9, 7]).astype(dtype)
    try:
        theirs = fn(torch, torch.tensor(data))
    except NotImplementedError as e:  # PyTorch refuses bools for some: so must we, with its message
        with pytest.raises(NotImplementedError, match=str(e).replace('"', '.')):
            fn(edutorch, edutorch.tensor(data))
        return
    _check_named(fn(edutorch, edutorch.tensor(data)), theirs)


def test_nanmedian_of_only_nan_is_nan(torch):
    for module in (edutorch, torch):
        out = module.nanmedian(module.tensor(WITH_NAN), 1)
        assert np.isnan(out.values[2].item()) and out.values[1].item() == 2.0


# --------------------------------------------------------------------------------------- quantile
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)])
@pytest.mark.parametrize("op", ["quantile", "nanquantile"])
def test_quantile_modes_match_torch(torch, interpolation, dim, keepdim, op):
    data = _distinct(4, 6)
    data[1, 2] = NAN if op == "nanquantile" else data[1, 2]
    q = np.array([0.0, 0.1, 0.25, 0.5, 0.7, 1.0])  # 0.5 * 5 = 2.5: "nearest" rounds half to even

    def fn(t, x, qt):
        return getattr(t, op)(x, qt, dim=dim, keepdim=keepdim, interpolation=interpolation)

    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        out = fn(module, x, module.tensor(q))
        (g,) = module.autograd.grad(out.sum(), x)
        results.append((out, g))
    assert_same(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
    assert_same(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)
    if op == "quantile":
        assert gradcheck(lambda t: fn(edutorch, t, edutorch.tensor(q)), (edutorch.tensor(data, requires_grad=True),))


def test_quantile_of_a_0d_tensor_and_nearest_rounding(torch):
    for module in (edutorch, torch):
        x = module.tensor(3.0)
        assert module.quantile(x, 0.3).item() == 3.0
    data = np.arange(5, dtype=np.float32)  # ranks 0.125 * 4 = 0.5 and 0.375 * 4 = 1.5: half to even
    q = np.array([0.125, 0.375], dtype=np.float32)
    assert_same(edutorch.quantile(edutorch.tensor(data), edutorch.tensor(q), interpolation="nearest"),
                torch.quantile(torch.tensor(data), torch.tensor(q), interpolation="nearest"))


# -------------------------------------------------------------------------- searchsorted, bucketize
SEARCH = [
    lambda t: t.searchsorted(t.tensor([1.0, 3, 5, 7, 9]), t.tensor([3.0, 6, 9, 0, 10])),
    lambda t: t.searchsorted(t.tensor([1.0, 3, 5, 7, 9]), t.tensor([3.0, 6, 9]), right=True),
    lambda t: t.searchsorted(t.tensor([1, 3, 5, 7, 9]), t.tensor([[3, 6], [9, 1]]), side="right"),
    lambda t: t.searchsorted(t.tensor([1.0, 3, 5, 7, 9]), 5.0),
    lambda t: t.searchsorted(t.tensor([[1.0, 3, 5], [2, 4, 6]]), t.tensor([[3.0, 0], [6, 5]])),
    lambda t: t.searchsorted(t.tensor([[1.0, 3, 5], [2, 4, 6]]), t.tensor([[3.0, 0], [6, 5]]), right=True),
    lambda t: t.searchsorted(t.tensor([1.0, 3, 5]), t.tensor([2.0, 5.0]), out_int32=True),
    lambda t: t.searchsorted(t.tensor([5.0, 1, 3]), t.tensor([2.0, 4.0]), sorter=t.tensor([1, 2, 0])),
    lambda t: t.bucketize(t.tensor([[1.0, 6], [3, 9]]), t.tensor([1.0, 3, 5, 7, 9])),
    lambda t: t.bucketize(t.tensor([1.0, 6, 3, 9]), t.tensor([1.0, 3, 5, 7, 9]), right=True),
    lambda t: t.bucketize(t.tensor([1, 6, 3]), t.tensor([1, 3, 5]), out_int32=True),
]


@pytest.mark.parametrize("i", range(len(SEARCH)))
def test_searchsorted_bucketize_match_torch(torch, i):
    assert_same(SEARCH[i](edutorch), SEARCH[i](torch), rtol=0, atol=0)


# ------------------------------------------------------------------------------------------ histc
HISTC = [
    lambda t, x: t.histc(x), lambda t, x: t.histc(x, bins=4), lambda t, x: x.histc(5, min=-1, max=1),
    lambda t, x: t.histc(x, 3, 0.0, 0.5), lambda t, x: t.histc(x.double(), 7),
    lambda t, x: t.histc(x * 0 + 2, 4),
]


@pytest.mark.parametrize("i", range(len(HISTC)))
def test_histc_matches_torch(torch, i):
    data = np.array([0.11, -0.73, 0.52, 0.97, -0.29, 0.33, 0.08, -0.91, 0.64, 0.25], dtype=np.float32)
    assert_same(HISTC[i](edutorch, edutorch.tensor(data)), HISTC[i](torch, torch.tensor(data)), rtol=0, atol=0)


def test_histc_top_edge_goes_to_last_bin(torch):
    for module in (edutorch, torch):
        assert module.histc(module.tensor([0.0, 1.0, 1.0, 0.5]), bins=2, min=0, max=1).tolist() == [1.0, 3.0]


# ------------------------------------------------------------------------------------------ errors
ERRORS = [
    lambda t: t.kthvalue(t.zeros(3), 4),
    lambda t: t.kthvalue(t.zeros(3), 0),
    lambda t: t.median(t.zeros(2, 0), 1),
    lambda t: t.median(t.tensor([True, False])),
    lambda t: t.median(t.zeros(2, 3), 2),
    lambda t: t.quantile(t.tensor([1, 2]), 0.5),
    lambda t: t.quantile(t.tensor([1.0, 2]), 1.5),
    lambda t: t.quantile(t.tensor([1.0, 2]), t.tensor([0.5], dtype=t.float64)),
    lambda t: t.quantile(t.tensor([1.0, 2]), 0.5, interpolation="foo"),
    lambda t: t.quantile(t.tensor([]), 0.5),
    lambda t: t.quantile(t.tensor([[1.0, 2]]), t.tensor([[0.5]])),
    lambda t: t.nanquantile(t.tensor([1.0, 2]), t.tensor([0.5, -0.1])),
    lambda t: t.logcumsumexp(t.tensor([1, 3, 2]), 0),
    lambda t: t.cummax(t.zeros(2, 3), 2),
    lambda t: t.histc(t.tensor([1, 2])),
    lambda t: t.histc(t.tensor([1.0, 2]), min=3, max=1),
    lambda t: t.searchsorted(t.zeros(2, 3), t.zeros(3, 1)),
    lambda t: t.searchsorted(t.zeros(3), t.zeros(3), side="middle"),
    lambda t: t.bucketize(t.zeros(3), t.zeros(2, 3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(torch, i):
    assert_raises_like_torch(ERRORS[i], torch)


@pytest.mark.parametrize("fn, exc, message", [
    (lambda t: t.kthvalue(t.zeros(3), 4), RuntimeError,
     r"kthvalue\(\): selected number k out of range for dimension 0"),
    (lambda t: t.median(t.zeros(2, 0), 1), IndexError,
     r"median\(\): Expected reduction dim 1 to have non-zero size"),
    (lambda t: t.quantile(t.tensor([1.0, 2]), 1.5), RuntimeError,
     r"quantile\(\) q must be in the range \[0, 1\] but got 1.5"),
    (lambda t: t.quantile(t.tensor([1, 2]), 0.5), RuntimeError,
     r"quantile\(\) input tensor must be either float or double dtype"),
])
def test_error_messages_match_torch(torch, fn, exc, message):
    for module in (edutorch, torch):
        with pytest.raises(exc, match=message):
            fn(module)


def test_empty_slices(torch):
    for fn in [lambda t, x: t.median(x, 1), lambda t, x: t.cummax(x, 0), lambda t, x: t.logcumsumexp(x, 1)]:
        _check_named(fn(edutorch, edutorch.zeros(0, 3)), fn(torch, torch.zeros(0, 3)))
    assert_same(edutorch.median(edutorch.tensor([])), torch.median(torch.tensor([])))


# ------------------------------------------------------------------------ hypothesis: shapes, dims
@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_random_shapes_and_dims(torch, shape, data):
    """median / kthvalue / mode / cummax / logcumsumexp / quantile along a random dim of a random shape."""
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, shape[dim]))
    keepdim = data.draw(st.booleans())
    q = data.draw(st.floats(0, 1))
    op = data.draw(st.sampled_from(["median", "nanmedian", "kthvalue", "mode", "cummax", "cummin",
                                    "logcumsumexp", "quantile"]))
    fns = {
        "median": lambda t, x: t.median(x, dim, keepdim), "nanmedian": lambda t, x: t.nanmedian(x, dim, keepdim),
        "kthvalue": lambda t, x: t.kthvalue(x, k, dim, keepdim), "mode": lambda t, x: t.mode(x, dim, keepdim),
        "cummax": lambda t, x: t.cummax(x, dim), "cummin": lambda t, x: t.cummin(x, dim),
        "logcumsumexp": lambda t, x: t.logcumsumexp(x, dim),
        "quantile": lambda t, x: t.quantile(x, q, dim, keepdim),
    }
    values = _distinct(*shape, seed=len(shape)) if op != "mode" else np.random.default_rng(0).integers(0, 3, shape)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(values.astype(np.float64), requires_grad=True)
        out = fns[op](module, x)
        (g,) = module.autograd.grad(_values(out).sum(), x)
        results.append((out, g))
    _check_named(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])
