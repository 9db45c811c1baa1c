"""Differential fuzzing: random small programs run on edutorch and on PyTorch must agree.

Each program (tests/fuzz/programs.py) is a few lines of PyTorch code over literal inputs: elementwise ops,
comparisons, reductions, the matmul family, shape ops, indexing and setitem, softmax, losses, conv/pool,
in-place ops, creation and casts, on random shapes (0-d, 0-size, broadcasting pairs, non-contiguous views)
and dtypes (float32/float64/int64/bool, floats often requiring grad). Both engines must give the same
dtype, shape, ``requires_grad`` and values (float32 rtol 1e-4 / atol 1e-5, float64 rtol 1e-7 / atol 1e-9 or
float32's when the program holds float32 values, atol scaled by the largest magnitude; integers and bools
exact; NaN and inf in the same places), the same leaf
gradients after backward of the sum of the floating results, or raise the same builtin exception type.
Programs run in a worker process, so a crash or a hang is a failure of that program, not of pytest.

Every disagreement found must be listed in tests/fuzz/known_disagreements.py (a matcher per category);
a new one fails ``test_no_new_disagreements`` with a shrunk, copy-pasteable repro. When a defect is
fixed, ``test_known_disagreement_still_reproduces`` fails for its entry: delete the entry.

Run it::

    pytest -o addopts="" tests/fuzz                          # bounded: 4000 programs from seed 0 (< 2 min)
    pytest -o addopts="" tests/fuzz --fuzz-programs=20000    # longer; or EDUTORCH_FUZZ_PROGRAMS=20000
    pytest -o addopts="" tests/fuzz --fuzz-seed=50000        # other programs; or EDUTORCH_FUZZ_SEED=50000
    python -m tests.fuzz.programs 2000 [FIRST_SEED]          # counts by category and one repro each

The default run stops early (and says so) after 75 s on a loaded machine; an explicit
``--fuzz-programs`` run has no time limit.
"""
from __future__ import annotations

import collections
import os
import time
import warnings

import pytest

from tests.fuzz import known_disagreements
from tests.fuzz.programs import Program, Worker, explore, repro, shrink

DEFAULT_PROGRAMS = 4000
DEFAULT_TIME_BUDGET = 75.0  # seconds, for the default run only
MAX_REPORTED = 6  # new categories shrunk and printed in one failure


def _setting(config, option: str, env: str):
    value = config.getoption(option, None)
    if value is None and os.environ.get(env):
        value = int(os.environ[env])
    return value


@pytest.fixture(scope="module")
def worker(torch):
    w = Worker()
    yield w
    w.close()


def test_no_new_disagreements(worker, request):
    n = _setting(request.config, "--fuzz-programs", "EDUTORCH_FUZZ_PROGRAMS")
    seed = _setting(request.config, "--fuzz-seed", "EDUTORCH_FUZZ_SEED") or 0
    budget = DEFAULT_TIME_BUDGET if n is None else None
    n = DEFAULT_PROGRAMS if n is None else n
    start = time.monotonic()
    ran, known_counts, new = 0, collections.Counter(), {}
    for program, d in explore(n, seed, budget, worker):
        ran += 1
        if d is None:
            continue
        entry = known_disagreements.match(d)
        if entry is not None:
            known_counts[entry.name] += 1
        else:
            new.setdefault(d.signature(), []).append((program, d))
    elapsed = time.monotonic() - start
    summary = ", ".join(f"{k}: {c}" for k, c in known_counts.most_common())
    print(f"\n{ran} programs (seeds {seed}..{seed + ran - 1}) in {elapsed:.0f} s; known disagreements: {summary}")
    if ran < n:
        warnings.warn(f"differential fuzzing stopped after {ran} of {n} programs (time budget {budget:.0f} s)")
    if new:
        reports = []
        for sig, cases in list(new.items())[:MAX_REPORTED]:
            program, d = min(cases, key=lambda c: len(c[0].source()))
            program, d = shrink(worker, program, d)
            reports.append(f"--- {len(cases)} program(s): {sig}\n{repro(program, d)}")
        more = f"\n(and {len(new) - MAX_REPORTED} more categories)" if len(new) > MAX_REPORTED else ""
        pytest.fail(f"{len(new)} new kind(s) of disagreement with PyTorch (add a fix, or an entry to "
                    f"tests/fuzz/known_disagreements.py):\n\n" + "\n\n".join(reports) + more, pytrace=False)


@pytest.mark.parametrize("entry", known_disagreements.KNOWN, ids=[k.name for k in known_disagreements.KNOWN])
def test_known_disagreement_still_reproduces(worker, entry):
    program = Program(list(entry.example[0]), [tuple(s) for s in entry.example[1]])
    _, d = worker.run(program=program)
    assert d is not None, f"{entry.name} no longer disagrees (fixed?): remove it from known_disagreements.py"
    assert entry.matches(d), (f"{entry.name}: its example now disagrees differently:\n{repro(program, d)}")
