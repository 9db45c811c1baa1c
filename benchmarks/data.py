"""One epoch of a DataLoader: edutorch against PyTorch, one engine per process.

    python benchmarks/data.py            # about a minute
    python benchmarks/data.py --quick    # 3 rounds, fewer repeats: a smoke run

Both sides read the same data with the same Dataset code (written once below, parameterised by the
library), so the ratio measures the loader itself: sampler, fetching, ``default_collate`` and, with
``num_workers=2``, the worker processes and the queues between them. Cases:

- ``tensors``: 10,000 in-memory 1x28x28 float images and int64 labels (a TensorDataset), batch 64,
  shuffled: the per-sample bookkeeping of the loader.
- ``decode``: 2,000 PNG files held as bytes, decoded with PIL and scaled to [0, 1] in ``__getitem__``
  (what an image-folder dataset does), batch 64, with 0 and with 2 workers.

The data is made in each process from the same seed (not timed). Timed in fresh processes, one engine
each, in alternating rounds (benchmarks/_runner.py says how); ratio = edutorch time / PyTorch time, the
median of the per-round ratios. An epoch returns its number of batches, and the runner notes it if the
two engines saw different numbers. Not a test.
"""
from __future__ import annotations

import argparse
import importlib
import io

import numpy as np
from _runner import Case, add_arguments, run_cases
from PIL import Image


def _png_bytes(count: int) -> list:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(count):
        buffer = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


class DecodeDataset:
    """PNG bytes -> a (1, 28, 28) float tensor in [0, 1], and a label: the work of an image dataset."""

    def __init__(self, lib, images: list, labels: np.ndarray):
        self.lib, self.images, self.labels = lib, images, labels

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        pixels = np.asarray(Image.open(io.BytesIO(self.images[index])), dtype=np.float32) / 255
        return self.lib.from_numpy(pixels[None]), int(self.labels[index])


def epoch(lib, dataset, batch_size: int, workers: int, seed: int = 0):
    """A function that runs one shuffled epoch and returns the number of batches seen."""
    data = importlib.import_module(f"{lib.__name__}.utils.data")

    def run():
        loader = data.DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers,
                                 generator=lib.Generator().manual_seed(seed))
        return sum(1 for _ in loader)
    return run


def build_tensors(lib):
    rng = np.random.default_rng(0)
    images = rng.random((10_000, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 10_000)
    data = importlib.import_module(f"{lib.__name__}.utils.data")
    return epoch(lib, data.TensorDataset(lib.from_numpy(images), lib.from_numpy(labels)), 64, 0)


def build_decode(lib, workers: int):
    labels = np.random.default_rng(0).integers(0, 10, 10_000)[:2_000]
    return epoch(lib, DecodeDataset(lib, _png_bytes(2_000), labels), 64, workers)


def main() -> None:
    parser = add_arguments(argparse.ArgumentParser(description=__doc__.split("\n")[0]))
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    cases = [
        Case("tensors: TensorDataset 10k x 1x28x28, batch 64, 0 workers", build_tensors, 1, repeat),
        Case("decode: 2k PNGs decoded per item, batch 64, 0 workers", build_decode, 1, repeat,
             options={"workers": 0}),
        Case("decode: 2k PNGs decoded per item, batch 64, 2 workers", build_decode, 1, repeat,
             options={"workers": 2}),
    ]
    run_cases(cases, args, label_width=58)


if __name__ == "__main__":
    main()
