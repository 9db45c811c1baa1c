"""Datasets in torchvision's layout: ``from edutorch.vision import datasets`` as ``from torchvision import datasets``.

- ``MNIST``, ``FashionMNIST``: the IDX files in ``root/<Name>/raw/`` (``mnist.py`` explains the format);
- ``CIFAR10``, ``CIFAR100``: the official python pickle batches, read with a restricted unpickler;
- ``ImageFolder`` / ``DatasetFolder``: one sub-folder per class;
- ``FakeData``: random images, no files at all.

Files a user already downloaded for torchvision work here unchanged. ``download=True`` fetches the real
files with a progress bar, checks their md5 and extracts them safely (``utils.py``).
"""
from . import utils
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "FakeData", "FashionMNIST", "ImageFolder", "MNIST",
           "VisionDataset"]
