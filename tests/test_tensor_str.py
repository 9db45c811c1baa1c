"""``repr(tensor)`` parity with PyTorch: edutorch/_tensor_str.py must print exactly what PyTorch prints.

Each case builds a PyTorch tensor, copies its numbers and flags into a small stand-in object that has
only the attributes ``tensor_repr`` reads (``_data``, ``dtype``, ``requires_grad``, ``grad_fn``,
``is_leaf``), and compares the two strings. A few tests also go through the real ``edutorch.Tensor``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from edutorch import _dtype  # noqa: E402
from edutorch._tensor_str import get_printoptions, printoptions, set_printoptions, tensor_repr  # noqa: E402

nan, inf = math.nan, math.inf


# ---------------------------------------------------------------------------------- the stand-in
class _StandInDType:
    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"


class _StandInNode:
    def __init__(self, name: str):
        self._name = name

    def name(self) -> str:
        return self._name


class _StandInTensor:
    """Just the attributes of edutorch's Tensor that printing uses."""

    def __init__(self, data: np.ndarray, dtype_name: str, requires_grad=False, grad_fn=None):
        self._data = data
        self.dtype = _StandInDType(dtype_name)
        self.requires_grad = requires_grad
        self.grad_fn = grad_fn
        self.is_leaf = grad_fn is None


def stand_in(t) -> _StandInTensor:
    """The same numbers, dtype and autograd flags as the PyTorch tensor ``t``."""
    data = t.detach().numpy().copy()
    dtype_name = str(t.dtype).removeprefix("torch.")
    assert data.dtype == np.dtype(dtype_name)  # the copy really holds the same kind of numbers
    grad_fn = None if t.grad_fn is None else _StandInNode(t.grad_fn.name())
    return _StandInTensor(data, dtype_name, t.requires_grad, grad_fn)


def assert_prints_like_torch(t) -> None:
    expected = repr(t)
    got = tensor_repr(stand_in(t))
    assert got == expected, f"\nedutorch:\n{got}\npytorch:\n{expected}"


@pytest.fixture
def both_printoptions():
    """Set the same print options in PyTorch and edutorch; restore the defaults afterwards."""

    def set_both(**options):
        torch.set_printoptions(**options)
        set_printoptions(**options)

    yield set_both
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")


# ---------------------------------------------------------------------------------- hand-picked cases
def _grad_leaf(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


CASES = {
    # 0-d
    "scalar-int-mode": lambda: torch.tensor(3.0),
    "scalar-fixed": lambda: torch.tensor(0.5),
    "scalar-neg-int": lambda: torch.tensor(-2),
    "scalar-bool": lambda: torch.tensor(True),
    "scalar-nan": lambda: torch.tensor(nan),
    "scalar-neg-inf": lambda: torch.tensor(-inf),
    "scalar-small-sci": lambda: torch.tensor(1e-5),
    "scalar-zero": lambda: torch.tensor(0.0),
    "scalar-neg-zero": lambda: torch.tensor(-0.0),
    "scalar-float64": lambda: torch.tensor(3.25, dtype=torch.float64),
    "scalar-int8": lambda: torch.tensor(-7, dtype=torch.int8),
    "scalar-huge": lambda: torch.tensor(1e20),
    # 1-D floats
    "int-mode": lambda: torch.tensor([1.0, 2.0, 3.0]),
    "int-mode-aligned": lambda: torch.tensor([1.0, -2.0, 10.0, -100.0]),
    "fixed": lambda: torch.tensor([1.5, -2.25, 0.125]),
    "fixed-rounding": lambda: torch.tensor([0.12345, 0.99999, 9.99996, 0.00015]),
    "zeros": lambda: torch.zeros(4),
    "neg-zero": lambda: torch.tensor([-0.0, 1.0, 0.0]),
    "neg-zero-fixed": lambda: torch.tensor([-0.0, 1.5]),
    # the scientific-notation rule and its boundaries
    "ratio-1000-fixed": lambda: torch.tensor([1.0, 1000.0]),
    "ratio-above-1000-sci": lambda: torch.tensor([1.0, 1000.5]),
    "ratio-1001-int-sci": lambda: torch.tensor([1.0, 1001.0]),
    "max-1e8-not-sci": lambda: torch.tensor([1e8], dtype=torch.float64),
    "max-above-1e8-sci": lambda: torch.tensor([1.5e8]),
    "min-1e-4-not-sci": lambda: torch.tensor([1e-4], dtype=torch.float64),
    "min-below-1e-4-sci": lambda: torch.tensor([0.5e-4, 0.5e-4]),
    "sci-mixed-signs": lambda: torch.tensor([-1e-8, 2.5e10, 0.0, 3.0]),
    "sci-three-digit-exponent": lambda: torch.tensor([1e-300, 1e300, -1.0], dtype=torch.float64),
    # nan and inf
    "nan-with-fixed": lambda: torch.tensor([nan, 1.5, -2.5]),
    "nan-with-int": lambda: torch.tensor([1.0, nan]),
    "nan-wider-than-ints": lambda: torch.tensor([nan, -inf, inf, 2.0]),
    "only-nonfinite": lambda: torch.tensor([inf, -inf, nan]),
    "nan-with-sci": lambda: torch.tensor([1e-8, nan, inf, -inf]),
    "nan-and-zeros": lambda: torch.tensor([0.0, nan, 0.0]),
    # integers and bools
    "ints-negative": lambda: torch.tensor([1, -20, 300, -4000]),
    "ints-int64-large": lambda: torch.tensor([2**62, -(2**63)]),
    "bools": lambda: torch.tensor([True, False, True]),
    "bools-all-true": lambda: torch.tensor([True, True]),
    "bools-2d": lambda: torch.tensor([[True, False], [False, False]]),
    "uint8": lambda: torch.tensor([0, 7, 255], dtype=torch.uint8),
    "int8": lambda: torch.tensor([-128, 0, 127], dtype=torch.int8),
    "int16": lambda: torch.tensor([-32768, 5, 32767], dtype=torch.int16),
    "int32": lambda: torch.arange(-5, 5, dtype=torch.int32),
    # float16 and float64
    "float16": lambda: torch.tensor([0.1, 0.2, 1.0 / 3.0], dtype=torch.float16),
    "float16-int-mode": lambda: torch.tensor([1.0, 2048.0, -3.0], dtype=torch.float16),
    "float16-max": lambda: torch.tensor([65504.0, 1.0], dtype=torch.float16),
    "float16-subnormal": lambda: torch.tensor([6e-8, 1.0], dtype=torch.float16),
    "float16-inf": lambda: torch.tensor([inf, 0.5], dtype=torch.float16),
    "float64": lambda: torch.tensor([1.0 / 3.0, 2.0 / 3.0], dtype=torch.float64),
    "float64-int-mode": lambda: torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64),
    # more dimensions
    "2d": lambda: torch.arange(12.0).reshape(3, 4) / 7,
    "2d-single-column": lambda: torch.tensor([[1.0], [-2.5], [3.0]]),
    "3d": lambda: torch.arange(24).reshape(2, 3, 4),
    "3d-float": lambda: torch.linspace(-1, 1, 24).reshape(2, 3, 4),
    "4d": lambda: torch.arange(48.0).reshape(2, 2, 3, 4) - 20,
    "5d": lambda: torch.arange(32).reshape(2, 2, 2, 2, 2),
    "3d-size-one": lambda: torch.tensor([[[5.5]]]),
    # rows that wrap at linewidth
    "wrap-float": lambda: torch.linspace(-3, 3, 30),
    "wrap-int": lambda: torch.arange(100),
    "wrap-2d": lambda: torch.linspace(0, 1, 90).reshape(3, 30),
    "wrap-3d": lambda: torch.arange(2 * 2 * 40).reshape(2, 2, 40) * 1001,
    "wrap-sci": lambda: torch.logspace(-10, 10, 25),
    "wrap-bool": lambda: torch.arange(40) % 3 == 0,
    # summarised (more than 1000 elements)
    "summarised-1d": lambda: torch.arange(1001),
    "summarised-1d-float": lambda: torch.linspace(0, 1, 2000),
    "summarised-2d": lambda: torch.arange(1600.0).reshape(40, 40) / 3,
    "summarised-3d": lambda: torch.arange(1331).reshape(11, 11, 11),
    "summarised-short-dims": lambda: torch.arange(1200.0).reshape(2, 3, 200),
    "summarised-4d": lambda: torch.arange(4096).reshape(8, 8, 8, 8) - 2000,
    # the huge middle values are not shown, so they must not switch the shown ones to scientific
    "summarised-hidden-big-value": lambda: torch.cat([torch.ones(3), torch.full((1000,), 1e9),
                                                      torch.ones(3)]),
    "summarised-bool": lambda: torch.arange(1100) % 2 == 0,
    "summarised-one-long-dim": lambda: torch.arange(2004.0).reshape(2004, 1),
    "exactly-threshold": lambda: torch.arange(1000),
    # empty
    "empty": lambda: torch.tensor([]),
    "empty-0x3": lambda: torch.zeros(0, 3),
    "empty-2x0x4": lambda: torch.zeros(2, 0, 4),
    "empty-int64": lambda: torch.tensor([], dtype=torch.int64),
    "empty-int64-2d": lambda: torch.zeros(3, 0, dtype=torch.int64),
    "empty-bool": lambda: torch.zeros(0, dtype=torch.bool),
    "empty-float64": lambda: torch.zeros(0, dtype=torch.float64),
    "empty-float16-2d": lambda: torch.zeros(0, 1, dtype=torch.float16),
    "empty-requires-grad": lambda: torch.zeros(0, 2, requires_grad=True),
    # autograd suffixes
    "requires-grad": lambda: _grad_leaf([1.0, 2.0]),
    "requires-grad-float64": lambda: _grad_leaf([1.5, 2.0], torch.float64),
    "requires-grad-scalar": lambda: torch.tensor(2.0, requires_grad=True),
    "grad-fn-mul": lambda: _grad_leaf([1.0, 2.0]) * 3,
    "grad-fn-sum": lambda: (_grad_leaf([1.0, 2.0]) ** 2).sum(),
    "grad-fn-float64-2d": lambda: _grad_leaf([[0.5, 1.0], [1.5, 2.0]], torch.float64).exp(),
    "grad-fn-view": lambda: _grad_leaf([[1.0, 2.0], [3.0, 4.0]]).t(),
    "grad-fn-float16": lambda: _grad_leaf([1.0, 2.0], torch.float16) + 1,
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_hand_picked_cases_print_like_torch(make):
    assert_prints_like_torch(make())


@pytest.mark.parametrize("n", range(4, 14))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.int32])
def test_suffixes_wrap_onto_a_new_line_exactly_where_torch_does(n, dtype):
    # Rows of growing length push "dtype=..." and "grad_fn=<...>" past column 80 at different n.
    leaf = (torch.arange(n) * 1001).to(dtype)
    if dtype.is_floating_point:
        leaf = leaf / 7
        leaf.requires_grad_(True)
        assert_prints_like_torch(leaf)
        assert_prints_like_torch(leaf * 1)
    else:
        assert_prints_like_torch(leaf)


def test_a_suffix_wrap_happens_in_this_range():
    # Guard for the test above: the range really contains both a wrapped and an unwrapped suffix.
    texts = [repr((torch.arange(n) * 1001).double() / 7 * _grad_leaf(1.0)) for n in range(4, 14)]
    assert any(",\n       grad_fn" in s for s in texts)
    assert any(", grad_fn" in s for s in texts)


def test_grad_fn_name_comes_from_the_node():
    node = _StandInNode("MyOp")
    ours = tensor_repr(_StandInTensor(np.array([2.0, 4.0], np.float32), "float32", True, node))
    assert ours == "tensor([2., 4.], grad_fn=<MyOp>)"
    assert repr(_grad_leaf([1.0, 2.0]) * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"


# ---------------------------------------------------------------------------------- print options
def test_default_printoptions_match_torch():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@pytest.mark.parametrize("profile", ["default", "short", "full"])
def test_profiles_set_the_same_options_as_torch(profile, both_printoptions):
    both_printoptions(profile=profile)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert_prints_like_torch(torch.linspace(0, 1, 2000).reshape(40, 50))


def test_set_printoptions_resets_sci_mode_and_printoptions_restores(both_printoptions):
    both_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    both_printoptions(precision=3)  # not passing sci_mode resets it to None, as in PyTorch
    assert get_printoptions()["sci_mode"] is None
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    with printoptions(precision=1, linewidth=30):
        assert get_printoptions()["precision"] == 1
        assert get_printoptions()["linewidth"] == 30
    assert get_printoptions()["precision"] == 3


OPTION_CASES = [
    dict(precision=2),
    dict(precision=0),
    dict(precision=8),
    dict(threshold=5),
    dict(threshold=0),
    dict(edgeitems=1, threshold=10),
    dict(edgeitems=0, threshold=10),
    dict(edgeitems=0),
    dict(linewidth=40),
    dict(linewidth=5),
    dict(linewidth=200),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="short", precision=6),
]
OPTION_TENSORS = {
    "float-2d": lambda: torch.linspace(-2, 2, 60).reshape(6, 10),
    "float-1d-sci": lambda: torch.logspace(-6, 3, 20),
    "ints-3d": lambda: torch.arange(60).reshape(3, 4, 5),
    "zeros-sci": lambda: torch.zeros(3),
    "scalar": lambda: torch.tensor(0.123456789),
    "long-int-mode": lambda: torch.arange(2000.0),
    "float64-grad": lambda: _grad_leaf([[1e-3, 2.0] * 8] * 3, torch.float64) * 2,
}


@pytest.mark.parametrize("options", OPTION_CASES, ids=str)
def test_printoptions_change_output_like_torch(options, both_printoptions):
    both_printoptions(**options)
    for make in OPTION_TENSORS.values():
        assert_prints_like_torch(make())


def test_float64_default_dtype_changes_which_dtype_is_shown():
    old_torch, old_ours = torch.get_default_dtype(), _dtype.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    _dtype.set_default_dtype(_dtype.float64)
    try:
        for t in [torch.tensor([1.5]), torch.tensor([1.5], dtype=torch.float32), torch.zeros(0),
                  torch.zeros(0, dtype=torch.float32), torch.zeros(0, dtype=torch.int64)]:
            assert_prints_like_torch(t)
        assert repr(torch.tensor([1.5], dtype=torch.float32)).endswith("dtype=torch.float32)")
    finally:
        torch.set_default_dtype(old_torch)
        _dtype.set_default_dtype(old_ours)


# ---------------------------------------------------------------------------------- random tensors
_TORCH_DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8,
    "uint8": torch.uint8, "bool": torch.bool,
}


@st.composite
def random_tensors(draw):
    """A PyTorch tensor with a random shape, dtype and numbers chosen to hit every formatting branch."""
    dtype_name = draw(st.sampled_from(list(_TORCH_DTYPES)))
    ndim = draw(st.integers(0, 4))
    # Mostly small dimensions; sometimes long ones, so that rows wrap and big tensors get summarised.
    shape = tuple(draw(st.lists(st.one_of(st.integers(0, 4), st.integers(5, 40)), min_size=ndim,
                                max_size=ndim)))
    if math.prod(shape) > 5000:
        shape = tuple(min(s, 12) for s in shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = math.prod(shape)

    if dtype_name == "bool":
        data = rng.random(size) < draw(st.sampled_from([0.0, 0.5, 1.0]))
    elif dtype_name.startswith(("int", "uint")):
        info = np.iinfo(dtype_name)
        bound = draw(st.sampled_from([1, 10, 1000, 2**40]))
        data = rng.integers(max(info.min, -bound), min(info.max, bound), size, endpoint=True)
    else:
        style = draw(st.sampled_from(["whole", "normal", "wide", "tiny", "huge"]))
        exponent = draw(st.integers(-12, 12))
        if style == "whole":
            data = np.round(rng.normal(0, 10.0**draw(st.integers(0, 9)), size))
        elif style == "normal":
            data = rng.normal(0, 1, size) * 10.0**exponent
        elif style == "wide":
            data = rng.normal(0, 1, size) * 10.0 ** rng.integers(-8, 9, size)
        elif style == "tiny":
            data = rng.normal(0, 1, size) * 1e-40
        else:
            data = rng.normal(0, 1, size) * 1e200
        specials = [0.0, -0.0, nan, inf, -inf]
        if size and draw(st.booleans()):
            spots = rng.integers(0, size, max(1, size // 4))
            data[spots] = rng.choice(specials, len(spots))
    with np.errstate(over="ignore"):  # "huge" overflows float32/float16 to inf on purpose
        data = np.asarray(data).astype(dtype_name).reshape(shape)

    t = torch.from_numpy(data)
    if t.is_floating_point() and draw(st.booleans()):
        t.requires_grad_(True)
        if draw(st.booleans()):
            t = t * 1  # a non-leaf with grad_fn=<MulBackward0>, same numbers
    return t


_fast = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


@_fast
@given(random_tensors())
def test_random_tensors_print_like_torch(t):
    assert_prints_like_torch(t)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(t=random_tensors(), precision=st.integers(0, 7), threshold=st.sampled_from([1000, 20, 3, math.inf]),
       edgeitems=st.integers(0, 4), linewidth=st.sampled_from([80, 10, 37, 120]),
       sci_mode=st.sampled_from([None, True, False]))
def test_random_tensors_under_random_printoptions_print_like_torch(t, precision, threshold, edgeitems,
                                                                   linewidth, sci_mode):
    options = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth,
                   sci_mode=sci_mode)
    torch.set_printoptions(**options)
    set_printoptions(**options)
    try:
        assert_prints_like_torch(t)
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")


# ---------------------------------------------------------------------------------- the real Tensor
def test_edutorch_tensor_repr_uses_these_rules():
    import edutorch

    pairs = [
        (edutorch.tensor([[1.5, 2.0], [3.0, -4.25]]), torch.tensor([[1.5, 2.0], [3.0, -4.25]])),
        (edutorch.tensor([1, 2, 3], dtype=edutorch.int8), torch.tensor([1, 2, 3], dtype=torch.int8)),
        (edutorch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)),
        (edutorch.tensor([1.0, 2.0], requires_grad=True) * 2,
         torch.tensor([1.0, 2.0], requires_grad=True) * 2),
        (edutorch.zeros(0, 3), torch.zeros(0, 3)),
        (edutorch.tensor(2.5, dtype=edutorch.float64), torch.tensor(2.5, dtype=torch.float64)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
