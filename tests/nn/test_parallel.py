"""nn.DataParallel / nn.parallel.DistributedDataParallel on a CPU-only engine, against PyTorch's CPU build."""
import pytest

import edutorch
import edutorch.nn as nn
from tests.conftest import assert_same


def _pair(torch):
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def test_data_parallel_is_a_pass_through_with_module_prefix(torch):
    ours, theirs = _pair(torch)
    dp, tdp = nn.DataParallel(ours), torch.nn.DataParallel(theirs)
    assert dp.module is ours and dp.device_ids == tdp.device_ids == []
    assert list(dp.state_dict()) == list(tdp.state_dict()) == ["module.0.weight", "module.0.bias",
                                                                "module.2.weight", "module.2.bias"]
    assert repr(dp) == repr(tdp)
    x = edutorch.randn(4, 2)
    out, tout = dp(x), tdp(torch.tensor(x.numpy()))
    assert_same(out, tout)
    out.sum().backward()
    tout.sum().backward()
    assert_same(ours[0].weight.grad, theirs[0].weight.grad)
    assert nn.parallel.DataParallel is nn.DataParallel


def test_attribute_on_the_wrapper_and_loading_prefixed_keys(torch):
    ours, _ = _pair(torch)
    dp = nn.DataParallel(ours, device_ids=[0])
    with pytest.raises(AttributeError) as ours_error:
        dp.weight
    with pytest.raises(AttributeError) as theirs_error:
        torch.nn.DataParallel(torch.nn.Linear(2, 3)).weight
    assert str(ours_error.value) == str(theirs_error.value) == "'DataParallel' object has no attribute 'weight'"
    bare = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(RuntimeError, match="Missing key"):
        bare.load_state_dict(dp.state_dict())
    bare.load_state_dict({k.removeprefix("module."): v for k, v in dp.state_dict().items()})
    assert edutorch.equal(bare[0].weight, ours[0].weight)


def test_distributed_data_parallel_needs_a_process_group(torch):
    with pytest.raises(ValueError, match="Default process group has not been initialized") as ours:
        nn.parallel.DistributedDataParallel(nn.Linear(2, 3))
    with pytest.raises(type(ours.value)):
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 3))
