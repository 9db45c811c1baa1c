"""Tensor basics: creation, dtypes, Size, conversion, NumPy memory sharing, devices, Python protocols."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import edutorch
from tests.conftest import assert_same


@pytest.mark.parametrize("make", [
    lambda t: t.tensor([1.0, 2.0]),
    lambda t: t.tensor([1, 2]),
    lambda t: t.tensor([True, False]),
    lambda t: t.tensor(3.5),
    lambda t: t.tensor([[1, 2], [3, 4]], dtype=t.float64),
    lambda t: t.tensor(np.array([1.0, 2.0])),
    lambda t: t.tensor(np.array([1, 2], dtype=np.int32)),
    lambda t: t.zeros(2, 3),
    lambda t: t.zeros((2, 3), dtype=t.int64),
    lambda t: t.ones(t.Size([2, 1])),
    lambda t: t.full((2, 2), 7),
    lambda t: t.full((2, 2), 7.0),
    lambda t: t.full((2,), True),
    lambda t: t.eye(3),
    lambda t: t.eye(2, 3),
    lambda t: t.arange(5),
    lambda t: t.arange(1, 4, 0.5),
    lambda t: t.arange(0.0, 1.0, 0.1),
    lambda t: t.arange(10, 0, -3),
    lambda t: t.linspace(0, 1, 5),
    lambda t: t.linspace(-1, 1, 1),
    lambda t: t.logspace(0, 2, 3),
    lambda t: t.logspace(0, 3, 4, base=2),
    lambda t: t.zeros_like(t.ones(2, 2, dtype=t.int32)),
    lambda t: t.ones_like(t.ones(3)),
    lambda t: t.full_like(t.ones(3), 2.5),
    lambda t: t.tensor([[1.0], [2.0]]).T,
    lambda t: t.Tensor([1, 2]),
    lambda t: t.as_tensor([1, 2]),
])
def test_creation_matches_torch(make, torch):
    assert_same(make(edutorch), make(torch))


@pytest.mark.parametrize("make", [
    lambda t: t.rand(3, 4),
    lambda t: t.randn(2, 5, dtype=t.float64),
    lambda t: t.randint(0, 10, (3,)),
    lambda t: t.randint(5, (2, 2)),
    lambda t: t.randperm(6),
    lambda t: t.normal(0.0, 1.0, (4,)),
    lambda t: t.normal(t.zeros(3), t.ones(3)),
    lambda t: t.bernoulli(t.full((5,), 0.5)),
    lambda t: t.multinomial(t.tensor([0.2, 0.3, 0.5]), 2),
    lambda t: t.multinomial(t.tensor([[0.2, 0.8], [0.5, 0.5]]), 4, replacement=True),
    lambda t: t.rand_like(t.ones(2, dtype=t.float64)),
    lambda t: t.randn_like(t.ones(2)),
    lambda t: t.empty(2, 3),
])
def test_random_creation_shapes_and_dtypes_match_torch(make, torch):
    ours, theirs = make(edutorch), make(torch)
    assert tuple(ours.shape) == tuple(theirs.shape) and repr(ours.dtype) == repr(theirs.dtype)


def test_random_values_are_reproducible_and_sensible():
    edutorch.manual_seed(42)
    a = edutorch.randn(10000)
    edutorch.manual_seed(42)
    b = edutorch.randn(10000)
    assert edutorch.equal(a, b)
    assert abs(a.mean().item()) < 0.05 and abs(a.std().item() - 1) < 0.05
    u = edutorch.rand(10000)
    assert 0 <= u.min().item() and u.max().item() < 1
    p = edutorch.randperm(10)
    assert sorted(p.tolist()) == list(range(10))
    draws = edutorch.multinomial(edutorch.tensor([0.0, 1.0, 0.0]), 5, replacement=True)
    assert draws.tolist() == [1] * 5
    distinct = edutorch.multinomial(edutorch.ones(6), 6)
    assert sorted(distinct.tolist()) == list(range(6))


def test_generator_objects_and_rng_state():
    g = edutorch.Generator().manual_seed(3)
    first = edutorch.rand(4, generator=g)
    g.manual_seed(3)
    assert edutorch.equal(first, edutorch.rand(4, generator=g))
    assert g.initial_seed() == 3
    state = edutorch.get_rng_state()
    x = edutorch.rand(3)
    edutorch.set_rng_state(state)
    assert edutorch.equal(x, edutorch.rand(3))
    assert edutorch.initial_seed() == 0  # the autouse fixture seeded 0


def test_default_seeds_follow_pytorch(torch):
    import subprocess
    import sys

    def seeds(module):
        code = f"import {module} as t; print(t.initial_seed(), t.Generator().initial_seed())"
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout.split()

    first, second, theirs = seeds("edutorch"), seeds("edutorch"), seeds("torch")
    assert first[0] != second[0]  # the global generator is seeded from the OS at import, as PyTorch's
    assert first[1] == second[1] == theirs[1]  # a new Generator object starts from PyTorch's fixed seed


def test_size_and_metadata(torch):
    for t in (edutorch, torch):
        x = t.zeros(2, 3, 4)
        assert isinstance(x.shape, t.Size) and isinstance(x.shape, tuple)
        assert x.shape == (2, 3, 4) and x.size() == x.shape and x.size(1) == 3 and x.size(-1) == 4
        assert x.dim() == x.ndim == 3 and x.numel() == 24 and x.shape.numel() == 24
        assert repr(x.shape) == "torch.Size([2, 3, 4])" and repr(x.shape[1:]) == "torch.Size([3, 4])"
        with pytest.raises(IndexError):
            x.size(3)
        assert x.stride() == (12, 4, 1) and x.is_contiguous()
        assert x.element_size() == 4 and x.type() == "torch.FloatTensor"


def test_item_tolist_and_python_conversions(torch):
    for t in (edutorch, torch):
        x = t.tensor([[1.5, 2.0]])
        assert x.tolist() == [[1.5, 2.0]] and t.tensor(2.5).item() == 2.5
        assert isinstance(t.tensor([3]).item(), int)
        with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
            x.item()
        with pytest.raises(RuntimeError, match="ambiguous"):
            bool(x)
        assert float(t.tensor([2.0])) == 2.0 and int(t.tensor(3)) == 3
        assert list(range(10))[t.tensor(2)] == 2
        assert len(x) == 1
        assert [row.tolist() for row in t.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
        assert f"{t.tensor(3.14159):.2f}" == "3.14"


def test_numpy_memory_sharing(torch):
    for t in (edutorch, torch):
        a = np.zeros(3, dtype=np.float32)
        x = t.from_numpy(a)
        a[0] = 5
        assert x[0].item() == 5
        x.add_(1)
        assert a.tolist() == [6.0, 1.0, 1.0]
        n = x.numpy()
        n[1] = 9
        assert x.tolist() == [6.0, 9.0, 1.0]
        c = t.tensor(a)
        a[2] = -1
        assert c.tolist() == [6.0, 9.0, 1.0]  # tensor() copies
        s = t.as_tensor(a)
        a[0] = 0
        assert s[0].item() == 0  # as_tensor shares when it can
        with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
            t.ones(2, requires_grad=True).numpy()
        assert t.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]


def test_from_numpy_rejects_unsupported_dtypes(torch):
    for t in (edutorch, torch):
        with pytest.raises(TypeError):
            t.from_numpy(np.array(["a"]))


def test_dtype_conversions(torch):
    for t in (edutorch, torch):
        x = t.tensor([1.7, -2.2])
        assert x.long().tolist() == [1, -2] and x.int().dtype == t.int32
        assert x.double().dtype == t.float64 and x.half().dtype == t.float16
        assert x.bool().tolist() == [True, True] and x.to(t.int64).dtype == t.int64
        assert x.to(t.float32) is x and x.to("cpu") is x and x.cpu() is x
        assert x.to(t.tensor([1])).dtype == t.int64
        assert x.type(t.float64).dtype == t.float64 and t.float is t.float32 and t.long is t.int64
        assert x.is_floating_point() and not t.tensor([1]).is_floating_point()
        assert t.get_default_dtype() == t.float32
        assert t.promote_types(t.int64, t.float16) == t.float16


def test_cast_is_differentiable(torch):
    for t in (edutorch, torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x.double() * 2
        assert y.dtype == t.float64
        y.sum().backward()
        assert x.grad.dtype == t.float32 and x.grad.tolist() == [2.0, 2.0]


def test_devices(torch):
    for t in (edutorch, torch):
        assert t.device("cpu") == t.zeros(1).device and str(t.zeros(1).device) == "cpu"
        assert repr(t.device("cpu")) == "device(type='cpu')"
        assert repr(t.device("cuda:1")) == "device(type='cuda', index=1)"
        assert t.cuda.is_available() is False and t.cuda.device_count() == 0
        dev = "cuda" if t.cuda.is_available() else "cpu"
        assert t.ones(2).to(dev).device.type == "cpu"
    for action in (lambda t: t.zeros(1).cuda(), lambda t: t.zeros(1).to("cuda"),
                   lambda t: t.zeros(1, device="cuda"), lambda t: t.zeros(1).to("mps")):
        with pytest.raises(Exception) as theirs:
            action(torch)
        with pytest.raises(Exception) as ours:
            action(edutorch)
        assert type(ours.value) is type(theirs.value)
        assert "CPU" in str(ours.value) and "is_available" in str(ours.value)


@pytest.mark.parametrize("query", ["current_device", "get_device_name", "get_device_properties", "synchronize"])
def test_cuda_queries_fail_like_a_cpu_only_torch(torch, query):
    with pytest.raises(Exception) as theirs:
        getattr(torch.cuda, query)(*(() if query in ("current_device", "synchronize") else (0,)))
    with pytest.raises(Exception) as ours:
        getattr(edutorch.cuda, query)(*(() if query in ("current_device", "synchronize") else (0,)))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).startswith(str(theirs.value)) and "is_available()" in str(ours.value)


def test_data_attribute_hides_changes_from_autograd(torch):
    for t in (edutorch, torch):
        w = t.ones(2, requires_grad=True)
        w.data.mul_(3)
        assert w.tolist() == [3.0, 3.0] and w.requires_grad and w._version == 0
        assert not w.data.requires_grad


def test_clone_deepcopy_and_contiguous(torch):
    for t in (edutorch, torch):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        c = x.clone()
        assert c.grad_fn.name() == "CloneBackward0"
        d = copy.deepcopy(x)
        assert d.requires_grad and d.is_leaf and d.tolist() == x.tolist()
        with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
            copy.deepcopy(c)
        m = t.ones(2, 3).t()
        assert not m.is_contiguous() and m.contiguous().is_contiguous()


def test_inplace_fill_and_random_ops_keep_shape_and_dtype():
    x = edutorch.empty(3, 4)
    assert x.fill_(2).tolist() == [[2.0] * 4] * 3
    assert x.zero_().sum().item() == 0
    v = x._version
    x.uniform_(-1, 1)
    assert x._version == v + 1 and -1 <= x.min().item() and x.max().item() < 1
    x.normal_(5, 0.1)
    assert 4 < x.mean().item() < 6 and x.dtype is edutorch.float32
    b = edutorch.empty(1000).bernoulli_(0.25)
    assert set(b.unique().tolist()) <= {0.0, 1.0} if hasattr(b, "unique") else True
    assert 0.15 < b.mean().item() < 0.35
    i = edutorch.zeros(5, dtype=edutorch.int64).random_(0, 3)
    assert i.dtype is edutorch.int64 and 0 <= i.min().item() and i.max().item() < 3
    c = edutorch.zeros(2)
    c.copy_(edutorch.tensor([1, 2]))
    assert c.tolist() == [1.0, 2.0] and c.dtype is edutorch.float32


def test_bad_sizes(torch):
    for t in (edutorch, torch):
        with pytest.raises(RuntimeError, match="Dimension size must be non-negative"):
            t.zeros(-1)
        with pytest.raises(TypeError):
            t.zeros(2.5)
        with pytest.raises(RuntimeError):
            t.arange(0, 10, 0)


@pytest.mark.parametrize("data", [6.8813735870195432, [0.1, 1 / 3], [[2.0 ** -30 + 1.0]]])
def test_tensor_from_python_floats_keeps_float64_precision(torch, data):
    """torch.tensor(x, dtype=float64) converts straight to float64, never through float32."""
    ours = edutorch.tensor(data, dtype=edutorch.float64)
    theirs = torch.tensor(data, dtype=torch.float64)
    assert ours.tolist() == theirs.tolist()
    assert edutorch.as_tensor(data, dtype=edutorch.float64).tolist() == theirs.tolist()
    assert edutorch.tensor(data).tolist() == torch.tensor(data).tolist()   # float32 by default, as torch
