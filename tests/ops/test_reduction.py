"""Reductions, scans and ordering ops: finite-difference gradients, and parity with PyTorch (values,
dtypes, grad_fn names, gradients incl. ties and zeros, named-tuple results, errors)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_same

SHAPE = (2, 3, 4)

# name -> function of (library, x). Each one is differentiable; tuple results are reduced to .values.
DIFFERENTIABLE = {
    "sum": lambda t, x: x.sum(),
    "sum_dim0": lambda t, x: t.sum(x, 0),
    "sum_dim-1_keepdim": lambda t, x: x.sum(-1, keepdim=True),
    "sum_dims02": lambda t, x: x.sum((0, 2)),
    "sum_dims_list_keepdim": lambda t, x: x.sum([2, 0], True),
    "sum_empty_dims": lambda t, x: x.sum(()),
    "sum_dtype": lambda t, x: x.sum(1, dtype=t.float64),
    "mean": lambda t, x: x.mean(),
    "mean_dim1": lambda t, x: t.mean(x, 1),
    "mean_dims_keepdim": lambda t, x: x.mean((0, -1), keepdim=True),
    "prod": lambda t, x: x.prod(),
    "prod_dim1": lambda t, x: x.prod(1),
    "prod_dim-1_keepdim": lambda t, x: t.prod(x, -1, keepdim=True),
    "var": lambda t, x: x.var(),
    "var_dim1": lambda t, x: x.var(1),
    "var_biased": lambda t, x: x.var(0, unbiased=False),
    "var_positional_unbiased": lambda t, x: x.var(2, False, True),
    "var_correction": lambda t, x: t.var(x, (0, 2), correction=2, keepdim=True),
    "var_bool_overload": lambda t, x: t.var(x, False),
    "std": lambda t, x: x.std(),
    "std_dim2_keepdim": lambda t, x: x.std(2, keepdim=True),
    "std_correction0": lambda t, x: t.std(x, (0, 1), correction=0),
    "norm": lambda t, x: x.norm(),
    "norm_fro_dim": lambda t, x: t.norm(x, "fro", dim=(1, 2)),
    "norm_2_dim1": lambda t, x: x.norm(2, 1),
    "norm_1": lambda t, x: x.norm(1, dim=-1, keepdim=True),
    "norm_inf": lambda t, x: x.norm(float("inf"), dim=2),
    "norm_-inf": lambda t, x: x.norm(-float("inf")),
    "norm_3": lambda t, x: x.norm(3, dim=0),
    "norm_0.5": lambda t, x: x.norm(0.5),
    "norm_-1": lambda t, x: x.norm(-1, 1),
    "max": lambda t, x: x.max(),
    "max_dim1": lambda t, x: x.max(1).values,
    "max_dim0_keepdim": lambda t, x: t.max(x, 0, keepdim=True)[0],
    "min": lambda t, x: t.min(x),
    "min_dim-1": lambda t, x: x.min(-1).values,
    "amax": lambda t, x: x.amax(),
    "amax_dim1": lambda t, x: t.amax(x, 1),
    "amax_dims_keepdim": lambda t, x: x.amax((0, 2), keepdim=True),
    "amin_dim-1": lambda t, x: x.amin(-1),
    "maximum_via_max": lambda t, x: t.max(x, x * 0.5),
    "cumsum0": lambda t, x: x.cumsum(0),
    "cumsum-1": lambda t, x: t.cumsum(x, -1),
    "cumprod1": lambda t, x: x.cumprod(1),
    "cumprod-1": lambda t, x: t.cumprod(x, dim=-1),
    "logsumexp": lambda t, x: x.logsumexp(1),
    "logsumexp_dims_keepdim": lambda t, x: t.logsumexp(x, (0, 2), keepdim=True),
    "sort": lambda t, x: x.sort().values,
    "sort_dim0_desc": lambda t, x: t.sort(x, 0, descending=True).values,
    "sort_stable": lambda t, x: x.sort(dim=1, stable=True).values,
    "topk": lambda t, x: x.topk(2).values,
    "topk_smallest_dim0": lambda t, x: t.topk(x, 1, dim=0, largest=False).values,
}

# Inputs away from kinks that a finite difference would straddle.
POSITIVE = {"norm_0.5", "norm_-1"}


def _sample(name, rng, shape=SHAPE):
    x = rng.standard_normal(shape)
    if name in POSITIVE:
        x = np.abs(x) + 0.2
    if name.startswith("prod") or name.startswith("cumprod"):
        x = np.sign(x) * (np.abs(x) + 0.5)  # keep the products of magnitude ~1
    return x


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_gradcheck(name):
    fn = DIFFERENTIABLE[name]
    x = edutorch.tensor(_sample(name, np.random.default_rng(1)), requires_grad=True)
    assert x.dtype is edutorch.float64
    assert gradcheck(lambda a: fn(edutorch, a), (x,))


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_parity_with_torch(name, torch):
    fn = DIFFERENTIABLE[name]
    rng = np.random.default_rng(2)
    data = _sample(name, rng).astype(np.float32)
    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)
    ours, theirs = fn(edutorch, ours_x), fn(torch, theirs_x)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__
    upstream = rng.standard_normal(tuple(theirs.shape)).astype(theirs.dtype == torch.float64 and np.float64
                                                               or np.float32)
    ours.backward(edutorch.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_same(ours_x.grad, theirs_x.grad, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------- dtypes and non-float input
INT_DATA = np.array([[1, 0, 3], [4, 5, -6]], dtype=np.int64)

DTYPE_CASES = {
    "sum_int": lambda t, x: x.sum(),
    "sum_int32": lambda t, x: x.to(t.int32).sum(0),
    "sum_uint8": lambda t, x: x.abs().to(t.uint8).sum(),
    "sum_bool": lambda t, x: (x > 0).sum(1),
    "sum_int_dtype": lambda t, x: x.sum(dtype=t.int32),
    "sum_int_to_float": lambda t, x: t.sum(x, 1, dtype=t.float32),
    "mean_dtype": lambda t, x: x.mean(dtype=t.float32),
    "mean_dtype_f64": lambda t, x: x.float().mean(1, dtype=t.float64),
    "prod_int": lambda t, x: x.prod(1),
    "prod_bool": lambda t, x: (x > 0).prod(),
    "cumsum_int": lambda t, x: x.cumsum(1),
    "cumsum_bool": lambda t, x: (x != 0).cumsum(0),
    "cumsum_int32": lambda t, x: x.to(t.int32).cumsum(1),
    "cumsum_dtype": lambda t, x: x.cumsum(1, dtype=t.float64),
    "cumprod_int": lambda t, x: x.cumprod(1),
    "max_int": lambda t, x: x.max(),
    "max_int_dim": lambda t, x: x.max(1).values,
    "max_int_dim_indices": lambda t, x: x.max(1).indices,
    "max_bool": lambda t, x: (x > 0).max(),
    "amax_int": lambda t, x: x.amax(0),
    "amin_bool": lambda t, x: (x > 0).amin(1),
    "argmax": lambda t, x: x.argmax(),
    "argmax_dim": lambda t, x: x.argmax(1),
    "argmax_keepdim_none": lambda t, x: x.argmax(keepdim=True),
    "argmin_dim0_keepdim": lambda t, x: t.argmin(x, 0, keepdim=True),
    "logsumexp_int": lambda t, x: x.logsumexp(1),
    "all": lambda t, x: x.all(),
    "all_dim": lambda t, x: t.all(x, 1),
    "all_dims": lambda t, x: x.all((0, 1)),
    "any_keepdim": lambda t, x: x.any(0, keepdim=True),
    "all_uint8": lambda t, x: x.abs().to(t.uint8).all(1),
    "any_float": lambda t, x: x.float().any(),
    "count_nonzero": lambda t, x: t.count_nonzero(x),
    "count_nonzero_dim": lambda t, x: x.count_nonzero(0),
    "count_nonzero_dims": lambda t, x: t.count_nonzero(x, (0, 1)),
    "topk_int": lambda t, x: x.topk(2).values,
    "topk_int_indices": lambda t, x: x.topk(2, largest=False).indices,
    "sort_int": lambda t, x: x.sort(0).values,
    "sort_bool_indices": lambda t, x: (x > 0).sort(dim=1, stable=True).indices,
    "argsort": lambda t, x: x.argsort(1),
    "argsort_desc": lambda t, x: t.argsort(x, 0, descending=True),
    "norm_dtype": lambda t, x: x.float().norm(dtype=t.float64),
    "var_f16": lambda t, x: x.to(t.float16).var(1),
}


@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_dtypes_match_torch(name, torch):
    fn = DTYPE_CASES[name]
    ours, theirs = fn(edutorch, edutorch.tensor(INT_DATA)), fn(torch, torch.tensor(INT_DATA))
    assert_same(ours, theirs, rtol=1e-3, atol=1e-3)


def test_float_results_stay_float32():
    x = edutorch.randn(3, 4)
    for out in (x.sum(0), x.mean(), x.prod(1), x.var(0), x.std(), x.norm(3), x.norm(0), x.amax(1),
                x.logsumexp(1), x.cumsum(0), x.cumprod(1), x.max(), x.sort().values, x.topk(2).values):
        assert out.dtype is edutorch.float32, out


def test_gradients_are_float32():
    # No float64 sneaking in through NumPy integer counts (ties, zeros, sizes) in a backward.
    x = edutorch.tensor([[0.0, 2.0, 2.0], [1.0, 0.0, 0.0]], requires_grad=True)
    for out in (x.max(), x.amax(1), x.prod(1), x.cumprod(1), x.mean(0), x.var(1), x.std(0), x.norm(),
                x.norm(float("inf"), 1), x.logsumexp(0)):
        x.grad = None
        out.sum().backward()
        assert x.grad.dtype is edutorch.float32


# ----------------------------------------------------------------------------- ties, zeros, nan
def _grad_both(torch, fn, data):
    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)
    ours, theirs = fn(edutorch, ours_x), fn(torch, theirs_x)
    assert_same(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    if theirs_x.grad is None:
        assert ours_x.grad is None
    else:
        assert_same(ours_x.grad, theirs_x.grad)
    return ours_x.grad


TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 0.0], [3.0, -1.0, 3.0, 3.0]], dtype=np.float32)


@pytest.mark.parametrize("fn", [
    lambda t, x: x.max(),
    lambda t, x: x.min(),
    lambda t, x: x.amax(),
    lambda t, x: x.amin(),
    lambda t, x: x.amax(1),
    lambda t, x: x.amin(0, keepdim=True),
    lambda t, x: x.amax((0, 1)),
    lambda t, x: x.max(1).values,
    lambda t, x: x.min(0).values,
    lambda t, x: x.norm(float("inf"), 1),
    lambda t, x: x.norm(-float("inf")),
], ids=["max", "min", "amax", "amin", "amax1", "amin0", "amax01", "max_dim", "min_dim", "norm_inf",
        "norm_-inf"])
def test_ties_match_torch(fn, torch):
    _grad_both(torch, fn, TIES)


def test_whole_tensor_max_shares_ties_evenly():
    x = edutorch.tensor([1.0, 3.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 1 / 3], rtol=1e-6)


def test_max_dim_sends_gradient_to_first_index():
    x = edutorch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0], [1, 0, 0]]


def test_argmax_argmin_first_occurrence(torch):
    for fn in (lambda t, x: x.argmax(1), lambda t, x: x.argmin(0), lambda t, x: x.argmax(),
               lambda t, x: x.argmin()):
        assert_same(fn(edutorch, edutorch.tensor(TIES)), fn(torch, torch.tensor(TIES)))


ZEROS = np.array([[0.0, 2.0, 3.0, 0.5], [0.0, 0.0, 4.0, 1.0], [1.0, 2.0, 3.0, -1.5],
                  [2.0, 0.0, -1.0, 0.0], [1.5, 1.0, 0.0, 2.0]])


@pytest.mark.parametrize("fn", [
    lambda t, x: x.prod(),
    lambda t, x: x.prod(1),
    lambda t, x: x.prod(0, keepdim=True),
    lambda t, x: x.cumprod(1),
    lambda t, x: x.cumprod(0),
], ids=["prod", "prod1", "prod0", "cumprod1", "cumprod0"])
def test_zeros_in_products(fn, torch):
    grad = _grad_both(torch, fn, ZEROS.astype(np.float32))
    assert np.isfinite(grad.numpy()).all()
    # Products are polynomials, so finite differences are exact at zeros too.
    x = edutorch.tensor(ZEROS, requires_grad=True)
    assert gradcheck(lambda a: fn(edutorch, a), (x,))


def test_prod_single_zero_gets_product_of_the_others():
    x = edutorch.tensor([0.0, 2.0, 3.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [6.0, 0.0, 0.0]


@pytest.mark.parametrize("p", ["fro", 2, 1, math.inf, -math.inf, 0, 3, 0.5, -1, 1.5])
@pytest.mark.parametrize("data", [[0.0, 0.0, 0.0], [0.0, 3.0, -4.0], [3.0, -3.0, 1.0]])
def test_norm_values_and_gradients_at_zero(p, data, torch):
    grad = _grad_both(torch, lambda t, x: x.norm(p), np.array(data, dtype=np.float32))
    assert grad is None or np.isfinite(grad.numpy()).all()


def test_norm_dim_and_keepdim(torch):
    data = np.random.default_rng(3).standard_normal((3, 4, 2)).astype(np.float32)
    data[0, :, 0] = 0  # a zero slice: the gradient there must be 0, not nan
    for p in ["fro", 2, 1, math.inf, 3]:
        for dim, keepdim in [(1, False), ((0, 2), True), (-1, True)]:
            _grad_both(torch, lambda t, x: x.norm(p, dim, keepdim), data)


def test_std_of_constant_has_zero_gradient(torch):
    _grad_both(torch, lambda t, x: x.std(1), np.ones((2, 3), dtype=np.float32))


def test_nan_handling_matches_torch(torch):
    data = np.array([1.0, np.nan, 3.0, np.nan], dtype=np.float32)
    _grad_both(torch, lambda t, x: x.max(), data)
    _grad_both(torch, lambda t, x: x.min(), data)
    _grad_both(torch, lambda t, x: x.amax(), data)
    for fn in (lambda t, x: x.sort().indices, lambda t, x: x.sort(descending=True).indices,
               lambda t, x: x.topk(2).indices, lambda t, x: x.topk(2, largest=False).indices,
               lambda t, x: x.argmax(), lambda t, x: x.argmin(), lambda t, x: x.max(0).indices):
        assert_same(fn(edutorch, edutorch.tensor(data)), fn(torch, torch.tensor(data)))


# --------------------------------------------------------------------------- sort, topk orders
def test_sort_and_topk_with_ties_match_torch(torch):
    data = np.array([[3.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, 5.0, 5.0, -1.0]], dtype=np.float32)
    # Stable sorts fix the order of ties: indices must agree exactly.
    for fn in (lambda t, x: x.sort(descending=True, stable=True), lambda t, x: x.sort(stable=True),
               lambda t, x: t.sort(x, dim=0, stable=True)):
        ours, theirs = fn(edutorch, edutorch.tensor(data)), fn(torch, torch.tensor(data))
        assert_same(ours.values, theirs.values)
        assert_same(ours.indices, theirs.indices)
    # PyTorch leaves the order of tied elements unspecified otherwise (it differs between sizes);
    # the values agree, and the indices must point at them.
    for dim, fn in ((1, lambda t, x: x.sort(descending=True)), (0, lambda t, x: t.sort(x, 0)),
                    (1, lambda t, x: x.topk(3)), (1, lambda t, x: x.topk(3, largest=False)),
                    (0, lambda t, x: t.topk(x, 1, 0))):
        ours, theirs = fn(edutorch, edutorch.tensor(data)), fn(torch, torch.tensor(data))
        assert_same(ours.values, theirs.values)
        picked = np.take_along_axis(data, ours.indices.numpy(), axis=dim)
        np.testing.assert_array_equal(picked, ours.values.numpy())
        for row in np.moveaxis(ours.indices.numpy(), dim, -1).reshape(-1, ours.indices.shape[dim]):
            assert len(set(row.tolist())) == len(row)


def test_sort_is_stable_among_ties():
    data = np.array([3.0, 1.0, 3.0, 2.0, 1.0] * 5, dtype=np.float32)
    indices = edutorch.tensor(data).sort().indices.numpy()
    np.testing.assert_array_equal(indices, np.argsort(data, kind="stable"))
    indices = edutorch.tensor(data).sort(descending=True).indices.numpy()
    np.testing.assert_array_equal(indices, np.argsort(-data, kind="stable"))


def test_sort_grad_fn_names(torch):
    x = edutorch.randn(3, requires_grad=True)
    assert x.sort().values.grad_fn.name() == "SortBackward0"
    assert edutorch.sort(x, 0, True).values.grad_fn.name() == "SortBackward0"
    assert x.sort(stable=False).values.grad_fn.name() == "SortBackward1"
    assert edutorch.sort(x, stable=True).values.grad_fn.name() == "SortBackward1"


def test_topk_k_zero_and_full(torch):
    data = np.random.default_rng(4).standard_normal((3, 4)).astype(np.float32)
    for k in (0, 4):
        ours, theirs = edutorch.tensor(data).topk(k), torch.tensor(data).topk(k)
        assert_same(ours.values, theirs.values)
        assert_same(ours.indices, theirs.indices)


# ---------------------------------------------------------------------------- named tuples
def test_return_types_repr_and_unpacking(torch):
    data = np.array([[1.0, 3.0, 2.0], [2.5, -1.0, 0.0]], dtype=np.float32)
    ours_x, theirs_x = edutorch.tensor(data), torch.tensor(data)
    for fn in (lambda t, x: x.max(1), lambda t, x: t.min(x, 0), lambda t, x: x.sort(),
               lambda t, x: x.topk(2), lambda t, x: t.max(x, 1, keepdim=True)):
        ours, theirs = fn(edutorch, ours_x), fn(torch, theirs_x)
        assert repr(ours) == repr(theirs)
        assert str(ours) == str(theirs)
        assert type(ours).__name__ == type(theirs).__name__
        values, indices = ours
        assert values is ours.values and indices is ours.indices
        assert ours[0] is values and len(ours) == 2 and isinstance(ours, tuple)
        assert indices.dtype is edutorch.int64


def test_return_types_repr_with_grad_fn(torch):
    data = np.array([[1.0, 3.0, 2.0], [2.5, -1.0, 0.0]], dtype=np.float32)
    ours = edutorch.tensor(data, requires_grad=True).max(1)
    theirs = torch.tensor(data, requires_grad=True).max(1)
    assert repr(ours) == repr(theirs)
    assert repr(ours).startswith("torch.return_types.max(\nvalues=tensor(")


def test_return_types_module():
    assert edutorch.return_types.max._fields == ("values", "indices")
    for name in ("max", "min", "sort", "topk"):
        assert hasattr(edutorch.return_types, name)


# -------------------------------------------------------------------------------- 0-d, empty
ZERO_DIM = [
    lambda t, x: x.sum(0),
    lambda t, x: x.sum(-1, keepdim=True),
    lambda t, x: x.mean(0),
    lambda t, x: x.prod(0),
    lambda t, x: x.amax(0),
    lambda t, x: x.max(0).values,
    lambda t, x: x.max(0, keepdim=True).indices,
    lambda t, x: x.argmax(0),
    lambda t, x: x.cumsum(0),
    lambda t, x: x.cumprod(-1),
    lambda t, x: x.logsumexp(0),
    lambda t, x: x.sort().values,
    lambda t, x: x.sort().indices,
    lambda t, x: x.topk(1).values,
    lambda t, x: x.norm(2, 0),
    lambda t, x: x.all(0),
    lambda t, x: x.count_nonzero(0),
]


@pytest.mark.parametrize("index", range(len(ZERO_DIM)))
def test_zero_dim_inputs(index, torch):
    fn = ZERO_DIM[index]
    ours_x = edutorch.tensor(2.5, requires_grad=True)
    theirs_x = torch.tensor(2.5, requires_grad=True)
    ours, theirs = fn(edutorch, ours_x), fn(torch, theirs_x)
    assert_same(ours, theirs)
    if theirs.requires_grad:
        ours.backward()
        theirs.backward()
        assert_same(ours_x.grad, theirs_x.grad)


EMPTY = [
    lambda t, x: x.sum(),
    lambda t, x: x.sum(0),
    lambda t, x: x.prod(),
    lambda t, x: x.mean(1),
    lambda t, x: x.amax(1),
    lambda t, x: x.max(1).values,
    lambda t, x: x.argmax(1),
    lambda t, x: x.logsumexp(0),
    lambda t, x: x.all(),
    lambda t, x: x.any(),
    lambda t, x: x.norm(),
    lambda t, x: x.cumsum(0),
    lambda t, x: x.sort(0).values,
    lambda t, x: x.count_nonzero(),
]


@pytest.mark.parametrize("index", range(len(EMPTY)))
def test_empty_inputs(index, torch):
    fn = EMPTY[index]
    data = np.zeros((0, 3), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warnings leak out
        ours = fn(edutorch, edutorch.tensor(data))
    assert_same(ours, fn(torch, torch.tensor(data)))


# ------------------------------------------------------------------------------------- errors
ERRORS = {
    "sum_dim": (lambda t, x: x.sum(3), IndexError),
    "sum_neg_dim": (lambda t, x: t.sum(x, -4), IndexError),
    "sum_dims": (lambda t, x: x.sum((0, 5)), IndexError),
    "sum_dup": (lambda t, x: x.sum((0, 0)), RuntimeError),
    "sum_dup_neg": (lambda t, x: x.sum((1, -2)), RuntimeError),
    "mean_dim": (lambda t, x: x.mean(3), IndexError),
    "mean_int": (lambda t, x: x.long().mean(), RuntimeError),
    "mean_bool": (lambda t, x: (x > 0).mean(), RuntimeError),
    "mean_int_dtype": (lambda t, x: x.mean(dtype=t.int64), RuntimeError),
    "prod_dim": (lambda t, x: x.prod(-5), IndexError),
    "prod_tuple": (lambda t, x: x.prod((0, 1)), TypeError),
    "var_dim": (lambda t, x: x.var(3), IndexError),
    "var_int": (lambda t, x: x.long().var(), RuntimeError),
    "std_int": (lambda t, x: x.long().std(0), RuntimeError),
    "var_both": (lambda t, x: t.var(x, 1, unbiased=True, correction=1), TypeError),
    "norm_dim": (lambda t, x: x.norm(2, 3), IndexError),
    "norm_int": (lambda t, x: x.long().norm(), RuntimeError),
    "norm_order": (lambda t, x: x.norm("abc"), RuntimeError),
    "norm_fro_3dims": (lambda t, x: x.norm("fro", (0, 1, 2)), RuntimeError),
    "max_dim": (lambda t, x: x.max(3), IndexError),
    "max_tuple": (lambda t, x: x.max((0, 1)), TypeError),
    "max_shapes": (lambda t, x: t.max(x, t.ones(5)), RuntimeError),
    "min_dim": (lambda t, x: t.min(x, -4), IndexError),
    "amax_dim": (lambda t, x: x.amax(3), IndexError),
    "amax_dup": (lambda t, x: x.amax((0, 0)), RuntimeError),
    "amin_dim": (lambda t, x: x.amin((1, 7)), IndexError),
    "argmax_dim": (lambda t, x: x.argmax(3), IndexError),
    "argmin_tuple": (lambda t, x: x.argmin((0, 1)), TypeError),
    "argmax_bool": (lambda t, x: (x > 0).argmax(), RuntimeError),
    "cumsum_dim": (lambda t, x: x.cumsum(3), IndexError),
    "cumprod_dim": (lambda t, x: x.cumprod(-4), IndexError),
    "logsumexp_dim": (lambda t, x: x.logsumexp(3), IndexError),
    "all_dim": (lambda t, x: x.all(3), IndexError),
    "any_dim": (lambda t, x: t.any(x, -4), IndexError),
    "count_nonzero_dim": (lambda t, x: t.count_nonzero(x, 3), IndexError),
    "sort_dim": (lambda t, x: x.sort(3), IndexError),
    "argsort_dim": (lambda t, x: x.argsort(3), IndexError),
    "topk_dim": (lambda t, x: x.topk(1, 3), IndexError),
    "topk_big_k": (lambda t, x: x.topk(5), RuntimeError),
    "topk_neg_k": (lambda t, x: x.topk(-1), RuntimeError),
    "zero_dim_sum": (lambda t, x: x.sum().sum(1), IndexError),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name, torch):
    fn, kind = ERRORS[name]
    data = np.random.default_rng(5).standard_normal(SHAPE).astype(np.float32)
    with pytest.raises(kind):
        fn(torch, torch.tensor(data))
    with pytest.raises(kind) as info:
        fn(edutorch, edutorch.tensor(data))
    if kind is IndexError:
        assert "Dimension out of range" in str(info.value)


def test_error_messages_teach():
    x = edutorch.randn(2, 3)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        x.sum(2)
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype.*Got: Long"):
        edutorch.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        x.amax((0, -2))
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(4)


@pytest.mark.parametrize("fn, kind", [
    (lambda t, x: x.max(), RuntimeError),
    (lambda t, x: x.min(), RuntimeError),
    (lambda t, x: x.amax(), RuntimeError),
    (lambda t, x: x.max(0), IndexError),
    (lambda t, x: x.amin(0), IndexError),
    (lambda t, x: x.argmax(), IndexError),
    (lambda t, x: x.argmin(0), IndexError),
    (lambda t, x: x.norm(float("inf")), RuntimeError),
    (lambda t, x: x.norm(-float("inf"), 0), RuntimeError),
])
def test_empty_max_errors_match_torch(fn, kind, torch):
    with pytest.raises(kind):
        fn(torch, torch.zeros(0, 3))
    with pytest.raises(kind, match="non-zero size|numel\\(\\) == 0|identity"):
        fn(edutorch, edutorch.zeros(0, 3))


def test_var_degrees_of_freedom_warning(torch):
    for fn in (lambda t, x: x.var(), lambda t, x: x.std(0), lambda t, x: t.var(x, correction=3)):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            ours = fn(edutorch, edutorch.tensor([1.5]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = fn(torch, torch.tensor([1.5]))
        assert_same(ours, theirs)


def test_var_with_too_large_correction_is_inf(torch):
    with pytest.warns(UserWarning):
        ours = edutorch.var(edutorch.tensor([1.0, 2.0]), correction=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.var(torch.tensor([1.0, 2.0]), correction=3)
    assert_same(ours, theirs)


# --------------------------------------------------------------------------------- stability
def test_logsumexp_is_stable(torch):
    data = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0]],
                    dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = edutorch.tensor(data).logsumexp(1)
    assert_same(ours, torch.tensor(data).logsumexp(1))
    assert ours.numpy()[0] == pytest.approx(1000 + math.log(2))


# --------------------------------------------------------------------------- double backward
@pytest.mark.parametrize("fn", [
    lambda x: (x.sum() ** 2),
    lambda x: x.sum(1) ** 2,
    lambda x: (x * x).sum((0, 2), keepdim=True),
    lambda x: x.mean(0).exp(),
    lambda x: (x.mean() * x).sum(),
    lambda x: x.logsumexp(1),
    lambda x: x.logsumexp((0, 2), keepdim=True) * 2,
], ids=["sum_sq", "sum_dim_sq", "sum_keepdim", "mean_exp", "mean_times_x", "logsumexp", "lse_dims"])
def test_double_backward(fn):
    x = edutorch.tensor(np.random.default_rng(6).standard_normal((2, 3, 2)), requires_grad=True)
    assert gradgradcheck(fn, (x,))


def test_second_derivative_through_sum():
    x = edutorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = edutorch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0, 18.0])


def test_no_double_backward_where_not_written():
    x = edutorch.randn(3, requires_grad=True)
    (g,) = edutorch.autograd.grad(x.prod(), x, create_graph=False)
    assert g.shape == x.shape
    with pytest.raises(RuntimeError, match="does not support double backward"):
        edutorch.autograd.grad(x.prod(), x, create_graph=True)


# --------------------------------------------------------------------- hypothesis: shapes, dims
@st.composite
def _shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    ndim = len(shape)
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                         unique_by=lambda d: d % ndim))
    return shape, tuple(dims), draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(_shape_and_dims(), st.sampled_from(["sum", "mean", "amax", "amin", "var", "std", "norm",
                                            "logsumexp"]))
def test_reductions_over_random_dims_match_torch(case, op):
    torch = pytest.importorskip("torch")
    shape, dims, keepdim = case
    data = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)

    def call(t, x):
        if op == "norm":
            return x.norm(2, dims, keepdim)
        if op in ("var", "std"):
            return getattr(x, op)(dims, keepdim=keepdim, correction=0)
        return getattr(x, op)(dims, keepdim=keepdim)

    ours, theirs = call(edutorch, ours_x), call(torch, theirs_x)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)
    upstream = np.random.default_rng(8).standard_normal(tuple(theirs.shape)).astype(np.float32)
    ours.backward(edutorch.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_same(ours_x.grad, theirs_x.grad, rtol=1e-4, atol=1e-4)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(0, 2), st.booleans(),
       st.sampled_from(["max", "min", "cumsum", "cumprod", "sort", "argsort", "argmax"]))
def test_dim_ops_over_random_shapes_match_torch(shape, dim_seed, flag, op):
    torch = pytest.importorskip("torch")
    dim = dim_seed % len(shape) - (len(shape) if flag else 0)
    # Small integers make ties likely: the index conventions must agree too.
    data = np.random.default_rng(9).integers(-2, 3, size=shape).astype(np.float32)

    def call(t, x):
        if op in ("max", "min"):
            return getattr(x, op)(dim, keepdim=flag)
        if op == "sort":
            return x.sort(dim=dim, descending=flag, stable=True)
        if op == "argsort":
            return x.argsort(dim=dim, descending=flag, stable=True)
        if op == "argmax":
            return x.argmax(dim, keepdim=flag)
        return getattr(x, op)(dim)

    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)
    ours, theirs = call(edutorch, ours_x), call(torch, theirs_x)
    if isinstance(theirs, tuple):
        assert_same(ours.indices, theirs.indices)
        ours, theirs = ours.values, theirs.values
    assert_same(ours, theirs)
    if theirs.requires_grad:
        ours.sum().backward()
        theirs.sum().backward()
        assert_same(ours_x.grad, theirs_x.grad)


def test_std_of_huge_values_stays_finite_like_torch(torch):
    values = [2e19, -2e19, 1e19]
    ours, theirs = edutorch.tensor(values).std(), torch.tensor(values).std()
    assert ours.dtype is edutorch.float32
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)


# ----------------------------------------------------------------------------------- bincount
@pytest.mark.parametrize("values,kwargs", [
    ([1, 2, 2, 5], {}),
    ([1, 2, 2, 5], {"minlength": 8}),
    ([], {}),
    ([0, 0, 3], {"weights": [0.5, 1.5, 2.0]}),
])
def test_bincount_matches_torch(torch, values, kwargs):
    weights = kwargs.pop("weights", None)
    for dtype in ("int64", "uint8"):
        ours = edutorch.bincount(edutorch.tensor(values, dtype=getattr(edutorch, dtype)),
                                 minlength=kwargs.get("minlength", 0),
                                 weights=None if weights is None else edutorch.tensor(weights))
        theirs = torch.bincount(torch.tensor(values, dtype=getattr(torch, dtype)), minlength=kwargs.get("minlength", 0),
                                weights=None if weights is None else torch.tensor(weights))
        assert_same(ours, theirs)
    if weights is not None:  # float64 weights (and integer ones) give float64 sums
        ours = edutorch.tensor(values).bincount(edutorch.tensor(weights, dtype=edutorch.float64))
        assert_same(ours, torch.tensor(values).bincount(torch.tensor(weights, dtype=torch.float64)))


@pytest.mark.parametrize("make", [
    lambda t: t.bincount(t.tensor([1.0, 2.0])),
    lambda t: t.bincount(t.tensor([-1, 2])),
    lambda t: t.bincount(t.tensor([[1, 2]])),
    lambda t: t.bincount(t.tensor([1, 2]), weights=t.tensor([1.0])),
    lambda t: t.bincount(t.tensor([1, 2]), minlength=-1),
])
def test_bincount_errors_match_torch(torch, make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(type(theirs.value)) as ours:
        make(edutorch)
    assert str(ours.value) == str(theirs.value)
