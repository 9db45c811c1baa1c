"""Identity, Linear and Bilinear layers."""
from __future__ import annotations

import math

from ...autograd import grad_mode
from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["Bilinear", "Identity", "LazyLinear", "Linear"]


class Identity(Module):
    """A placeholder that returns its input unchanged (any constructor arguments are ignored).

    Shape: Input (*), Output (*), the same tensor.

    Examples::
        >>> m = nn.Identity(54, unused_argument1=0.1)
        >>> m(torch.randn(128, 20)).size()
        torch.Size([128, 20])
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    r"""Apply an affine map to the last dimension: y = x W^T + b.

    Args:
        in_features: size of each input sample
        out_features: size of each output sample
        bias: if ``False``, the layer learns no additive bias. Default: ``True``

    Shape:
        - Input: (*, H_in) with H_in = in_features
        - Output: (*, H_out) with H_out = out_features

    Attributes:
        weight: (out_features, in_features), initialised from U(-1/sqrt(in_features), 1/sqrt(in_features))
            (kaiming_uniform_ with a = sqrt(5), which works out to that bound)
        bias: (out_features,), from the same U(-1/sqrt(in_features), 1/sqrt(in_features))

    Examples::
        >>> m = nn.Linear(20, 30)
        >>> m(torch.randn(128, 20)).size()
        torch.Size([128, 30])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_ with a = sqrt(5): gain^2 = 2 / (1 + 5) = 1/3, so bound = sqrt(3) * gain / sqrt(fan_in)
        # = 1 / sqrt(fan_in), the classic "uniform in +-1/sqrt(fan_in)" of PyTorch's early days.
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    r"""A bilinear map of two inputs: y_k = x1^T A_k x2 + b_k.

    Args:
        in1_features, in2_features: sizes of the two inputs' last dims
        out_features: size of each output sample
        bias: if ``False``, no additive bias. Default: ``True``

    Shape:
        - Input1: (*, in1_features), Input2: (*, in2_features), the same leading dims
        - Output: (*, out_features)

    Attributes:
        weight: (out_features, in1_features, in2_features), bias: (out_features,), both from
            U(-1/sqrt(in1_features), 1/sqrt(in1_features))

    Examples::
        >>> m = nn.Bilinear(20, 30, 40)
        >>> m(torch.randn(128, 20), torch.randn(128, 30)).size()
        torch.Size([128, 40])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    r"""A Linear layer whose ``in_features`` is read off the first input: ``nn.LazyLinear(out_features)``.

    Before the first forward, ``weight`` and ``bias`` are ``UninitializedParameter``s (their repr is
    ``<UninitializedParameter>``, reading their shape is an error) and ``in_features`` is 0. The first
    forward sets ``in_features = input.shape[-1]``, materializes the parameters, initialises them as
    Linear's (U(-1/sqrt(in_features), 1/sqrt(in_features))) and turns the module into an ``nn.Linear``.

    Examples::
        >>> m = nn.LazyLinear(10)
        >>> m(torch.randn(4, 84)).shape, m
        (torch.Size([4, 10]), Linear(in_features=84, out_features=10, bias=True))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)  # no bias yet: it would be replaced at once
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        """in_features from the input's last dim, then the parameters get their shapes and initial values."""
        if self.has_uninitialized_params():
            with grad_mode.no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
