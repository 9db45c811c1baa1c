"""Write small data set files in the OFFICIAL formats, for the dataset tests (and their fixture script).

Only NumPy, PIL and the standard library, so ``fixtures/make_datasets_fixtures.py`` can build the very
same files under torchvision's venv and record what torchvision reads from them.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import tarfile

import numpy as np
from PIL import Image

# IDX element types (see edutorch/vision/datasets/mnist.py for the format).
IDX_TYPE_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
                  np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file's bytes: 00 00 <type> <ndim>, the sizes as big-endian uint32, big-endian data."""
    array = np.asarray(array)
    header = bytes([0, 0, IDX_TYPE_CODES[array.dtype], array.ndim])
    sizes = np.asarray(array.shape, dtype=">u4").tobytes()
    return header + sizes + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array: np.ndarray, gz: bool = False) -> str:
    data = idx_bytes(array)
    if gz:
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def md5_of(path) -> str:
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def mnist_arrays(seed: int = 0, n_train: int = 12, n_test: int = 5, hw=(28, 28)):
    """Deterministic images (uint8 N,H,W) and labels (uint8 N) for both splits."""
    rng = np.random.default_rng(seed)
    return {
        "train": (rng.integers(0, 256, (n_train, *hw), dtype=np.uint8), rng.integers(0, 10, n_train).astype(np.uint8)),
        "t10k": (rng.integers(0, 256, (n_test, *hw), dtype=np.uint8), rng.integers(0, 10, n_test).astype(np.uint8)),
    }


def write_mnist_raw(folder, arrays, gz: bool = False) -> dict[str, str]:
    """The four IDX files in ``folder`` (``root/MNIST/raw``), plain or ``.gz``; returns {filename: md5}."""
    os.makedirs(folder, exist_ok=True)
    md5s = {}
    suffix = ".gz" if gz else ""
    for split, (images, labels) in arrays.items():
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{split}-{kind}-ubyte{suffix}"
            md5s[name] = md5_of(write_idx(os.path.join(folder, name), arr, gz=gz))
    return md5s


class _Py2StylePickler(pickle._Pickler):
    """Pickles str and bytes as Python 2's ``str`` (BINSTRING opcodes), as the official CIFAR files, which
    Python 2 wrote, do: Python 3 reads them back only with ``encoding='latin1'`` (or 'bytes')."""

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = _save_py2_str
    dispatch[bytes] = _save_py2_str


def _py2_style_pickle(obj) -> bytes:
    """``obj`` pickled as the official CIFAR files are: protocol 2, Python 2 strings, and numpy's array
    rebuilder named ``numpy.core.multiarray._reconstruct`` (numpy 1's path; numpy 2 says ``numpy._core``).
    Protocol 2 spells globals as text lines, so the path can be renamed in place."""
    buffer = io.BytesIO()
    _Py2StylePickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue().replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")


def cifar_arrays(seed: int = 0, batch_sizes=(3, 2, 2, 2, 2), n_test: int = 4, num_classes: int = 10):
    """Deterministic CIFAR-style batches: (N, 3072) uint8 rows ([R plane | G plane | B plane]) + labels."""
    rng = np.random.default_rng(seed)
    train = [(rng.integers(0, 256, (n, 3072), dtype=np.uint8), [int(v) for v in rng.integers(0, num_classes, n)])
             for n in batch_sizes]
    test = (rng.integers(0, 256, (n_test, 3072), dtype=np.uint8),
            [int(v) for v in rng.integers(0, num_classes, n_test)])
    return train, test


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_cifar10(root, seed: int = 0) -> dict[str, str]:
    """``root/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}``; returns {file: md5}."""
    folder = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    train, test = cifar_arrays(seed)
    files = {f"data_batch_{i + 1}": {"batch_label": f"training batch {i + 1} of 5", "labels": labels,
                                     "data": data, "filenames": [f"img_{i}_{j}.png" for j in range(len(labels))]}
             for i, (data, labels) in enumerate(train)}
    files["test_batch"] = {"batch_label": "testing batch 1 of 1", "labels": test[1], "data": test[0],
                           "filenames": [f"test_{j}.png" for j in range(len(test[1]))]}
    files["batches.meta"] = {"num_cases_per_batch": 10000, "label_names": CIFAR10_CLASSES, "num_vis": 3072}
    md5s = {}
    for name, obj in files.items():
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(_py2_style_pickle(obj))
        md5s[name] = md5_of(path)
    return md5s


def write_cifar100(root, seed: int = 1) -> dict[str, str]:
    """``root/cifar-100-python/{train, test, meta}`` with ``fine_labels``/``coarse_labels``."""
    folder = os.path.join(root, "cifar-100-python")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    fine_names = [f"class_{i:03d}" for i in range(100)]
    files = {}
    for name, n in (("train", 6), ("test", 3)):
        files[name] = {"filenames": [f"{name}_{j}.png" for j in range(n)], "batch_label": f"{name} batch",
                       "fine_labels": [int(v) for v in rng.integers(0, 100, n)],
                       "coarse_labels": [int(v) for v in rng.integers(0, 20, n)],
                       "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8)}
    files["meta"] = {"fine_label_names": fine_names, "coarse_label_names": [f"super_{i}" for i in range(20)]}
    md5s = {}
    for name, obj in files.items():
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(_py2_style_pickle(obj))
        md5s[name] = md5_of(path)
    return md5s


def tar_gz_folder(archive_path, root, folder_name) -> str:
    """``tar czf archive_path -C root folder_name`` (the layout of the official CIFAR tarballs)."""
    with tarfile.open(archive_path, "w:gz") as tar:
        tar.add(os.path.join(root, folder_name), arcname=folder_name)
    return str(archive_path)


# An ImageFolder tree: (relative path, kind). Kinds: an image mode + format, or plain text.
IMAGE_TREE = [
    ("cat/001.png", "RGB-PNG"),
    ("cat/002.JPG", "RGB-JPEG"),          # upper-case extension: still an image
    ("cat/notes.txt", "TEXT"),            # not an image: skipped by ImageFolder
    ("cat/nested/deeper/003.png", "L-PNG"),  # nested folders belong to their class; grey -> RGB
    ("dog/a.bmp", "RGB-BMP"),
    ("dog/b.jpeg", "RGB-JPEG"),
    ("dog/c.png", "RGBA-PNG"),
    ("dog/README", "TEXT"),
    ("fish/z.webp", "RGB-WEBP"),
    ("fish/m.tiff", "RGB-TIFF"),
    ("fish/extra/readme.txt", "TEXT"),
]


def build_image_tree(root, tree=IMAGE_TREE, size=(6, 5)) -> None:
    """Write each file of ``tree`` under ``root`` (small images with deterministic pixels)."""
    for i, (rel, kind) in enumerate(tree):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if kind == "TEXT":
            with open(path, "w") as f:
                f.write("not an image\n")
            continue
        mode, fmt = kind.split("-")
        channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
        pixels = (np.arange(size[0] * size[1] * channels).reshape(size[1], size[0], channels) * 7 + 40 * i) % 256
        pixels = pixels.astype(np.uint8)
        img = Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels)
        buffer = io.BytesIO()
        img.save(buffer, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
        with open(path, "wb") as f:
            f.write(buffer.getvalue())
