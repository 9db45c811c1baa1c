"""Double backward at edge values (0, negatives, ties, kinks), against PyTorch.

Every op that says ``double_backward = True`` runs its backward on tensors under ``create_graph=True``.
Finite differences cannot judge second derivatives at kinks (relu at 0, abs at 0, max at a tie), so
there the oracle is PyTorch: the gradient of the gradient must match, NaNs included. Smooth points are
also checked with gradgradcheck.
"""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
from edutorch.autograd.function import NumpyFunction

EDGES = np.array([-2.0, -1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 1.0, 2.0, 3.0])  # zeros and ties on purpose
SMOOTH = np.array([0.3, 0.7, 1.1, 1.9, 0.45, 1.3])
MATRIX = np.array([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5], [1.0, 1.0, -2.0]])

# name -> (function of (lib, x), input array, check with gradgradcheck too)
CASES = {
    "add": (lambda t, x: x + x * 2, EDGES, True),
    "sub": (lambda t, x: (x - 3) * x, EDGES, True),
    "mul": (lambda t, x: x * x * x, EDGES, True),
    "div": (lambda t, x: x / (x * x + 1), EDGES, True),
    "div-by-zero": (lambda t, x: 1 / x, EDGES, False),
    "neg": (lambda t, x: -x * x, EDGES, True),
    "pow-scalar": (lambda t, x: x ** 3, EDGES, True),
    "pow-half": (lambda t, x: x ** 0.5, EDGES, False),
    "pow-tensor": (lambda t, x: x.abs() ** x, EDGES, False),
    "rpow": (lambda t, x: 2 ** x, EDGES, True),
    "exp": (lambda t, x: x.exp(), EDGES, True),
    "expm1": (lambda t, x: x.expm1(), EDGES, True),
    "log": (lambda t, x: x.log(), EDGES, False),
    "log2": (lambda t, x: x.log2(), EDGES, False),
    "log10": (lambda t, x: x.log10(), EDGES, False),
    "log1p": (lambda t, x: x.log1p(), EDGES, False),
    "sqrt": (lambda t, x: x.sqrt(), EDGES, False),
    "rsqrt": (lambda t, x: x.rsqrt(), EDGES, False),
    "reciprocal": (lambda t, x: x.reciprocal(), EDGES, False),
    "sin-cos-tan": (lambda t, x: x.sin() * x.cos() + x.tan(), EDGES, True),
    "atan": (lambda t, x: x.atan(), EDGES, True),
    "abs": (lambda t, x: x.abs() * x, EDGES, False),
    "sign": (lambda t, x: x.sign() * x * x, EDGES, False),
    "rounding": (lambda t, x: x.floor() * x + x.ceil() * x + x.round() * x + x.trunc() * x, EDGES, False),
    "clamp": (lambda t, x: x.clamp(-1, 1) * x, EDGES, False),
    "maximum-minimum": (lambda t, x: t.maximum(x, x.flip(0)) * x + t.minimum(x, x * 0) * x, EDGES, False),
    "where": (lambda t, x: t.where(x > 0, x * x, x * 3), EDGES, False),
    "lerp": (lambda t, x: t.lerp(x, x * x, 0.25) + t.lerp(x, x * 2, x), EDGES, True),
    "relu": (lambda t, x: x.relu() * x, EDGES, False),
    "sigmoid-tanh": (lambda t, x: x.sigmoid() * x.tanh(), EDGES, True),
    "softmax": (lambda t, x: x.reshape(2, 5).softmax(1) * x.reshape(2, 5), EDGES, True),
    "log-softmax": (lambda t, x: x.reshape(2, 5).log_softmax(1) * x.reshape(2, 5), EDGES, True),
    "logsumexp": (lambda t, x: x.reshape(2, 5).logsumexp(1) * x[:2], EDGES, True),
    "sum-mean": (lambda t, x: (x.reshape(2, 5).sum(1) * x.mean()).sum() * x + x.sum() * x, EDGES, True),
    "matmul": (lambda t, x: (x @ x) @ x, MATRIX, True),
    "mm-mv-dot": (lambda t, x: t.mm(x, x).sum() * t.mv(x, x[0]) + t.dot(x[1], x[2]) * x[0], MATRIX, True),
    "bmm-outer": (lambda t, x: t.bmm(x.unsqueeze(0), x.unsqueeze(0)) * t.outer(x[0], x[1]), MATRIX, True),
    "einsum": (lambda t, x: t.einsum("ij,jk->ik", x, x * x), MATRIX, True),
    "diag-trace-tri": (lambda t, x: t.diag(x) * t.trace(x * x) + t.tril(x * x).sum() + t.triu(x, 1) * x,
                       MATRIX, True),
    "diag-embed": (lambda t, x: t.diag_embed(x * x) * x[0], MATRIX, True),
    "shape-ops": (lambda t, x: t.cat([x.t() * x, x.flip(0), x.roll(1, 0), x.repeat(1, 1)]).view(-1)[:18]
                  * t.stack([x, x]).permute(1, 0, 2).reshape(-1), MATRIX, True),
    "split-unbind": (lambda t, x: x.split(1)[0] * x.unbind(1)[2] + x.chunk(3, 1)[1].squeeze(1) * x[1], MATRIX, True),
    "expand-squeeze": (lambda t, x: x[:, :1].expand(3, 3) * x.unsqueeze(0).squeeze(0) * x.unsqueeze(0).squeeze()
                       * x.unsqueeze(0).unsqueeze(1).squeeze((0, 1)), MATRIX, True),
    "transpose-split": (lambda t, x: x.transpose(0, 1) * t.cat(x.split([1, 2])), MATRIX, True),
    "vector-matrix": (lambda t, x: (x[0] @ x) * x.reshape(-1)[:3], MATRIX, True),
    "mean-dim": (lambda t, x: x.reshape(2, 5).mean(1).sum() * x, EDGES, True),
    "index-slice": (lambda t, x: x[1:, ::2] * x[0, 1] * x[..., 0:2].sum(), MATRIX, True),
    "masked-fill": (lambda t, x: x.masked_fill(x > 0.5, 2.0) * x, MATRIX, False),
    "masked-fill-tensor": (lambda t, x: x.masked_fill(x > 0.5, x[0, 0]) * x, MATRIX, False),
    "clone-copy": (lambda t, x: x.clone() * x.to(t.float64), MATRIX, True),
}


def _second_derivative(lib, fn, data):
    x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
    y = fn(lib, x)
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    if not g.requires_grad:  # the first derivative does not depend on x (a linear function)
        return g.detach().numpy(), np.zeros_like(data)
    (gg,) = lib.autograd.grad(g.sum(), x, allow_unused=True)
    return g.detach().numpy(), (np.zeros_like(data) if gg is None else gg.numpy())


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_matches_pytorch(name, torch):
    fn, data, _ = CASES[name]
    ours = _second_derivative(edutorch, fn, data)
    theirs = _second_derivative(torch, fn, data)
    for what, a, b in zip(("first", "second"), ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=f"{what} derivative")


@pytest.mark.parametrize("name", sorted(n for n, (_, _, smooth) in CASES.items() if smooth))
def test_gradgradcheck_at_smooth_points(name):
    fn, data, _ = CASES[name]
    points = np.resize(SMOOTH, data.shape)  # away from zeros, ties and kinks
    x = edutorch.tensor(points, dtype=edutorch.float64, requires_grad=True)
    assert edutorch.autograd.gradgradcheck(lambda t: fn(edutorch, t), (x,))


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _node_names(root, seen=None) -> set:
    seen = set() if seen is None else seen
    if root is None or id(root) in seen:
        return set()
    seen.add(id(root))
    names = {type(root).__name__}
    for child, _ in root.next_functions:
        names |= _node_names(child, seen)
    return names


# Double-backward ops reached through other public functions than the table's, or internal helpers.
NOT_IN_TABLE = {  # (the backward of diagonal is itself an op, reached only in a third derivative)
    "DiagonalBackwardBackward0",
    "DiagonalBackward0", "DiagonalBackward0_copy", "PlaceInZerosBackward0", "ToCopyBackward0",
    "UnsafeViewBackward0", "MatmulTransposedFoldBackward0", "MatmulTransposedFoldNoCopyBackward0",
    "_RoundingBackward0", "CloneBackward0", "AliasBackward0",
}
CORE_MODULES = ("activation", "arithmetic", "reduction", "linalg", "shape", "diag_tri", "indexing")


def test_the_table_covers_every_core_double_backward_op():
    """A new op that claims double backward must be added to CASES (or to NOT_IN_TABLE, with a reason)."""
    covered = set()
    for fn, data, _ in CASES.values():
        x = edutorch.tensor(data, dtype=edutorch.float64, requires_grad=True)
        covered |= _node_names(fn(edutorch, x).grad_fn)
    claims = {cls._node_class.__name__ for cls in _all_subclasses(NumpyFunction)
              if cls.double_backward and cls.__module__.split(".")[-1] in CORE_MODULES}
    missing = sorted(claims - covered - NOT_IN_TABLE)
    assert not missing, f"double-backward ops with no edge-value case: {missing}"
