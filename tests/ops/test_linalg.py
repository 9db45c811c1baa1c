"""Matrix products (dot, mv, mm, bmm, outer, matmul) and einsum: finite-difference gradients, double
backward, and parity with PyTorch (values, dtypes, gradients, grad_fn names, errors)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_same

# (shape of input, shape of other, what PyTorch does with it)
MATMUL_CASES = [
    ((3,), (3,), "dot"),
    ((2, 3), (3,), "mv"),
    ((3,), (3, 2), "vector @ matrix"),
    ((2, 3), (3, 4), "mm"),
    ((1, 3), (3, 1), "mm with size-1 dims"),
    ((2, 2, 3), (3, 4), "batch @ matrix"),
    ((2, 3, 4), (4,), "batch @ vector"),
    ((3,), (2, 3, 4), "vector @ batch"),
    ((2, 3), (5, 3, 4), "matrix @ batch"),
    ((1, 3), (5, 3, 4), "matrix @ batch, one row"),
    ((2, 3), (5, 3, 1), "matrix @ batch, one column"),
    ((4, 2, 3), (4, 3, 5), "bmm"),
    ((2, 1, 3, 4), (5, 4, 2), "broadcast batch dims"),
    ((2, 3, 4), (7, 1, 4, 2), "broadcast batch dims, other longer"),
    ((1, 2, 3), (4, 3, 2), "batch of one broadcast"),
    ((2, 3), (2, 5, 3, 4), "matrix @ 4-D"),
]
CASE_IDS = [f"{a}@{b}" for a, b, _ in MATMUL_CASES]


def _pair(shapes, rng, dtype=np.float64):
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def _both(torch, data, requires_grad):
    ours = [edutorch.tensor(d, requires_grad=r) for d, r in zip(data, requires_grad)]
    theirs = [torch.tensor(d, requires_grad=r) for d, r in zip(data, requires_grad)]
    return ours, theirs


def _check_against_torch(torch, fn, data, requires_grad=None, rtol=1e-5, atol=1e-6):
    """Same values, dtype and grad_fn name as PyTorch, and the same gradients for a random upstream
    gradient. ``fn(lib, *tensors)`` runs with lib = edutorch or torch."""
    requires_grad = requires_grad or [True] * len(data)
    ours, theirs = _both(torch, data, requires_grad)
    y, ty = fn(edutorch, *ours), fn(torch, *theirs)
    assert_same(y, ty, rtol=rtol, atol=atol)
    assert y.grad_fn.name() == ty.grad_fn.name()
    g = np.random.default_rng(7).standard_normal(tuple(ty.shape)).astype(data[0].dtype)
    y.backward(edutorch.tensor(g))
    ty.backward(torch.tensor(g))
    for a, ta, r in zip(ours, theirs, requires_grad):
        if r:
            assert_same(a.grad, ta.grad, rtol=rtol, atol=atol)
        else:
            assert a.grad is None


# ----------------------------------------------------------------------------------------- matmul
@pytest.mark.parametrize("sa,sb,case", MATMUL_CASES, ids=CASE_IDS)
def test_matmul_gradcheck(sa, sb, case):
    a, b = (edutorch.tensor(x, requires_grad=True) for x in _pair((sa, sb), np.random.default_rng(0)))
    assert gradcheck(edutorch.matmul, (a, b))


@pytest.mark.parametrize("sa,sb,case", MATMUL_CASES, ids=CASE_IDS)
@pytest.mark.parametrize("requires_grad", [(True, True), (True, False), (False, True)],
                         ids=["both", "input", "other"])
def test_matmul_matches_torch(sa, sb, case, requires_grad, torch):
    # PyTorch's top grad_fn depends on which operand requires grad (2-D @ batch), so try all three.
    data = _pair((sa, sb), np.random.default_rng(1))
    _check_against_torch(torch, lambda t, a, b: a @ b, data, list(requires_grad))


@pytest.mark.parametrize("sa,sb,case", MATMUL_CASES, ids=CASE_IDS)
def test_matmul_double_backward(sa, sb, case):
    a, b = (edutorch.tensor(x, requires_grad=True) for x in _pair((sa, sb), np.random.default_rng(2)))
    assert gradgradcheck(edutorch.matmul, (a, b))


def test_matmul_float32_stays_float32_and_contiguous(torch):
    data = _pair(((2, 5, 3), (3, 4)), np.random.default_rng(3), np.float32)
    _check_against_torch(torch, lambda t, a, b: t.matmul(a, b), data, rtol=1e-5, atol=1e-5)
    a, b = (edutorch.tensor(x, requires_grad=True) for x in data)
    y = a @ b
    y.backward(edutorch.ones(2, 5, 4))
    assert y.dtype is edutorch.float32 and a.grad.dtype is edutorch.float32
    assert b.grad.dtype is edutorch.float32
    assert y.is_contiguous() and a.grad.is_contiguous() and b.grad.is_contiguous()


def test_matmul_of_transposed_view_matches_torch(torch):
    data = _pair(((4, 3), (5, 4)), np.random.default_rng(4))
    _check_against_torch(torch, lambda t, a, b: a.t() @ b.t(), data)


def test_matmul_batch_gradient_of_shared_matrix_is_summed(torch):
    # The folded backward of batch @ matrix must equal the sum of per-item gradients.
    rng = np.random.default_rng(5)
    a = edutorch.tensor(rng.standard_normal((6, 2, 3)))
    w = edutorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    g = rng.standard_normal((6, 2, 4))
    (a @ w).backward(edutorch.tensor(g))
    expected = sum(a.numpy()[i].T @ g[i] for i in range(6))
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("sa,sb", [((2, 0), (0, 3)), ((2, 0, 3), (3, 4)), ((0, 2, 3), (3,)), ((2, 2, 0), (0, 3)),
                                   ((0,), (2, 0, 3)), ((0, 3), (5, 3, 2)), ((0,), (0,))])
def test_empty_matmul_matches_torch(sa, sb, torch):
    _check_against_torch(torch, lambda t, a, b: a @ b, [np.zeros(sa), np.zeros(sb)])


@settings(max_examples=40, deadline=None)
@given(batch_a=st.lists(st.integers(1, 3), max_size=3), batch_b=st.lists(st.integers(1, 3), max_size=3),
       m=st.integers(1, 3), k=st.integers(1, 3), p=st.integers(1, 3),
       a_vector=st.booleans(), b_vector=st.booleans(), data=st.data())
def test_matmul_broadcasting_matches_torch(batch_a, batch_b, m, k, p, a_vector, b_vector, data):
    torch = pytest.importorskip("torch")
    # Make the batch dims broadcastable: where both have a dim, one of them is 1 or they are equal.
    n = min(len(batch_a), len(batch_b))
    for i in range(1, n + 1):
        if batch_a[-i] != batch_b[-i] and data.draw(st.booleans()):
            batch_a[-i] = 1
        elif batch_a[-i] != batch_b[-i]:
            batch_b[-i] = 1
    sa = (k,) if a_vector else tuple(batch_a) + (m, k)
    sb = (k,) if b_vector else tuple(batch_b) + (k, p)
    rg = (True, data.draw(st.booleans()))
    _check_against_torch(torch, lambda t, a, b: t.matmul(a, b), _pair((sa, sb), np.random.default_rng(6)),
                         list(rg))


# ----------------------------------------------------------------------- mm, bmm, mv, dot, outer
OPS = {
    "mm": (lambda t, a, b: t.mm(a, b), [(2, 3), (3, 4)]),
    "bmm": (lambda t, a, b: t.bmm(a, b), [(3, 2, 4), (3, 4, 5)]),
    "mv": (lambda t, a, b: t.mv(a, b), [(2, 3), (3,)]),
    "dot": (lambda t, a, b: t.dot(a, b), [(4,), (4,)]),
    "outer": (lambda t, a, b: t.outer(a, b), [(3,), (2,)]),
    "mm_method": (lambda t, a, b: a.mm(b), [(2, 3), (3, 1)]),
    "bmm_method": (lambda t, a, b: a.bmm(b), [(1, 2, 3), (1, 3, 2)]),
    "mv_method": (lambda t, a, b: a.mv(b), [(1, 3), (3,)]),
    "dot_method": (lambda t, a, b: a.dot(b), [(1,), (1,)]),
    "outer_method": (lambda t, a, b: a.outer(b), [(1,), (4,)]),
    "matmul_method": (lambda t, a, b: a.matmul(b), [(2, 3, 4), (4, 2)]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_gradcheck(name):
    fn, shapes = OPS[name]
    inputs = tuple(edutorch.tensor(x, requires_grad=True) for x in _pair(shapes, np.random.default_rng(8)))
    assert gradcheck(lambda a, b: fn(edutorch, a, b), inputs)


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_double_backward(name):
    fn, shapes = OPS[name]
    inputs = tuple(edutorch.tensor(x, requires_grad=True) for x in _pair(shapes, np.random.default_rng(9)))
    assert gradgradcheck(lambda a, b: fn(edutorch, a, b), inputs)


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("requires_grad", [(True, True), (False, True)], ids=["both", "second"])
def test_op_matches_torch(name, requires_grad, torch):
    fn, shapes = OPS[name]
    _check_against_torch(torch, fn, _pair(shapes, np.random.default_rng(10)), list(requires_grad))


def test_double_backward_matches_torch(torch):
    # d/da of sum(grad_a * c) where grad_a = g @ b^T: second derivatives through Mm's backward.
    rng = np.random.default_rng(11)
    data = _pair(((2, 3), (3, 4), (2, 4), (2, 3)), rng)
    results = []
    for lib in (edutorch, torch):
        a, b, g = (lib.tensor(x, requires_grad=True) for x in data[:3])
        (grad_a,) = lib.autograd.grad(a @ b, a, g, create_graph=True)
        assert grad_a.requires_grad
        (grad_a * lib.tensor(data[3])).sum().backward()
        results.append((grad_a, b.grad, g.grad))
    for ours, theirs in zip(*results):
        assert_same(ours, theirs)


def test_saved_operand_modified_in_place_is_detected():
    a = edutorch.randn(2, 3, requires_grad=True)
    b = edutorch.randn(3, 4)
    y = a @ b
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(edutorch.ones(2, 4))


# ----------------------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float64", "float16"])
@pytest.mark.parametrize("sa,sb", [((2, 3), (3, 2)), ((3,), (3,)), ((2, 3), (3,)), ((2, 2, 3), (3, 2))])
def test_matmul_keeps_dtype_like_torch(dtype, sa, sb, torch):
    rng = np.random.default_rng(12)
    a, b = (rng.integers(0, 5, s) for s in (sa, sb))
    y = edutorch.tensor(a, dtype=getattr(edutorch, dtype)) @ edutorch.tensor(b, dtype=getattr(edutorch, dtype))
    ty = torch.tensor(a, dtype=getattr(torch, dtype)) @ torch.tensor(b, dtype=getattr(torch, dtype))
    assert_same(y, ty, rtol=1e-3)


@pytest.mark.parametrize("da,db", [("float32", "float64"), ("int64", "float32"), ("int32", "float32")])
def test_outer_promotes_like_torch(da, db, torch):
    a, b = np.arange(3), np.arange(2) + 0.5
    y = edutorch.outer(edutorch.tensor(a, dtype=getattr(edutorch, da)), edutorch.tensor(b, dtype=getattr(edutorch, db)))
    ty = torch.outer(torch.tensor(a, dtype=getattr(torch, da)), torch.tensor(b, dtype=getattr(torch, db)))
    assert_same(y, ty)


def test_outer_mixed_dtype_gradients_match_torch(torch):
    data = [np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([0.5, -1.0])]
    _check_against_torch(torch, lambda t, a, b: t.outer(a, b), data)


def test_mixed_dtype_outer_double_backward_matches_torch(torch):
    # outer promotes float32 x float64 with a recorded cast, so second derivatives reach both inputs.
    results = []
    for lib in (edutorch, torch):
        a = lib.tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
        b = lib.tensor(np.array([0.5, -1.0]), requires_grad=True)
        g = lib.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
        (grad_a,) = lib.autograd.grad(lib.outer(a, b), a, g, create_graph=True)
        (grad_a * grad_a).sum().backward()
        results.append((grad_a, b.grad, g.grad))
    for ours, theirs in zip(*results):
        assert_same(ours, theirs)


def test_dtype_mismatch_messages_match_torch(torch):
    with pytest.raises(RuntimeError, match=r"expected m1 and m2 to have the same dtype, but got: float != double"):
        edutorch.randn(2, 3) @ edutorch.randn(3, 4, dtype=edutorch.float64)
    with pytest.raises(RuntimeError, match=r"but got: long int != float"):
        edutorch.ones(2, 3, dtype=edutorch.int64) @ edutorch.ones(3, 4)
    message = r"dot : expected both vectors to have same dtype, but found Float and Double"
    with pytest.raises(RuntimeError, match=message):
        edutorch.randn(3).dot(edutorch.randn(3, dtype=edutorch.float64))


# ----------------------------------------------------------------------------------------- errors
BAD = {
    "mm shapes": lambda t: t.mm(t.ones(64, 1024), t.ones(512, 10)),
    "mm 3-D": lambda t: t.mm(t.ones(2, 3, 4), t.ones(4, 5)),
    "mm 1-D": lambda t: t.mm(t.ones(3, 4), t.ones(4)),
    "mm dtype": lambda t: t.mm(t.ones(2, 3), t.ones(3, 4, dtype=t.float64)),
    "mm bool": lambda t: t.mm(t.ones(2, 3, dtype=t.bool), t.ones(3, 4, dtype=t.bool)),
    "mm list": lambda t: t.mm(t.ones(2, 2), [1.0, 2.0]),
    "bmm 2-D": lambda t: t.bmm(t.ones(3, 4), t.ones(4, 5)),
    "bmm batch": lambda t: t.bmm(t.ones(2, 3, 4), t.ones(3, 4, 5)),
    "bmm inner": lambda t: t.bmm(t.ones(2, 3, 4), t.ones(2, 5, 5)),
    "bmm dtype": lambda t: t.bmm(t.ones(1, 3, 2, dtype=t.float64), t.ones(1, 2, 2)),
    "mv 1-D": lambda t: t.mv(t.ones(3), t.ones(3)),
    "mv size": lambda t: t.mv(t.ones(2, 3), t.ones(4)),
    "mv dtype": lambda t: t.mv(t.ones(2, 3), t.ones(3, dtype=t.float64)),
    "dot 2-D": lambda t: t.dot(t.ones(3, 4), t.ones(3, 4)),
    "dot size": lambda t: t.dot(t.ones(4), t.ones(5)),
    "dot bool": lambda t: t.dot(t.ones(3, dtype=t.bool), t.ones(3, dtype=t.bool)),
    "outer 2-D": lambda t: t.outer(t.ones(3, 4), t.ones(3)),
    "outer 0-D": lambda t: t.outer(t.tensor(3.0), t.ones(3)),
    "matmul 0-D": lambda t: t.matmul(t.tensor(2.0), t.ones(5)),
    "matmul 2-D shapes": lambda t: t.ones(64, 1024) @ t.ones(512, 10),
    "matmul vector @ matrix": lambda t: t.ones(4) @ t.ones(5, 3),
    "matmul batch inner": lambda t: t.ones(2, 3, 4) @ t.ones(2, 5, 3),
    "matmul batch broadcast": lambda t: t.ones(4, 2, 3, 4) @ t.ones(3, 4, 2),
    "matmul fold inner": lambda t: t.ones(2, 3, 4) @ t.ones(5, 3),
    "matmul fold vector": lambda t: t.ones(2, 3, 4) @ t.ones(5),
    "matmul matrix @ batch": lambda t: t.ones(2, 3) @ t.ones(5, 4, 3),
    "matmul batch dtype": lambda t: t.ones(2, 2, 3) @ t.ones(2, 3, 4, dtype=t.float64),
    "matmul batch bool": lambda t: t.ones(2, 2, 3, dtype=t.bool) @ t.ones(2, 3, 2, dtype=t.bool),
    "matmul list": lambda t: t.matmul(t.ones(2), [1.0, 2.0]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_errors_have_torch_types(name, torch):
    with pytest.raises(Exception) as theirs:
        BAD[name](torch)
    with pytest.raises(Exception) as ours:
        BAD[name](edutorch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


def test_shape_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(64x1024 and 512x10\)"):
        edutorch.mm(edutorch.ones(64, 1024), edutorch.ones(512, 10))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(64x1024 and 512x10\)"):
        edutorch.ones(64, 1024) @ edutorch.ones(512, 10)
    with pytest.raises(RuntimeError, match=r"\[2, 3, 4\] and \[2, 5, 3\].*\(4\).*\(5\)"):
        edutorch.ones(2, 3, 4) @ edutorch.ones(2, 5, 3)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match the size of tensor b \(3\) "
                                           r"at non-singleton dimension 1"):
        edutorch.ones(4, 2, 3, 4) @ edutorch.ones(3, 4, 2)


# ----------------------------------------------------------------------------------------- einsum
EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),  # matrix product
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),  # batch
    ("ij->ji", [(2, 3)]),  # transpose
    ("ii", [(3, 3)]),  # trace (implicit output)
    ("ii->", [(3, 3)]),  # trace
    ("ii->i", [(3, 3)]),  # diagonal
    ("iij->j", [(2, 2, 3)]),  # batched trace
    ("iii->i", [(2, 2, 2)]),
    ("i,j->ij", [(3,), (2,)]),  # outer
    ("ij->", [(2, 3)]),  # sum
    ("ij->j", [(2, 3)]),  # column sums
    ("i,i->", [(4,), (4,)]),  # dot
    ("ij,j->i", [(2, 3), (3,)]),  # mv
    ("ij,ij->ij", [(2, 3), (2, 3)]),  # elementwise
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),  # ellipsis with broadcasting
    ("...ii->...i", [(4, 3, 3)]),
    ("i...i->...", [(3, 4, 3)]),
    ("b...,b->...", [(2, 3, 4), (2,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),  # three operands
    ("ij,jk,kl->ijkl", [(2, 3), (3, 4), (4, 2)]),
    ("i,j,k->k", [(2,), (3,), (4,)]),
    ("ij,j->i", [(2, 3), (1,)]),  # size-1 subscript broadcasts
    ("ab,ab->b", [(1, 3), (2, 3)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("ij,k->", [(2, 3), (4,)]),
    ("ij", [(2, 3)]),
    ("ba", [(2, 3)]),
    ("Ab,bC->AC", [(2, 3), (3, 2)]),
    (" i j , j k -> i k ", [(2, 3), (3, 4)]),
    ("->", [()]),
]
EINSUM_IDS = [eq.replace(" ", "_") or "empty" for eq, _ in EINSUM_CASES]


@pytest.mark.parametrize("equation,shapes", EINSUM_CASES, ids=EINSUM_IDS)
def test_einsum_gradcheck(equation, shapes):
    inputs = tuple(edutorch.tensor(x, requires_grad=True) for x in _pair(shapes, np.random.default_rng(13)))
    assert gradcheck(lambda *ops: edutorch.einsum(equation, *ops), inputs)


@pytest.mark.parametrize("equation,shapes", EINSUM_CASES, ids=EINSUM_IDS)
def test_einsum_matches_torch(equation, shapes, torch):
    _check_against_torch(torch, lambda t, *ops: t.einsum(equation, *ops), _pair(shapes, np.random.default_rng(14)))


@pytest.mark.parametrize("equation,shapes", [c for c in EINSUM_CASES if len(c[1]) > 1][:6])
def test_einsum_one_operand_without_grad_matches_torch(equation, shapes, torch):
    data = _pair(shapes, np.random.default_rng(15))
    _check_against_torch(torch, lambda t, *ops: t.einsum(equation, *ops), data,
                         [False] + [True] * (len(data) - 1))


@pytest.mark.parametrize("equation,shapes", [EINSUM_CASES[i] for i in (0, 5, 6, 8, 9, 14, 18)],
                         ids=[EINSUM_IDS[i] for i in (0, 5, 6, 8, 9, 14, 18)])
def test_einsum_double_backward(equation, shapes):
    inputs = tuple(edutorch.tensor(x, requires_grad=True) for x in _pair(shapes, np.random.default_rng(16)))
    assert gradgradcheck(lambda *ops: edutorch.einsum(equation, *ops), inputs)


def test_einsum_operands_as_one_list(torch):
    data = _pair(((2, 3), (3, 4)), np.random.default_rng(17))
    _check_against_torch(torch, lambda t, a, b: t.einsum("ij,jk->ik", [a, b]), data)


def test_einsum_output_owns_its_storage():
    x = edutorch.randn(3, 3)
    before = x.numpy().copy()
    y = edutorch.einsum("ij->ji", x)
    y.add_(1)  # must not change x
    np.testing.assert_array_equal(x.numpy(), before)
    np.testing.assert_array_equal(y.numpy(), before.T + 1)


@pytest.mark.parametrize("equation,dtypes", [
    ("ij,jk->ik", ("int64", "int64")), ("ij->", ("int32",)), ("ij->", ("bool",)), ("ij->ji", ("int32",)),
    ("i,i->i", ("float64", "float32")), ("i,j->ij", ("int64", "float32")), ("i,i->i", ("bool", "bool")),
])
def test_einsum_dtypes_match_torch(equation, dtypes, torch):
    rng = np.random.default_rng(18)
    shapes = {"ij,jk->ik": [(2, 3), (3, 2)], "ij->": [(2, 3)], "ij->ji": [(2, 3)],
              "i,i->i": [(3,), (3,)], "i,j->ij": [(3,), (2,)]}[equation]
    data = [rng.integers(0, 3, s) for s in shapes]
    y = edutorch.einsum(equation, *[edutorch.tensor(d, dtype=getattr(edutorch, dt)) for d, dt in zip(data, dtypes)])
    ty = torch.einsum(equation, *[torch.tensor(d, dtype=getattr(torch, dt)) for d, dt in zip(data, dtypes)])
    assert_same(y, ty)


EINSUM_BAD = {
    "fewer operands": ("ij,jk->ik", [(2, 3)]),
    "more operands": ("ij->i", [(2, 3), (2,)]),
    "unknown output": ("ij->ik", [(2, 3)]),
    "repeated output": ("ij->ii", [(2, 3)]),
    "too many subscripts": ("ijk->ij", [(2, 3)]),
    "too few subscripts": ("i->i", [(2, 3)]),
    "size mismatch": ("ij,jk->ik", [(2, 3), (4, 5)]),
    "repeated size mismatch": ("ii->i", [(2, 3)]),
    "digit": ("i1->i", [(2, 3)]),
    "double arrow": ("ij-->i", [(2, 3)]),
    "ellipsis mismatch": ("...ij,...jk->...ik", [(2, 3, 4), (5, 4, 2)]),
    "stray dot": ("..i->i", [(3,)]),
    "two ellipses": ("...i...->i", [(3,)]),
    "dtype mismatch": ("ij,jk->ik", [(2, 3), (3, 4)], ("float64", "float32")),
    "bool contraction": ("ij,jk->ik", [(2, 2), (2, 2)], ("bool", "bool")),
    "no operands": ("ij,jk->ik", []),
    "not a tensor": ("ij->i", ["list"]),
}


@pytest.mark.parametrize("name", sorted(EINSUM_BAD))
def test_einsum_errors_have_torch_types(name, torch):
    equation, shapes, *dtypes = EINSUM_BAD[name]
    dtypes = dtypes[0] if dtypes else ("float32",) * len(shapes)

    def call(t):
        ops = [[[1.0]] if s == "list" else t.ones(s, dtype=getattr(t, dt)) for s, dt in zip(shapes, dtypes)]
        return t.einsum(equation, *ops)

    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(edutorch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    if isinstance(theirs.value, RuntimeError) and str(theirs.value).startswith("einsum():"):
        # Same first words as PyTorch (our ellipsis message adds the missing space PyTorch has).
        assert str(ours.value)[:40].replace(" ", "") == str(theirs.value)[:40].replace(" ", "")


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_einsum_random_equations_match_torch(data):
    """Random equations over 1-3 operands, with repeated subscripts, broadcasting and sums."""
    torch = pytest.importorskip("torch")
    letters = "abcd"
    sizes = {c: data.draw(st.integers(1, 3)) for c in letters}
    n_ops = data.draw(st.integers(1, 3))
    terms = [data.draw(st.text(letters, min_size=0, max_size=3)) for _ in range(n_ops)]
    used = sorted(set("".join(terms)))
    output = "".join(data.draw(st.permutations(used))[:data.draw(st.integers(0, len(used)))])
    shapes = []
    for term in terms:  # occasionally a size-1 dimension that broadcasts (not for repeated letters)
        shapes.append(tuple(1 if term.count(c) == 1 and data.draw(st.integers(0, 4)) == 0 else sizes[c]
                            for c in term))
    equation = ",".join(terms) + "->" + output
    _check_against_torch(torch, lambda t, *ops: t.einsum(equation, *ops),
                         _pair(shapes, np.random.default_rng(19)), rtol=1e-7, atol=1e-9)
