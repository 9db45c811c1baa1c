"""Issue 18: torch.autocast / torch.amp.autocast / torch.cpu.amp.autocast and torch.amp.GradScaler,
against PyTorch. edutorch's autocast casts nothing (float32 on the CPU) and warns once; GradScaler
follows PyTorch's CPU scaler step for step."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import edutorch
from edutorch.amp import autocast_mode
from tests.conftest import assert_same


def _train(m, scaler_kwargs, steps, inf_at=()):
    """A tiny regression trained with a GradScaler; returns (weights, scales, step results, state_dict)."""
    m.manual_seed(0)
    w = m.nn.Parameter(m.tensor([[0.5, -1.0, 2.0]]))
    opt = m.optim.SGD([w], lr=0.05, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scaler = m.amp.GradScaler(**scaler_kwargs)
    x = m.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    y = m.tensor([1.0, -2.0])
    scales, results = [], []
    for step in range(steps):
        opt.zero_grad()
        loss = ((x @ w.t()).squeeze(1) - y).pow(2).mean()
        if step in inf_at:
            loss = loss * float("inf")
        scaler.scale(loss).backward()
        if step % 2:
            scaler.unscale_(opt)  # as before clip_grad_norm_
        results.append(scaler.step(opt))
        scaler.update()
        scales.append(scaler.get_scale())
    return w, scales, results, scaler.state_dict()


@pytest.mark.parametrize("kwargs", [{"device": "cpu"}, {"device": "cpu", "init_scale": 8.0, "growth_interval": 2},
                                    {"device": "cpu", "enabled": False}, {}])
def test_grad_scaler_trains_as_torch(torch, kwargs):
    theirs = _train(torch, kwargs, 7, inf_at=(1, 4))
    ours = _train(edutorch, kwargs, 7, inf_at=(1, 4))
    assert_same(ours[0], theirs[0])
    assert ours[1] == theirs[1]  # the scale after each update: backoff after inf, growth after good runs
    assert ours[2] == theirs[2]  # None for the skipped steps
    assert ours[3] == theirs[3]


def test_grad_scaler_scale_and_errors(torch):
    for m in (torch, edutorch):
        scaler = m.amp.GradScaler("cpu", init_scale=4.0)
        loss = m.tensor(2.0, requires_grad=True)
        scaled = scaler.scale(loss)
        assert scaled.item() == 8.0 and scaled.grad_fn.name() == "MulBackward0" and scaled.shape == ()
        assert [t.item() for t in scaler.scale([loss, loss])] == [8.0, 8.0]
        p = m.nn.Parameter(m.ones(2))
        opt = m.optim.SGD([p], lr=0.1)
        scaler.scale(p.sum()).backward()
        scaler.unscale_(opt)
        assert p.grad.tolist() == [1.0, 1.0]
        with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called on this optimizer"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the last update"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step"):
            scaler.unscale_(opt)
        scaler.update(16.0)
        assert scaler.get_scale() == 16.0
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            scaler.step(opt, closure=lambda: 0)
        with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
            m.amp.GradScaler("cpu").step(m.optim.SGD([m.nn.Parameter(m.ones(1))], lr=0.1))
        fresh = m.amp.GradScaler("cpu")
        fresh.scale(loss)  # a scaled loss but no gradients: nothing was checked for inf
        with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer"):
            fresh.step(m.optim.SGD([m.nn.Parameter(m.ones(1))], lr=0.1))
        off = m.amp.GradScaler("cpu", enabled=False)
        assert off.scale(loss) is loss and off.get_scale() == 1.0 and off.state_dict() == {}


def test_cuda_grad_scaler_is_disabled_with_torchs_warnings(torch):
    for m in (torch, edutorch):
        with pytest.warns(FutureWarning, match=r"`torch.cuda.amp.GradScaler\(args...\)` is deprecated"), \
                pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available.  Disabling."):
            scaler = m.cuda.amp.GradScaler()
        assert not scaler.is_enabled()
        with pytest.warns(UserWarning, match="Disabling"):
            assert not m.amp.GradScaler().is_enabled()  # the default device is cuda
    from edutorch.cuda.amp import GradScaler  # the import spelling works too

    assert GradScaler is edutorch.cuda.amp.GradScaler


def test_autocast_state_context_and_decorator(torch, monkeypatch):
    monkeypatch.setattr(autocast_mode, "_warned", False)
    for m in (torch, edutorch):
        assert m.autocast is m.amp.autocast
        assert not m.is_autocast_enabled("cpu") and m.get_autocast_dtype("cpu") == m.bfloat16
        with m.autocast(device_type="cpu", dtype=m.bfloat16, enabled=True) as ctx:
            assert m.is_autocast_enabled("cpu") and not m.is_autocast_enabled()
            assert ctx.fast_dtype == m.bfloat16 and ctx.device == "cpu"
            with m.autocast("cpu", enabled=False):
                assert not m.is_autocast_enabled("cpu")
            assert m.is_autocast_enabled("cpu")
            assert (m.ones(2) + m.ones(2)).dtype == m.float32  # elementwise ops stay float32 on both
        assert not m.is_autocast_enabled("cpu")

        @m.autocast("cpu", dtype=m.float16)
        def inside():
            return m.is_autocast_enabled("cpu"), m.get_autocast_dtype("cpu")

        assert inside() == (True, m.float16)
        assert not m.is_autocast_enabled("cpu")
        with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
            m.autocast("foo")
        with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. Disabling autocast."):
            with m.autocast("cuda"):
                assert not m.is_autocast_enabled("cuda")
        with pytest.warns(FutureWarning, match=r"`torch.cpu.amp.autocast\(args...\)` is deprecated"):
            with m.cpu.amp.autocast():
                assert m.is_autocast_enabled("cpu")


def test_autocast_says_once_that_edutorch_stays_float32(monkeypatch):
    monkeypatch.setattr(autocast_mode, "_warned", False)
    lin = edutorch.nn.Linear(3, 2)
    x = edutorch.randn(4, 3)
    with pytest.warns(UserWarning, match="edutorch runs in float32 on the CPU"):
        with edutorch.autocast("cpu"):
            y = lin(x)
    assert y.dtype == edutorch.float32
    np.testing.assert_array_equal(y.detach().numpy(), lin(x).detach().numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once only
        with edutorch.autocast("cpu"):
            lin(x)
