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
from ._dtype import bfloat16  # ml_dtypes' bfloat16 (see _dtype.py)
from ._memory_format import channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format
from ._legacy import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
                      IntTensor, LongTensor, ShortTensor)
from ._dtype import (bool_ as bool, dtype, float16, float32, float64, get_default_dtype, int8, int16,
                     int32, int64, promote_types, result_type as _result_type, set_default_dtype, uint8)
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from . import autograd, cuda, random
from . import accelerator, backends, jit, onnx
from . import amp, cpu  # mixed precision: autocast (float32 here, with a warning), GradScaler
from .amp import autocast, get_autocast_dtype, is_autocast_enabled
# Out of scope, but importable: using them raises an error that says to switch to torch (_out_of_scope.py)
from . import ao, distributed, export, fx, nested, profiler, quantization, sparse
from ._out_of_scope import Unsupported as _Unsupported
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
from .ops.arithmetic import (
    abs, absolute, add, arctan, atan, broadcast_shapes, ceil, clamp, clip, clone, cos, div, divide, exp, expm1, fix,
    floor, floor_divide, fmod, lerp, log, log1p, log2, log10, maximum, minimum, mul, multiply, neg, negative, pow,
    reciprocal, remainder, round, rsqrt, sign, sin, sqrt, square, sub, subtract, tan, true_divide, trunc, where,
)
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
from . import linalg  # torch.linalg; below, the linear algebra PyTorch also has at the top level
from .linalg import det, matrix_exp, matrix_power, inv as inverse
from .linalg import (_torch_cholesky_solve as cholesky_solve, _torch_cross as cross, _torch_logdet as logdet,
                     _torch_pinverse as pinverse, _torch_slogdet as slogdet, _torch_svd as svd)
from . import testing  # torch.testing: assert_close, make_tensor
from .ops.special_math import digamma, lgamma, mvlgamma, polygamma
from . import special  # torch.special: the gamma family, ndtr, entr, ... and aliases
from .ops.pointwise_more import (angle, copysign, float_power, fmax, fmin, frac, gcd, heaviside, lcm, ldexp,
                                 nextafter, positive)
from .ops.reduction import aminmax
# --- issue 18 (math and shape): more elementwise math, order statistics, statistics, distances,
# fused products, rearranging (edutorch/ops/pointwise_math.py, order_stats.py, statistics.py,
# distance.py, products.py, rearrange.py)
from .ops.pointwise_math import (acos, acosh, addcdiv, addcmul, arccos, arccosh, arcsin, arcsinh, arctan2,
                                 arctanh, asin, asinh, atan2, atanh, bitwise_left_shift, bitwise_right_shift,
                                 cosh, deg2rad, erf, erfc, erfinv, exp2, hypot, logaddexp, logaddexp2, logit,
                                 nan_to_num, nan_to_num_, rad2deg, sinc, sinh, xlogy)
from .ops.pointwise_math import (acos_, acosh_, arccos_, arccosh_, arcsin_, arcsinh_, arctanh_, asin_, asinh_,
                                 atanh_, cosh_, deg2rad_, erf_, erfc_, exp2_, logit_, rad2deg_, sinc_, sinh_,
                                 xlogy_)
from .ops.order_stats import (bucketize, cummax, cummin, histc, kthvalue, logcumsumexp, median, mode,
                              nanmedian, nanquantile, quantile, searchsorted)
from .ops.statistics import corrcoef, cov, nanmean, nansum, std_mean, var_mean
from .ops.distance import cdist, dist
from .ops.products import addbmm, addmm, addmv, addmv_, baddbmm, kron, tensordot
from .ops.rearrange import (block_diag, cartesian_prod, combinations, cumulative_trapezoid, diff, rot90, take,
                            take_along_dim, trapezoid, trapz)
# --- end of issue 18 block

# out=: the functions below write their result into a given tensor, as PyTorch's do (edutorch/_out.py).
# Only the public torch.* names are wrapped; Tensor methods and operators call the plain functions.
from ._out import with_out as _with_out  # noqa: E402
add, sub, mul, div = (_with_out(add, "add"), _with_out(sub, "sub"), _with_out(mul, "mul"),
                      _with_out(div, "div"))
subtract, multiply, divide, true_divide = sub, mul, div, div  # noqa: F811 - the aliases get out= too
exp, log = _with_out(exp, "exp"), _with_out(log, "log")
clamp = clip = _with_out(clamp, "clamp", "clamp")  # noqa: F811
matmul, mm = _with_out(matmul, "matmul", "exact"), _with_out(mm, "mm", "exact")
bmm = _with_out(bmm, "bmm", "exact")
sum, mean = _with_out(sum, "sum", "any", needs_dim=True), _with_out(mean, "mean")
cat, stack = _with_out(cat, "cat"), _with_out(stack, "stack")
concat = concatenate = cat  # noqa: F811
sparse_coo_tensor = _Unsupported("torch.sparse_coo_tensor", sparse.WHY)
sparse_csr_tensor = _Unsupported("torch.sparse_csr_tensor", sparse.WHY)
max, min = _with_out(max, "max", result_type="max_out"), _with_out(min, "min", result_type="min_out")
sort, topk = _with_out(sort, "sort", result_type="sort_out"), _with_out(topk, "topk", result_type="topk_out")
zeros, ones, empty = (_with_out(zeros, "zeros", "creation"), _with_out(ones, "ones", "creation"),
                      _with_out(empty, "empty", "creation"))
arange, linspace = _with_out(arange, "arange", "creation"), _with_out(linspace, "linspace", "creation")

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
from . import distributions  # noqa: E402  (distributions build on nn.functional)
from .distributions.poisson import poisson  # noqa: E402  (torch.poisson: PyTorch's Poisson sampler, draw for draw)
from .serialization import load, save  # noqa: E402
from . import hub  # noqa: E402  (hub loads through serialization)
from .utils import data as _utils_data  # noqa: E402,F401  (so torch.utils.data works after `import torch`)


def load_ipython_extension(ipython) -> None:
    """``%load_ext edutorch``: registers the ``%edutorch_board`` magic (see edutorch/notebook/magic.py)."""
    from .notebook.magic import load_ipython_extension as _load

    _load(ipython)
