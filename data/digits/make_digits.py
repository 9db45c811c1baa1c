"""How data/digits/MNIST/raw/ was made (run once; kept so the files can be re-created and checked).

Source: scikit-learn's copy of the UCI "Optical Recognition of Handwritten Digits" test set,
``sklearn/datasets/data/digits.csv.gz`` inside the scikit-learn 1.9.1 wheel (1797 rows: 64 pixel
values in 0..16, then the label). Usage::

    python data/digits/make_digits.py path/to/digits.csv.gz

Writes the four files of MNIST's IDX layout, so ``datasets.MNIST(root="data/digits")`` reads them:
pixels scaled from 0..16 to 0..255 (round(v * 255 / 16)), the first 1437 rows (80 %) as the training
split, the last 360 as the test split. Images stay 8x8.
"""
import gzip
import sys
from pathlib import Path

import numpy as np

RAW = Path(__file__).resolve().parent / "MNIST" / "raw"


def write_idx(path: Path, array: np.ndarray) -> None:
    """IDX: a zero short, a dtype code (0x08 = uint8), the number of dims, each dim as a big-endian
    int32, then the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main(csv_gz: str) -> None:
    with gzip.open(csv_gz, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    images = np.rint(table[:, :64] * 255 / 16).astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].astype(np.uint8)
    RAW.mkdir(parents=True, exist_ok=True)
    n_train = 1437
    write_idx(RAW / "train-images-idx3-ubyte", images[:n_train])
    write_idx(RAW / "train-labels-idx1-ubyte", labels[:n_train])
    write_idx(RAW / "t10k-images-idx3-ubyte", images[n_train:])
    write_idx(RAW / "t10k-labels-idx1-ubyte", labels[n_train:])
    print(f"{len(images)} images: {n_train} train, {len(images) - n_train} test -> {RAW}")


if __name__ == "__main__":
    main(sys.argv[1])
