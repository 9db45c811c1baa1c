"""torch.profiler: per-op timings and memory. Not in edutorch; time a block with ``time.perf_counter()``
(or the benchmarks/ scripts) instead. Every name raises the out-of-scope error."""
from .._out_of_scope import module_getattr

__getattr__ = module_getattr("torch.profiler", "edutorch has no profiler; time code with time.perf_counter().")
