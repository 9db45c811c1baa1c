"""Helpers shared by the model builders, as ``torchvision.models._utils``.

- ``handle_legacy_interface``: keeps the old ``resnet18(pretrained=True)`` (and positional arguments)
  working, with torchvision's deprecation warnings, by translating them to ``weights=...``.
- ``_ovewrite_named_param``: a weights file fixes some constructor arguments (1000 classes for ImageNet
  weights); asking for anything else is an error, not a silent mismatch at ``load_state_dict``.
- ``_make_divisible``: MobileNet's channel rounding.
- ``Conv2dNormActivation``: the conv -> norm -> activation block (``torchvision.ops.Conv2dNormActivation``).
- ``IntermediateLayerGetter``: run a model's top-level children and return the chosen activations.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from collections import OrderedDict
from typing import Any, Callable

from ... import nn
from ._api import WeightsEnum


def _sequence_to_str(seq, separate_last: str = "") -> str:
    """``['a', 'b', 'c']`` -> ``"'a', 'b', and 'c'"`` (torchvision's wording in its warnings)."""
    if not seq:
        return ""
    if len(seq) == 1:
        return f"'{seq[0]}'"
    head = "'" + "', '".join(str(item) for item in seq[:-1]) + "'"
    tail = f"{'' if separate_last and len(seq) == 2 else ','} {separate_last}'{seq[-1]}'"
    return head + tail


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """Round a channel count to a multiple of ``divisor`` without dropping more than 10% (MobileNet)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def kwonly_to_pos_or_kw(fn: Callable) -> Callable:
    """Let keyword-only parameters still be passed positionally, with a deprecation warning
    (``resnet18(True)`` was valid before the builders became ``resnet18(*, weights=None, ...)``)."""
    params = inspect.signature(fn).parameters
    try:
        keyword_only_start_idx = next(i for i, p in enumerate(params.values()) if p.kind == p.KEYWORD_ONLY)
    except StopIteration:
        raise TypeError(f"Found no keyword-only parameter on function '{fn.__name__}'") from None
    keyword_only_params = tuple(params)[keyword_only_start_idx:]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        args, keyword_only_args = args[:keyword_only_start_idx], args[keyword_only_start_idx:]
        if keyword_only_args:
            keyword_only_kwargs = dict(zip(keyword_only_params, keyword_only_args))
            warnings.warn(
                f"Using {_sequence_to_str(tuple(keyword_only_kwargs.keys()), separate_last='and ')} as positional "
                f"parameter(s) is deprecated since 0.13 and may be removed in the future. Please use keyword "
                f"parameter(s) instead."
            )
            kwargs.update(keyword_only_kwargs)
        return fn(*args, **kwargs)

    return wrapper


def handle_legacy_interface(**weights: tuple[str, Any]) -> Callable:
    """Decorate a builder so the old ``pretrained=True/False`` still works.

    ``handle_legacy_interface(weights=("pretrained", ResNet18_Weights.IMAGENET1K_V1))`` maps
    ``pretrained=True`` to ``weights=ResNet18_Weights.IMAGENET1K_V1`` (the weights ``pretrained=True``
    always meant, not ``DEFAULT``) and ``pretrained=False`` to ``weights=None``, warning with torchvision's
    exact messages. The default may be a callable of the keyword arguments.
    """

    def outer_wrapper(builder: Callable) -> Callable:
        @kwonly_to_pos_or_kw
        @functools.wraps(builder)
        def inner_wrapper(*args: Any, **kwargs: Any):
            for weights_param, (pretrained_param, default) in weights.items():
                # None is a valid weights value, so it cannot mark "not given": use a fresh sentinel.
                sentinel = object()
                weights_arg = kwargs.get(weights_param, sentinel)
                if ((weights_param not in kwargs and pretrained_param not in kwargs)
                        or isinstance(weights_arg, WeightsEnum)
                        or (isinstance(weights_arg, str) and weights_arg != "legacy")
                        or weights_arg is None):
                    continue  # nothing legacy about this call

                # ``resnet18(True)``: kwonly_to_pos_or_kw put the positional True under ``weights``.
                pretrained_positional = weights_arg is not sentinel
                if pretrained_positional:
                    kwargs[pretrained_param] = pretrained_arg = kwargs.pop(weights_param)
                else:
                    pretrained_arg = kwargs[pretrained_param]

                if pretrained_arg:
                    default_weights_arg = default(kwargs) if callable(default) else default
                    if not isinstance(default_weights_arg, WeightsEnum):
                        raise ValueError(f"No weights available for model {builder.__name__}")
                else:
                    default_weights_arg = None

                if not pretrained_positional:
                    warnings.warn(
                        f"The parameter '{pretrained_param}' is deprecated since 0.13 and may be removed in the "
                        f"future, please use '{weights_param}' instead."
                    )
                msg = (
                    f"Arguments other than a weight enum or `None` for '{weights_param}' are deprecated since 0.13 "
                    f"and may be removed in the future. "
                    f"The current behavior is equivalent to passing `{weights_param}={default_weights_arg}`."
                )
                if pretrained_arg:
                    msg = (f"{msg} You can also use `{weights_param}={type(default_weights_arg).__name__}.DEFAULT` "
                           f"to get the most up-to-date weights.")
                warnings.warn(msg)

                del kwargs[pretrained_param]
                kwargs[weights_param] = default_weights_arg
            return builder(*args, **kwargs)

        return inner_wrapper

    return outer_wrapper


def _ovewrite_named_param(kwargs: dict[str, Any], param: str, new_value: Any) -> None:
    """Set ``kwargs[param]`` to what the weights need; a different value the user asked for is an error.
    (The spelling "ovewrite" is torchvision's.)"""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _ovewrite_value_param(param: str, actual: Any, expected: Any) -> Any:
    if actual is not None and actual != expected:
        raise ValueError(f"The parameter '{param}' expected value {expected} but got {actual} instead.")
    return expected


class Conv2dNormActivation(nn.Sequential):
    """``Conv2d -> norm_layer -> activation_layer`` as one Sequential (``torchvision.ops.Conv2dNormActivation``).

    ``padding=None`` keeps the spatial size at stride 1: ``(kernel_size - 1) // 2 * dilation``. The conv has
    no bias when a norm layer follows (the norm's own shift makes it redundant). The children are named
    ``0``, ``1``, ``2``, so state_dict keys read ``features.0.0.weight``, ``features.0.1.running_mean``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 padding: int | None = None, groups: int = 1,
                 norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
                 activation_layer: Callable[..., nn.Module] | None = nn.ReLU, dilation: int = 1,
                 inplace: bool | None = True, bias: bool | None = None) -> None:
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                            groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels


class IntermediateLayerGetter(nn.ModuleDict):
    """Run a model's top-level children in order and return the outputs named in ``return_layers``.

    ``IntermediateLayerGetter(resnet18(), {"layer1": "feat1", "layer3": "feat2"})(x)`` is an OrderedDict
    with ``feat1`` (N, 64, H/4, W/4) and ``feat2`` (N, 256, H/16, W/16). Children after the last one asked
    for are dropped. It assumes the children run in the order they were registered, each once.
    """

    _version = 2

    def __init__(self, model: nn.Module, return_layers: dict[str, str]) -> None:
        if not set(return_layers).issubset([name for name, _ in model.named_children()]):
            raise ValueError("return_layers are not present in model")
        orig_return_layers = return_layers
        return_layers = {str(k): str(v) for k, v in return_layers.items()}
        layers = OrderedDict()
        for name, module in model.named_children():
            layers[name] = module
            if name in return_layers:
                del return_layers[name]
            if not return_layers:
                break
        super().__init__(layers)
        self.return_layers = orig_return_layers

    def forward(self, x):
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out[self.return_layers[name]] = x
        return out
