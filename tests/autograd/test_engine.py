"""The autograd engine: graph introspection, accumulation, retain_graph, hooks, grad modes, in-place
rules, custom Functions, autograd.grad and double backward — each fact checked against PyTorch."""
from __future__ import annotations

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest

import edutorch
from edutorch.autograd import Function


def _both(torch):
    return [("edutorch", edutorch), ("torch", torch)]


def test_graph_introspection_matches_torch(torch):
    seen = {}
    for name, t in _both(torch):
        w = t.tensor([1.0, 2.0], requires_grad=True)
        b = t.tensor([0.5, 0.5], requires_grad=True)
        x = t.tensor([3.0, 4.0])
        y = (w * x + b).exp()
        node = y.grad_fn
        add = node.next_functions[0][0]
        mul = add.next_functions[0][0]
        seen[name] = dict(
            root=node.name(), add=add.name(), mul=mul.name(),
            mul_next=[(n.name() if n is not None else None, i) for n, i in mul.next_functions],
            add_next=[(n.name() if n is not None else None, i) for n, i in add.next_functions],
            leaf=(w.is_leaf, b.is_leaf, x.is_leaf, y.is_leaf),
            requires=(x.requires_grad, y.requires_grad),
            variable_is_w=mul.next_functions[0][0].variable is w,
        )
    assert seen["edutorch"] == seen["torch"]


def test_accumulate_grad_node_is_shared_between_paths():
    w = edutorch.tensor([1.0], requires_grad=True)
    y1, y2 = w * 2, w * 3
    assert y1.grad_fn.next_functions[0][0] is y2.grad_fn.next_functions[0][0]


def test_graph_is_freed_when_dropped():
    w = edutorch.tensor([1.0], requires_grad=True)
    y = (w * 2).exp()
    ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None


def test_gradients_accumulate_and_zero(torch):
    results = {}
    for name, t in _both(torch):
        w = t.tensor([1.0, 2.0], requires_grad=True)
        for _ in range(3):
            (w * w).sum().backward()
        accumulated = w.grad.tolist()
        w.grad.zero_()
        (w * 3).sum().backward()
        results[name] = (accumulated, w.grad.tolist())
    assert results["edutorch"] == results["torch"] == ([[6.0, 12.0]][0], [3.0, 3.0])


def test_each_node_runs_once_with_shared_subexpressions(torch):
    out = {}
    for name, t in _both(torch):
        x = t.tensor([0.5, -1.5], requires_grad=True)
        h = x.exp()
        y = (h * h + h.sin() * h).sum()
        y.backward()
        out[name] = x.grad.tolist()
    np.testing.assert_allclose(out["edutorch"], out["torch"], rtol=1e-6)


def test_second_backward_raises_unless_retain_graph(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        assert x.grad.tolist() == [4.0, 8.0]
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_nonscalar_backward_needs_gradient(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
            (x * 2).backward()
        (x * 2).backward(t.tensor([1.0, 10.0]))
        assert x.grad.tolist() == [2.0, 20.0]


def test_backward_on_tensor_without_grad_raises(torch):
    for _, t in _both(torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            t.ones(2).sum().backward()


def test_non_leaf_grad_warns_and_retain_grad_keeps_it(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        y = (h * h).sum()
        y.backward(retain_graph=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert h.grad is None
        assert any("not a leaf" in str(w.message) for w in caught)
        h2 = x * 2
        h2.retain_grad()
        assert h2.retains_grad
        (h2 * h2).sum().backward()
        assert h2.grad.tolist() == [4.0, 8.0]


def test_tensor_hooks_replace_gradient_and_can_be_removed(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        handle = h.register_hook(lambda g: g * 10)
        leaf_handle = x.register_hook(lambda g: g + 1)
        h.sum().backward()
        assert x.grad.tolist() == [31.0, 31.0]
        handle.remove()
        leaf_handle.remove()
        x.grad = None
        (x * 3).sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]


def test_hook_sees_gradient_and_returning_none_keeps_it(torch):
    seen = {}
    for name, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        grads = []
        y.register_hook(lambda g: grads.append(g.tolist()))
        y.sum().backward()
        seen[name] = (grads, x.grad.tolist())
    assert seen["edutorch"] == seen["torch"]


def test_node_hooks(torch):
    seen = {}
    for name, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        calls = []
        y.grad_fn.register_prehook(lambda go: calls.append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: calls.append(("post", gi[0].tolist(), go[0].tolist())))
        y.backward(t.tensor([1.0, 1.0]))
        seen[name] = calls
    assert seen["edutorch"] == seen["torch"]


def test_grad_modes(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0], requires_grad=True)
        with t.no_grad():
            assert not (x * 2).requires_grad
            with t.enable_grad():
                assert (x * 2).requires_grad
        with t.set_grad_enabled(False):
            assert not t.is_grad_enabled()
        assert t.is_grad_enabled()

        @t.no_grad()
        def f(v):
            return v * 2

        assert not f(x).requires_grad
        t.set_grad_enabled(False)
        assert not (x * 2).requires_grad
        t.set_grad_enabled(True)
        with t.inference_mode():
            y = x * 2
        assert not y.requires_grad and y.is_inference()


def test_no_grad_as_bare_decorator():
    @edutorch.no_grad
    def f(v):
        return v * 2

    assert not f(edutorch.ones(1, requires_grad=True)).requires_grad


def test_inference_tensors_cannot_be_saved(torch):
    for _, t in _both(torch):
        with t.inference_mode():
            a = t.ones(2)
        w = t.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
            a * w
        with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode"):
            a.add_(1)


def test_inplace_on_leaf_requiring_grad(torch):
    for _, t in _both(torch):
        w = t.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            w.add_(1)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            w += 1
        with t.no_grad():
            w -= 0.5 * t.ones(2)
        assert w.tolist() == [0.5, 0.5] and w.is_leaf and w.requires_grad


def test_modified_saved_tensor_raises_at_backward(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = h * h  # saves h
        h.add_(1)
        assert h._version == 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_inplace_rebases_history_and_bumps_version(torch):
    seen = {}
    for name, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        v0 = h._version
        h.mul_(3)
        h.exp_()
        h.sum().backward()
        seen[name] = (h.grad_fn.name(), h._version - v0, x.grad.numpy())
    assert seen["edutorch"][:2] == seen["torch"][:2]
    np.testing.assert_allclose(seen["edutorch"][2], seen["torch"][2], rtol=1e-6)


def test_inplace_result_dtype_rules(torch):
    for _, t in _both(torch):
        i = t.tensor([1, 2])
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            i.add_(1.5)
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            t.ones(3).add_(t.ones(2, 3))
        f = t.ones(2)
        f.add_(t.tensor([1, 2]))
        assert f.dtype == t.float32 and f.tolist() == [2.0, 3.0]


def test_detach_shares_storage_and_version(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        assert not d.requires_grad and d.is_leaf
        d.mul_(2)
        assert x.tolist() == [2.0, 4.0]
        assert x._version == d._version == 1


def test_requires_grad_rules(torch):
    for _, t in _both(torch):
        with pytest.raises(RuntimeError, match="only Tensors of floating point"):
            t.tensor([1, 2]).requires_grad_()
        x = t.ones(2, requires_grad=True)
        y = x * 2
        with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
            y.requires_grad = False
        assert y.detach_() is y and y.is_leaf and not y.requires_grad


def test_backward_inputs_restricts_accumulation(torch):
    for _, t in _both(torch):
        a = t.tensor([1.0], requires_grad=True)
        b = t.tensor([2.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        assert a.grad.tolist() == [2.0] and b.grad is None


def test_autograd_grad(torch):
    for _, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        z = t.tensor([1.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = t.autograd.grad(y, x, retain_graph=True)
        assert g.tolist() == [3.0, 12.0] and x.grad is None
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            t.autograd.grad(y, [x, z], retain_graph=True)
        g, gz = t.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
        assert gz is None
        h = x * 2
        (gh,) = t.autograd.grad((h * h).sum(), h)
        assert gh.tolist() == [4.0, 8.0]


def test_second_derivative(torch):
    out = {}
    for name, t in _both(torch):
        x = t.tensor([0.5, 1.5], requires_grad=True)
        y = (x.sin() * x ** 3).sum()
        (g,) = t.autograd.grad(y, x, create_graph=True)
        (g2,) = t.autograd.grad(g.sum(), x)
        x2 = t.tensor(3.0, requires_grad=True)
        (x2 ** 3).backward(create_graph=True)
        # .grad itself has a graph now (PyTorch names its node CopyBackwards; edutorch keeps the op's node)
        out[name] = (g.detach().numpy(), g2.numpy(), x2.grad.item(), x2.grad.requires_grad)
    for ours, theirs in zip(out["edutorch"], out["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


class MyExp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class ScaleBy(Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


def test_custom_function():
    x = edutorch.tensor([0.0, 1.0], requires_grad=True)
    y = MyExp.apply(x)
    assert y.grad_fn.name() == "MyExpBackward"
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)
    z = ScaleBy.apply(x, 3.0)
    assert z.grad_fn.needs_input_grad == (True, False)
    assert edutorch.autograd.gradcheck(lambda v: ScaleBy.apply(MyExp.apply(v), 2.0),
                                       (edutorch.tensor([0.3, -0.2], dtype=edutorch.float64, requires_grad=True),))
    assert edutorch.autograd.gradgradcheck(lambda v: MyExp.apply(v),
                                           (edutorch.tensor([0.3, -0.2], dtype=edutorch.float64, requires_grad=True),))


def test_custom_function_wrong_number_of_gradients(torch):
    for _, t in _both(torch):
        class Bad(t.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b

            @staticmethod
            def backward(ctx, grad):
                return grad

        a = t.ones(1, requires_grad=True)
        with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
            Bad.apply(a, t.ones(1, requires_grad=True)).backward()


def test_custom_function_mark_dirty():
    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    a = edutorch.ones(2, requires_grad=True)
    b = a * 2
    c = AddOneInPlace.apply(b)
    assert c is b and c.grad_fn.name() == "AddOneInPlaceBackward"
    c.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2 * x

    x = edutorch.tensor([0.5, 1.0], dtype=edutorch.float64, requires_grad=True)
    with pytest.raises(sys.modules["edutorch.autograd.gradcheck"].GradcheckError):
        edutorch.autograd.gradcheck(WrongSquare.apply, (x,))
    assert edutorch.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_calling_a_node_by_hand(torch):
    seen = {}
    for name, t in _both(torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).exp()
        g = y.grad_fn(t.ones(2))
        seen[name] = g.detach().numpy()
    np.testing.assert_allclose(seen["edutorch"], seen["torch"], rtol=1e-6)
