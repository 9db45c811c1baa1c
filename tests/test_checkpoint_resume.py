"""Resume equivalence through a real checkpoint file: training 10 steps straight gives bit-identical
parameters to training 5, saving model + optimizer + scheduler + RNG state with edutorch.save, loading
into fresh objects with edutorch.load (the safe default), and training 5 more. Dropout makes the RNG
state part of what must be restored."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch as torch
import edutorch.nn as nn


def _make():
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    return model, optimizer, scheduler


def _train(model, optimizer, scheduler, data, steps):
    x, y = data
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()


@pytest.fixture
def data():
    gen = torch.Generator().manual_seed(1)
    return torch.randn(32, 4, generator=gen), torch.randint(0, 3, (32,), generator=gen)


def test_resume_is_bit_identical(tmp_path, data):
    torch.manual_seed(0)
    straight = _make()
    _train(*straight, data, 10)

    torch.manual_seed(0)
    model, optimizer, scheduler = _make()
    _train(model, optimizer, scheduler, data, 5)
    path = tmp_path / "checkpoint.pt"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "epoch": 5, "rng": torch.get_rng_state()}, path)
    del model, optimizer, scheduler

    torch.manual_seed(123)  # a fresh process would start from another state
    model, optimizer, scheduler = _make()
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng"])
    assert checkpoint["epoch"] == 5
    _train(model, optimizer, scheduler, data, 5)

    for (name, a), (_, b) in zip(straight[0].named_parameters(), model.named_parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy()), name
    assert straight[2].get_last_lr() == scheduler.get_last_lr()


def test_without_rng_state_dropout_diverges(tmp_path, data):
    torch.manual_seed(0)
    straight = _make()
    _train(*straight, data, 10)
    torch.manual_seed(0)
    model, optimizer, scheduler = _make()
    _train(model, optimizer, scheduler, data, 5)
    torch.manual_seed(99)  # the RNG state is not restored: dropout masks differ from the straight run
    _train(model, optimizer, scheduler, data, 5)
    assert not np.array_equal(straight[0][0].weight.detach().numpy(), model[0].weight.detach().numpy())


def test_checkpoint_opens_in_torch(tmp_path, data):
    real = pytest.importorskip("torch")
    model, optimizer, scheduler = _make()
    _train(model, optimizer, scheduler, data, 2)
    path = tmp_path / "c.pt"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
    loaded = real.load(path, weights_only=True)
    twin = real.nn.Sequential(real.nn.Linear(4, 16), real.nn.ReLU(), real.nn.Dropout(0.3), real.nn.Linear(16, 3))
    twin.load_state_dict(loaded["model"])
    real_opt = real.optim.Adam(twin.parameters(), lr=1e-2, weight_decay=1e-4)
    real_opt.load_state_dict(loaded["optimizer"])
    model.eval()
    twin.eval()
    x = data[0]
    np.testing.assert_allclose(model(x).detach().numpy(), twin(real.tensor(x.numpy())).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
