"""torch.testing (edutorch/testing/): assert_close's verdicts, exception types and messages against
PyTorch's on the same inputs, and make_tensor's shapes, dtypes, ranges and errors."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import edutorch
from edutorch.testing import assert_close, make_tensor

NAN, INF = float("nan"), float("inf")

# each builds (actual, expected, keyword arguments) on module t
CASES = {
    "equal": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0]), {}),
    "float32_within_default": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.000001]), {}),
    "float32_last_element": lambda t: (t.tensor([1.0, 2.0, 3.0]), t.tensor([1.0, 2.0, 3.1]), {}),
    "float32_2d": lambda t: (t.tensor([[1.0, 2.0], [3.0, 4.0]]), t.tensor([[1.0, 2.0], [3.5, 4.2]]), {}),
    "abs_and_rel_at_different_places": lambda t: (t.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                                  t.tensor([[1.0, 2.0], [3.0, 4.0]]).t(), {}),
    "zero_expected": lambda t: (t.tensor([0.0, 2.0]), t.tensor([1e-3, 2.0]), {}),
    "zero_within_atol": lambda t: (t.tensor([0.0, 2.0]), t.tensor([1e-6, 2.0]), {}),
    "one_element": lambda t: (t.tensor([1.0]), t.tensor([2.0]), {}),
    "zero_dim": lambda t: (t.tensor(1.0), t.tensor(2.0), {}),
    "zero_dim_int": lambda t: (t.tensor(1), t.tensor(2), {}),
    "float64": lambda t: (t.tensor([1.0, 2.0], dtype=t.float64), t.tensor([1.0, 2.0 + 1e-6], dtype=t.float64), {}),
    "float64_close": lambda t: (t.tensor([1.0], dtype=t.float64), t.tensor([1.0 + 1e-8], dtype=t.float64), {}),
    "float16": lambda t: (t.tensor([1.0, 2.0]).half(), t.tensor([1.0, 2.5]).half(), {}),
    "float16_close": lambda t: (t.tensor([1.0, 2.0]).half(), t.tensor([1.0, 2.001]).half(), {}),
    "int_exact": lambda t: (t.tensor([1, 2, 3]), t.tensor([1, 2, 4]), {}),
    "uint8": lambda t: (t.tensor([1, 2], dtype=t.uint8), t.tensor([2, 1], dtype=t.uint8), {}),
    "bool": lambda t: (t.tensor([True, False]), t.tensor([True, True]), {}),
    "int_with_atol": lambda t: (t.tensor([1, 2]), t.tensor([1, 3]), {"atol": 2, "rtol": 0}),
    "float_equality": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 3.0]), {"atol": 0, "rtol": 0}),
    "custom_tolerances": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.1]), {"atol": 0.0, "rtol": 0.1}),
    "custom_tolerances_fail": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.5]), {"atol": 0.1, "rtol": 0.1}),
    "dtype_mismatch": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0], dtype=t.float64), {}),
    "dtype_float_int": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1, 2]), {}),
    "dtype_unchecked": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0000001], dtype=t.float64),
                                  {"check_dtype": False}),
    "dtype_unchecked_fail": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.5], dtype=t.float64),
                                       {"check_dtype": False}),
    "dtype_unchecked_int": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1, 2]), {"check_dtype": False}),
    "shape_mismatch": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0, 3.0]), {}),
    "shape_0d_1d": lambda t: (t.tensor(1.0), t.tensor([1.0]), {}),
    "nan": lambda t: (t.tensor([1.0, NAN]), t.tensor([1.0, NAN]), {}),
    "nan_equal": lambda t: (t.tensor([1.0, NAN]), t.tensor([1.0, NAN]), {"equal_nan": True}),
    "inf": lambda t: (t.tensor([1.0, INF]), t.tensor([1.0, INF]), {}),
    "inf_signs": lambda t: (t.tensor([1.0, INF]), t.tensor([1.0, -INF]), {}),
    "empty": lambda t: (t.tensor([]), t.tensor([]), {}),
    "requires_grad_ignored": lambda t: (t.tensor([1.0, 2.0], requires_grad=True), t.tensor([1.0, 2.0]), {}),
    "msg_string": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 3.0]), {"msg": "custom"}),
    "msg_callable": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 3.0]), {"msg": lambda m: "X" + m}),
    "rtol_without_atol": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0]), {"rtol": 1e-3}),
    "atol_without_rtol": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0]), {"atol": 1e-3}),
    "float_scalars": lambda t: (1.0, 1.1, {}),
    "int_scalars": lambda t: (1, 2, {}),
    "int_float_scalars": lambda t: (1, 1.0, {}),
    "int_float_unchecked": lambda t: (2, 2.0, {"check_dtype": False}),
    "inf_scalars": lambda t: (INF, INF, {}),
    "nan_scalars": lambda t: (NAN, NAN, {}),
    "nan_scalars_equal": lambda t: (NAN, NAN, {"equal_nan": True}),
    "bool_scalars": lambda t: (True, False, {}),
    "numpy_scalars": lambda t: (np.float32(1), np.float32(1.5), {}),
    "numpy_arrays": lambda t: (np.array([1.0, 2.0]), np.array([1.0, 2.5]), {}),
    "tensor_vs_list": lambda t: (t.tensor([1.0, 2.0]), [1.0, 2.0], {}),
    "tensor_vs_number": lambda t: (1.0, t.tensor(1.0), {}),
    "strings": lambda t: ("a", "a", {}),
    "none": lambda t: (None, None, {}),
    "none_vs_number": lambda t: (None, 1, {}),
    "tuple_vs_list": lambda t: ((1, 2), [1, 2], {}),
    "sequence_lengths": lambda t: ([1, 2], [1, 2, 3], {}),
    "sequence_of_tensors": lambda t: ([t.tensor(1.0), t.tensor(2.0)], [t.tensor(1.0), t.tensor(2.5)], {}),
    "nested_lists": lambda t: ([[1.0, 2]], [[1.0, 2.5]], {}),
    "mapping": lambda t: ({"a": t.tensor(1.0)}, {"a": t.tensor(1.5)}, {}),
    "mapping_keys": lambda t: ({"a": t.tensor(1.0)}, {"b": t.tensor(1.5)}, {}),
    "mapping_missing_none": lambda t: ({"a": 1, "b": 2}, {"a": 1}, {}),
    "nested_mapping": lambda t: ({"a": [1, {"b": t.tensor(1.0)}]}, {"a": [1, {"b": t.tensor(2.0)}]}, {}),
    "subclass_allowed": lambda t: (t.nn.Parameter(t.ones(2)), t.ones(2), {}),
    "subclass_refused": lambda t: (t.nn.Parameter(t.ones(2)), t.ones(2), {"allow_subclasses": False}),
    "subclass_refused_other_side": lambda t: (t.ones(2), t.nn.Parameter(t.ones(2)), {"allow_subclasses": False}),
    "stride_checked": lambda t: (t.ones(2, 2), t.ones(2, 2).t(), {"check_stride": True}),
    "stride_same": lambda t: (t.ones(2, 3), t.zeros(2, 3) + 1, {"check_stride": True}),
    "nested_with_msg_callable": lambda t: ([t.tensor([1.0, 2.0])], [t.tensor([1.0, 3.0])],
                                           {"msg": lambda m: m.upper()}),
}


def _outcome(module, name):
    actual, expected, kwargs = CASES[name](module)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module.testing.assert_close(actual, expected, **kwargs)
    except Exception as error:  # noqa: BLE001 - the outcome is what we compare
        message = str(error)
        for name in ("edutorch.nn.parameter.Parameter", "torch.nn.parameter.Parameter"):
            message = message.replace(name, "PARAMETER")
        return type(error), message.replace("torch.Tensor", "TENSOR").replace("edutorch._tensor.Tensor", "TENSOR")
    return None, None


@pytest.mark.parametrize("name", sorted(CASES))
def test_assert_close_matches_torch(torch, name):
    assert _outcome(edutorch, name) == _outcome(torch, name)


def test_message_format():
    with pytest.raises(AssertionError) as error:
        assert_close(edutorch.tensor([1.0, 2.0, 3.0]), edutorch.tensor([1.0, 2.0, 3.1]))
    lines = str(error.value).splitlines()
    assert lines[0] == "Tensor-likes are not close!"
    assert lines[2] == "Mismatched elements: 1 / 3 (33.3%)"
    assert lines[3].startswith("Greatest absolute difference: 0.0999") and lines[3].endswith(
        "at index (2,) (up to 1e-05 allowed)")
    assert lines[4].endswith("at index (2,) (up to 1.3e-06 allowed)")


@pytest.mark.parametrize("dtype, rtol, atol", [("float16", 1e-3, 1e-5), ("float32", 1.3e-6, 1e-5),
                                                ("float64", 1e-7, 1e-7)])
def test_default_tolerances_are_the_boundary(dtype, rtol, atol):
    """Just inside atol + rtol * |expected| passes, just outside fails."""
    dt = getattr(edutorch, dtype)
    expected = 4.0
    allowed = atol + rtol * expected
    np_dt = dt.to_numpy().type
    inside = float(np_dt(expected + 0.5 * allowed))
    outside = float(np_dt(expected + 3 * allowed))
    assert_close(edutorch.tensor([inside], dtype=dt), edutorch.tensor([expected], dtype=dt))
    with pytest.raises(AssertionError, match=f"up to {atol} allowed"):
        assert_close(edutorch.tensor([outside], dtype=dt), edutorch.tensor([expected], dtype=dt))


# ------------------------------------------------------------------------------------- make_tensor
@pytest.mark.parametrize("dtype, low, high", [
    ("float32", -9, 9), ("float64", -9, 9), ("float16", -9, 9), ("int64", -9, 10), ("int32", -9, 10),
    ("int8", -9, 10), ("uint8", 0, 10), ("bool", 0, 2),
])
def test_make_tensor_defaults(torch, dtype, low, high):
    ours = make_tensor(20, 30, dtype=getattr(edutorch, dtype if dtype != "bool" else "bool"), device="cpu")
    theirs = torch.testing.make_tensor(20, 30, dtype=getattr(torch, dtype), device="cpu")
    assert tuple(ours.shape) == tuple(theirs.shape) == (20, 30)
    assert repr(ours.dtype) == repr(theirs.dtype)
    values = ours.numpy().astype(np.float64)
    assert values.min() >= low and values.max() < high
    assert len(np.unique(values)) > (1 if dtype == "bool" else 8)  # random, not constant
    assert not ours.requires_grad


def test_make_tensor_arguments(torch):
    for module in (edutorch, torch):
        x = module.testing.make_tensor((3, 4), dtype=module.float32, device="cpu", low=2, high=3,
                                       requires_grad=True)
        assert tuple(x.shape) == (3, 4) and x.requires_grad and x.is_leaf
        assert 2 <= float(x.detach().min()) and float(x.detach().max()) < 3
        y = module.testing.make_tensor(dtype=module.float32, device="cpu")
        assert tuple(y.shape) == ()
        z = module.testing.make_tensor(1000, dtype=module.int8, device="cpu", low=-2, high=2, exclude_zero=True)
        assert set(np.unique(z.numpy())) <= {-2, -1, 1}
        w = module.testing.make_tensor(3, 4, dtype=module.float32, device="cpu", noncontiguous=True)
        assert tuple(w.shape) == (3, 4) and not w.is_contiguous()
        k = module.testing.make_tensor(500, dtype=module.int64, device="cpu", low=0.5, high=2.5)
        assert set(np.unique(k.numpy())) == {1, 2}  # both bounds rounded up


def test_make_tensor_is_seeded():
    edutorch.manual_seed(3)
    a = make_tensor(5, dtype=edutorch.float32, device="cpu")
    edutorch.manual_seed(3)
    b = make_tensor(5, dtype=edutorch.float32, device="cpu")
    assert_close(a, b, rtol=0, atol=0)


MAKE_ERRORS = {
    "low_above_high": lambda t: t.testing.make_tensor(4, dtype=t.float32, device="cpu", low=2, high=1),
    "int_low_equals_high": lambda t: t.testing.make_tensor(4, dtype=t.int64, device="cpu", low=2, high=2),
    "nan_low": lambda t: t.testing.make_tensor(4, dtype=t.float32, device="cpu", low=math.nan),
    "grad_for_int": lambda t: t.testing.make_tensor(3, dtype=t.int64, device="cpu", requires_grad=True),
    "out_of_range": lambda t: t.testing.make_tensor(3, dtype=t.uint8, device="cpu", low=-5, high=-1),
    "no_device": lambda t: t.testing.make_tensor(3, dtype=t.float32),
    "no_dtype": lambda t: t.testing.make_tensor(3, device="cpu"),
}


@pytest.mark.parametrize("name", sorted(MAKE_ERRORS))
def test_make_tensor_errors(torch, name):
    with pytest.raises(Exception) as theirs:
        MAKE_ERRORS[name](torch)
    with pytest.raises(theirs.type) as ours:
        MAKE_ERRORS[name](edutorch)
    assert str(ours.value) == str(theirs.value)


def test_make_tensor_low_equals_high_warns_for_floats(torch):
    for module in (edutorch, torch):
        with pytest.warns(FutureWarning, match="low==high"):
            x = module.testing.make_tensor(3, dtype=module.float32, device="cpu", low=2, high=2)
        assert x.numpy().tolist() == [2.0, 2.0, 2.0]
