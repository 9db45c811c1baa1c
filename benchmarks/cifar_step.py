"""One training step of the CIFAR-10 CNN from our notes, edutorch against PyTorch, in one run.

    python benchmarks/cifar_step.py            # about half a minute
    python benchmarks/cifar_step.py --quick    # fewer repeats, for a smoke run
    python benchmarks/cifar_step.py --profile  # also: where edutorch's time goes, by op

Model: Conv2d(3,32,5,p=2) -> MaxPool2d(2) -> Conv2d(32,32,5,p=2) -> MaxPool2d(2) -> Conv2d(32,64,5,p=2)
-> MaxPool2d(2) -> Flatten -> Linear(1024,64) -> Linear(64,10), batch 64 of 3x32x32 float32 images.
A step is forward, CrossEntropyLoss, zero_grad, backward and an SGD step. Both libraries are timed
alternately (benchmarks/ops.py's ``compare``), medians shown; ratio = edutorch / PyTorch. Peak memory
of a step is measured in a fresh subprocess per library (the rise of the peak resident set size over
the RSS before the first step, sampled every millisecond). This is a script, not a test.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops import TORCH_THREADS, compare, format_time, numpy_blas_threads, torch  # noqa: E402

import edutorch  # noqa: E402  (ops.py put the checkout on sys.path)

BATCH = 64


def cifar_step_case(lib):
    """The model, a fixed batch, and one training step as a closure."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((BATCH, 3, 32, 32), dtype=np.float32))
    y = lib.tensor(rng.integers(0, 10, BATCH))
    loss_fn = nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def peak_step_memory_mb(which: str) -> float:
    """Run in a fresh process: warm up, then the rise of peak RSS over the warmed-up RSS during steps."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            f"import cifar_step as c; print(c._measure_here({which!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _current_rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _measure_here(which: str) -> float:
    """Sample the resident set size every millisecond during 3 steps; peak minus the RSS before them.

    The first step is included: it allocates the gradients and optimizer state, and PyTorch's allocator
    keeps what it once allocated, so starting after it would hide PyTorch's working memory.
    """
    torch.set_num_threads(TORCH_THREADS)
    step = cifar_step_case(edutorch if which == "edutorch" else torch)
    base = peak = _current_rss_kb()  # model and batch built, no step run yet
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _current_rss_kb())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    for _ in range(3):
        step()
    done.set()
    sampler.join()
    return (peak - base) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--profile", action="store_true", help="print edutorch's time by op (cProfile)")
    args = parser.parse_args()

    torch.set_num_threads(TORCH_THREADS)
    print(f"threads: PyTorch {torch.get_num_threads()}, NumPy BLAS {numpy_blas_threads()}; batch {BATCH}")
    warmup, repeat = (1, 3) if args.quick else (3, 11)
    ours, theirs, ratio = compare(cifar_step_case(edutorch), cifar_step_case(torch), warmup, repeat, 1)
    print(f"train step  edutorch {format_time(ours)}   PyTorch {format_time(theirs)}   ratio {ratio:.2f}x")
    mem_ours, mem_theirs = peak_step_memory_mb("edutorch"), peak_step_memory_mb("torch")
    print(f"peak memory of a step (RSS rise)  edutorch {mem_ours:.0f} MB   PyTorch {mem_theirs:.0f} MB")
    if args.profile:
        step = cifar_step_case(edutorch)
        step()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            step()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
