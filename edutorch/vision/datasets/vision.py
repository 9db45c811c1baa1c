"""``VisionDataset``: the base class of every dataset here, as ``torchvision.datasets.VisionDataset``.

A vision dataset is a map-style ``Dataset`` (``dataset[i]``, ``len(dataset)``) that also remembers
where its files live (``root``) and what to do to each sample before returning it:

- ``transform`` runs on the input (usually a PIL image), ``target_transform`` on the label;
- ``transforms`` (plural) is one callable that takes and returns the pair ``(input, target)``.

Passing ``transform``/``target_transform`` wraps them in a ``StandardTransform``, so ``transforms`` is
always the one thing to call. ``print(dataset)`` shows all of it::

    Dataset MNIST
        Number of datapoints: 60000
        Root location: data
        Split: Train
        StandardTransform
    Transform: ToTensor()
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional, Union

from ...utils.data import Dataset

__all__ = ["VisionDataset", "StandardTransform"]


class VisionDataset(Dataset):
    """Base class for datasets compatible with ``edutorch.vision`` (override ``__getitem__`` and ``__len__``).

    Args:
        root (str or ``pathlib.Path``, optional): Root directory of the dataset (a ``~`` is expanded).
        transforms (callable, optional): takes an input and a target, returns transformed versions of both.
        transform (callable, optional): takes a PIL image and returns a transformed version,
            e.g. ``transforms.RandomCrop``.
        target_transform (callable, optional): takes the target and transforms it.

    ``transforms`` and the pair ``transform``/``target_transform`` are mutually exclusive.
    """

    _repr_indent = 4

    def __init__(self, root: Union[str, Path, None] = None, transforms: Optional[Callable] = None,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root

        has_transforms = transforms is not None
        has_separate_transform = transform is not None or target_transform is not None
        if has_transforms and has_separate_transform:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")

        # Kept as attributes too: most datasets call self.transform / self.target_transform directly.
        self.transform = transform
        self.target_transform = target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def __repr__(self) -> str:
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            # One entry for the whole (possibly multi-line) repr: only its first line gets the indent,
            # exactly as torchvision prints it.
            body += [repr(self.transforms)]
        lines = [head] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)

    def _format_transform_repr(self, transform: Callable, head: str) -> list[str]:
        lines = transform.__repr__().splitlines()
        return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]

    def extra_repr(self) -> str:
        """Extra lines for ``repr`` (e.g. ``Split: Train``); subclasses override it."""
        return ""


class StandardTransform:
    """Apply ``transform`` to the input and ``target_transform`` to the target: ``(x, y) -> (t(x), tt(y))``."""

    def __init__(self, transform: Optional[Callable] = None, target_transform: Optional[Callable] = None) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform: Callable, head: str) -> list[str]:
        lines = transform.__repr__().splitlines()
        return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self) -> str:
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)
