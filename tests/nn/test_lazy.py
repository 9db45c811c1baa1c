"""Lazy modules (LazyLinear, LazyConv1d/2d/3d) and UninitializedParameter, against PyTorch: reprs before and
after the first forward, the class they become, shapes, init bounds, state_dict and load_state_dict."""
from __future__ import annotations

import math

import numpy as np
import pytest

import edutorch
from edutorch import nn
from edutorch.nn.modules.lazy import LazyModuleMixin
from edutorch.nn.parameter import is_lazy
from tests.conftest import assert_same


def _libs(torch):
    return ((edutorch, nn), (torch, torch.nn))


def test_lazy_linear_before_and_after_first_forward(torch):
    seen = []
    for lib, lnn in _libs(torch):
        m = lnn.LazyLinear(4)
        before = (repr(m), repr(m.weight), repr(m.bias), [(k, repr(v)) for k, v in m.state_dict().items()],
                  m.in_features, m.has_uninitialized_params(), isinstance(m.weight, lnn.Parameter),
                  type(m.weight).__name__)
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
            m.weight.shape  # noqa: B018
        y = m(lib.randn(3, 2, 5))
        after = (repr(m), type(m).__name__, type(m.weight).__name__, tuple(m.weight.shape), tuple(m.bias.shape),
                 tuple(y.shape), m.has_uninitialized_params() if hasattr(m, "has_uninitialized_params") else None,
                 len(m._forward_pre_hooks), m.weight.dtype == lib.float32, m.weight.requires_grad)
        seen.append((before, after))
    assert seen[0] == seen[1]
    assert seen[0][0][0] == "LazyLinear(in_features=0, out_features=4, bias=True)"
    assert seen[0][1][1] == "Linear"


def test_lazy_linear_init_bounds_and_training():
    m = nn.LazyLinear(64)
    assert isinstance(m, LazyModuleMixin) and is_lazy(m.weight)
    m(edutorch.randn(8, 50))
    assert type(m) is nn.Linear and not is_lazy(m.weight)
    w, b, bound = m.weight.detach().numpy(), m.bias.detach().numpy(), 1 / math.sqrt(50)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound  # Linear's init, with in_features = 50
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.5 * bound
    # an ordinary Linear now: gradients reach the materialized parameters, an optimizer can step them
    opt = edutorch.optim.SGD(m.parameters(), lr=0.1)
    m(edutorch.randn(8, 50)).pow(2).sum().backward()
    assert m.weight.grad.shape == (64, 50)
    before = m.weight.detach().clone()
    opt.step()
    assert not edutorch.equal(before, m.weight.detach())


def test_lazy_linear_without_bias_and_in_float64(torch):
    for lib, lnn in _libs(torch):
        m = lnn.LazyLinear(3, bias=False)
        assert m.bias is None and repr(m) == "LazyLinear(in_features=0, out_features=3, bias=False)"
        m = lnn.LazyLinear(3).double()  # dtype changes before materialization carry over
        m(lib.randn(2, 7, dtype=lib.float64))
        assert m.weight.dtype == lib.float64 and tuple(m.weight.shape) == (3, 7)


def test_lazy_linear_matches_torch_once_the_weights_are_copied(torch):
    ours, theirs = nn.LazyLinear(4), torch.nn.LazyLinear(4)
    a = np.random.default_rng(0).standard_normal((3, 6)).astype(np.float32)
    ours(edutorch.tensor(a)), theirs(torch.tensor(a))
    ours.load_state_dict({k: edutorch.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert_same(ours(edutorch.tensor(a)), theirs(torch.tensor(a)))


def test_load_state_dict_materializes_a_lazy_module(torch):
    trained = nn.Linear(6, 4)
    for lnn, sd in ((nn, trained.state_dict()),
                    (torch.nn, {k: torch.tensor(v.numpy()) for k, v in trained.state_dict().items()})):
        m = lnn.LazyLinear(4)
        m.load_state_dict(sd)
        assert tuple(m.weight.shape) == (4, 6) and type(m.weight).__name__ == "Parameter"
        assert type(m).__name__ == "LazyLinear"  # still lazy until a forward runs
    m = nn.LazyLinear(4)
    m.load_state_dict(trained.state_dict())
    np.testing.assert_array_equal(m.weight.detach().numpy(), trained.weight.detach().numpy())
    m(edutorch.randn(2, 6))
    assert type(m) is nn.Linear


@pytest.mark.parametrize("cls,args,kw,shape", [
    ("LazyConv1d", (6, 3), {"padding": 1}, (2, 4, 9)),
    ("LazyConv2d", (8, 3), {"groups": 2}, (4, 6, 6)),  # unbatched: in_channels from dim 0
    ("LazyConv2d", (8, 3), {"stride": 2, "bias": False, "padding_mode": "reflect", "padding": 1}, (2, 3, 7, 7)),
    ("LazyConv3d", (5, (1, 3, 3)), {"padding": (0, 1, 1)}, (2, 3, 4, 6, 6)),
    ("LazyConvTranspose1d", (6, 3), {"stride": 2}, (2, 4, 5)),
    ("LazyConvTranspose2d", (8, 3), {"stride": 2, "groups": 2, "output_padding": 1}, (2, 4, 5, 5)),
    ("LazyConvTranspose3d", (4, 2), {"bias": False}, (3, 3, 4, 4)),  # unbatched
])
def test_lazy_conv(torch, cls, args, kw, shape):
    seen = []
    for lib, lnn in _libs(torch):
        m = getattr(lnn, cls)(*args, **kw)
        before = repr(m)
        y = m(lib.randn(*shape))
        seen.append((before, repr(m), type(m).__name__, tuple(m.weight.shape), tuple(y.shape),
                     [(k, tuple(v.shape)) for k, v in m.state_dict().items()]))
    assert seen[0] == seen[1]
    assert seen[0][2] == cls[4:]  # LazyConv2d -> Conv2d


def test_lazy_conv_errors_like_torch(torch):
    for make, shape in ((lambda lnn: lnn.LazyConv2d(8, 3), (6, 6)), (lambda lnn: lnn.LazyConv2d(8, 3, groups=2),
                                                                   (1, 3, 6, 6))):
        with pytest.raises(Exception) as expected:
            make(torch.nn)(torch.randn(*shape))
        with pytest.raises(type(expected.value)) as got:
            make(nn)(edutorch.randn(*shape))
        assert str(got.value).split("size:")[0] == str(expected.value).split("size:")[0]


def test_uninitialized_parameter(torch):
    for lnn in (nn, torch.nn):
        p = lnn.UninitializedParameter()
        assert repr(p) == "<UninitializedParameter>" and p.requires_grad
        p.materialize((2, 3))
        assert type(p) is lnn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
        b = lnn.UninitializedBuffer()
        assert repr(b) == "<UninitializedBuffer>"
        b.materialize((4,))
        assert type(b).__name__ == "Tensor" and tuple(b.shape) == (4,)


def test_using_an_uninitialized_parameter_is_an_error_like_torch(torch):
    for lib, lnn in _libs(torch):
        m = lnn.LazyLinear(3)
        for use in (lambda: lnn.functional.linear(lib.randn(2, 4), m.weight), lambda: m.weight + 1,
                    lambda: m.weight.sum()):
            with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter in"):
                use()


def test_lazy_module_copy_optimizer_and_dtype_before_materialization(torch):
    import copy
    import pickle

    seen = []
    for lib, lnn in _libs(torch):
        m = lnn.LazyLinear(3)
        twin = copy.deepcopy(m)
        restored = pickle.loads(pickle.dumps(lnn.UninitializedParameter()))
        opt = lib.optim.SGD(m.parameters(), lr=0.1)  # before the first forward: it holds the same objects
        m.double()
        m(lib.randn(2, 4, dtype=lib.float64))
        before = m.weight.detach().clone()
        m(lib.randn(2, 4, dtype=lib.float64)).sum().backward()
        opt.step()
        seen.append((type(twin).__name__, repr(twin.weight), repr(restored), str(m.weight.dtype),
                     opt.param_groups[0]["params"][0] is m.weight, bool((before != m.weight.detach()).any())))
    assert seen[0] == seen[1] == [("LazyLinear", "<UninitializedParameter>", "<UninitializedParameter>",
                                   "torch.float64", True, True)][0]
