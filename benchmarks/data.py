"""One epoch of a DataLoader: edutorch against PyTorch, in one run.

    python benchmarks/data.py            # about a minute
    python benchmarks/data.py --quick    # fewer repeats, for a smoke run

Both sides read the same data with the same Dataset code (written once below, parameterised by the
library), so the ratio measures the loader itself: sampler, fetching, ``default_collate`` and, with
``num_workers=2``, the worker processes and the queues between them. Cases:

- ``tensors``: 10,000 in-memory 1x28x28 float images and int64 labels (a TensorDataset), batch 64,
  shuffled: the per-sample bookkeeping of the loader.
- ``decode``: 2,000 PNG files held as bytes, decoded with PIL and scaled to [0, 1] in ``__getitem__``
  (what an image-folder dataset does), batch 64, with 0 and with 2 workers.

Ratio = edutorch time / PyTorch time, median of alternating runs (``ops.compare``). Not a test.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops import TORCH_THREADS, compare, format_time, torch  # noqa: E402

import edutorch  # noqa: E402  (ops.py put the checkout on sys.path)
import edutorch.utils.data  # noqa: E402,F401


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
    def run():
        loader = lib.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers,
                                           generator=lib.Generator().manual_seed(seed))
        return sum(1 for _ in loader)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    torch.set_num_threads(TORCH_THREADS)

    rng = np.random.default_rng(0)
    images = rng.random((10_000, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 10_000)
    pngs, png_labels = _png_bytes(2_000), labels[:2_000]
    cases = [
        ("tensors: TensorDataset 10k x 1x28x28, batch 64, 0 workers",
         lambda lib: epoch(lib, lib.utils.data.TensorDataset(lib.from_numpy(images), lib.from_numpy(labels)), 64, 0)),
        ("decode: 2k PNGs decoded per item, batch 64, 0 workers",
         lambda lib: epoch(lib, DecodeDataset(lib, pngs, png_labels), 64, 0)),
        ("decode: 2k PNGs decoded per item, batch 64, 2 workers",
         lambda lib: epoch(lib, DecodeDataset(lib, pngs, png_labels), 64, 2)),
    ]
    print(f"threads: torch {torch.get_num_threads()}; torch {torch.__version__}, edutorch {edutorch.__version__}")
    print(f"{'case':58s} {'edutorch':>12s} {'PyTorch':>12s} {'ratio':>7s}")
    for name, make in cases:
        ours, theirs = make(edutorch), make(torch)
        assert ours() == theirs(), "both loaders must see the same number of batches"
        t_ours, t_theirs, ratio = compare(ours, theirs, warmup=1, repeat=repeat, number=1)
        print(f"{name:58s} {format_time(t_ours):>12s} {format_time(t_theirs):>12s} {ratio:6.2f}x")


if __name__ == "__main__":
    main()
