"""One training step of the CIFAR-10 CNN from our notes, edutorch against PyTorch, one engine per process.

    python benchmarks/cifar_step.py            # about half a minute
    python benchmarks/cifar_step.py --quick    # 3 rounds, fewer repeats: a smoke run
    python benchmarks/cifar_step.py --profile  # also: where edutorch's time goes, by op

Model: Conv2d(3,32,5,p=2) -> MaxPool2d(2) -> Conv2d(32,32,5,p=2) -> MaxPool2d(2) -> Conv2d(32,64,5,p=2)
-> MaxPool2d(2) -> Flatten -> Linear(1024,64) -> Linear(64,10), batch 64 of 3x32x32 float32 images.
A step is forward, CrossEntropyLoss, zero_grad, backward and an SGD step (momentum 0.9).

Timed in fresh processes, one engine each, in alternating rounds (benchmarks/_runner.py says how);
ratio = edutorch / PyTorch, the median of the per-round ratios. Memory, per process: "step MB" is the
rise of the peak resident set size during the steps (warm-up included: the first step allocates the
gradients and the optimizer state, and PyTorch's allocator keeps what it once allocated) over the RSS
after the model and batch were built; "peak RSS" is the whole process's peak (ru_maxrss), the
engine's import included. This is a script, not a test.
"""
from __future__ import annotations

import argparse

import numpy as np
from _runner import Case, add_arguments, run_cases, run_in_subprocess

BATCH = 64


def build_cifar_step(lib):
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


def profile_steps(lib, steps: int = 5, lines: int = 15) -> str:
    """cProfile of ``steps`` steps after one warm-up step, the top ``lines`` functions by own time."""
    import cProfile
    import io
    import pstats

    step = build_cifar_step(lib)
    step()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(lines)
    return text.getvalue()


def main() -> None:
    parser = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--profile", action="store_true", help="print edutorch's time by op (cProfile)")
    args = parser.parse_args()
    warmup, repeat = (1, 3) if args.quick else (3, 7)
    print(f"batch {BATCH}")
    run_cases([Case("train step: CIFAR-10 CNN, batch 64, SGD momentum", build_cifar_step, warmup, repeat)],
              args, memory=True, label_width=50)
    if args.profile:
        print(run_in_subprocess(profile_steps, "edutorch")["value"])


if __name__ == "__main__":
    main()
