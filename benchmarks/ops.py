"""Time edutorch against PyTorch on the same work, in one run, and print the ratios.

    python benchmarks/ops.py            # about half a minute
    python benchmarks/ops.py --quick    # fewer repeats, for a smoke run

Three cases, each forward + backward:

1. overhead  a chain of 10 elementwise ops on a 10-element tensor, then sum().backward(): the
             numbers are trivial, so this measures the per-op cost of Python and graph recording;
2. matmul    one 1000 x 1000 float32 matrix product and its backward (three GEMMs): this measures
             whether the BLAS calls are the same;
3. mlp       relu(x @ W + b).sum() with x 256 x 512 and W 512 x 512, and its backward: a layer, where
             both effects mix.

Each case is warmed up, then timed ``repeat`` times (each time the mean over ``number`` calls) with
time.perf_counter, edutorch and PyTorch alternately; the table shows the medians. ratio = edutorch
time / PyTorch time (1.0 is parity, 10 means ten times slower). This is a script, not a test: it
prints, it asserts nothing.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

import edutorch  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover - the script needs PyTorch as the reference
    sys.exit("benchmarks/ops.py compares against PyTorch: install torch (CPU) first.")

TORCH_THREADS = 2


def _mean_call_time(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(ours, theirs, warmup: int, repeat: int, number: int) -> tuple:
    """Median time of one call for each library, and the median of the paired ratios.

    The two are timed alternately (ours, theirs, ours, ...), so a burst of load from another process
    slows both sides of a pair and the ratio stays meaningful on a busy machine.
    """
    for _ in range(warmup):
        ours()
        theirs()
    pairs = [(_mean_call_time(ours, number), _mean_call_time(theirs, number)) for _ in range(repeat)]
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
            statistics.median(p[0] / p[1] for p in pairs))


# ------------------------------------------------------------------------------------------ cases
def overhead_case(lib):
    """10 elementwise ops on 10 numbers, then backward: pure per-op overhead."""
    x = lib.tensor(np.linspace(-1.0, 1.0, 10, dtype=np.float32), requires_grad=True)

    def step():
        x.grad = None
        y = x * 2.0
        y = y + 1.0
        y = y.sin()
        y = y * x
        y = y - 0.5
        y = y.exp()
        y = y / 3.0
        y = y.tanh()
        y = y.relu()
        y = y + x
        y.sum().backward()

    return step


def matmul_case(lib):
    """1000 x 1000 float32 matmul, forward and backward (dA = G B^T, dB = A^T G)."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((1000, 1000), dtype=np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal((1000, 1000), dtype=np.float32), requires_grad=True)
    grad = lib.tensor(np.ones((1000, 1000), dtype=np.float32))

    def step():
        a.grad = b.grad = None
        (a @ b).backward(grad)

    return step


def mlp_case(lib):
    """One dense layer: relu(x @ W + b).sum() on a 256 x 512 batch, forward and backward."""
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((256, 512), dtype=np.float32))
    w = lib.tensor(rng.standard_normal((512, 512), dtype=np.float32) * 0.05, requires_grad=True)
    b = lib.tensor(np.zeros(512, dtype=np.float32), requires_grad=True)

    def step():
        w.grad = b.grad = None
        (x @ w + b).relu().sum().backward()

    return step


CASES = [
    # name, factory, (warmup, repeat, number) for the full run
    ("overhead: 10 elementwise ops on 10 numbers + backward", overhead_case, (50, 15, 200)),
    ("matmul: 1000x1000 float32, forward + backward", matmul_case, (2, 9, 1)),
    ("mlp: relu(x @ W + b).sum(), x 256x512, W 512x512, + backward", mlp_case, (5, 15, 10)),
]


# --------------------------------------------------------------------------------- thread report
def numpy_blas_threads() -> str:
    """How many threads NumPy's OpenBLAS uses (asked from the loaded library; 'unknown' otherwise)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in paths:
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                         "openblas_get_num_threads"):
                if hasattr(lib, name):
                    return str(getattr(lib, name)())
    except OSError:
        pass
    return "unknown"


def format_time(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = parser.parse_args()

    torch.set_num_threads(TORCH_THREADS)
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch {torch.__version__}, "
          f"{os.cpu_count()} CPUs")
    print(f"threads: PyTorch {torch.get_num_threads()} (set_num_threads({TORCH_THREADS})), "
          f"NumPy BLAS {numpy_blas_threads()}")
    print()
    header = f"{'case':<62} {'edutorch':>12} {'PyTorch':>12} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for name, factory, (warmup, repeat, number) in CASES:
        if args.quick:
            warmup, repeat, number = 1, 3, max(1, number // 10)
        ours, theirs, ratio = compare(factory(edutorch), factory(torch), warmup, repeat, number)
        print(f"{name:<62} {format_time(ours):>12} {format_time(theirs):>12} {ratio:6.1f}x")
    print()
    print("ratio = edutorch time / PyTorch time, the median over alternating runs of both "
          "(lower is better, 1.0x is parity)")


if __name__ == "__main__":
    main()
