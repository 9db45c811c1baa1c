"""The engine as PyTorch shows it: node classes named per op, anomaly mode, post-accumulate hooks."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import edutorch


def _graph_names(root) -> list:
    """type(node).__name__ of every node reachable from root, depth first, as torchviz reads them."""
    names, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(type(node).__name__)
        stack.extend(child for child, _ in node.next_functions)
    return names


PROGRAMS = {
    "arith": lambda t, x, w: ((x * w + 1.0) / 2.0 - x).exp().sum(),
    "linear-relu-ce": lambda t, x, w: t.nn.functional.cross_entropy(
        t.nn.functional.linear(x, w).relu(), t.tensor([0, 1, 2])),
    "shape": lambda t, x, w: (x.t() @ w).reshape(-1).sigmoid().mean(),
    "reduce": lambda t, x, w: (x.max(dim=1).values + w.sum(0)).tanh().sum(),
    "lerp-pow": lambda t, x, w: (t.lerp(x, w, 0.3) ** 2 + t.lerp(x, w, w)).sum(),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_node_classes_are_named_as_pytorchs(name, torch):
    data_x = np.arange(9, dtype=np.float32).reshape(3, 3) / 10
    data_w = np.linspace(-1, 1, 9, dtype=np.float32).reshape(3, 3)
    results = []
    for lib in (edutorch, torch):
        x = lib.tensor(data_x, requires_grad=True)
        w = lib.tensor(data_w, requires_grad=True)
        results.append(_graph_names(PROGRAMS[name](lib, x, w).grad_fn))
    assert results[0] == results[1]


def test_node_class_is_per_op_and_carries_the_name():
    x = edutorch.ones(2, requires_grad=True)
    a, b = x * 2, x * 3
    assert type(a.grad_fn) is type(b.grad_fn) and type(a.grad_fn).__name__ == "MulBackward0"
    assert type((x + 1).grad_fn) is not type(a.grad_fn)
    assert isinstance(a.grad_fn, edutorch.autograd.graph.Node)


def test_custom_function_node_name(torch):
    class Cube(edutorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    y = Cube.apply(edutorch.tensor([2.0], requires_grad=True))
    assert type(y.grad_fn).__name__ == y.grad_fn.name() == "CubeBackward"


def test_detect_anomaly_names_the_op_that_made_nan(torch):
    errors = []
    for lib in (edutorch, torch):
        x = lib.zeros(1, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = (x / x).sum()
                with pytest.raises(RuntimeError) as info:
                    y.backward()
        errors.append(str(info.value))
        texts = [str(w.message) for w in caught]
        assert any("Anomaly Detection has been enabled" in t for t in texts)
        assert any("Error detected in DivBackward0" in t for t in texts)
    assert errors[0] == errors[1] == "Function 'DivBackward0' returned nan values in its 1th output."
    assert not edutorch.autograd.is_anomaly_enabled()


def test_without_anomaly_mode_nan_flows_silently():
    x = edutorch.zeros(1, requires_grad=True)
    (x / x).sum().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_set_detect_anomaly_switch_and_context():
    assert not edutorch.autograd.is_anomaly_enabled()
    with edutorch.autograd.set_detect_anomaly(True):
        assert edutorch.autograd.is_anomaly_enabled()
        assert edutorch.autograd.is_anomaly_check_nan_enabled()
    assert not edutorch.autograd.is_anomaly_enabled()
    edutorch.autograd.set_detect_anomaly(True, check_nan=False)
    try:
        assert edutorch.autograd.is_anomaly_enabled() and not edutorch.autograd.is_anomaly_check_nan_enabled()
        x = edutorch.zeros(1, requires_grad=True)
        (x / x).sum().backward()  # check_nan=False: no error
    finally:
        edutorch.autograd.set_detect_anomaly(False)


def test_post_accumulate_grad_hook_sees_the_updated_grad(torch):
    seen = []
    for lib in (edutorch, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        log = []
        handle = w.register_post_accumulate_grad_hook(lambda p: log.append(p.grad.clone().tolist()))
        (w * w).sum().backward()
        (w * 3).sum().backward()
        handle.remove()
        (w * 3).sum().backward()
        seen.append(log)
        with pytest.raises(RuntimeError):
            (w * 2).register_post_accumulate_grad_hook(lambda p: None)
        with pytest.raises(RuntimeError):
            lib.zeros(1).register_post_accumulate_grad_hook(lambda p: None)
    assert seen[0] == seen[1] == [[2.0, 4.0], [5.0, 7.0]]


def test_post_accumulate_hook_steps_an_optimizer_per_parameter():
    """The idiom PyTorch's tutorial shows: update each parameter as soon as its gradient is ready."""
    model = edutorch.nn.Linear(3, 1)
    before = [p.detach().clone() for p in model.parameters()]
    optimizers = {p: edutorch.optim.SGD([p], lr=0.1) for p in model.parameters()}

    def step(p):
        optimizers[p].step()
        optimizers[p].zero_grad()

    for p in model.parameters():
        p.register_post_accumulate_grad_hook(step)
    model(edutorch.ones(4, 3)).sum().backward()
    for p, old in zip(model.parameters(), before):
        assert p.grad is None
        assert not np.allclose(p.detach().numpy(), old.numpy())


def test_pow_exponent_gradient_at_base_zero_with_create_graph(torch):
    """d(a**b)/db at a = 0 is 0 as PyTorch masks it, with create_graph=True as without."""
    results = []
    for lib in (edutorch, torch):
        a = lib.tensor([0.0, 2.0, 0.0, -1.0], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([2.0, 3.0, 0.5, 2.0], dtype=lib.float64, requires_grad=True)
        plain = lib.autograd.grad((a ** b).sum(), b)[0]
        graphed = lib.autograd.grad((a ** b).sum(), b, create_graph=True)[0]
        assert graphed.requires_grad
        results.append((plain.detach().numpy(), graphed.detach().numpy()))
    for ours, theirs in zip(results[0], results[1]):
        np.testing.assert_allclose(ours, theirs, equal_nan=True)
    np.testing.assert_array_equal(results[0][1][[0, 2]], [0.0, 0.0])
