"""Disagreements with PyTorch that the differential fuzzer has found and that are not fixed yet.

Each entry matches a category of ``Disagreement`` (tests/fuzz/programs.py: kind, op, exception types and
messages, the two results as text) and carries one small example program that shows it. The fuzz test
fails on a disagreement no entry matches; ``test_known_disagreement_still_reproduces`` fails when an
example no longer disagrees: then the defect is fixed and its entry should go. FINDINGS.md describes them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

INPLACE = ("add_", "mul_", "sub_", "div_", "clamp_", "zero_", "fill_", "relu_", "exp_", "iadd", "copy_", "neg_",
           "setitem")


@dataclass(frozen=True)
class Known:
    name: str
    description: str
    kinds: tuple
    ops: tuple  # op tags of the step at fault; () = any op
    when: Callable = lambda d: True
    example: tuple = ((), ())  # (input lines, ((op, code), ...))

    def matches(self, d) -> bool:
        return d.kind in self.kinds and (not self.ops or d.op in self.ops) and bool(self.when(d))


def _theirs_has(*texts):
    return lambda d: any(t in d.theirs for t in texts)


def _ours_has(*texts):
    return lambda d: any(t in d.ours for t in texts)


def _no_inf_sign(text: str) -> str:
    return text.replace(" ", "").replace("-inf", "inf")


KNOWN: list[Known] = []


def _k(name, description, kinds, ops=(), when=lambda d: True, example=((), ())):
    KNOWN.append(Known(name, description, tuple(kinds), tuple(ops), when, example))


_TORCH_ONLY = ("torch_raises", "exception", "backward_torch_raises", "backward_exception")

# ---- errors PyTorch raises and edutorch does not (or raises as another type) --------------------------------
_k("bool_subtraction", "PyTorch forbids `-` with a bool tensor (also inside pow's backward); edutorch subtracts",
   _TORCH_ONLY, when=_theirs_has("with a bool tensor is not supported", "with two bool tensors is not supported"))
_k("saved_input_not_kept", "a tensor PyTorch's node saves but edutorch's does not keep (avg_pool2d's input, "
   "maximum's integer operand) is modified in place before backward: PyTorch's backward raises, edutorch's does "
   "not notice", ["backward_torch_raises", "backward_exception"], when=_theirs_has("modified by an inplace operation"))
_k("clamp_mixed_bounds", "clamp with one tensor and one number bound: PyTorch raises TypeError, edutorch clamps",
   _TORCH_ONLY, ["clamp"], when=lambda d: d.theirs_type == "TypeError")
_k("zero_dim_any_dim", "0-d tensors accept any dim in edutorch (softmax, log_softmax, flatten...); PyTorch raises "
   "IndexError (Dimension out of range)", _TORCH_ONLY, when=_theirs_has("Dimension out of range"))
_k("reduction_check_order", "amax over an empty dim listed twice: PyTorch first rejects the empty reduction "
   "(IndexError), edutorch the repeated dim (RuntimeError)", ["exception"], ["amax", "sum", "mean"],
   when=_theirs_has("to have non-zero size"))
_k("setitem_check_order", "setitem with an out-of-range tensor index and a value of the wrong shape: PyTorch "
   "reports the shape mismatch (RuntimeError), edutorch the index (IndexError)", ["exception"], ["setitem"],
   when=lambda d: d.ours_type == "IndexError" and d.theirs_type == "RuntimeError")
_k("slice_step_check_order", "a slice with a negative step is rejected by PyTorch (ValueError) before other index "
   "checks; edutorch first raises IndexError", ["exception"], ["index", "setitem"],
   when=_theirs_has("step must be greater than zero"))
_k("clamp_int_tensor_bounds_backward", "clamp of an int tensor with float tensor bounds that broadcast it: PyTorch's "
   "backward raises (output with shape [] doesn't match), edutorch's works", _TORCH_ONLY, ["clamp"],
   when=_theirs_has("doesn't match the broadcast shape"))
_k("internal_overlap", "in-place op or copy_ whose source overlaps the destination in memory (x.div_(x[::2]), "
   "x.unsqueeze(0).copy_(x)): PyTorch raises 'unsupported operation', edutorch computes",
   _TORCH_ONLY, when=_theirs_has("refer to a single memory location"))
_k("index_put_dtype", "setitem with a tensor index and a value of another dtype: PyTorch raises (Index put requires "
   "the source and destination dtypes match), edutorch casts", _TORCH_ONLY, when=_theirs_has("Index put requires"))
_k("full_nan_int", "torch.full with nan and an integer dtype: PyTorch raises (cannot be converted), edutorch "
   "makes a tensor", _TORCH_ONLY, ["full"])
_k("zero_dim_error_type", "narrow/split/chunk/gather on a 0-d tensor: edutorch raises IndexError (tuple index out "
   "of range), PyTorch RuntimeError", ["exception"], ["narrow", "split", "chunk", "gather", "scatter"],
   when=lambda d: d.ours_type == "IndexError" and d.theirs_type == "RuntimeError")

# ---- errors edutorch raises and PyTorch does not ------------------------------------------------------------------
_k("zero_dim_dims", "0-d tensors: PyTorch accepts dim 0/-1 (flip, transpose, movedim, gather, scatter, .T); "
   "edutorch raises", ["edu_raises"], ["flip", "transpose", "movedim", "gather", "scatter", "t"])
_k("double_ellipsis", "indexing with two Ellipses: PyTorch accepts `x[..., ...]`, edutorch raises IndexError",
   ["edu_raises", "exception"], ["index", "setitem"], when=_ours_has("single ellipsis"))
_k("matmul_empty_dtype", "matmul/bmm of float32 and float64 when a dimension is 0: PyTorch returns an empty "
   "result, edutorch raises its dtype error", ["edu_raises"], ["matmul", "bmm", "mm"],
   when=_ours_has("same dtype", "expected scalar type"))

_k("saved_version_overstrict", "edutorch's backward raises the in-place version error where PyTorch's does not "
   "need the modified tensor (einsum 'ii->i' on a slice, remainder's integer divisor)",
   ["backward_edu_raises"], when=_ours_has("modified by an inplace operation"))
_k("setitem_empty_advanced_bounds", "setitem with an out-of-range tensor index combined with an empty slice: PyTorch "
   "writes nothing, edutorch raises IndexError", ["edu_raises"], ["setitem", "index"],
   when=_ours_has("out of bounds"))
_k("advanced_index_layout", "the result of advanced indexing on a non-contiguous tensor is not contiguous in "
   "edutorch, so .view raises where PyTorch's (a fresh contiguous tensor) works", ["edu_raises"], ["view"],
   when=_ours_has("view size is not compatible"))
_k("overlap_check_false_positive", "in-place op or setitem on an expanded tensor (0-d .expand(()), empty tensors, "
   "index_put into .expand(2)): edutorch raises its memory-overlap error, PyTorch writes", ["edu_raises"],
   when=_ours_has("refers to a single memory location"))
_k("cross_entropy_empty_kdim", "cross_entropy of an empty batch with extra dims (input (0, C, d), reduction='none'): "
   "edutorch's reshape fails, PyTorch returns an empty loss", ["edu_raises"], ["cross_entropy", "nll_loss"],
   when=_ours_has("is invalid for input of size 0"))
_k("int_zero_division_empty", "integer division by zero of an empty tensor: PyTorch returns an empty tensor, "
   "edutorch raises ZeroDivisionError", ["edu_raises"], when=_ours_has("ZeroDivisionError"))
_k("empty_dim_check", "an empty tensor with an out-of-range dim: PyTorch returns (roll; cat of 1-D empty tensors, "
   "its legacy rule), edutorch raises IndexError", ["edu_raises"], ["roll", "cat"],
   when=lambda d: d.ours_type == "IndexError")

# ---- different results ------------------------------------------------------------------------------------------
_k("cat_empty_requires_grad", "cat with an empty tensor that requires grad: PyTorch's result requires grad and the "
   "empty input gets an (empty) grad; edutorch's result does not / its grad stays None",
   ["requires_grad", "grad"], ["cat", "stack"])
_k("floor_divide_float", "floor_divide of floats disagrees at rounding boundaries, signed zeros and division "
   "by zero (-inf // 0: PyTorch nan, edutorch -inf)", ["value"], ["floor_divide", "div"])
_k("clamp_number_beside_tensor_bound", "clamp with a number bound beside a 0-d tensor bound of a wider float "
   "dtype: PyTorch keeps the input's float32, edutorch promotes to the bound's float64", ["dtype"], ["clamp"])
_k("clamp_bound_grad", "clamp's gradient to tensor bounds (ties x == min == max) differs from PyTorch's",
   ["grad"], ["clamp"])
_k("bce_logits_dtype", "binary_cross_entropy_with_logits(float64 input, float32 target): PyTorch's result is "
   "float32, edutorch's float64", ["dtype"], ["binary_cross_entropy_with_logits"])
_k("binary_max_min_nan_grad", "maximum/minimum/max(a, b)/min(a, b) where an input is nan: the gradients differ "
   "(in the examples PyTorch's is the full gradient to both inputs, edutorch's half or none)",
   ["grad"], ["maximum", "minimum", "max", "min"])
_k("var_std_grad_degenerate", "var/std gradient when N <= correction (PyTorch: inf or 0 with its signs, edutorch: "
   "nan or other signs)", ["grad"], ["var", "std"])
_k("conv2d_nonfinite", "conv2d with nan/inf in input or weight: edutorch's output is nan in places where "
   "PyTorch's is finite (seen with padding and groups)", ["value", "grad"], ["conv2d"],
   when=lambda d: "nan" in d.ours + d.theirs or "inf" in d.ours + d.theirs)
_k("lerp_inf", "lerp with infinite inputs: PyTorch's formula (end - (end - start) * (1 - w) for w >= 0.5) gives "
   "inf where edutorch's start + w * (end - start) gives nan", ["value"], ["lerp"])
_k("ignored_target_nonfinite", "cross_entropy/nll_loss with ignored (or zero-weight) rows: edutorch's loss or "
   "gradient is nan where PyTorch's is finite (every row ignored, with label_smoothing; an ignored row "
   "holding inf)", ["value", "grad"], ["cross_entropy", "nll_loss"],
   when=lambda d: d.ours.count("nan") > d.theirs.count("nan"))
_k("inf_sign", "results or gradients that differ only in the sign of infinities: a signed zero upstream (e.g. "
   "remainder(0, -3) is -0.0 in edutorch, +0.0 in PyTorch) then 1/x, log or pow turn it into -inf vs inf",
   ["value", "grad"], when=lambda d: d.ours != d.theirs and _no_inf_sign(d.ours) == _no_inf_sign(d.theirs))
_k("max_pool2d_all_padding_window", "max_pool2d with dilation whose window lies entirely in the padding: PyTorch "
   "gives -inf with out-of-range indices, routes the gradient to arbitrary elements and can corrupt its heap "
   "(the worker dies in PyTorch, at that step or later): suspect PyTorch, not edutorch", ["value", "grad", "crash"],
   when=lambda d: (d.op == "max_pool2d" and "dilation" in d.code)
   or (d.kind == "crash" and ("in torch" in d.theirs or "after PyTorch ran max_pool2d" in d.theirs)))
_k("pow_zero_exponent_grad", "d(a**b)/da at a == 0 with a bool/zero exponent: PyTorch gives nan, edutorch a number",
   ["grad"], ["pow"], when=lambda d: d.theirs.count("nan") > d.ours.count("nan"))


# One example per entry: the shrunk program the fuzzer found (tests/fuzz/programs.py runs it on both engines).
_EXAMPLES = {
    "zero_dim_dims": (
        [
            "a0 = torch.tensor(2, dtype=torch.int64)",
            "x0 = a0",
        ],
        [
            ("movedim", "v0 = torch.movedim(x0, 0, -1)"),
        ],
    ),
    "clamp_mixed_bounds": (
        [
            "a0 = torch.tensor([-2.85], dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("clamp", "v0 = x0.clamp(1, x0)"),
        ],
    ),
    "double_ellipsis": (
        [
            "a0 = torch.tensor(1.48, dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("index", "v0 = x0[..., ...]"),
        ],
    ),
    "bce_logits_dtype": (
        [
            "a0 = torch.tensor(2.0, dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("to", "v0 = x0.to(dtype=torch.float64)"),
            ("binary_cross_entropy_with_logits", "a1 = torch.tensor(0.0, dtype=torch.float32)\nv1 = F.binary_cross_entropy_with_logits(v0, a1)"),  # noqa: E501
        ],
    ),
    "var_std_grad_degenerate": (
        [
            "a0 = torch.tensor([1.5, -2.0], dtype=torch.float32, requires_grad=True)",
            "x0 = a0",
        ],
        [
            ("var", "v0 = x0.var(correction=2)"),
        ],
    ),
    "zero_dim_error_type": (
        [
            "a0 = torch.tensor(True, dtype=torch.bool)",
            "x0 = a0",
        ],
        [
            ("split", "v0 = x0.split(2, dim=0)"),
        ],
    ),
    "clamp_bound_grad": (
        [
            "a0 = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)",
            "x0 = a0",
        ],
        [
            ("clamp", "a1 = torch.tensor(2.0, dtype=torch.float32, requires_grad=True)\nx1 = a1\nv1 = x0.clamp(x1, x1)"),  # noqa: E501
        ],
    ),
    "bool_subtraction": (
        [
            "a0 = torch.tensor(3.0, dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("sub", "v0 = x0 - True"),
        ],
    ),
    "slice_step_check_order": (
        [
            "a0 = torch.tensor(2.0, dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("neg_", "v0 = x0.neg_()\nv0 = x0"),
            ("index", "v1 = v0[:-1:-1]"),
        ],
    ),
    "lerp_inf": (
        [
            "a0 = torch.tensor([[[-2.0, -inf]], [[0.81, -1.93]]], dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("lerp", "a2 = torch.tensor([[[[-0.2, 1.91]], [[1.86, 0.32]]]], dtype=torch.float32)\nx2 = a2\na3 = torch.tensor([[[[inf], [1.17]], [[-1.95], [-3.0]]], [[[2.47], [2.0]], [[-inf], [-1.28]]]], dtype=torch.float32, requires_grad=True)\nx3 = a3.transpose(-1, -2)\nv1 = torch.lerp(x0, x2, x3)"),  # noqa: E501
        ],
    ),
    "zero_dim_any_dim": (
        [
            "a0 = torch.tensor(4, dtype=torch.int64)",
            "x0 = a0",
        ],
        [
            ("flatten", "v0 = torch.flatten(x0, 0, 5)"),
        ],
    ),
    "floor_divide_float": (
        [
            "a0 = torch.tensor([[-inf, 0.22, -inf]], dtype=torch.float64)",
            "x0 = a0",
        ],
        [
            ("bool", "v0 = x0.bool()"),
            ("floor_divide", "v1 = torch.floor_divide(x0, v0)"),
        ],
    ),
    "clamp_int_tensor_bounds_backward": (
        [
            "a0 = torch.tensor(2, dtype=torch.int64)",
            "x0 = a0",
        ],
        [
            ("clamp", "a2 = torch.tensor([-3.0, 0.06], dtype=torch.float32, requires_grad=True)\nx2 = a2\na3 = torch.tensor(-1.45, dtype=torch.float32, requires_grad=True)\nx3 = a3\nv0 = x0.clamp(x2, x3)"),  # noqa: E501
        ],
    ),
    "matmul_empty_dtype": (
        [],
        [
            ("matmul", "a2 = torch.zeros((1, 1, 0), dtype=torch.float32, requires_grad=True)\nx2 = a2\na3 = torch.zeros((1, 0, 3), dtype=torch.float64, requires_grad=True)\nx3 = a3\nv0 = torch.matmul(x2, x3)"),  # noqa: E501
        ],
    ),
    "max_pool2d_all_padding_window": (
        [],
        [
            ("max_pool2d", "a1 = torch.tensor([[[[1.87], [-1.0], [-2.21], [3.0], [-0.76]]], [[[-3.0], [3.0], [1.18], [0.31], [2.59]]]], dtype=torch.float64, requires_grad=True)\nx1 = a1\nv0 = F.max_pool2d(x1, (2, 3), padding=1, dilation=2, ceil_mode=True)"),  # noqa: E501
        ],
    ),
    "pow_zero_exponent_grad": (
        [
            "a0 = torch.tensor([[[-2.0], [0.0], [0.0]], [[2.29], [0.99], [-2.0]]], dtype=torch.float32, requires_grad=True)",  # noqa: E501
            "x0 = a0",
        ],
        [
            ("pow", "v1 = torch.pow(x0, False)"),
        ],
    ),
    "clamp_number_beside_tensor_bound": (
        [
            "a0 = torch.tensor(-1.37, dtype=torch.float32)",
            "x0 = a0",
            "a1 = torch.tensor(2.0, dtype=torch.float64)",
            "x1 = a1",
        ],
        [
            ("clamp", "v0 = torch.clamp(x0, min=0.001, max=x1)"),
        ],
    ),
    "full_nan_int": (
        [],
        [
            ("full", "v1 = torch.full((2, 3), nan, dtype=torch.int64)"),
        ],
    ),
    "saved_version_overstrict": (
        [
            "a0 = torch.tensor([[[1.0, -2.0], [-0.26, 2.96], [3.0, -2.0], [-2.0, -1.0]], [[-1.79, -0.69], [0.95, 2.74], [2.29, -1.0], [-0.4, 1.23]], [[3.0, 2.76], [-2.54, 0.0], [-0.2, 2.69], [2.0, -1.16]]], dtype=torch.float32, requires_grad=True)",  # noqa: E501
            "x0 = a0",
        ],
        [
            ("remainder", "a1 = torch.tensor([-1], dtype=torch.int64)\nx1 = a1\nv0 = torch.remainder(x0, x1)"),
            ("sub_", "with torch.no_grad():\n    v2 = a1.sub_(-1)"),
        ],
    ),
    "cat_empty_requires_grad": (
        [
            "a2 = torch.tensor([-2.28, -1.78, 2.15, -1.95, 3.0, 0.63], dtype=torch.float32)",
            "x2 = a2[::2]",
        ],
        [
            ("cat", "a3 = torch.zeros((0,), dtype=torch.float32, requires_grad=True)\nx3 = a3\nv0 = torch.cat([x3, x2], dim=0)"),  # noqa: E501
        ],
    ),
    "binary_max_min_nan_grad": (
        [
            "a0 = torch.tensor(False, dtype=torch.bool)",
            "x0 = a0",
            "a1 = torch.tensor([-1.28, -1.0, -0.1, 2.0], dtype=torch.float32, requires_grad=True)",
            "x1 = a1[::2]",
        ],
        [
            ("log", "v0 = x1.log()"),
            ("maximum", "v1 = torch.maximum(v0, x0)"),
        ],
    ),
    "setitem_empty_advanced_bounds": (
        [
            "a1 = torch.tensor([[-2.55, nan], [1.8, 2.0], [-0.33, -0.0], [-1.79, 0.0]], dtype=torch.float64)",
            "x1 = a1",
        ],
        [
            ("index", "a2 = torch.tensor([-1, -3, 4], dtype=torch.int64)\nv0 = x1[a2, 2:-2:2, None]"),
        ],
    ),
    "internal_overlap": (
        [
            "a0 = torch.tensor([[2.62, 0.0], [0.56, 0.06]], dtype=torch.float32)",
            "x0 = a0",
        ],
        [
            ("iadd", "w0 = x0.t()\nw0 += x0\nv0 = x0"),
        ],
    ),
    "conv2d_nonfinite": (
        [],
        [
            ("conv2d", "a1 = torch.tensor([[[[-2.24, -1.56, -2.04, 1.84], [0.05, -2.0, 1.03, -0.0]], [[2.49, -1.0, 2.85, 0.89], [-2.54, 0.38, -2.23, -1.76]]], [[[2.93, -0.99, 2.46, -0.41], [-0.17, 0.91, 1.06, 2.78]], [[-2.7, 2.11, 0.79, 2.92], [-2.21, inf, 2.54, -1.0]]]], dtype=torch.float32)\nx1 = a1\na2 = torch.tensor([[[[nan, -3.0], [0.53, -2.77], [-2.61, -0.6]]], [[[1.01, -2.76], [2.85, 0.0], [-inf, 0.48]]]], dtype=torch.float32, requires_grad=True)\nx2 = a2\nv1 = F.conv2d(x1, x2, padding=1, groups=2)"),  # noqa: E501
        ],
    ),
    "empty_dim_check": (
        [
            "a1 = torch.zeros((0,), dtype=torch.float32)",
            "x1 = a1",
        ],
        [
            ("roll", "v1 = torch.roll(x1, -2, 1)"),
        ],
    ),
    "ignored_target_nonfinite": (
        [],
        [
            ("cross_entropy", "a2 = torch.tensor([2.0, 0.99, -3.0], dtype=torch.float32, requires_grad=True)\nx2 = a2\na3 = torch.tensor(1, dtype=torch.int64)\nv0 = F.cross_entropy(x2, a3, label_smoothing=0.1, ignore_index=1)"),  # noqa: E501
        ],
    ),
    "index_put_dtype": (
        [
            "a0 = torch.tensor([[[True], [True]], [[False], [True]], [[False], [False]], [[False], [True]]], dtype=torch.bool)",  # noqa: E501
            "x0 = a0.transpose(-1, -2)",
        ],
        [
            ("squeeze", "v0 = torch.squeeze(x0, 1)"),
            ("setitem", "a1 = torch.tensor([False, False, True, True], dtype=torch.bool)\na2 = torch.tensor([False, False], dtype=torch.bool)\nx2 = a2\nv1 = v0 * 1\nv1[a1] = x2"),  # noqa: E501
        ],
    ),
    "int_zero_division_empty": (
        [
            "a0 = torch.zeros((0,), dtype=torch.int64)",
            "x0 = a0",
        ],
        [
            ("floor_divide", "v0 = torch.floor_divide(x0, 0)"),
        ],
    ),
}
_EXAMPLES.update({
    "advanced_index_layout": (
        ["a1 = torch.tensor([[[2.84, -2.0, 2.86]], [[2.0, 1.0, -3.0]], [[-2.41, -2.0, 2.32]]], dtype=torch.float64)",
         "x1 = a1.transpose(-1, -2)", "a3 = torch.tensor([1, 0], dtype=torch.int64)"],
        [("index", "v0 = x1[:, a3]"), ("view", "v1 = v0.view((6,))")],
    ),
    "setitem_check_order": (
        ["a2 = torch.tensor([True, True, False, True], dtype=torch.bool)", "x2 = a2",
         "a3 = torch.tensor([-1, 4], dtype=torch.int64)",
         "a4 = torch.tensor([True, False, True, True, False, True, True, False], dtype=torch.bool)", "x4 = a4[::2]"],
        [("setitem", "v0 = x2 * 1\nv0[a3] = x4")],
    ),
    "inf_sign": (
        ["a0 = torch.tensor([[0]], dtype=torch.int64)", "x0 = a0",
         "a1 = torch.tensor([[0.12, -1.4, 2.0]], dtype=torch.float32)", "x1 = a1"],
        [("remainder", "v0 = torch.remainder(x0, x1)"), ("pow", "v1 = v0 ** -1")],
    ),
    "overlap_check_false_positive": (
        ["a1 = torch.tensor(-0.71, dtype=torch.float32)", "x1 = a1"],
        [("expand", "v0 = x1.expand(())"), ("clamp_", "v1 = v0.clamp_(min=0)\nv1 = v0")],
    ),
    "cross_entropy_empty_kdim": (
        ["a1 = torch.zeros((0, 2, 2), dtype=torch.float32, requires_grad=True)", "x1 = a1",
         "a2 = torch.zeros((0, 2), dtype=torch.int64)", "a3 = torch.tensor([-2.51, -1.3], dtype=torch.float32)",
         "x3 = a3"],
        [("cross_entropy", "v0 = F.cross_entropy(x1, a2, weight=x3, reduction='none')")],
    ),
    "reduction_check_order": (
        ["a0 = torch.zeros((0,), dtype=torch.int64)", "x0 = a0"],
        [("amax", "v0 = x0.amax(dim=(0, 0), keepdim=True)")],
    ),
})
_EXAMPLES["saved_input_not_kept"] = (
    ["a2 = torch.tensor([[[1.0, -2.0, 0.5], [3.0, 0.25, -1.0], [2.0, 1.5, -0.5]]], dtype=torch.float32, "
     "requires_grad=True)", "x2 = a2"],
    [("avg_pool2d", "v0 = F.avg_pool2d(x2, (3, 2), stride=(1, 2), padding=1, ceil_mode=True, "
                    "count_include_pad=False)"),
     ("neg_", "with torch.no_grad():\n    v2 = a2.neg_()")],
)
KNOWN[:] = [replace(k, example=_EXAMPLES[k.name]) for k in KNOWN]

def match(d):
    """The first known entry that matches disagreement ``d``, or None."""
    return next((k for k in KNOWN if k.matches(d)), None)
