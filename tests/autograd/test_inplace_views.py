"""In-place writes and views, against PyTorch (issue 19: the fuzzer's in-place categories).

1. A write through one view of a tensor (or into the tensor itself) changes every other view's numbers,
   so their ``grad_fn`` is remade from the base's new history (``AsStridedBackward0``): without it the
   gradient is silently wrong.
2. A tensor saved for backward and then changed in place makes backward raise PyTorch's error.
3. An in-place op with an operand that requires grad makes the written tensor (and its base and the
   base's other views) require grad.
"""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from tests.conftest import assert_raises_like_torch

X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
Y = [[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]]


def _grads(program, lib):
    """Run ``program(lib, x, y)`` on two leaves; their gradients (None kept) and the names it returns."""
    x = lib.tensor(X, requires_grad=True)
    y = lib.tensor(Y, requires_grad=True)
    names = program(lib, x, y)
    grads = [None if t.grad is None else t.grad.detach().numpy().tolist() for t in (x, y)]
    return grads, names


def _name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _views_written_through_one(lib, x, y):
    a = x * 1
    v1, v2 = a[0], a[:, 1]
    v1.mul_(2)
    (v2.sum() + a.sum()).backward()
    return _name(v1), _name(v2), _name(a)


def _base_written_view_reads(lib, x, y):
    b = x.clone()
    v = b.view(-1)
    b.add_(y)
    v.sum().backward()
    return _name(v), _name(b)


def _transposed_view(lib, x, y):
    b = x * 2
    t = b.t()
    b[0].mul_(y[1])
    (t * lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    return _name(t), _name(b)


def _view_of_view(lib, x, y):
    b = x * 1
    w = b[1][1:]
    b.mul_(3)
    (w * lib.tensor([2.0, 5.0])).sum().backward()
    return (_name(w),)


def _view_of_view_written(lib, x, y):
    b = x * 1
    v = b[1]
    w = v[1:]
    w.exp_()
    (b * b).sum().backward()
    return _name(b), _name(v), _name(w)


def _sibling_written_twice(lib, x, y):
    b = x * 1
    top, col = b[0], b[:, 2]
    top.add_(y[0])
    col.mul_(y[:, 0])
    (top * col[0] + b.sum()).sum().backward()
    return _name(top), _name(col), _name(b)


def _written_under_no_grad(lib, x, y):
    b = x * 3
    v = b[:, :2]
    with lib.no_grad():
        b.mul_(2)
    (v * v).sum().backward()  # v reads the new numbers; its gradient goes to b's (unchanged) history
    return (_name(v),)


def _view_used_in_op_then_base_written(lib, x, y):
    b = x * 1
    v = b[0]
    z = v + y[0]  # recorded with v's old node (add saves nothing, so the write is allowed)
    b.add_(1)
    (z.sum() + v.sum()).backward()
    return (_name(v),)


@pytest.mark.parametrize("program", [
    _views_written_through_one, _base_written_view_reads, _transposed_view, _view_of_view,
    _view_of_view_written, _sibling_written_twice, _written_under_no_grad, _view_used_in_op_then_base_written,
])
def test_views_see_in_place_writes_like_torch(torch, program):
    theirs = _grads(program, torch)
    ours = _grads(program, edutorch)
    assert ours[1] == theirs[1]  # grad_fn names
    for mine, their in zip(ours[0], theirs[0]):
        assert (mine is None) == (their is None)
        if mine is not None:
            np.testing.assert_allclose(mine, their, rtol=1e-6)


def test_regenerated_view_node_points_at_the_base_history():
    x = edutorch.tensor(X, requires_grad=True)
    b = x * 1
    v = b[0]
    b.mul_(2)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    assert v.grad_fn.next_functions[0][0] is b.grad_fn
    assert v.grad_fn is v.grad_fn  # made once per write, not per read


def test_retain_grad_follows_the_new_history(torch):
    def program(lib):
        x = lib.tensor(X, requires_grad=True)
        b = x * 1
        b.retain_grad()
        v = b[0]
        v.retain_grad()
        b.mul_(2)
        (v.sum() + b.sum()).backward()
        return b.grad.numpy().tolist(), v.grad.numpy().tolist()

    assert program(edutorch) == program(torch)


def test_multi_output_views_cannot_be_rebased(torch):
    def program(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = x * 1
        p, q = b.split([1, 2])
        b.mul_(2)
        return p.grad_fn

    assert_raises_like_torch(program, torch)
    with pytest.raises(RuntimeError, match="returns multiple views"):
        program(edutorch)


def test_view_made_under_no_grad_cannot_be_rebased(torch):
    def program(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = x * 1
        with lib.no_grad():
            v = b[:2]
        b.mul_(2)
        return v * 2

    assert_raises_like_torch(program, torch)
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        program(edutorch)


def test_views_of_data_are_left_alone():
    """Views of tensors that need no grad (batches, datasets) stay plain after writes to their base."""
    data = edutorch.arange(6.0).reshape(2, 3)
    row = data[0]
    data.mul_(2)
    assert row.grad_fn is None and not row.requires_grad and row.tolist() == [0.0, 2.0, 4.0]


# ------------------------------------------------------------------ 2. saved tensors changed in place
def _modified(lib, case):
    """Save a tensor in a node, change it in place, then run backward."""
    x = lib.tensor([0.5, -2.0, 3.0], requires_grad=True)
    f = F if lib is edutorch else lib.nn.functional
    changed = None
    if case == "exp_output":
        out = changed = x.exp()
    elif case == "tanh_0d_output":
        out = changed = x[0].tanh()
    elif case == "prod_output_through_view":
        out = x.reshape(1, 3).prod(0)
        changed = out[0]
    elif case == "sigmoid_output_through_view":
        out = x.sigmoid()
        changed = out[1:]
    elif case == "mul_operand":
        changed = lib.tensor([1.0, 2.0, 3.0])
        out = x * changed
    elif case == "mse_target":
        changed = lib.tensor([0.0, 1.0, 2.0])
        out = f.mse_loss(x * 1, changed)
    elif case == "nll_weight":
        changed = lib.tensor([1.0, 2.0, 3.0])
        out = f.cross_entropy(x[None], lib.tensor([1]), weight=changed)
    changed.mul_(2)
    out.sum().backward()
    return x.grad


@pytest.mark.parametrize("case", ["exp_output", "tanh_0d_output", "prod_output_through_view",
                                  "sigmoid_output_through_view", "mul_operand", "mse_target", "nll_weight"])
def test_saved_tensor_modified_in_place_raises(torch, case):
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as theirs:
        _modified(torch, case)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as ours:
        _modified(edutorch, case)
    # the message names the tensor's type and shape, and both versions, as PyTorch's does
    shape_part = str(theirs.value).split("]")[0] + "]"
    assert shape_part in str(ours.value)
    assert "is at version" in str(ours.value) and "expected version" in str(ours.value)


def test_saved_tensor_message_names_the_node():
    x = edutorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError) as err:
        y.sum().backward()
    assert ("[torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0 "
            "instead.") in str(err.value)


def test_legitimate_in_place_patterns_still_work(torch):
    def program(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = x * 2
        z = h + 1  # add saves nothing: h may change afterwards
        h.relu_()
        (z.sum() + h.sum()).backward()
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        for _ in range(3):  # an optimizer step under no_grad, then the next forward saves w again
            loss = (w * w).sum()
            loss.backward()
            with lib.no_grad():
                w.sub_(0.1 * w.grad)
            w.grad = None
        return x.grad.numpy().tolist(), w.detach().numpy().tolist()

    ours, theirs = program(edutorch), program(torch)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)


# ------------------------------------------------------------------ 3. requires_grad through in-place ops
def _requires_grad_after(lib, case):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = lib.zeros(3)
    if case == "inplace_op":
        a.mul_(w)
        return a.requires_grad, _name(a), a.is_leaf
    if case == "setitem":
        a[1] = w[0]
        (a * 3).sum().backward()
        return a.requires_grad, _name(a), w.grad.numpy().tolist()
    if case == "view_sees_base":
        v = a[1:]
        a.add_(w)
        (v * 2).sum().backward()
        return v.requires_grad, _name(v), w.grad.numpy().tolist()
    if case == "base_sees_view":
        v = a.view(3, 1)
        other = a[:2]
        v.mul_(w.view(3, 1))
        (other * 2).sum().backward()
        return a.requires_grad, _name(a), other.requires_grad, _name(other), w.grad.numpy().tolist()
    if case == "empty_view":
        b = lib.zeros(2, 3)[::2]
        b[1:].div_(w)
        return b.requires_grad, _name(b)


@pytest.mark.parametrize("case", ["inplace_op", "setitem", "view_sees_base", "base_sees_view", "empty_view"])
def test_in_place_op_makes_tensor_require_grad(torch, case):
    assert _requires_grad_after(edutorch, case) == _requires_grad_after(torch, case)


def test_leaf_that_requires_grad_cannot_be_written(torch):
    def leaf(lib):
        lib.tensor([1.0, 2.0], requires_grad=True).add_(1)

    def leaf_view(lib):
        lib.tensor([1.0, 2.0], requires_grad=True)[0].add_(1)

    for program in (leaf, leaf_view):
        assert_raises_like_torch(program, torch)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        leaf(edutorch)


# ------------------------------------------------------------------ 4. gradients masked with where, not * 0
def _masked_grads(lib, case):
    inf, nan = float("inf"), float("nan")
    x = lib.tensor([-1.0, 2.0, 5.0], requires_grad=True)
    upstream = lib.tensor([inf, 1.0, nan])
    f = F if lib is edutorch else lib.nn.functional
    if case == "relu":
        y = f.relu(x)
    elif case == "clamp":
        y = x.clamp(0, 3)
    elif case == "hardtanh":
        y = f.hardtanh(x)
    elif case == "where":
        y = lib.where(x > 0, x, lib.tensor(0.0))
    elif case == "max_all":
        y = x.max() * upstream
    elif case == "relu_0d_nan_upstream":  # a 0-d gradient (a NumPy scalar) is masked too
        y = f.relu(x[0]) * upstream[2]
    elif case == "relu_of_nan":
        y = f.relu(lib.log(x))  # log(-1) = nan: PyTorch's relu passes the gradient there
    (y if case in ("max_all", "relu_0d_nan_upstream") else y * upstream).sum().backward()
    return x.grad.numpy().tolist()


@pytest.mark.parametrize("case", ["relu", "clamp", "hardtanh", "where", "max_all", "relu_0d_nan_upstream",
                                  "relu_of_nan"])
def test_inf_or_nan_gradient_stays_out_of_masked_positions(torch, case):
    np.testing.assert_array_equal(_masked_grads(edutorch, case), _masked_grads(torch, case))


@pytest.mark.parametrize("values, dim", [
    ([[0.11, -0.85, float("inf"), -1.76], [-1.25, 0.0, 3.0, -2.89]], 1),  # inf: no 0 * inf / inf = nan
    ([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]], 1), ([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]], None), ([[]], 0),
])
def test_prod_gradient_is_the_product_of_the_others(torch, values, dim):
    grads = []
    for lib in (edutorch, torch):
        x = lib.tensor(values, requires_grad=True)
        (x.prod() if dim is None else x.prod(dim)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
