"""torch.autograd.functional (edutorch/autograd/functional.py): jacobian, hessian, vjp, jvp, hvp, vhp --
same values, result structure (tensor / tuple / tuple of tuples), shapes and graph state as PyTorch's,
the same errors, and Jacobians and Hessians checked against central differences in float64."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
from edutorch.autograd.functional import hessian, jacobian
from tests.conftest import assert_same


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


X, Y, W = _data(3), _data(2, seed=1), _data(2, 3, seed=2)


def _f_vector(t, x):
    return t.tanh(x) * x.sum()


def _f_scalar(t, x):
    return (x ** 3).sum() + (x[0] * x[1]) * x[2]


def _f_two_outputs(t, x, y):
    return x ** 2 * y.sum(), (y.exp() * x[:2]).sum()


def _f_matrix(t, w, x):
    return t.sigmoid(w @ x)


def _f_scalar_two_inputs(t, x, y):
    return (t.sigmoid(x) ** 2).sum() * (y ** 3).sum()


def _f_solve(t, a):
    return t.linalg.solve(a + 3 * t.eye(2), a[:, 0]).pow(2).sum()


# name -> fn(module) returning the result of one call of torch.autograd.functional on module
CASES = {
    "vjp": lambda t: t.autograd.functional.vjp(lambda x: _f_vector(t, x), t.tensor(X), t.tensor(Y[:1].repeat(3))),
    "vjp_scalar_no_v": lambda t: t.autograd.functional.vjp(lambda x: _f_scalar(t, x), t.tensor(X)),
    "vjp_tuples": lambda t: t.autograd.functional.vjp(lambda x, y: _f_two_outputs(t, x, y), (t.tensor(X), t.tensor(Y)),
                                                      (t.ones(3), t.tensor(2.0))),
    "vjp_unused_input": lambda t: t.autograd.functional.vjp(lambda x, y: x * 2, (t.tensor(X), t.tensor(Y)),
                                                            t.ones(3)),
    "vjp_constant_output": lambda t: t.autograd.functional.vjp(lambda x: t.ones(3), t.tensor(X), t.ones(3)),
    "jvp": lambda t: t.autograd.functional.jvp(lambda x: _f_vector(t, x), t.tensor(X), t.tensor(X[::-1].copy())),
    "jvp_tuples": lambda t: t.autograd.functional.jvp(lambda x, y: _f_two_outputs(t, x, y), (t.tensor(X), t.tensor(Y)),
                                                      (t.ones(3), t.tensor([1.0, -1.0]))),
    "jvp_matrix": lambda t: t.autograd.functional.jvp(lambda w, x: _f_matrix(t, w, x), (t.tensor(W), t.tensor(X)),
                                                      (t.ones(2, 3), t.zeros(3))),
    "jvp_single_element_no_v": lambda t: t.autograd.functional.jvp(lambda x: x.exp() * 2, t.tensor([0.5])),
    "jacobian": lambda t: t.autograd.functional.jacobian(lambda x: _f_vector(t, x), t.tensor(X)),
    "jacobian_matrix_input": lambda t: t.autograd.functional.jacobian(lambda w: _f_matrix(t, w, t.tensor(X)),
                                                                      t.tensor(W)),
    "jacobian_tuple_inputs": lambda t: t.autograd.functional.jacobian(lambda w, x: _f_matrix(t, w, x),
                                                                      (t.tensor(W), t.tensor(X))),
    "jacobian_tuples": lambda t: t.autograd.functional.jacobian(lambda x, y: _f_two_outputs(t, x, y),
                                                                (t.tensor(X), t.tensor(Y))),
    "jacobian_tuple_output_one_input": lambda t: t.autograd.functional.jacobian(lambda x: (x * 2, x.sum()),
                                                                                t.tensor(X)),
    "jacobian_unused_input": lambda t: t.autograd.functional.jacobian(lambda x, y: x ** 2, (t.tensor(X), t.tensor(Y))),
    "jacobian_constant": lambda t: t.autograd.functional.jacobian(lambda x: t.ones(2), t.tensor(X)),
    "jacobian_scalar_output": lambda t: t.autograd.functional.jacobian(lambda x: _f_scalar(t, x), t.tensor(X)),
    "jacobian_vectorize": lambda t: t.autograd.functional.jacobian(lambda x: x.exp(), t.tensor(X), vectorize=True),
    "jacobian_forward_mode": lambda t: t.autograd.functional.jacobian(lambda x: x.exp(), t.tensor(X), vectorize=True,
                                                                      strategy="forward-mode"),
    "jacobian_create_graph": lambda t: t.autograd.functional.jacobian(lambda x: x ** 3, t.tensor(X, requires_grad=True),
                                                                      create_graph=True),
    "hessian": lambda t: t.autograd.functional.hessian(lambda x: _f_scalar(t, x), t.tensor(X)),
    "hessian_tuple_inputs": lambda t: t.autograd.functional.hessian(lambda x, y: _f_scalar_two_inputs(t, x, y),
                                                                    (t.tensor(X), t.tensor(Y))),
    "hessian_linear": lambda t: t.autograd.functional.hessian(lambda x: x.sum() * 2, t.tensor(X)),
    "hessian_solve": lambda t: t.autograd.functional.hessian(lambda a: _f_solve(t, a), t.tensor(W[:, :2])),
    "hessian_matrix_input": lambda t: t.autograd.functional.hessian(lambda w: _f_matrix(t, w, t.tensor(X)).sum(),
                                                                    t.tensor(W)),
    "vhp": lambda t: t.autograd.functional.vhp(lambda x: _f_scalar(t, x), t.tensor(X), t.tensor([1.0, 0.0, -2.0])),
    "vhp_tuples": lambda t: t.autograd.functional.vhp(lambda x, y: _f_scalar_two_inputs(t, x, y),
                                                      (t.tensor(X), t.tensor(Y)), (t.ones(3), t.tensor([0.5, 2.0]))),
    "hvp": lambda t: t.autograd.functional.hvp(lambda x: _f_scalar(t, x), t.tensor(X), t.tensor([1.0, 0.0, -2.0])),
    "hvp_tuples": lambda t: t.autograd.functional.hvp(lambda x, y: _f_scalar_two_inputs(t, x, y),
                                                      (t.tensor(X), t.tensor(Y)), (t.ones(3), t.tensor([0.5, 2.0]))),
    "hvp_create_graph": lambda t: t.autograd.functional.hvp(lambda x: _f_scalar(t, x), t.tensor(X, requires_grad=True),
                                                            t.ones(3), create_graph=True),
}


def _assert_same_structure(ours, theirs):
    """Same nesting of tuples, and tensors that agree in shape, dtype, values and graph state."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (type(ours), ours)
        for o, t in zip(ours, theirs):
            _assert_same_structure(o, t)
        return
    assert isinstance(ours, edutorch.Tensor), type(ours)
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)
    assert ours.requires_grad == theirs.requires_grad


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(torch, name):
    _assert_same_structure(CASES[name](edutorch), CASES[name](torch))


def _numerical_jacobian(f, x: np.ndarray, eps=1e-6) -> np.ndarray:
    """d f / d x by central differences: shape f(x).shape + x.shape."""
    columns = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = eps
        step = step.reshape(x.shape)
        columns.append((f(x + step) - f(x - step)) / (2 * eps))
    out_shape = np.shape(f(x))
    return np.stack(columns, axis=-1).reshape(out_shape + x.shape)


@pytest.mark.parametrize("fn, shape", [(_f_vector, (3,)), (lambda t, w: _f_matrix(t, w, t.tensor(X, dtype=t.float64)),
                                                           (2, 3))])
def test_jacobian_matches_finite_differences(fn, shape):
    x = _data(*shape).astype(np.float64)
    ours = jacobian(lambda t: fn(edutorch, t), edutorch.tensor(x)).numpy()
    numeric = _numerical_jacobian(lambda a: fn(edutorch, edutorch.tensor(a)).numpy(), x)
    np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn, shape", [(_f_scalar, (3,)), (_f_solve, (2, 2)),
                                       (lambda t, w: _f_matrix(t, w, t.tensor(X, dtype=t.float64)).sum(), (2, 3))])
def test_hessian_matches_finite_differences_of_the_gradient(fn, shape):
    x = _data(*shape).astype(np.float64)
    ours = hessian(lambda t: fn(edutorch, t), edutorch.tensor(x)).numpy()

    def gradient(a):
        t = edutorch.tensor(a, requires_grad=True)
        (g,) = edutorch.autograd.grad(fn(edutorch, t), t)
        return g.numpy()

    np.testing.assert_allclose(ours, _numerical_jacobian(gradient, x), rtol=1e-6, atol=1e-7)
    flat = ours.reshape(x.size, x.size)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-10, atol=1e-12)  # second derivatives commute


def test_backward_is_a_vector_jacobian_product():
    """x.grad after backward(v) is v^T J, row by row what jacobian returns."""
    x = edutorch.tensor(X, requires_grad=True)
    v = edutorch.tensor([0.5, -1.0, 2.0])
    _f_vector(edutorch, x).backward(v)
    J = jacobian(lambda t: _f_vector(edutorch, t), edutorch.tensor(X))
    np.testing.assert_allclose(x.grad.numpy(), v.numpy() @ J.numpy(), rtol=1e-5)


def test_create_graph_results_can_be_differentiated(torch):
    grads = []
    for module in (edutorch, torch):
        x = module.tensor(X, requires_grad=True)
        _, product = module.autograd.functional.vjp(lambda a: a ** 3, x, module.ones(3), create_graph=True)
        product.sum().backward()  # d/dx sum(3 x^2) = 6 x
        grads.append(x.grad)
    assert_same(*grads)
    np.testing.assert_allclose(grads[0].numpy(), 6 * X, rtol=1e-6)


ERRORS = {
    "inputs_list": lambda t: t.autograd.functional.vjp(lambda a: a * 2, [t.ones(3)], t.ones(3)),
    "inputs_tuple_with_number": lambda t: t.autograd.functional.jacobian(lambda a, b: a * b, (t.ones(3), 2.0)),
    "v_shape": lambda t: t.autograd.functional.vjp(lambda a: a * 2, t.ones(3), t.ones(2)),
    "v_tuple_shape": lambda t: t.autograd.functional.jvp(lambda a, b: a * b, (t.ones(3), t.ones(3)),
                                                         (t.ones(3), t.ones(2))),
    "v_tuple_length": lambda t: t.autograd.functional.jvp(lambda a, b: a * b, (t.ones(3), t.ones(3)), (t.ones(3),)),
    "v_missing_vjp": lambda t: t.autograd.functional.vjp(lambda a: a * 2, t.ones(3)),
    "v_missing_jvp": lambda t: t.autograd.functional.jvp(lambda a: a ** 2, t.ones(3)),
    "v_missing_vhp": lambda t: t.autograd.functional.vhp(lambda a: (a ** 3).sum(), t.ones(3)),
    "output_number": lambda t: t.autograd.functional.vjp(lambda a: 3.0, t.ones(3), t.ones(3)),
    "strict_unused_input": lambda t: t.autograd.functional.jacobian(lambda a, b: a ** 2, (t.ones(3), t.ones(2)),
                                                                    strict=True),
    "strict_constant_output": lambda t: t.autograd.functional.jacobian(lambda a: t.ones(2), t.ones(3), strict=True),
    "strict_vjp": lambda t: t.autograd.functional.vjp(lambda a: t.ones(3), t.ones(3), t.ones(3), strict=True),
    "strict_hessian_linear": lambda t: t.autograd.functional.hessian(lambda a: a.sum(), t.ones(3), strict=True),
    "hessian_vector_output": lambda t: t.autograd.functional.hessian(lambda a: a ** 3, t.ones(3)),
    "hessian_tuple_output": lambda t: t.autograd.functional.hessian(lambda a: (a.sum(), a.sum()), t.ones(3)),
    "hvp_vector_output": lambda t: t.autograd.functional.hvp(lambda a: a ** 3, t.ones(3), t.ones(3)),
    "vhp_vector_output": lambda t: t.autograd.functional.vhp(lambda a: a ** 3, t.ones(3), t.ones(3)),
    "strategy": lambda t: t.autograd.functional.jacobian(lambda a: a ** 2, t.ones(3), strategy="foo"),
    "forward_mode_without_vectorize": lambda t: t.autograd.functional.jacobian(lambda a: a ** 2, t.ones(3),
                                                                                strategy="forward-mode"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(torch, name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(theirs.type) as ours:
        ERRORS[name](edutorch)
    assert str(ours.value) == str(theirs.value).replace("torch.Tensor", "edutorch._tensor.Tensor")
