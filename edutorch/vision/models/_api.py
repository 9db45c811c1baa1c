"""The model zoo's registry and its weights enums, as ``torchvision.models._api``.

Every builder (``resnet18``, ``vgg16``, ...) is registered by name with ``@register_model()`` so
``get_model("resnet18", num_classes=10)`` and ``list_models()`` find it. Each builder's ``weights``
argument is annotated with its ``WeightsEnum`` (``ResNet18_Weights``), which is how
``get_model_weights("resnet18")`` finds the enum without a second table.

A weights enum member is a ``Weights`` record: the ``url`` the file downloads from, a ``transforms``
constructor (the preprocessing the weights were trained with) and ``meta`` (the class names, the parameter
count, the accuracy the weights reach, ...)::

    w = ResNet50_Weights.IMAGENET1K_V2   # or .DEFAULT, or get_weight("ResNet50_Weights.IMAGENET1K_V2")
    w.meta["categories"][0]                     # 'tench'
    preprocess = w.transforms()                 # ImageClassification(crop_size=[224], resize_size=[232], ...)
    state_dict = w.get_state_dict(progress=True)  # downloads into edutorch.hub.get_dir()/checkpoints once
"""
from __future__ import annotations

import fnmatch
import inspect
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from types import ModuleType
from typing import Any, Callable, get_args

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models", "register_model"]


@dataclass
class Weights:
    """What comes with a set of pretrained weights.

    Args:
        url (str): where the file downloads from (its name ends in ``-<sha256 prefix>.pth``).
        transforms (Callable): builds the preprocessing the weights expect (a constructor, not an object,
            so nothing is built until it is asked for).
        meta (dict): ``categories``, ``num_params``, ``min_size``, ``recipe``, ``_metrics``, ``_docs``, ...
    """

    url: str
    transforms: Callable
    meta: dict[str, Any]

    def __eq__(self, other: Any) -> bool:
        # Enum members are compared by value when copied or unpickled; two equal ``partial`` objects are not
        # ``==`` to each other, so compare what they wrap instead.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        if isinstance(self.transforms, partial) and isinstance(other.transforms, partial):
            return (self.transforms.func == other.transforms.func and self.transforms.args == other.transforms.args
                    and self.transforms.keywords == other.transforms.keywords)
        return self.transforms == other.transforms


class WeightsEnum(Enum):
    """Parent of every model's weights enum (``ResNet18_Weights``, ``VGG16_Weights``, ...).

    Its members are ``Weights`` records; ``DEFAULT`` is an alias of the best member.
    """

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """``None``, a member of this enum, or its name as a string (``"IMAGENET1K_V1"`` or
        ``"ResNet18_Weights.IMAGENET1K_V1"``) -> the member; anything else is a TypeError."""
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + ".", "")]
            elif not isinstance(obj, cls):
                raise TypeError(
                    f"Invalid Weight class provided; expected {cls.__name__} but received {obj.__class__.__name__}."
                )
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The weights as a state_dict: from the cache, downloading them there first if needed."""
        from ... import hub  # the hub imports the whole package, so import it when first needed

        return hub.load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def transforms(self) -> Callable:
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        return self.value.meta


def get_weight(name: str) -> WeightsEnum:
    """The weights member named ``"EnumName.MEMBER"``, e.g. ``get_weight("ResNet50_Weights.IMAGENET1K_V2")``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = sys.modules[__name__.rsplit(".", 1)[0]]  # edutorch.vision.models: every enum is exported there
    weights_enum = models.__dict__.get(enum_name, None)
    if not (isinstance(weights_enum, type) and issubclass(weights_enum, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")
    return weights_enum[value_name]


def get_model_weights(name: Callable | str) -> type[WeightsEnum]:
    """The weights enum of a model, given its builder or its registered name."""
    model = get_model_builder(name) if isinstance(name, str) else name
    return _get_enum_from_fn(model)


def _get_enum_from_fn(fn: Callable) -> type[WeightsEnum]:
    """Read the enum off the builder's ``weights`` annotation (``ResNet18_Weights | None``)."""
    sig = inspect.signature(fn, eval_str=True)
    if "weights" not in sig.parameters:
        raise ValueError("The method is missing the 'weights' argument.")
    ann = sig.parameters["weights"].annotation
    candidates = [ann, *get_args(ann)]  # the annotation itself, or the members of a Union / Optional
    for t in candidates:
        if isinstance(t, type) and issubclass(t, WeightsEnum):
            return t
    raise ValueError(
        "The WeightsEnum class for the specific method couldn't be retrieved. Make sure the typing info is correct."
    )


BUILTIN_MODELS: dict[str, Callable] = {}


def register_model(name: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator that files a builder under ``name`` (default: the function's name) for ``get_model``."""

    def wrapper(fn: Callable) -> Callable:
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn

    return wrapper


def list_models(module: ModuleType | None = None, include: Iterable[str] | str | None = None,
                exclude: Iterable[str] | str | None = None) -> list[str]:
    """Sorted names of the registered models; ``include``/``exclude`` are shell-style patterns
    (``list_models(include="resnet*")``), ``module`` keeps only the models of that package."""
    all_models = {k for k, v in BUILTIN_MODELS.items()
                  if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        include = [include] if isinstance(include, str) else include
        models: set[str] = set()
        for pattern in include:
            models |= set(fnmatch.filter(all_models, pattern))
    else:
        models = all_models
    if exclude:
        exclude = [exclude] if isinstance(exclude, str) else exclude
        for pattern in exclude:
            models -= set(fnmatch.filter(all_models, pattern))
    return sorted(models)


def get_model_builder(name: str) -> Callable:
    """The builder function registered under ``name`` (case-insensitive)."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name: str, **config: Any):
    """Build a registered model by name: ``get_model("resnet18", weights=None, num_classes=10)``."""
    return get_model_builder(name)(**config)
