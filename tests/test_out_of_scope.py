"""Issue 18: the parts of PyTorch edutorch leaves out fail clearly: importable modules whose functions
raise NotImplementedError (a RuntimeError) naming the feature and saying to switch to torch — never an
AttributeError or ImportError."""
from __future__ import annotations

import importlib

import pytest

import edutorch

CALLS = [
    ("distributed", lambda t: t.distributed.init_process_group("gloo")),
    ("distributed", lambda t: t.distributed.get_rank()),
    ("distributed", lambda t: t.distributed.all_reduce(t.ones(2), op=t.distributed.ReduceOp.SUM)),
    ("quantization", lambda t: t.quantization.quantize_dynamic(t.nn.Linear(2, 2), {t.nn.Linear})),
    ("ao.quantization", lambda t: t.ao.quantization.QuantStub()),
    ("sparse", lambda t: t.sparse.mm(t.ones(2, 2), t.ones(2, 2))),
    ("sparse", lambda t: t.zeros(2, 2).to_sparse()),
    ("sparse", lambda t: t.zeros(2, 2).to_sparse_csr()),
    ("sparse", lambda t: t.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (3,))),
    ("nested", lambda t: t.nested.nested_tensor([t.ones(2), t.ones(3)])),
    ("export", lambda t: t.export.export(t.nn.Linear(2, 2), (t.ones(1, 2),))),
    ("profiler", lambda t: t.profiler.profile(activities=[t.profiler.ProfilerActivity.CPU])),
    ("profiler", lambda t: t.profiler.record_function("step").__enter__()),
    ("fx", lambda t: t.fx.symbolic_trace(t.nn.Linear(2, 2))),
]


@pytest.mark.parametrize("module,call", CALLS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CALLS)])
def test_out_of_scope_raises_a_clear_error(module, call):
    with pytest.raises(NotImplementedError, match=r"switch to `import torch`") as info:
        call(edutorch)
    assert isinstance(info.value, RuntimeError)  # NotImplementedError is a RuntimeError, as the brief asks
    assert "edutorch" in str(info.value)


@pytest.mark.parametrize("name", ["distributed", "quantization", "ao", "ao.quantization", "sparse", "nested",
                                  "export", "profiler", "fx"])
def test_out_of_scope_modules_import(name):
    module = importlib.import_module(f"edutorch.{name}")
    assert module.__doc__ and "edutorch" in module.__doc__
    with pytest.raises(AttributeError):  # dunders stay normal, so introspection and pickling work
        module.__wrapped__  # noqa: B018


def test_distributed_is_not_available(torch):
    assert edutorch.distributed.is_available() is False
    assert edutorch.distributed.is_initialized() is False
    assert torch.distributed.is_available() in (True, False)  # the same function exists in PyTorch
    from edutorch.distributed import init_process_group  # an import of a missing name still loads

    with pytest.raises(NotImplementedError, match="torch.distributed.init_process_group"):
        init_process_group("gloo")
    assert not edutorch.zeros(2).is_sparse
