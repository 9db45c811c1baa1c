"""Activation layers: each is a thin module around the ``F.*`` function of the same name.

Shape, for all elementwise ones: Input (*), any shape; Output (*), the same shape.
"""
from __future__ import annotations

import warnings

from ...ops.creation import empty
from .. import functional as F, init
from ..parameter import Parameter
from .attention import MultiheadAttention
from .module import Module

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "PReLU", "Sigmoid",
           "Tanh", "Hardtanh", "Hardsigmoid", "Hardswish", "Softplus", "Softsign", "Softmax", "LogSoftmax",
           "Softmin", "Threshold", "LogSigmoid", "Hardshrink", "Softshrink", "Tanhshrink", "GLU"]
__all__ += ["MultiheadAttention"]  # defined in attention.py, exported here as in PyTorch


def _inplace_suffix(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class ReLU(Module):
    """ReLU(x) = max(0, x).

    Args:
        inplace: overwrite the input instead of allocating the output. Default: ``False``

    Examples::
        >>> nn.ReLU()(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardtanh(Module):
    """Hardtanh(x) = min_val if x < min_val, max_val if x > max_val, else x.

    Args:
        min_val: lower end of the linear region. Default: -1
        max_val: upper end of the linear region. Default: 1
        inplace: overwrite the input. Default: ``False``
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        assert self.max_val > self.min_val

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_suffix(self.inplace)}"


class ReLU6(Hardtanh):
    """ReLU6(x) = min(max(0, x), 6): Hardtanh(0, 6).

    Args:
        inplace: overwrite the input. Default: ``False``
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """LeakyReLU(x) = x if x >= 0 else negative_slope * x.

    Args:
        negative_slope: slope for negative inputs. Default: 1e-2
        inplace: overwrite the input. Default: ``False``
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_suffix(self.inplace)}"


class ELU(Module):
    """ELU(x) = x if x > 0 else alpha * (exp(x) - 1).

    Args:
        alpha: the value ELU saturates to for very negative inputs is -alpha. Default: 1.0
        inplace: overwrite the input. Default: ``False``
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_suffix(self.inplace)}"


class CELU(Module):
    """CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Args:
        alpha: Default: 1.0
        inplace: overwrite the input. Default: ``False``
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_suffix(self.inplace)}"


class SELU(Module):
    """SELU(x) = scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), alpha = 1.6733, scale = 1.0507.

    With LeCun-normal weights (std = 1/sqrt(fan_in)) it keeps activations near zero mean and unit
    variance through depth. Args: inplace. Default: ``False``
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    """GELU(x) = x * Phi(x), Phi the standard normal CDF.

    Args:
        approximate: ``'none'`` (exact, via erf) or ``'tanh'``:
            0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Default: ``'none'``
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """SiLU(x) = x * sigmoid(x) (also known as swish). Args: inplace. Default: ``False``"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Mish(Module):
    """Mish(x) = x * tanh(softplus(x)). Args: inplace. Default: ``False``"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class PReLU(Module):
    """PReLU(x) = max(0, x) + a * min(0, x), with a learnt slope ``a``.

    Args:
        num_parameters: 1 (one slope shared by all channels) or the number of channels (dim 1 of the
            input). Default: 1
        init: the initial value of a. Default: 0.25

    Attributes:
        weight: (num_parameters,), filled with ``init``
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None) -> None:
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Sigmoid(Module):
    """Sigmoid(x) = 1 / (1 + exp(-x))."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """Tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))."""

    def forward(self, input):
        return F.tanh(input)


class Hardsigmoid(Module):
    """Hardsigmoid(x) = 0 if x <= -3, 1 if x >= 3, else x / 6 + 1/2. Args: inplace. Default: ``False``"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """Hardswish(x) = 0 if x <= -3, x if x >= 3, else x (x + 3) / 6. Args: inplace. Default: ``False``"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class Softplus(Module):
    """Softplus(x) = log(1 + exp(beta * x)) / beta, reverting to x where beta * x > threshold.

    Args:
        beta: Default: 1.0
        threshold: Default: 20.0
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """Softsign(x) = x / (1 + |x|)."""

    def forward(self, input):
        return F.softsign(input)


class Threshold(Module):
    """Threshold(x) = x if x > threshold else value.

    Args:
        threshold: the value to threshold at
        value: the value to replace with
        inplace: overwrite the input. Default: ``False``
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_suffix(self.inplace)}"


class _SoftmaxBase(Module):
    _function = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._function(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """Softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim``: each slice along dim sums to 1.

    Args:
        dim: the dimension to normalise along. Without it PyTorch guesses (and warns).

    Shape: Input (*), Output (*), the same shape, values in [0, 1].
    """

    _function = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxBase):
    """LogSoftmax(x)_i = log(exp(x_i) / sum_j exp(x_j)), computed stably. Args: dim."""

    _function = staticmethod(F.log_softmax)


class Softmin(_SoftmaxBase):
    """Softmin(x) = Softmax(-x) along ``dim``. Args: dim."""

    _function = staticmethod(F.softmin)


class LogSigmoid(Module):
    """LogSigmoid(x) = log(1 / (1 + exp(-x)))."""

    def forward(self, input):
        return F.logsigmoid(input)


class Hardshrink(Module):
    """Hardshrink(x) = x if |x| > lambd else 0. Args: lambd. Default: 0.5"""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """Softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0. Args: lambd. Default: 0.5"""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Tanhshrink(Module):
    """Tanhshrink(x) = x - tanh(x)."""

    def forward(self, input):
        return F.tanhshrink(input)


class GLU(Module):
    """GLU(a, b) = a * sigmoid(b), a and b the two halves of the input along ``dim``. Default dim: -1"""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
