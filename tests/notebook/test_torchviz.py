"""Graph tools written for PyTorch draw edutorch's graphs: torchviz's make_dot, the ``_saved_<name>``
attributes it reads (PyTorch's names for what a node saved), and edutorch.notebook.make_dot, which
draws the same DOT as torchviz with ``params`` and ``show_saved`` on both libraries.

DOT sources are compared as text (no Graphviz binary needed) after renaming node ids, which are id()s,
in order of first appearance."""
import re

import numpy as np
import pytest

import edutorch
from edutorch.notebook import make_dot

torchviz = pytest.importorskip("torchviz")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torchviz imports distutils


def _normalise(source: str) -> str:
    ids: dict = {}
    return re.sub(r"\b\d{6,}\b", lambda m: ids.setdefault(m.group(0), f"node{len(ids)}"), source)


def _mlp(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    x = lib.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    return model, ((model(x).sigmoid() * 2) ** 2).mean()


def _cnn(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                              lib.nn.Linear(8, 3))
    logits = model(lib.ones(2, 1, 6, 6))
    return model, lib.nn.functional.cross_entropy(logits, lib.tensor([0, 2]))


@pytest.mark.parametrize("build", [_mlp, _cnn])
def test_torchviz_make_dot_draws_edutorch_graphs_as_pytorch_graphs(torch, build):
    (_, ours), (_, theirs) = build(edutorch), build(torch)
    a = _normalise(torchviz.make_dot(ours).source)
    b = _normalise(torchviz.make_dot(theirs).source)
    assert a == b
    assert "AccumulateGrad" in a and "fillcolor=lightblue" in a
    both = _normalise(torchviz.make_dot((ours, ours * 2)).source)          # several outputs
    assert both == _normalise(torchviz.make_dot((theirs, theirs * 2)).source)


def test_what_torchviz_needs_pytorch_for(torch):
    """params= asserts torch.Tensor values and show_saved draws what torch.is_tensor accepts:
    edutorch's tensors are not torch's, so those two features need edutorch.notebook.make_dot."""
    model, loss = _mlp(edutorch)
    with pytest.raises(AssertionError):
        torchviz.make_dot(loss, params=dict(model.named_parameters()))
    saved = torchviz.make_dot(loss, show_saved=True).source           # runs, but draws no saved tensors
    assert "orange" not in saved and _normalise(saved) == _normalise(torchviz.make_dot(loss).source)


@pytest.mark.parametrize("build", [_mlp, _cnn])
@pytest.mark.parametrize("show_saved", [False, True])
def test_make_dot_is_torchvizs_dot_on_both_libraries(torch, build, show_saved):
    (m1, ours), (m2, theirs) = build(edutorch), build(torch)
    reference = _normalise(torchviz.make_dot(theirs, params=dict(m2.named_parameters()),
                                             show_saved=show_saved).source)
    assert _normalise(make_dot(theirs, params=dict(m2.named_parameters()), show_saved=show_saved).source) \
        == reference
    if build is _mlp or not show_saved:  # edutorch's conv, pooling and loss nodes keep other values
        assert _normalise(make_dot(ours, params=dict(m1.named_parameters()), show_saved=show_saved).source) \
            == reference
    text = make_dot(ours, params=dict(m1.named_parameters()), show_saved=show_saved).source
    assert '"0.weight\n (4, 3)" fillcolor=lightblue' in text or '"0.weight\n (2, 1, 3, 3)"' in text
    assert ("fillcolor=orange" in text) == show_saved


def test_make_dot_of_a_view_and_of_a_custom_function(torch):
    def program(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        x = lib.ones(2, 3, requires_grad=True)
        return x, Square.apply(x).t()          # a view of a custom Function's output

    (x1, ours), (x2, theirs) = program(edutorch), program(torch)
    a = _normalise(make_dot(ours, params={"x": x1}).source)
    b = _normalise(make_dot(theirs, params={"x": x2}).source)
    assert a == b == _normalise(torchviz.make_dot(theirs, params={"x": x2}).source)
    assert "darkolivegreen3" in a and "style=dotted" in a and "SquareBackward" in a


# ------------------------------------------------------------------- _saved_<name>, as in PyTorch

def _operands(lib):
    rng = np.random.default_rng(0)

    def make(*shape):
        return lib.tensor(rng.normal(size=shape).astype(np.float32), requires_grad=True)

    return make(3, 4), make(3, 4), make(4, 2), make(4)


SAVING_OPS = {
    "mul": lambda L, a, b, m, v: a * b, "div": lambda L, a, b, m, v: a / b,
    "pow": lambda L, a, b, m, v: a ** 3, "pow_tensor": lambda L, a, b, m, v: a.abs() ** b,
    "mm": lambda L, a, b, m, v: a @ m, "addmm": lambda L, a, b, m, v: L.nn.functional.linear(a, m.t(), v[:2]),
    "mv": lambda L, a, b, m, v: L.mv(a, v), "dot": lambda L, a, b, m, v: L.dot(v, v * 2),
    "maximum": lambda L, a, b, m, v: L.maximum(a, b), "minimum": lambda L, a, b, m, v: L.minimum(a, b),
    "tanh": lambda L, a, b, m, v: a.tanh(), "sigmoid": lambda L, a, b, m, v: a.sigmoid(),
    "relu": lambda L, a, b, m, v: a.relu(), "exp": lambda L, a, b, m, v: a.exp(),
    "expm1": lambda L, a, b, m, v: a.expm1(), "log_softmax": lambda L, a, b, m, v: a.log_softmax(1),
    "softmax": lambda L, a, b, m, v: a.softmax(1), "log": lambda L, a, b, m, v: a.abs().log(),
    "log1p": lambda L, a, b, m, v: a.abs().log1p(), "log2": lambda L, a, b, m, v: a.abs().log2(),
    "log10": lambda L, a, b, m, v: a.abs().log10(), "sqrt": lambda L, a, b, m, v: a.abs().sqrt(),
    "rsqrt": lambda L, a, b, m, v: a.abs().rsqrt(), "reciprocal": lambda L, a, b, m, v: a.reciprocal(),
    "sin": lambda L, a, b, m, v: a.sin(), "cos": lambda L, a, b, m, v: a.cos(),
    "tan": lambda L, a, b, m, v: a.tan(), "atan": lambda L, a, b, m, v: a.atan(),
    "abs": lambda L, a, b, m, v: a.abs(), "clamp": lambda L, a, b, m, v: a.clamp(-0.5, 0.5),
    "clamp_min": lambda L, a, b, m, v: a.clamp(min=0.1),
    "leaky_relu": lambda L, a, b, m, v: L.nn.functional.leaky_relu(a),
    "hardtanh": lambda L, a, b, m, v: L.nn.functional.hardtanh(a),
    "elu": lambda L, a, b, m, v: L.nn.functional.elu(a), "gelu": lambda L, a, b, m, v: L.nn.functional.gelu(a),
    "silu": lambda L, a, b, m, v: L.nn.functional.silu(a), "mish": lambda L, a, b, m, v: L.nn.functional.mish(a),
    "softplus": lambda L, a, b, m, v: L.nn.functional.softplus(a),
    "hardsigmoid": lambda L, a, b, m, v: L.nn.functional.hardsigmoid(a),
    "hardswish": lambda L, a, b, m, v: L.nn.functional.hardswish(a),
}


def _saved(node) -> dict:
    out = {}
    for attr in dir(node):
        if attr.startswith("_saved_"):
            value = getattr(node, attr)
            if hasattr(value, "shape") and hasattr(value, "grad_fn"):
                out[attr] = tuple(value.shape)
    return out


@pytest.mark.parametrize("op", sorted(SAVING_OPS))
def test_saved_tensors_have_pytorchs_names(torch, op):
    ours = SAVING_OPS[op](edutorch, *_operands(edutorch)).grad_fn
    theirs = SAVING_OPS[op](torch, *_operands(torch)).grad_fn
    assert type(ours).__name__ == type(theirs).__name__
    assert _saved(ours) == _saved(theirs) != {}


def test_saved_values_are_the_tensors_and_are_freed_by_backward(torch):
    for lib in (edutorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        y = x * w
        assert y.grad_fn._saved_self is x and y.grad_fn._saved_other is w       # inputs: the tensors
        t = x.tanh()
        np.testing.assert_allclose(t.grad_fn._saved_result.detach().numpy(), np.tanh([1.0, 2.0]), rtol=1e-6)
        z = x * lib.tensor(3.0)                                  # only what backward needs is saved
        assert z.grad_fn._saved_self is None
        assert not hasattr(y.grad_fn, "saved_tensors")                  # built-in nodes: _saved_* only
        assert "_saved_self" in dir(y.grad_fn) and "_saved_result" in dir(t.grad_fn)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.grad_fn._saved_self
        with pytest.raises(AttributeError):
            y.grad_fn._saved_nothing
