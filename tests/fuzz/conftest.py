"""Options of the differential fuzz test (tests/fuzz/test_differential.py).

``--fuzz-programs=N`` (or ``EDUTORCH_FUZZ_PROGRAMS=N``) runs N programs instead of the default bounded run,
``--fuzz-seed=S`` (or ``EDUTORCH_FUZZ_SEED=S``) starts at seed S. They are read only when pytest is given a
path inside tests/fuzz (pytest reads options from the conftest files of the paths it is given).
"""
from __future__ import annotations


def pytest_addoption(parser):
    group = parser.getgroup("fuzz", "differential fuzzing against PyTorch")
    group.addoption("--fuzz-programs", type=int, default=None,
                    help="number of random programs to run (default: a bounded run of a few hundred)")
    group.addoption("--fuzz-seed", type=int, default=None, help="first program seed (default 0)")
