"""CIFAR-10 and CIFAR-100, read from the official "python version" pickle batches.

Folder layout (torchvision's, i.e. the tarball's)::

    root/cifar-10-batches-py/data_batch_1 ... data_batch_5, test_batch, batches.meta
    root/cifar-100-python/train, test, meta

Each batch is a pickled dict: ``data`` is a uint8 array of shape (N, 3072) — per image 1024 red, then
1024 green, then 1024 blue values, each a 32x32 row-major plane — and ``labels`` (CIFAR-10) or
``fine_labels`` (CIFAR-100) is a list of N ints. The meta file holds the class names.

A pickle is a small program: loading one can call any importable function (``os.system`` included).
These files come from the internet, so they are read with :class:`RestrictedUnpickler`, which only lets
a pickle rebuild dicts, lists, strings, bytes, numbers and NumPy arrays — all the official files
contain — and refuses anything else with ``pickle.UnpicklingError``. Files in the same format written by
Python 3 (``pickle.dump`` of a dict of arrays, protocols 2 to 5) load too: they spell bytes through
``_codecs.encode`` (protocol 2, allowed by PyTorch's weights-only unpickler too), arrays through
``_frombuffer`` (protocol 5) and NumPy numbers through ``scalar``; none of these can run code.
"""
from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np
from PIL import Image

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "RestrictedUnpickler", "restricted_pickle_load"]


def _numpy_reconstruct():
    # numpy 2 moved numpy.core to numpy._core; the files name the old path, so both map to this object.
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct

    def reconstruct(subtype, shape, dtype):
        # an empty array the pickle then fills with __setstate__; only plain ndarrays, never a subclass
        if subtype is not np.ndarray:
            raise pickle.UnpicklingError(f"_reconstruct is only allowed for numpy.ndarray, not {subtype!r}")
        return _reconstruct(subtype, shape, dtype)
    return reconstruct


def _latin1_encode(text, encoding="latin1"):
    """``_codecs.encode(text, 'latin1')``: how protocol 2 writes a ``bytes`` value (an array's raw data)."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"_codecs.encode is only allowed on str with 'latin1', not {encoding!r}")
    return text.encode("latin1")


def _frombuffer(buffer, dtype, shape, order):
    """numpy's protocol-5 array rebuilder: raw bytes + dtype + shape (a copy, so the array is writable)."""
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise pickle.UnpicklingError(f"_frombuffer is only allowed for plain numeric dtypes, not {dtype!r}")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy(order="K")


def _scalar(dtype, data=None):
    """A NumPy number (``np.int64(3)``) from its dtype and raw bytes."""
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(data, bytes):
        raise pickle.UnpicklingError(f"scalar is only allowed for numeric dtypes and bytes, not {dtype!r}")
    return np.frombuffer(data, dtype=dtype)[0]


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that can only build dicts, lists, tuples, str, bytes, numbers and NumPy arrays.

    Plain containers and scalars are pickle opcodes and need no lookup. Everything else is fetched by
    ``find_class(module, name)``; we answer only for the three globals a pickled ``ndarray`` needs
    (``_reconstruct``, ``ndarray``, ``dtype``) and refuse every other name, so a malicious file cannot
    reach ``os.system``, ``eval``, ``subprocess`` ...
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),   # how Python 2 / numpy 1 pickled arrays (the CIFAR files)
        ("numpy._core.multiarray", "_reconstruct"),  # the same, pickled by numpy >= 2
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),                       # Python 3, protocol 2: an array's bytes
        ("numpy.core.numeric", "_frombuffer"),       # protocol 5 arrays (numpy 1 and 2 paths)
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.multiarray", "scalar"),         # NumPy numbers, e.g. labels as np.int64
        ("numpy._core.multiarray", "scalar"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"Refusing to load global '{module}.{name}': a CIFAR batch only contains dicts, lists, "
                f"strings, numbers and NumPy arrays, so this file is not an official CIFAR file (it may be "
                f"malicious: unpickling can run code).")
        if name == "_reconstruct":
            return _numpy_reconstruct()
        return {"encode": _latin1_encode, "_frombuffer": _frombuffer, "scalar": _scalar}.get(name) or getattr(np, name)


def restricted_pickle_load(file, encoding: str = "latin1") -> Any:
    """``pickle.load`` through :class:`RestrictedUnpickler`. ``encoding='latin1'`` turns Python 2 byte
    strings (the CIFAR files were written by Python 2) into ``str`` without failing on non-ASCII bytes."""
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    return RestrictedUnpickler(file, encoding=encoding).load()


class CIFAR10(VisionDataset):
    """`CIFAR10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ Dataset.

    Args:
        root (str or ``pathlib.Path``): Root directory of dataset where directory ``cifar-10-batches-py``
            exists or will be saved to if download is set to True.
        train (bool, optional): If True, creates dataset from training set, otherwise from test set.
        transform (callable, optional): takes a PIL image and returns a transformed version,
            e.g. ``transforms.RandomCrop``.
        target_transform (callable, optional): takes the target and transforms it.
        download (bool, optional): If true, downloads the dataset from the internet and puts it in root
            directory. If dataset is already downloaded, it is not downloaded again.

    Attributes:
        data (numpy.ndarray): uint8, shape (N, 32, 32, 3) (height, width, channels).
        targets (list[int]), classes (list[str]), class_to_idx (dict[str, int]).

    The batches are unpickled with :class:`RestrictedUnpickler` (only containers, strings, numbers and
    NumPy arrays), since a pickle from the internet could otherwise run arbitrary code.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [
        ["test_batch", "40351d587109b95175f43aff81a1287e"],
    ]
    meta = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }

    def __init__(self, root: Union[str, Path], train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train  # training set or test set

        if download:
            self.download()

        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")

        downloaded_list = self.train_list if self.train else self.test_list
        data, self.targets = [], []
        for file_name, _ in downloaded_list:
            with open(os.path.join(self.root, self.base_folder, file_name), "rb") as f:
                entry = restricted_pickle_load(f, encoding="latin1")
            data.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])

        # (N, 3072) rows are [R plane | G plane | B plane]: view as (N, C, H, W), then move C last (HWC),
        # the layout PIL expects.
        self.data: Any = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))

        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use download=True to "
                               "download it")
        with open(path, "rb") as infile:
            data = restricted_pickle_load(infile, encoding="latin1")
        self.classes = data[self.meta["key"]]
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: an RGB PIL image and the class index, after the transforms."""
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)  # a PIL image, as every other dataset returns

        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        """True if every batch file (train and test) is there with its published md5."""
        for filename, md5 in self.train_list + self.test_list:
            if not check_integrity(os.path.join(self.root, self.base_folder, filename), md5):
                return False
        return True

    def download(self) -> None:
        if self._check_integrity():
            return
        try:
            download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)
        except RuntimeError as e:
            raise RuntimeError(
                f"{str(e).splitlines()[0]}\nTo use {self.__class__.__name__} offline, download {self.url} "
                "by hand and put it in "
                f"{os.path.join(os.fspath(self.root), '')} then call again with download=True (its md5 is "
                f"checked and it is extracted to {os.path.join(os.fspath(self.root), self.base_folder)}), or "
                f"extract it there yourself.") from e

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """`CIFAR100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ Dataset: 100 classes, one ``train`` and
    one ``test`` file in ``root/cifar-100-python/``; targets are the ``fine_labels``.

    This is a subclass of the `CIFAR10` Dataset.
    """

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [
        ["train", "16019d7e3df5f24257cddd939b257f8d"],
    ]
    test_list = [
        ["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"],
    ]
    meta = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
