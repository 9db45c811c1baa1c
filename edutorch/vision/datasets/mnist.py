"""MNIST and Fashion-MNIST, read from the original IDX files (torchvision's folder layout).

Files live in ``<root>/<ClassName>/raw/`` exactly as torchvision leaves them, so a folder downloaded for
torchvision works here unchanged::

    root/MNIST/raw/train-images-idx3-ubyte   train-labels-idx1-ubyte
                   t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte     (+ the .gz they came from)

The IDX format (LeCun's, "Pascal Vincent SN3"), all integers big-endian::

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    byte  3     number of dimensions, ndim
    then        ndim sizes, each a 4-byte big-endian unsigned int (e.g. 60000, 28, 28)
    then        the elements, row-major, each big-endian

So ``00 00 08 03 | 00 00 EA 60 | 00 00 00 1C | 00 00 00 1C | ...`` is 60000 images of 28x28 uint8 pixels
(``0x0803 = 2051`` is the "magic number" of an image file; a label file is ``0x0801 = 2049``). The image
size is read from the header, so 8x8 digits stored the same way load just as well.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np
from PIL import Image

from ...ops.creation import from_numpy
from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_idx", "read_sn3_pascalvincent_tensor", "read_image_file",
           "read_label_file"]

# IDX type byte -> NumPy dtype, big-endian ('>'): the bytes on disk are most-significant first.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: Union[str, Path], strict: bool = True) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed) into a NumPy array of its shape and type.

    Args:
        path: the file, e.g. ``MNIST/raw/train-images-idx3-ubyte``.
        strict: if True, the number of elements must be exactly the product of the sizes in the header.

    Raises:
        ValueError: if the file does not start with an IDX magic number, or its size does not match
            the header.
    """
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":  # gzip's own magic number: the user kept the downloaded .gz as is
        data = gzip.decompress(data)

    # The 4-byte magic number: two zero bytes, the element type, the number of dimensions.
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES or data[3] == 0:
        raise ValueError(f"{path} is not an IDX file: its first 4 bytes are {data[:4].hex(' ')}, expected "
                         f"00 00 <type: one of {', '.join(f'{t:02x}' for t in IDX_DTYPES)}> <ndim >= 1>")
    dtype, ndim = IDX_DTYPES[data[2]], data[3]

    header_size = 4 + 4 * ndim
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    payload = np.frombuffer(data, dtype=dtype, offset=header_size)
    expected = int(np.prod(shape))
    if payload.size < expected or (strict and payload.size != expected):
        raise ValueError(f"{path}: the header says shape {shape} ({expected} elements of {dtype.name}) but "
                         f"the file holds {payload.size}; the file is truncated or corrupted")
    # astype to the native byte order: a copy, which also makes the array writable (frombuffer's is not).
    return payload[:expected].reshape(shape).astype(dtype.newbyteorder("="))


def read_sn3_pascalvincent_tensor(path: str, strict: bool = True):
    """torchvision's name for reading an IDX file: the same as :func:`read_idx`, as an edutorch Tensor."""
    return from_numpy(read_idx(path, strict=strict))


def read_image_file(path: str):
    """An IDX image file as a uint8 tensor of shape (N, H, W)."""
    x = read_idx(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndim != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndim}")
    return from_numpy(x)


def read_label_file(path: str):
    """An IDX label file as an int64 tensor of shape (N,)."""
    x = read_idx(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndim != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndim}")
    return from_numpy(x.astype(np.int64))


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ Dataset.

    Args:
        root (str or ``pathlib.Path``): Root directory of dataset where ``MNIST/raw/train-images-idx3-ubyte``
            and ``MNIST/raw/t10k-images-idx3-ubyte`` exist.
        train (bool, optional): If True, creates dataset from ``train-images-idx3-ubyte``,
            otherwise from ``t10k-images-idx3-ubyte``.
        transform (callable, optional): takes a PIL image and returns a transformed version,
            e.g. ``transforms.RandomCrop``.
        target_transform (callable, optional): takes the target and transforms it.
        download (bool, optional): If True, downloads the dataset from the internet and puts it in the
            root directory. If the dataset is already downloaded, it is not downloaded again.

    Attributes:
        data (Tensor): uint8, shape (N, H, W). targets (Tensor): int64, shape (N,).

    ``dataset[i]`` is ``(PIL image of mode 'L', int label)``, after the transforms.
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]

    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]

    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: Union[str, Path], train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train  # training set or test set

        if download:
            self.download()

        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")

        self.data, self.targets = self._load_data()

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a PIL image of mode 'L' and the class index, after the transforms."""
        img, target = self.data[index], int(self.targets[index])
        # A PIL image, as every other dataset returns: the transforms expect one.
        # (a 2-D uint8 array becomes mode 'L'; Pillow >= 11.3 deprecates passing mode= here)
        img = Image.fromarray(img.numpy())

        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {_class: i for i, _class in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        # The extracted files (train-images-idx3-ubyte, ...): the names of the resources minus '.gz'.
        return all(check_integrity(os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]))
                   for url, _ in self.resources)

    def download(self) -> None:
        """Download the data if it doesn't exist already: each file from the first mirror that works,
        md5-checked, then decompressed next to the .gz."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)

        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    download_and_extract_archive(url, download_root=self.raw_folder, filename=filename, md5=md5)
                except RuntimeError as e:
                    errors.append(e)
                    continue
                break
            else:
                s = f"Error downloading {filename}:\n"
                for mirror, err in zip(self.mirrors, errors):
                    # (first line only: the rest is download_url's generic hint, said better below)
                    s += f"Tried {mirror}{filename}, got:\n{str(err).splitlines()[0]}\n"
                names = ", ".join(name for name, _ in self.resources)
                s += (f"To use {self.__class__.__name__} offline, download the files {names} by hand from "
                      f"{self.mirrors[0]} and put them in {self.raw_folder}{os.sep} then call again with "
                      f"download=True (their md5 is checked and they are decompressed there), or put the "
                      f"decompressed files (the same names without .gz) there yourself.")
                raise RuntimeError(s)

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_ Dataset: 28x28 grey images of
    clothes in 10 classes, in MNIST's IDX files and layout (``root/FashionMNIST/raw/``).

    Args: as :class:`MNIST`.
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]

    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
