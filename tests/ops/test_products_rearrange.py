"""Fused products and rearranging of issue 18 (ops/products.py, ops/rearrange.py): addmm, addmv, addbmm,
baddbmm (beta/alpha, in-place forms), tensordot, kron, rot90, take, take_along_dim, block_diag,
cartesian_prod, combinations, diff, trapezoid, Tensor.unfold (a view) and the in-place shape ops.
Parity with PyTorch (values, dtypes, shapes, gradients, errors) and finite-difference gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_raises_like_torch, assert_same


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _parity(torch, fn, arrays, tol=1e-5, names=False):
    """fn(module, *xs) on both engines: values, dtype, shape, gradients of every float input (and the
    grad_fn name when ``names``)."""
    results = []
    for module in (edutorch, torch):
        xs = []
        for a in arrays:
            a = np.asarray(a)
            x = module.tensor(a.astype(np.float32) if a.dtype == np.float64 else a)
            xs.append(x.requires_grad_(True) if a.dtype.kind == "f" else x)
        results.append((fn(module, *xs), xs))
    (ours, our_xs), (theirs, their_xs) = results
    assert_same(ours, theirs, rtol=tol, atol=tol)
    if names:
        assert ours.grad_fn.name() == theirs.grad_fn.name()
    floats = [i for i, x in enumerate(their_xs) if x.requires_grad]
    if floats and theirs.requires_grad:
        up = np.random.default_rng(1).standard_normal(tuple(theirs.shape)).astype(np.float32)
        g_ours = edutorch.autograd.grad(ours, [our_xs[i] for i in floats], edutorch.tensor(up), allow_unused=True)
        g_theirs = torch.autograd.grad(theirs, [their_xs[i] for i in floats], torch.tensor(up), allow_unused=True)
        for a, b in zip(g_ours, g_theirs):
            assert (a is None) == (b is None)
            if a is not None:
                assert_same(a, b, rtol=tol * 10, atol=tol * 10)


NAMED = {  # ops with a node of their own: the grad_fn name must be PyTorch's too
    "addmm": (lambda t, i, a, b: t.addmm(i, a, b), [_rand(2, 4), _rand(2, 3), _rand(3, 4)]),
    "addmm_bias_row": (lambda t, i, a, b: t.addmm(i, a, b), [_rand(4), _rand(2, 3), _rand(3, 4)]),
    "addmm_beta_alpha": (lambda t, i, a, b: t.addmm(i, a, b, beta=0.5, alpha=-2),
                         [_rand(2, 1), _rand(2, 3), _rand(3, 4)]),
    "addmm_method": (lambda t, i, a, b: i.addmm(a, b, alpha=3), [_rand(2, 4), _rand(2, 3), _rand(3, 4)]),
    "addmv": (lambda t, i, a, v: t.addmv(i, a, v), [_rand(2), _rand(2, 3), _rand(3)]),
    "addmv_beta_alpha": (lambda t, i, a, v: i.addmv(a, v, beta=2, alpha=0.5), [_rand(1), _rand(2, 3), _rand(3)]),
    "baddbmm": (lambda t, i, a, b: t.baddbmm(i, a, b), [_rand(2, 3, 4), _rand(2, 3, 5), _rand(2, 5, 4)]),
    "baddbmm_broadcast_beta": (lambda t, i, a, b: t.baddbmm(i, a, b, beta=-1, alpha=0.25),
                               [_rand(4), _rand(2, 3, 5), _rand(2, 5, 4)]),
    "unfold": (lambda t, x: x.unfold(1, 2, 1), [_rand(3, 5)]),
}

COMPOSED = {  # written with other ops: values and gradients must match
    "block_diag": (lambda t, a, b: t.block_diag(a, b), [_rand(2, 3), _rand(1, 2)]),
    "take": (lambda t, x, i: t.take(x, i), [_rand(3, 4), np.array([[0, 5], [11, -1], [5, 5]])]),
    "rot90": (lambda t, x: t.rot90(x), [_rand(3, 4)]),
    "addbmm": (lambda t, i, a, b: t.addbmm(i, a, b), [_rand(3, 4), _rand(2, 3, 5), _rand(2, 5, 4)]),
    "addbmm_beta_alpha": (lambda t, i, a, b: i.addbmm(a, b, beta=0.5, alpha=2),
                          [_rand(4), _rand(2, 3, 5), _rand(2, 5, 4)]),
    "tensordot_int": (lambda t, a, b: t.tensordot(a, b, 1), [_rand(2, 3), _rand(3, 4)]),
    "tensordot_2": (lambda t, a, b: t.tensordot(a, b), [_rand(2, 3, 4), _rand(3, 4, 5)]),
    "tensordot_lists": (lambda t, a, b: t.tensordot(a, b, dims=([0, 2], [1, 0])), [_rand(4, 3, 2), _rand(2, 4, 5)]),
    "tensordot_0": (lambda t, a, b: t.tensordot(a, b, 0), [_rand(2, 3), _rand(2)]),
    "tensordot_negative_dims": (lambda t, a, b: t.tensordot(a, b, dims=([-1], [0])), [_rand(2, 3), _rand(3, 2)]),
    "kron": (lambda t, a, b: t.kron(a, b), [_rand(2, 3), _rand(3, 2)]),
    "kron_mixed_ndim": (lambda t, a, b: a.kron(b), [_rand(2, 1, 3), _rand(2, 2)]),
    "kron_vectors": (lambda t, a, b: t.kron(a, b), [_rand(3), _rand(2)]),
    "rot90_k2": (lambda t, x: t.rot90(x, 2), [_rand(3, 4)]),
    "rot90_k3_dims": (lambda t, x: t.rot90(x, 3, [1, 2]), [_rand(2, 3, 4)]),
    "rot90_negative_k": (lambda t, x: x.rot90(-1, (2, 0)), [_rand(2, 3, 4)]),
    "rot90_k0": (lambda t, x: t.rot90(x, 4), [_rand(2, 3)]),
    "take_along_dim": (lambda t, x, i: t.take_along_dim(x, i, 1), [_rand(3, 4), np.array([[0, 3], [1, 1], [2, 0]])]),
    "take_along_dim_broadcast": (lambda t, x, i: t.take_along_dim(x, i, dim=0), [_rand(3, 4), np.array([[2], [0]])]),
    "take_along_dim_flat": (lambda t, x, i: x.take_along_dim(i), [_rand(3, 4), np.array([11, 0, 4])]),
    "take_along_dim_argsort": (lambda t, x: t.take_along_dim(x, x.argsort(1), 1), [_rand(3, 4)]),
    "block_diag_mixed": (lambda t, a, b, c: t.block_diag(a, b, c), [np.array(2.0), _rand(3), _rand(2, 2)]),
    "block_diag_int": (lambda t, a, b: t.block_diag(a, b), [_rand(2, 2), np.array([[1, 2]])]),
    "cartesian_prod": (lambda t, a, b: t.cartesian_prod(a, b), [_rand(2), _rand(3)]),
    "cartesian_prod_3": (lambda t, a, b, c: t.cartesian_prod(a, b, c), [_rand(2), _rand(3), _rand(2)]),
    "cartesian_prod_1": (lambda t, a: t.cartesian_prod(a), [_rand(3)]),
    "combinations": (lambda t, x: t.combinations(x), [_rand(4)]),
    "combinations_r3": (lambda t, x: t.combinations(x, 3), [_rand(5)]),
    "combinations_replacement": (lambda t, x: t.combinations(x, r=2, with_replacement=True), [_rand(3)]),
    "combinations_r1": (lambda t, x: t.combinations(x, 1), [_rand(3)]),
    "combinations_too_many": (lambda t, x: t.combinations(x, 4), [_rand(3)]),
    "diff": (lambda t, x: t.diff(x), [_rand(3, 5)]),
    "diff_n2_dim0": (lambda t, x: t.diff(x, n=2, dim=0), [_rand(4, 3)]),
    "diff_prepend_append": (lambda t, x, p, a: t.diff(x, 1, -1, p, a), [_rand(2, 3), _rand(2, 1), _rand(2, 2)]),
    "diff_method_n3": (lambda t, x: x.diff(3), [_rand(2, 5)]),
    "diff_n_too_big": (lambda t, x: t.diff(x, 4), [_rand(3)]),
    "trapezoid": (lambda t, y: t.trapezoid(y), [_rand(3, 5)]),
    "trapezoid_dx_dim": (lambda t, y: t.trapezoid(y, dx=0.5, dim=0), [_rand(4, 3)]),
    "trapezoid_x": (lambda t, y, x: t.trapezoid(y, x), [_rand(2, 4), np.array([0.0, 0.5, 1.7, 2.0])]),
    "trapezoid_x_nd": (lambda t, y, x: t.trapezoid(y, x, dim=0), [_rand(3, 2), np.cumsum(_rand(3, 2) ** 2, 0)]),
    "trapz": (lambda t, y: t.trapz(y), [_rand(5)]),
    "cumulative_trapezoid": (lambda t, y: t.cumulative_trapezoid(y), [_rand(3, 5)]),
    "cumulative_trapezoid_dx": (lambda t, y: t.cumulative_trapezoid(y, dx=0.5, dim=0), [_rand(4, 3)]),
    "cumulative_trapezoid_x": (lambda t, y, x: t.cumulative_trapezoid(y, x),
                               [_rand(2, 4), np.array([0.0, 0.5, 1.7, 2.0])]),
    "cumulative_trapezoid_x_nd": (lambda t, y, x: t.cumulative_trapezoid(y, x, dim=0),
                                  [_rand(3, 2), np.cumsum(_rand(3, 2) ** 2, 0)]),
    "unfold_step": (lambda t, x: x.unfold(1, 2, 2), [_rand(2, 5)]),
    "unfold_overlap": (lambda t, x: x.unfold(0, 3, 1), [_rand(5, 2)]),
    "unfold_step_gt_size": (lambda t, x: x.unfold(-1, 2, 3), [_rand(2, 3, 8)]),
    "unfold_0d": (lambda t, x: x.unfold(0, 1, 1), [np.array(1.5)]),
    "unfold_size0": (lambda t, x: x.unfold(1, 0, 1), [_rand(2, 3)]),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_parity_with_node_names(torch, name):
    fn, arrays = NAMED[name]
    _parity(torch, fn, arrays, names=True)


@pytest.mark.parametrize("name", sorted(COMPOSED))
def test_parity(torch, name):
    fn, arrays = COMPOSED[name]
    _parity(torch, fn, arrays)


@pytest.mark.parametrize("name", sorted(NAMED) + sorted(COMPOSED))
def test_gradcheck(name):
    fn, arrays = {**NAMED, **COMPOSED}[name]
    xs = [edutorch.tensor(a, requires_grad=a.dtype.kind == "f") for a in map(np.asarray, arrays)]
    out = fn(edutorch, *xs)
    if out.numel() == 0 or not out.requires_grad:
        return
    assert gradcheck(lambda *ts: fn(edutorch, *ts), tuple(xs))


def test_addmm_with_beta_zero_ignores_nan_input(torch):
    for module in (edutorch, torch):
        out = module.addmm(module.tensor([float("nan")] * 3), module.ones(2, 4), module.ones(4, 3), beta=0)
        assert out.tolist() == [[4.0] * 3] * 2


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_integer_products_match_torch(torch, dtype):
    i, a, b = (np.arange(n).reshape(s).astype(dtype) for n, s in ((3, (3,)), (6, (2, 3)), (9, (3, 3))))
    for fn in [lambda t, i, a, b: t.addmm(i, a, b, beta=2, alpha=3), lambda t, i, a, b: t.addmv(i, b, i),
               lambda t, i, a, b: t.kron(a, b), lambda t, i, a, b: t.tensordot(a, b, 1)]:
        assert_same(fn(edutorch, *map(edutorch.tensor, (i, a, b))), fn(torch, *map(torch.tensor, (i, a, b))))


@pytest.mark.parametrize("method, args", [
    ("addmm_", lambda t: (t.tensor(_rand(2, 3, seed=3)), t.tensor(_rand(3, 4, seed=4)))),
    ("addmv_", lambda t: (t.tensor(_rand(4, 3, seed=3))[:2, :], t.tensor(_rand(3, seed=4)))),
    ("addbmm_", lambda t: (t.tensor(_rand(2, 2, 5, seed=3)), t.tensor(_rand(2, 5, 4, seed=4)))),
    ("baddbmm_", lambda t: (t.tensor(_rand(1, 2, 5, seed=3)), t.tensor(_rand(1, 5, 4, seed=4)))),
])
def test_inplace_products_match_torch(torch, method, args):
    shape = {"addmm_": (2, 4), "addmv_": (2,), "addbmm_": (2, 4), "baddbmm_": (1, 2, 4)}[method]
    data = _rand(*shape)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        y = x * 1
        assert getattr(y, method)(*args(module), beta=0.5, alpha=2) is y
        y.backward(module.ones(shape, dtype=module.float64))
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


# --------------------------------------------------------------------------------- unfold is a view
def test_unfold_is_a_view_like_torch(torch):
    for module in (edutorch, torch):
        x = module.arange(10.0).view(2, 5)
        w = x.unfold(1, 2, 2)
        assert w.shape == (2, 2, 2) and w.stride() == (5, 2, 1)
        w[0, 1, 0] = -1.0  # windows do not overlap (step >= size): writes reach x
        assert x[0, 2].item() == -1.0
        y = module.arange(5.0).unfold(0, 3, 1)
        assert y.tolist() == [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]


# ------------------------------------------------------------------------------- in-place shape ops
@pytest.mark.parametrize("call, node", [
    (lambda y: y.unsqueeze_(0), "UnsqueezeBackward1"), (lambda y: y.unsqueeze_(-1), "UnsqueezeBackward1"),
    (lambda y: y.unsqueeze_(1).squeeze_(), "SqueezeBackward3"), (lambda y: y.t_(), "TBackward1"),
    (lambda y: y.transpose_(0, 1), "TransposeBackward1"), (lambda y: y.swapaxes_(1, 0), "TransposeBackward1"),
    (lambda y: y.swapdims_(0, -1), "TransposeBackward1"), (lambda y: y.unsqueeze_(0).squeeze_(0), "SqueezeBackward4"),
    (lambda y: y.unsqueeze_(2).squeeze_((2, 0)), "SqueezeBackward5"),
])
def test_inplace_shape_ops_match_torch(torch, call, node):
    data, results = _rand(2, 3), []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        y = x * 2
        out = call(y)
        assert out is y and y.grad_fn.name() == node and y._version >= 1
        up = np.random.default_rng(1).standard_normal(tuple(y.shape))
        y.backward(module.tensor(up))
        results.append((tuple(y.shape), y.detach().numpy().copy(), x.grad.numpy().copy(), y.stride()))
    assert results[0][0] == results[1][0] and results[0][3] == results[1][3]
    for ours, theirs in zip(results[0][1:3], results[1][1:3]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_inplace_shape_op_on_leaf_and_without_grad(torch):
    for module in (edutorch, torch):
        leaf = module.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            leaf.unsqueeze_(0)
        with module.no_grad():
            leaf.unsqueeze_(0)
        assert leaf.shape == (1, 2)
        plain = module.arange(6.0).view(2, 3)
        alias = plain.view(6)
        plain.t_()
        plain[0, 1] = 9.0  # the same storage: the old view sees the write
        assert plain.shape == (3, 2) and alias[3].item() == 9.0


# ------------------------------------------------------------------------------------------ errors
ERRORS = [
    lambda t: t.addmm(t.ones(2, 3), t.ones(2, 4), t.ones(5, 3)),
    lambda t: t.addmm(t.ones(2), t.ones(2, 4), t.ones(4, 3)),
    lambda t: t.addmm(t.ones(3), t.ones(4), t.ones(4, 3)),
    lambda t: t.addmm(t.ones(3), t.ones(2, 4), t.ones(4, 3, dtype=t.float64)),
    lambda t: t.addmm(t.ones(3, dtype=t.long), t.ones(2, 4, dtype=t.float64), t.ones(4, 3, dtype=t.long)),
    lambda t: t.addmv(t.ones(3), t.ones(3, 4), t.ones(5)),
    lambda t: t.addmv(t.ones(3), t.ones(3, 4, 1), t.ones(4)),
    lambda t: t.addmv(t.ones(2), t.ones(3, 4), t.ones(4)),
    lambda t: t.baddbmm(t.ones(3), t.ones(2, 3, 4), t.ones(2, 5, 3)),
    lambda t: t.baddbmm(t.ones(3), t.ones(3, 4), t.ones(2, 4, 3)),
    lambda t: t.baddbmm(t.ones(3), t.ones(2, 3, 4), t.ones(3, 4, 3)),
    lambda t: t.addbmm(t.ones(3), t.ones(2, 3, 4), t.ones(2, 5, 3)),
    lambda t: t.tensordot(t.ones(2, 3), t.ones(4, 5), dims=1),
    lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 5), dims=([0], [0])),
    lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 5), dims=-1),
    lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 5, dtype=t.float64), dims=1),
    lambda t: t.rot90(t.ones(2, 3), 1, [0]),
    lambda t: t.rot90(t.ones(2, 3), 1, [0, 0]),
    lambda t: t.rot90(t.ones(3), 1),
    lambda t: t.rot90(t.ones(2, 3), 1, [0, 3]),
    lambda t: t.rot90(t.ones(2, 3), 1, [0, -2]),
    lambda t: t.take(t.ones(2, 3), t.tensor([10])),
    lambda t: t.take(t.ones(2, 3), t.tensor([1], dtype=t.int32)),
    lambda t: t.take_along_dim(t.ones(2, 3), t.tensor([0, 1]), 1),
    lambda t: t.take_along_dim(t.ones(2, 3), t.tensor([[0]], dtype=t.int32), 1),
    lambda t: t.block_diag(t.ones(2, 2, 2)),
    lambda t: t.cartesian_prod(t.ones(2, 2), t.ones(2)),
    lambda t: t.combinations(t.ones(2, 3)),
    lambda t: t.diff(t.tensor(1.0)),
    lambda t: t.diff(t.ones(3), n=-1),
    lambda t: t.trapezoid(t.ones(3), t.ones(4)),
    lambda t: t.ones(3).unfold(0, 4, 1),
    lambda t: t.ones(3).unfold(0, 2, 0),
    lambda t: t.ones(3).unfold(1, 2, 1),
    lambda t: t.ones(2, 3).t_().t_().transpose_(0, 2),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(torch, i):
    assert_raises_like_torch(ERRORS[i], torch)


@pytest.mark.parametrize("fn, exc, message", [
    (lambda t: t.addmm(t.ones(2, 3), t.ones(2, 4), t.ones(5, 3)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied \\(2x4 and 5x3\\)"),
    (lambda t: t.addmv(t.ones(3), t.ones(3, 4), t.ones(5)), RuntimeError,
     "size mismatch, got input \\(3\\), mat \\(3x4\\), vec \\(5\\)"),
    (lambda t: t.baddbmm(t.ones(3), t.ones(2, 3, 4), t.ones(2, 5, 3)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: \\[2, 4\\] but got: \\[2, 5\\]."),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(4, 5), dims=1), RuntimeError,
     "contracted dimensions need to match, but first has size 3 in dim -1 and second has size 4 in dim 0"),
    (lambda t: t.take(t.ones(2, 3), t.tensor([10])), IndexError,
     "out of range: tried to access index 10 on a tensor of 6 elements."),
    (lambda t: t.ones(3).unfold(0, 4, 1), RuntimeError, "maximum size for tensor at dimension 0 is 3 but size is 4"),
    (lambda t: t.rot90(t.ones(2, 3), 1, [0, 0]), RuntimeError,
     "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0"),
])
def test_error_messages_match_torch(torch, fn, exc, message):
    for module in (edutorch, torch):
        with pytest.raises(exc, match=message):
            fn(module)


# ------------------------------------------------------------------------------- tensor methods exist
def test_multinomial_and_bernoulli_methods():
    edutorch.manual_seed(0)
    p = edutorch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert p.multinomial(1).tolist() == [[1], [2]]
    assert p.multinomial(num_samples=2, replacement=True).tolist() == [[1, 1], [2, 2]]
    assert p.bernoulli().tolist() == p.tolist()
    assert edutorch.ones(3).bernoulli(0.0).tolist() == [0.0, 0.0, 0.0]
    g = edutorch.Generator().manual_seed(1)
    assert edutorch.full((4,), 0.5).bernoulli(generator=g).shape == (4,)


@pytest.mark.parametrize("call", [
    lambda x, t: x.new_zeros(3, device="cpu"), lambda x, t: x.new_ones((2, 3), dtype=t.int32),
    lambda x, t: x.new_full((2,), 5, device="cpu"), lambda x, t: x.new_empty(2, 3).zero_(),
    lambda x, t: x.new_tensor([1, 2]), lambda x, t: x.new_tensor([1, 2], device="cpu", dtype=t.int64),
    lambda x, t: x.new_zeros(size=(2,)), lambda x, t: x.new_ones(size=[1, 2], requires_grad=True),
    lambda x, t: x.new_empty((2,), pin_memory=False).fill_(1.0),
])
def test_new_methods_accept_torch_keywords(torch, call):
    ours = call(edutorch.ones(2, dtype=edutorch.float64), edutorch)
    theirs = call(torch.ones(2, dtype=torch.float64), torch)
    assert_same(ours, theirs)
    assert ours.requires_grad == theirs.requires_grad


@pytest.mark.parametrize("fn, shapes", [
    (lambda t, i, a, b: t.addmm(i, a, b), [(2, 4), (2, 3), (3, 4)]),
    (lambda t, i, a, b: t.addmm(i, a, b, beta=0.5, alpha=-2), [(4,), (2, 3), (3, 4)]),
    (lambda t, i, a, v: t.addmv(i, a, v, beta=2, alpha=3), [(2,), (2, 3), (3,)]),
    (lambda t, i, a, b: t.baddbmm(i, a, b, alpha=0.5), [(2, 3, 4), (2, 3, 5), (2, 5, 4)]),
    (lambda t, i, a, b: t.addbmm(i, a, b, beta=-1), [(3, 4), (2, 3, 5), (2, 5, 4)]),
])
def test_products_double_backward(fn, shapes):
    xs = tuple(edutorch.tensor(_rand(*s, seed=k), requires_grad=True) for k, s in enumerate(shapes))
    assert gradgradcheck(lambda *ts: fn(edutorch, *ts) ** 2, xs)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), data=st.data())
def test_random_unfold(torch, shape, data):
    """unfold along a random dim with a random window and step: values, strides and gradients."""
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(0, shape[dim]))
    step = data.draw(st.integers(1, 4))
    values, results = _rand(*shape), []
    for module in (edutorch, torch):
        x = module.tensor(values, requires_grad=True)
        out = x.unfold(dim, size, step)
        up = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (g,) = module.autograd.grad(out, x, module.tensor(up))
        results.append((out, g, out.stride()))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


def test_inplace_shape_op_on_a_view_then_write_through_it(torch):
    """unsqueeze_ on a view keeps it a view of its base: a later in-place write reaches the base and its
    gradient is routed through CopySlices, as in PyTorch."""
    results = []
    for module in (edutorch, torch):
        base = module.zeros(2, 3)
        v = base[0]
        v.unsqueeze_(0)
        v[0, 1] = 5.0
        x = module.tensor([[1.0, 2, 3], [4, 5, 6]], requires_grad=True)
        y = x * 1
        w = y[1]
        w.unsqueeze_(1)
        w.mul_(module.tensor([[2.0], [3.0], [4.0]]))
        y.backward(module.ones(2, 3))
        results.append((base.tolist(), y.tolist(), x.grad.tolist(), tuple(w.shape), w.grad_fn.name()))
    assert results[0] == results[1]
