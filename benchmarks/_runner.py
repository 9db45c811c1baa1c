"""Time edutorch and PyTorch in separate processes, one engine per process, and print the ratios.

Why: timed in one process, NumPy's OpenBLAS threads and PyTorch's OpenMP threads spin against each
other (each pool busy-waits for a while after its work, on the same two cores) and PyTorch ran at
about half speed -- a CIFAR training step took PyTorch 121 ms there and 58 ms alone -- so the ratios
flattered edutorch. Here every measurement runs in a fresh Python process that imports only the
engine it times.

How a benchmark script uses it::

    from _runner import Case, add_arguments, run_cases

    def build_matmul(lib, n=1000):       # at module level; ``lib`` is edutorch or torch
        a = lib.randn(n, n)              # set-up, not timed
        return lambda: a @ a             # the zero-argument callable that is timed

    run_cases([Case("matmul", build_matmul, options={"n": 1000})], add_arguments(parser).parse_args())

The script must not import edutorch or torch at module level: the worker process imports the script
(by file path, so its ``main()`` does not run) and then only the engine it was asked for.

For each case, ``run_cases`` runs ``rounds`` rounds; a round is one fresh subprocess for edutorch,
then one for torch (edutorch, torch, edutorch, torch, ...), so load that comes and goes on the
machine hits both engines alike. Each subprocess (``python _runner.py '<json spec>'``):

1. imports its engine; the torch process calls ``torch.set_num_threads(2)``, NumPy's BLAS threads are
   left as they are (both are printed, read with threadpoolctl);
2. calls ``build(engine, **options)`` to get the callable (not timed);
3. calls it ``warmup`` times, then ``repeat`` times measures the mean time of ``number`` calls with
   ``time.perf_counter`` and keeps the **median** of those ``repeat`` measurements;
4. records memory: the process's peak RSS (``ru_maxrss``: everything, the engine's import included),
   and the rise of the peak RSS during warm-up and timing over the RSS just after ``build`` (the
   kernel's peak counter is reset there through /proc/self/clear_refs; where that is not allowed,
   ``ru_maxrss`` is used, which can only over-state the base and so under-state the rise);
5. prints one JSON line, and fails if the other engine got imported.

The parent imports neither engine. Per case it prints the median over rounds of each engine's time,
and the median over rounds of the per-round ratio edutorch time / torch time (1.0x is parity, 2x means
edutorch takes twice as long), with the lowest and highest per-round ratio beside it.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent          # so that the scripts run from a checkout, edutorch uninstalled
ENGINES = ("edutorch", "torch")       # the order inside a round
TORCH_THREADS = 2                     # torch.set_num_threads in the torch process
RESULT_PREFIX = "BENCHMARK-RESULT "   # marks the worker's JSON line in its stdout


@dataclass
class Case:
    """One thing to time. ``build(engine_module, **options)`` returns the zero-argument callable.

    ``build`` must be a module-level function of a benchmark script (the worker finds it again by
    file and name), and ``options`` must be JSON-serialisable. If the callable returns a number or a
    string, the last call's value is reported, so that a script can check both engines did the same.
    """
    label: str
    build: Callable[..., Callable[[], Any]]
    warmup: int = 3
    repeat: int = 7
    number: int = 1
    options: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------ the parent side
def add_arguments(parser: argparse.ArgumentParser, rounds: int = 5) -> argparse.ArgumentParser:
    """The flags every benchmark script shares: --quick and --rounds."""
    parser.add_argument("--quick", action="store_true", help="3 rounds and fewer repeats (a smoke run)")
    parser.add_argument("--rounds", type=int, default=None,
                        help=f"processes per engine and case (default {rounds}, 3 with --quick)")
    parser.set_defaults(default_rounds=rounds)
    return parser


def rounds_of(args: argparse.Namespace) -> int:
    if args.rounds is not None:
        return args.rounds
    return 3 if args.quick else args.default_rounds


def format_time(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def run_in_subprocess(function: Callable, engine: str, options: dict | None = None,
                      timing: dict | None = None) -> dict:
    """Run ``function(engine_module, **options)`` in a fresh process; return the worker's JSON dict.

    With ``timing`` (warmup, repeat, number) the function is a case's ``build`` and its callable is
    timed; without, ``function``'s own (JSON-able) return value comes back under "value" -- for
    set-up and checks that need an engine but time nothing.
    """
    spec = {"file": str(Path(sys.modules[function.__module__].__file__).resolve()),
            "function": function.__name__, "engine": engine, "options": options or {}, "timing": timing}
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), json.dumps(spec)], check=False,
                          capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        sys.exit(f"{engine} worker for {function.__name__} failed (exit {proc.returncode}):\n"
                 f"{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1][len(RESULT_PREFIX):])


def measure(case: Case, rounds: int) -> dict:
    """``rounds`` rounds of (edutorch process, torch process); the medians and the per-round ratios."""
    timing = {"warmup": case.warmup, "repeat": case.repeat, "number": case.number}
    runs = {engine: [] for engine in ENGINES}
    for _ in range(rounds):
        for engine in ENGINES:
            runs[engine].append(run_in_subprocess(case.build, engine, case.options, timing))
    ratios = [ours["seconds"] / theirs["seconds"] for ours, theirs in zip(runs["edutorch"], runs["torch"])]
    return {"runs": runs, "ratios": ratios, "ratio": statistics.median(ratios),
            **{engine: statistics.median(run["seconds"] for run in runs[engine]) for engine in ENGINES}}


def _describe_threads(run: dict) -> str:
    pools = ", ".join(f"{pool['internal_api']} ({pool['prefix']}) {pool['num_threads']}"
                      for pool in run["threadpools"])
    return pools or "no thread pools found"


def print_header(first_runs: dict, load: float) -> None:
    """Versions and thread pools, as the first process of each engine reported them."""
    ours, theirs = first_runs["edutorch"], first_runs["torch"]
    print(f"Python {platform.python_version()}, NumPy {ours['numpy']}, edutorch {ours['version']}, "
          f"PyTorch {theirs['version']}; {os.cpu_count()} CPUs; "
          f"1-minute load average at start {load:.2f}")
    print(f"threads in the edutorch process: {_describe_threads(ours)}")
    print(f"threads in the torch process:    {_describe_threads(theirs)} "
          f"(torch.set_num_threads({TORCH_THREADS}) -> {theirs['torch_threads']})")
    print("one engine per process; each time is the median over rounds of a process's median of repeats")
    print()


def run_cases(cases: list[Case], args: argparse.Namespace, title: str = "case", memory: bool = False,
              label_width: int = 62) -> list[dict]:
    """Measure every case and print one line each (with memory columns if ``memory``)."""
    rounds = rounds_of(args)
    load = os.getloadavg()[0]
    results = []
    for index, case in enumerate(cases):
        result = measure(case, rounds)
        results.append(result)
        if index == 0:
            print_header({engine: result["runs"][engine][0] for engine in ENGINES}, load)
            head = (f"{title:<{label_width}} {'edutorch':>12} {'PyTorch':>12} {'ratio':>7}  "
                    f"{'(min-max)':<13}")
            if memory:
                head += f" {'step MB: edutorch':>17} {'PyTorch':>8} {'peak RSS MB: edutorch':>21} {'PyTorch':>8}"
            head = head.rstrip()
            print(head)
            print("-" * len(head))
        spread = f"({min(result['ratios']):.2f}-{max(result['ratios']):.2f})"
        line = (f"{case.label:<{label_width}} {format_time(result['edutorch']):>12} "
                f"{format_time(result['torch']):>12} {result['ratio']:6.2f}x  {spread:<13}")
        if memory:
            rise = {e: statistics.median(r["peak_rise_mb"] for r in result["runs"][e]) for e in ENGINES}
            peak = {e: statistics.median(r["maxrss_mb"] for r in result["runs"][e]) for e in ENGINES}
            line += (f" {rise['edutorch']:>17.0f} {rise['torch']:>8.0f}"
                     f" {peak['edutorch']:>21.0f} {peak['torch']:>8.0f}")
        print(line.rstrip(), flush=True)
        values = {engine: {run["value"] for run in result["runs"][engine]} for engine in ENGINES}
        if values["edutorch"] != values["torch"]:
            print(f"  note: the engines' callables returned different values: {values}")
    print()
    print(f"ratio = edutorch time / PyTorch time, median of {rounds} per-round ratios (lowest and highest "
          f"in brackets); below 1 means edutorch was faster")
    return results


# ------------------------------------------------------------------------------ the worker side
def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _reset_peak_rss() -> bool:
    """Set the kernel's peak-RSS counter (VmHWM) to the current RSS; False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb(was_reset: bool) -> float:
    if was_reset:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _load_script(path: str):
    """Import a benchmark script by path under a private name, so its ``__main__`` block does not run."""
    spec = importlib.util.spec_from_file_location(f"_benchmark_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _worker(spec: dict) -> dict:
    engine = spec["engine"]
    function = getattr(_load_script(spec["file"]), spec["function"])
    lib = importlib.import_module(engine)
    if engine == "torch":
        lib.set_num_threads(TORCH_THREADS)
    import numpy as np
    from threadpoolctl import threadpool_info

    out = {"engine": engine, "version": lib.__version__, "numpy": np.__version__,
           "torch_threads": lib.get_num_threads() if engine == "torch" else None}
    if spec["timing"] is None:                       # set-up or a check: run once, return its value
        out["value"] = function(lib, **spec["options"])
    else:
        call = function(lib, **spec["options"])
        timing = spec["timing"]
        was_reset = _reset_peak_rss()
        base = _current_rss_mb()
        for _ in range(timing["warmup"]):
            call()
        times = []
        for _ in range(timing["repeat"]):
            start = time.perf_counter()
            for _ in range(timing["number"]):
                value = call()
            times.append((time.perf_counter() - start) / timing["number"])
        out.update(seconds=statistics.median(times), times=times,
                   value=value if isinstance(value, (int, float, str)) else None,
                   peak_rise_mb=_peak_rss_mb(was_reset) - base,
                   maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["threadpools"] = [{key: pool.get(key) for key in ("internal_api", "prefix", "num_threads")}
                          for pool in sorted(threadpool_info(), key=lambda pool: pool["internal_api"])]
    other = [name for name in ENGINES if name != engine and name in sys.modules]
    if other:
        raise RuntimeError(f"the {engine} process imported {other[0]}: one engine per process")
    return out


if __name__ == "__main__":
    sys.path[:0] = [str(REPO_ROOT), str(BENCH_DIR)]
    print(RESULT_PREFIX + json.dumps(_worker(json.loads(sys.argv[1]))), flush=True)
