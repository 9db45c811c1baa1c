"""edutorch: PyTorch's API on a small, readable NumPy engine.

    import edutorch as torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad                      # tensor([2., 4.])

Switch the import back to ``import torch`` and the same code runs on PyTorch.
"""
from __future__ import annotations

from . import _dtype
from ._device import device
from ._dtype import (bool_ as bool, dtype, float16, float32, float64, get_default_dtype, int8, int16,
                     int32, int64, promote_types, result_type as _result_type, set_default_dtype, uint8)
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from . import autograd, cuda, random
from . import accelerator, backends, jit, onnx
from ._compile import compile
from ._device import get_default_device, set_default_device
from ._threads import get_num_threads, set_num_threads
from math import e, inf, nan, pi  # Python floats, as torch.pi etc. are
from .autograd import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                       set_grad_enabled)
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                     set_rng_state)
from .ops.creation import (arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full,
                           full_like, linspace, logspace, multinomial, normal, ones, ones_like, rand,
                           rand_like, randint, randint_like, randn, randn_like, randperm, tensor, zeros,
                           zeros_like)
from .ops.arithmetic import (abs, absolute, add, arctan, atan, broadcast_shapes, ceil, clamp, clip, clone, cos, div, divide, exp, expm1,
                             fix, floor, floor_divide, fmod, lerp, log, log1p, log2, log10, maximum,
                             minimum, mul, multiply, neg, negative, pow, reciprocal, remainder, round,
                             rsqrt, sign, sin, sqrt, square, sub, subtract, tan, true_divide, trunc, where)
from .ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from .ops.reduction import (all, amax, amin, any, argmax, argmin, argsort, bincount, count_nonzero, cumprod, cumsum,
                            logsumexp, max, mean, min, norm, prod, sort, std, sum, topk, var)
from .ops.shape import (broadcast_to, cat, chunk, concat, concatenate, flatten, flip, meshgrid, movedim, narrow,
                        permute, repeat_interleave, reshape, roll, split, squeeze, stack, swapaxes, t,
                        tile, transpose, unbind, unflatten, unsqueeze)
from .ops.indexing import (gather, index_add, index_fill, index_put, index_select, masked_fill, masked_select,
                            nonzero, scatter, scatter_add, scatter_reduce, unique, unique_consecutive)
from .ops.linalg import bmm, dot, einsum, matmul, mm, mv, outer
from .ops.diag_tri import diag, diag_embed, diagonal, trace, tril, triu
from .ops.comparison import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, eq, equal, ge,
                             greater, greater_equal, gt, isclose, isfinite, isinf, isnan, le, less,
                             less_equal, logical_and, logical_not, logical_or, logical_xor, lt, ne,
                             not_equal)

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = None  # complex dtypes are not part of edutorch

__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an elementwise op on these two operands returns (PyTorch's promotion rules)."""
    return _result_type(tensor1, tensor2)


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether an in-place op may write a ``from_`` result into a ``to`` tensor (no category drop)."""
    return from_._category <= to._category


from . import nn  # noqa: E402  (nn builds on everything above)
from . import optim  # noqa: E402  (optim updates nn's parameters)
from .serialization import load, save  # noqa: E402
from . import hub  # noqa: E402  (hub loads through serialization)
from .utils import data as _utils_data  # noqa: E402,F401  (so torch.utils.data works after `import torch`)


def load_ipython_extension(ipython) -> None:
    """``%load_ext edutorch``: registers the ``%edutorch_board`` magic (see edutorch/notebook/magic.py)."""
    from .notebook.magic import load_ipython_extension as _load

    _load(ipython)
