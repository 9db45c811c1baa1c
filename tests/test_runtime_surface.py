"""The runtime surface beginner tutorials touch: accelerators and backends, default device, constants,
thread count, compile / jit / onnx. PyTorch's CPU-only build is the specification."""
from __future__ import annotations

import math
import subprocess
import sys
import warnings

import pytest
import threadpoolctl

import edutorch
import edutorch._compile

# ------------------------------------------------------------------------------ accelerators, backends


def test_accelerator_answers_like_cpu_only_torch(torch):
    for t in (edutorch, torch):
        assert t.accelerator.is_available() is False
        assert t.accelerator.current_accelerator() is None
        assert t.accelerator.current_accelerator(check_available=True) is None
        assert t.accelerator.device_count() == 0
        # the device idiom of current tutorials
        device = t.accelerator.current_accelerator().type if t.accelerator.is_available() else "cpu"
        assert t.ones(2).to(device).device.type == "cpu"


def test_cudnn_flags_defaults_and_setting(torch):
    import edutorch.backends.cudnn as cudnn
    import torch.backends.cudnn as torch_cudnn

    assert edutorch.backends.cudnn is cudnn
    for flag in ("enabled", "benchmark", "deterministic"):
        assert getattr(cudnn, flag) is getattr(torch_cudnn, flag), flag
    assert cudnn.is_available() is torch_cudnn.is_available() is False
    saved = cudnn.benchmark, cudnn.deterministic
    try:
        edutorch.backends.cudnn.benchmark = True
        edutorch.backends.cudnn.deterministic = True
        assert cudnn.benchmark is True and cudnn.deterministic is True
    finally:
        cudnn.benchmark, cudnn.deterministic = saved


def test_mps_is_neither_available_nor_built(torch):
    for t in (edutorch, torch):
        assert t.backends.mps.is_available() is False
        assert t.backends.mps.is_built() is False


def _flag_names(torch) -> list[str]:
    """The tensor's ``is_*`` properties in PyTorch (``is_cuda``, ``is_sparse``, ...), not its methods."""
    x = torch.zeros(1)
    return [name for name in dir(x) if name.startswith("is_") and not callable(getattr(x, name))]


def test_tensor_device_and_layout_flags(torch):
    names = _flag_names(torch)
    assert {"is_cpu", "is_cuda", "is_xpu", "is_mps", "is_meta", "is_quantized", "is_sparse"} <= set(names)
    ours, theirs = edutorch.zeros(2, 3), torch.zeros(2, 3)
    for name in names:
        assert getattr(ours, name) is getattr(theirs, name), name
    assert edutorch.nn.Linear(2, 2).weight.is_mps is False  # parameters are tensors too


# ------------------------------------------------------------------------------ default device


@pytest.fixture
def restore_default_device(torch):
    yield
    torch.set_default_device(None)
    edutorch.set_default_device(None)


def test_default_device_is_cpu(torch, restore_default_device):
    assert repr(edutorch.get_default_device()) == repr(torch.get_default_device()) == "device(type='cpu')"
    for t in (edutorch, torch):
        for dev in ("cpu", t.device("cpu"), None):
            t.set_default_device(dev)
            assert t.get_default_device() == t.device("cpu")
            assert t.zeros(1).device.type == t.tensor([1.0]).device.type == "cpu"


@pytest.mark.parametrize("dev, error", [("cuda", AssertionError), ("cuda:0", AssertionError),
                                        ("mps", RuntimeError), (0, RuntimeError)])
def test_default_device_without_that_device_fails_like_torch(torch, restore_default_device, dev, error):
    # A CPU-only torch raises at set_default_device or at the next tensor ('cuda:0'); edutorch at once.
    for t in (edutorch, torch):
        with pytest.raises(error):
            t.set_default_device(dev)
            t.zeros(1)
    with pytest.raises(AssertionError):
        edutorch.set_default_device(edutorch.device("cuda"))
    edutorch.set_default_device(None)
    assert edutorch.get_default_device() == "cpu"


# ------------------------------------------------------------------------------ constants


@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan"])
def test_math_constants(torch, name):
    ours, theirs = getattr(edutorch, name), getattr(torch, name)
    assert type(ours) is type(theirs) is float
    assert ours == theirs or (math.isnan(ours) and math.isnan(theirs))


# ------------------------------------------------------------------------------ threads


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]


def test_set_num_threads_round_trip(torch):
    original = edutorch.get_num_threads()
    assert isinstance(original, int) and original >= 1
    try:
        edutorch.set_num_threads(1)
        assert edutorch.get_num_threads() == 1
        assert set(_blas_threads()) <= {1}  # NumPy's BLAS really is limited
        x = edutorch.randn(64, 32)
        assert (x @ x.T).shape == (64, 64)
        edutorch.set_num_threads(original)
        assert edutorch.get_num_threads() == original
    finally:
        edutorch.set_num_threads(original)
    assert edutorch.get_num_threads() == original


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_rejects_what_torch_rejects(torch, bad):
    original = edutorch.get_num_threads()
    messages = []
    for t in (edutorch, torch):
        with pytest.raises(RuntimeError) as info:
            t.set_num_threads(bad)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert edutorch.get_num_threads() == original


def test_set_num_threads_accepts_numpy_ints(torch):
    import numpy as np

    original, torch_original = edutorch.get_num_threads(), torch.get_num_threads()
    try:
        edutorch.set_num_threads(np.int64(1))
        torch.set_num_threads(np.int64(1))
        assert edutorch.get_num_threads() == torch.get_num_threads() == 1
    finally:
        edutorch.set_num_threads(original)
        torch.set_num_threads(torch_original)


# ------------------------------------------------------------------------------ compile, jit, onnx


@pytest.fixture
def fresh_compile_warning(monkeypatch):
    monkeypatch.setattr(edutorch._compile, "_warned", False)


def test_compile_returns_its_argument_and_warns_once(fresh_compile_warning):
    model = edutorch.nn.Linear(3, 2)

    def step(x):
        return model(x).sum()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert edutorch.compile(model) is model
        assert edutorch.compile(step, fullgraph=True, dynamic=False, backend="inductor",
                                mode="reduce-overhead", options={}, disable=False) is step
        decorated = edutorch.compile(mode="max-autotune")(step)  # @torch.compile(mode=...) form
        assert decorated is step
    ours = [w for w in caught if issubclass(w.category, UserWarning)]
    assert len(ours) == 1, [str(w.message) for w in caught]
    assert "eagerly" in str(ours[0].message) and "import torch" in str(ours[0].message)
    assert ours[0].filename == __file__  # points at the caller's line


@pytest.mark.parametrize("call", [
    lambda t, m: t.jit.script(m),
    lambda t, m: t.jit.trace(m, t.zeros(1, 3)),
    lambda t, m: t.onnx.export(m, (t.zeros(1, 3),), "model.onnx"),
], ids=["jit.script", "jit.trace", "onnx.export"])
def test_script_trace_export_explain_how_to_switch(call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="eagerly") as info:
        call(edutorch, edutorch.nn.Linear(3, 2))
    assert "import torch" in str(info.value)
    assert not (tmp_path / "model.onnx").exists()


def test_submodules_import_at_the_top_of_a_script():
    script = (
        "import edutorch.onnx\n"
        "import edutorch.jit\n"
        "import edutorch.backends.cudnn as cudnn\n"
        "import edutorch.accelerator\n"
        "import edutorch as torch\n"
        "cudnn.benchmark = True\n"
        "assert torch.backends.cudnn.benchmark and not torch.backends.mps.is_available()\n"
        "assert torch.onnx.export and torch.jit.script and torch.jit.trace\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
