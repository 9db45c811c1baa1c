"""PyTorch's names for what built-in ops save for backward: ``y.grad_fn._saved_self`` and friends.

A PyTorch graph node shows each value it saved as an attribute named after the argument of the op
(``MulBackward0._saved_self`` / ``._saved_other``, ``AddmmBackward0._saved_mat1`` / ``._saved_mat2``,
``TanhBackward0._saved_result`` for the op's own output). Tools written for PyTorch read them (torchviz's
``make_dot(..., show_saved=True)`` finds them with ``dir(grad_fn)``), so edutorch's nodes answer to the
same names. The table maps a built-in op (its ``NumpyFunction`` class name) to the names of the values it
passes to ``ctx.save_for_backward``, in order; an op that is not listed shows no ``_saved_`` attributes.
Only the saved *tensors* are named here: PyTorch also shows numbers (``_saved_alpha``, ``_saved_dim``).
"""
from __future__ import annotations

SAVED_NAMES: dict = {
    # two tensor inputs
    "Mul": ("self", "other"), "Div": ("self", "other"),
    "Maximum": ("self", "other"), "Minimum": ("self", "other"),
    "Mm": ("self", "mat2"), "Addmm": ("mat1", "mat2"),
    "Dot": ("self", "tensor"), "Mv": ("self", "vec"),
    "PowTensor": ("self", "exponent", "result"),
    # one input
    "PowScalar": ("self",), "Abs": ("self",), "Log": ("self",), "Log1p": ("self",), "Log2": ("self",),
    "Log10": ("self",), "Sin": ("self",), "Cos": ("self",), "Atan": ("self",), "Clamp": ("self",),
    "ClampMin": ("self",), "LeakyRelu": ("self",), "Hardtanh": ("self",), "Elu": ("self",),
    "Gelu": ("self",), "Silu": ("self",), "Mish": ("self",), "Softplus": ("self",),
    "Hardsigmoid": ("self",), "Hardswish": ("self",), "LogSigmoid": ("self",),
    # the op's own output
    "Exp": ("result",), "Expm1": ("result",), "Sqrt": ("result",), "Rsqrt": ("result",),
    "Reciprocal": ("result",), "Tan": ("result",), "Relu": ("result",), "Sigmoid": ("result",),
    "Tanh": ("result",), "Softmax": ("result",), "LogSoftmax": ("result",),
}


def saved_names(fn) -> tuple:
    """The ``_saved_<name>`` names of a Function's node (none for custom Functions: they have
    ``saved_tensors``, as in PyTorch)."""
    if fn is None or not getattr(fn, "_numpy", False):
        return ()
    return SAVED_NAMES.get(fn.__name__, ())
