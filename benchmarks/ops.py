"""Time edutorch against PyTorch on small and large ops, one engine per process, and print the ratios.

    python benchmarks/ops.py            # about a minute and a half
    python benchmarks/ops.py --quick    # 3 rounds, fewer repeats: a smoke run
    python benchmarks/ops.py --rounds 9 # more processes per engine, steadier medians

Cases, each forward + backward unless said otherwise:

1. overhead  a chain of 10 elementwise ops on a 10-element tensor, then sum().backward(): the
             numbers are trivial, so this measures the per-op cost of Python and graph recording;
2. matmul    one 1000 x 1000 float32 matrix product and its backward (three GEMMs): this measures
             whether the BLAS calls are the same;
3. mlp       relu(x @ W + b).sum() with x 256 x 512 and W 512 x 512, and its backward: a layer, where
             both effects mix;

and the small graphs of a first lesson, where per-op overhead is everything:

4. chain3    the same 10-op chain on a 3-element tensor;
5. neuron    w0*x0 + ... + w7*x7 on 0-d tensors, then tanh, and backward (16 leaves);
6. mlp-sgd   one SGD step of an MLP 10-32-1 (ReLU) at batch 16: forward, MSE loss, backward, step,
             zero_grad;
7. index     100 calls of x[i] on a 1000 x 10 tensor (no grad): forward only.

Every case runs in fresh processes, one engine each, in alternating rounds (benchmarks/_runner.py,
which says how): ratio = edutorch time / PyTorch time, the median of the per-round ratios. This is a
script, not a test: it prints, it asserts nothing.
"""
from __future__ import annotations

import argparse

import numpy as np
from _runner import Case, add_arguments, run_cases


# ------------------------------------------------------------------------------------------ cases
def build_chain(lib, size: int = 10):
    """10 elementwise ops on ``size`` numbers, then backward: pure per-op overhead."""
    x = lib.tensor(np.linspace(-1.0, 1.0, size, dtype=np.float32), requires_grad=True)

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


def build_matmul(lib):
    """1000 x 1000 float32 matmul, forward and backward (dA = G B^T, dB = A^T G)."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((1000, 1000), dtype=np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal((1000, 1000), dtype=np.float32), requires_grad=True)
    grad = lib.tensor(np.ones((1000, 1000), dtype=np.float32))

    def step():
        a.grad = b.grad = None
        (a @ b).backward(grad)

    return step


def build_mlp(lib):
    """One dense layer: relu(x @ W + b).sum() on a 256 x 512 batch, forward and backward."""
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((256, 512), dtype=np.float32))
    w = lib.tensor(rng.standard_normal((512, 512), dtype=np.float32) * 0.05, requires_grad=True)
    b = lib.tensor(np.zeros(512, dtype=np.float32), requires_grad=True)

    def step():
        w.grad = b.grad = None
        (x @ w + b).relu().sum().backward()

    return step


def build_neuron(lib, terms: int = 8):
    """tanh(w0*x0 + ... + w7*x7) on 0-d tensors, and backward: the micrograd neuron."""
    rng = np.random.default_rng(2)
    xs = [lib.tensor(float(v), requires_grad=True) for v in rng.standard_normal(terms)]
    ws = [lib.tensor(float(v), requires_grad=True) for v in rng.standard_normal(terms)]
    leaves = xs + ws

    def step():
        for leaf in leaves:
            leaf.grad = None
        total = ws[0] * xs[0]
        for w, x in zip(ws[1:], xs[1:]):
            total = total + w * x
        total.tanh().backward()

    return step


def build_mlp_sgd(lib):
    """One SGD step of an MLP 10-32-1 at batch 16: forward, MSE loss, backward, step, zero_grad."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(3)
    x = lib.tensor(rng.standard_normal((16, 10), dtype=np.float32))
    y = lib.tensor(rng.standard_normal((16, 1), dtype=np.float32))
    loss_fn = nn.MSELoss()

    def step():
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()

    return step


def build_index(lib, calls: int = 100):
    """``calls`` reads x[i] of a 1000 x 10 tensor outside a graph (what a TensorDataset does)."""
    x = lib.tensor(np.random.default_rng(4).standard_normal((1000, 10), dtype=np.float32))

    def step():
        for i in range(calls):
            x[i]

    return step


CASES = [
    # label, build, (warmup, repeat, number) per process, options
    ("overhead: 10 elementwise ops on 10 numbers + backward", build_chain, (50, 7, 200), {"size": 10}),
    ("matmul: 1000x1000 float32, forward + backward", build_matmul, (2, 5, 1), {}),
    ("mlp: relu(x @ W + b).sum(), x 256x512, W 512x512, + backward", build_mlp, (5, 7, 10), {}),
    ("chain3: 10 elementwise ops on 3 numbers + backward", build_chain, (50, 7, 200), {"size": 3}),
    ("neuron: tanh(w0*x0 + ... + w7*x7), 0-d tensors, + backward", build_neuron, (50, 7, 200), {}),
    ("mlp-sgd: MLP 10-32-1, batch 16, MSE, backward, step, zero_grad", build_mlp_sgd, (50, 7, 200), {}),
    ("index: 100 x x[i] on a 1000x10 tensor (no grad)", build_index, (20, 7, 50), {}),
]


def main() -> None:
    parser = add_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    args = parser.parse_args()
    cases = []
    for label, build, (warmup, repeat, number), options in CASES:
        if args.quick:
            warmup, repeat, number = max(1, warmup // 5), 3, max(1, number // 10)
        cases.append(Case(label, build, warmup, repeat, number, options))
    run_cases(cases, args)


if __name__ == "__main__":
    main()
