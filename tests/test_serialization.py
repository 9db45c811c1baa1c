"""save / load: PyTorch's checkpoint format, both ways, safe by default, atomic, with clear errors."""
from __future__ import annotations

import builtins
import collections
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch import serialization

ALL_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def sample_array(dtype: str, shape=(2, 3)) -> np.ndarray:
    values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) - 2.5
    if dtype == "bool":
        return values > 0
    if dtype.startswith("uint"):
        values = np.abs(values)
    return values.astype(dtype)


def roundtrip(obj, tmp_path, **load_kwargs):
    path = tmp_path / "checkpoint.pt"
    edutorch.save(obj, path)
    return edutorch.load(path, **load_kwargs)


def assert_tensor_equal(ours, expected: np.ndarray) -> None:
    assert isinstance(ours, edutorch.Tensor)
    assert ours._data.dtype == expected.dtype
    assert tuple(ours.shape) == expected.shape
    np.testing.assert_array_equal(ours.numpy(), expected)


def storage_address(torch_tensor) -> int:
    return torch_tensor.untyped_storage().data_ptr()


def rewrite_member(path, member: str, change) -> None:
    """Rewrite one member of a checkpoint (keeping PyTorch's layout) to craft test files."""
    with zipfile.ZipFile(path) as zf:
        records = [(info.filename, zf.read(info)) for info in zf.infolist()]
    prefix = records[0][0].split("/")[0]
    with open(path, "wb") as f:
        writer = serialization._ZipWriter(f, prefix)
        for name, data in records:
            short = name[len(prefix) + 1:]
            writer.write_record(short, change(data) if short == member else data)
        writer.close()


def zip_with_pickle(path, pickled: bytes) -> None:
    """A checkpoint-shaped zip whose data.pkl is ``pickled``."""
    with open(path, "wb") as f:
        writer = serialization._ZipWriter(f, "evil")
        writer.write_record("data.pkl", pickled)
        writer.write_record("version", "3\n")
        writer.close()


# ------------------------------------------------------------------------------ round trips
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_roundtrip_every_dtype(dtype, tmp_path):
    array = sample_array(dtype)
    loaded = roundtrip({"x": edutorch.from_numpy(array.copy())}, tmp_path)
    assert_tensor_equal(loaded["x"], array)
    assert loaded["x"].dtype is getattr(edutorch, dtype)


def test_roundtrip_zero_dim_and_empty(tmp_path):
    obj = {"scalar": edutorch.tensor(3.5), "int_scalar": edutorch.tensor(7), "empty": edutorch.zeros(0),
           "empty2d": edutorch.zeros(0, 3), "empty3d": edutorch.zeros(3, 0, 2, dtype=edutorch.int64)}
    loaded = roundtrip(obj, tmp_path)
    assert loaded["scalar"].shape == () and loaded["scalar"].item() == 3.5
    assert loaded["int_scalar"].dtype is edutorch.int64 and loaded["int_scalar"].item() == 7
    for key in ("empty", "empty2d", "empty3d"):
        assert tuple(loaded[key].shape) == tuple(obj[key].shape)
        assert loaded[key].dtype is obj[key].dtype


def test_views_keep_offset_stride_and_sharing(tmp_path):
    base = edutorch.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
    obj = {"base": base, "t": base.t(), "row": base[1], "col": base[:, 2], "strided": base[::2, 1::2]}
    loaded = roundtrip(obj, tmp_path)
    for key, tensor in obj.items():
        assert_tensor_equal(loaded[key], tensor.numpy())
        assert loaded[key].stride() == tensor.stride(), key
    for key in ("t", "row", "col", "strided"):
        assert np.shares_memory(loaded[key]._data, loaded["base"]._data), key
    loaded["base"]._data[1, 2] = 100.0  # a write through one view shows in the others
    assert loaded["row"][2].item() == 100.0 and loaded["col"][1].item() == 100.0
    assert loaded["t"][2, 1].item() == 100.0


def test_same_tensor_twice_is_one_object_after_load(tmp_path):
    t = edutorch.randn(3)
    loaded = roundtrip({"a": t, "b": [t, (t,)]}, tmp_path)
    assert loaded["a"] is loaded["b"][0] is loaded["b"][1][0]


def test_negative_stride_and_broadcast_views(tmp_path):
    array = np.arange(6, dtype=np.float32)
    flipped = edutorch.from_numpy(array[::-1])  # PyTorch has no negative strides: saved as a copy
    broadcast = edutorch.from_numpy(np.broadcast_to(array[:3], (4, 3)))  # stride 0 is fine
    loaded = roundtrip({"flipped": flipped, "broadcast": broadcast}, tmp_path)
    assert_tensor_equal(loaded["flipped"], array[::-1].copy())
    assert_tensor_equal(loaded["broadcast"], np.broadcast_to(array[:3], (4, 3)))
    assert loaded["broadcast"].stride() == (0, 1)


def test_nested_plain_data(tmp_path):
    obj = {
        "epoch": 5, "loss": 0.125, "name": "resnet", "flag": True, "nothing": None, "z": 1 + 2j,
        "raw": b"\x00\xffbytes", "tags": {"a", "b"}, "frozen": frozenset({1}), "big": 2 ** 70,
        "nested": [1, (2.5, "three", [None, {"deep": -1}]), collections.OrderedDict(x=1, y=2)],
        "counts": collections.Counter("hello"), "buffer": bytearray(b"ab"),
    }
    loaded = roundtrip(obj, tmp_path)
    assert loaded == obj
    assert type(loaded["nested"][2]) is collections.OrderedDict
    assert type(loaded["nested"][1]) is tuple and type(loaded["counts"]) is collections.Counter


def test_state_dict_is_ordered_dict_and_keeps_order(tmp_path):
    sd = collections.OrderedDict((f"layer{i}.weight", edutorch.randn(2)) for i in (3, 1, 2))
    loaded = roundtrip(sd, tmp_path)
    assert type(loaded) is collections.OrderedDict
    assert list(loaded) == list(sd)


def test_parameters_and_requires_grad(tmp_path):
    p = edutorch.nn.Parameter(edutorch.randn(2, 2))
    frozen = edutorch.nn.Parameter(edutorch.randn(2), requires_grad=False)
    leaf = edutorch.randn(3, requires_grad=True)
    (leaf * 2).sum().backward()
    loaded = roundtrip({"p": p, "frozen": frozen, "leaf": leaf, "nonleaf": leaf * 3}, tmp_path)
    assert type(loaded["p"]) is edutorch.nn.Parameter and loaded["p"].requires_grad
    assert type(loaded["frozen"]) is edutorch.nn.Parameter and not loaded["frozen"].requires_grad
    assert loaded["leaf"].requires_grad and loaded["leaf"].grad is None  # grads are not saved
    assert loaded["nonleaf"].is_leaf and loaded["nonleaf"].requires_grad  # as torch.load gives it
    np.testing.assert_array_equal(loaded["p"].detach().numpy(), p.detach().numpy())


def test_parameter_and_view_of_it_stay_shared(tmp_path):
    p = edutorch.nn.Parameter(edutorch.randn(4, 3))
    loaded = roundtrip({"p": p, "first_row": p.detach()[0]}, tmp_path)
    assert np.shares_memory(loaded["p"]._data, loaded["first_row"]._data)


def test_dtypes_sizes_devices_as_values(tmp_path):
    obj = {"dtype": edutorch.float16, "size": edutorch.Size([2, 3]), "device": edutorch.device("cpu")}
    loaded = roundtrip(obj, tmp_path)
    assert loaded["dtype"] is edutorch.float16
    assert type(loaded["size"]) is edutorch.Size and loaded["size"] == (2, 3)
    assert loaded["device"] == edutorch.device("cpu")


def test_resaving_loaded_tensors_keeps_sharing(tmp_path):
    base = edutorch.randn(4, 4)
    first = roundtrip({"a": base, "b": base[1:3]}, tmp_path)
    second = roundtrip(first, tmp_path)
    assert np.shares_memory(second["a"]._data, second["b"]._data)
    with zipfile.ZipFile(tmp_path / "checkpoint.pt") as zf:
        assert sum("/data/" in name for name in zf.namelist()) == 1


def test_file_objects(tmp_path):
    buffer = io.BytesIO()
    edutorch.save({"w": edutorch.ones(3)}, buffer)
    buffer.seek(0)
    loaded = edutorch.load(buffer)
    assert_tensor_equal(loaded["w"], np.ones(3, np.float32))
    with open(tmp_path / "f.pt", "wb") as f:
        edutorch.save([1, 2], f)
    with open(tmp_path / "f.pt", "rb") as f:
        assert edutorch.load(f) == [1, 2]


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), data=st.data())
def test_random_views_roundtrip(tmp_path_factory, shape, data):
    array = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    index = tuple(slice(data.draw(st.integers(0, n - 1)), None, data.draw(st.integers(1, 3))) for n in shape)
    view = array[index]
    if data.draw(st.booleans()):
        view = view.T
    path = tmp_path_factory.mktemp("views") / "v.pt"
    edutorch.save({"base": edutorch.from_numpy(array), "view": edutorch.from_numpy(view)}, path)
    loaded = edutorch.load(path)
    assert_tensor_equal(loaded["view"], view)
    assert loaded["view"].stride() == tuple(s // 4 for s in view.strides)
    assert np.shares_memory(loaded["view"]._data, loaded["base"]._data)


# ------------------------------------------------------------------------------ the archive itself
def test_archive_layout_is_pytorchs(tmp_path):
    path = tmp_path / "model.pt"
    edutorch.save({"w": edutorch.ones(5), "b": edutorch.zeros(2, dtype=edutorch.int64)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names == ["model/data.pkl", "model/.format_version", "model/.storage_alignment",
                         "model/byteorder", "model/data/0", "model/data/1", "model/version",
                         "model/.data/serialization_id"]
        assert zf.read("model/version") == b"3\n"
        assert zf.read("model/byteorder") == b"little"
        assert zf.read("model/.storage_alignment") == b"64"
        assert len(zf.read("model/.data/serialization_id")) == 40
        assert zf.read("model/data/0") == np.ones(5, np.float32).tobytes()
        assert zf.testzip() is None  # every CRC checks
        raw = path.read_bytes()
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
            assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0, info.filename
    assert b"ctorch._utils\n_rebuild_tensor_v2\n" in raw and b"ctorch\nFloatStorage\n" in raw


def test_archive_name_follows_pytorch(tmp_path):
    assert serialization._archive_name("/x/model.ckpt.pt") == "model.ckpt"
    assert serialization._archive_name("/x/noext") == "noext"
    assert serialization._archive_name("/x/modèle.pt") == "archive"
    buffer = io.BytesIO()
    edutorch.save(1, buffer)
    assert zipfile.ZipFile(buffer).namelist()[0] == "archive/data.pkl"


def test_bytes_identical_to_torch_save(torch, tmp_path, monkeypatch):
    """Given the same random serialization id, our file is byte for byte the one torch.save writes."""
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    ours = collections.OrderedDict(w=edutorch.from_numpy(array.copy()), b=edutorch.tensor([1, 2]),
                                   p=edutorch.nn.Parameter(edutorch.ones(2)), e=edutorch.zeros(0))
    theirs = collections.OrderedDict(w=torch.from_numpy(array.copy()), b=torch.tensor([1, 2]),
                                     p=torch.nn.Parameter(torch.ones(2)), e=torch.zeros(0))
    ours["wt"], theirs["wt"] = ours["w"].t(), theirs["w"].t()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    torch.save(theirs, tmp_path / "b" / "m.pt")
    with zipfile.ZipFile(tmp_path / "b" / "m.pt") as zf:
        torch_id = int(zf.read("m/.data/serialization_id"))
    monkeypatch.setattr(serialization.secrets, "randbelow", lambda n: torch_id)
    edutorch.save(ours, tmp_path / "a" / "m.pt")
    assert (tmp_path / "a" / "m.pt").read_bytes() == (tmp_path / "b" / "m.pt").read_bytes()


def test_zip64_records_read_by_zipfile_and_torch(torch, tmp_path, monkeypatch):
    monkeypatch.setattr(serialization, "_ZIP64_LIMIT", 100)  # pretend 100 bytes is "4 GiB"
    path = tmp_path / "big.pt"
    values = np.arange(50, dtype=np.float32)
    edutorch.save({"x": edutorch.from_numpy(values), "y": edutorch.ones(2)}, path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    np.testing.assert_array_equal(torch.load(path, weights_only=True)["x"].numpy(), values)
    np.testing.assert_array_equal(edutorch.load(path)["x"].numpy(), values)


# ------------------------------------------------------------------------------ interop with PyTorch
def test_torch_opens_our_checkpoint(torch, tmp_path):
    base = edutorch.from_numpy(np.arange(12, dtype=np.float64).reshape(3, 4))
    params = [edutorch.nn.Parameter(edutorch.randn(3, 2)), edutorch.nn.Parameter(edutorch.randn(2))]
    checkpoint = {
        "epoch": 7,
        "model": collections.OrderedDict(
            [("fc.weight", params[0]), ("fc.bias", params[1]), ("base", base), ("base_t", base.t()),
             ("row", base[2]), ("mask", edutorch.tensor([True, False])), ("half", edutorch.ones(2).half()),
             ("steps", edutorch.tensor(3.0))]),
        "optimizer": {"state": {0: {"step": edutorch.tensor(3.0), "exp_avg": edutorch.zeros(3, 2)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "amsgrad": False, "params": [0, 1]}]},
        "rng": edutorch.get_rng_state(),
    }
    path = tmp_path / "ckpt.pt"
    edutorch.save(checkpoint, path)
    loaded = torch.load(path, weights_only=True)
    assert loaded["epoch"] == 7
    assert loaded["optimizer"]["param_groups"] == checkpoint["optimizer"]["param_groups"]
    for key, ours in checkpoint["model"].items():
        theirs = loaded["model"][key]
        assert repr(theirs.dtype) == repr(ours.dtype), key
        assert tuple(theirs.shape) == tuple(ours.shape) and theirs.stride() == ours.stride(), key
        np.testing.assert_array_equal(theirs.detach().numpy(), ours.detach().numpy())
    assert isinstance(loaded["model"]["fc.weight"], torch.nn.Parameter)
    assert loaded["model"]["fc.weight"].requires_grad
    model = loaded["model"]
    assert storage_address(model["base"]) == storage_address(model["base_t"]) == storage_address(model["row"])
    assert model["row"].storage_offset() == 8
    step = loaded["optimizer"]["state"][0]["step"]
    assert step.dim() == 0 and step.dtype == torch.float32 and step.item() == 3.0
    np.testing.assert_array_equal(loaded["rng"].numpy(), checkpoint["rng"].numpy())


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_torch_reads_every_dtype(torch, dtype, tmp_path):
    array = sample_array(dtype, (3, 2))
    edutorch.save(edutorch.from_numpy(array.copy()).t(), tmp_path / "x.pt")
    theirs = torch.load(tmp_path / "x.pt", weights_only=True)
    assert repr(theirs.dtype) == f"torch.{dtype}" and theirs.stride() == (1, 2)
    np.testing.assert_array_equal(theirs.numpy(), array.T)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_we_read_every_torch_dtype(torch, dtype, tmp_path):
    array = sample_array(dtype, (3, 2))
    torch.save(torch.from_numpy(array.copy()).t(), tmp_path / "x.pt")
    ours = edutorch.load(tmp_path / "x.pt")
    assert_tensor_equal(ours, array.T)
    assert ours.stride() == (1, 2)


def test_we_open_torch_checkpoints(torch, tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(5, 4)).sum().backward()
    optimizer.step()
    shared = torch.arange(12.0).reshape(3, 4)
    checkpoint = {"epoch": 3, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "extra": {"shared": shared, "shared_t": shared.t(), "col": shared[:, 1],
                            "param": torch.nn.Parameter(torch.ones(2))}}
    path = tmp_path / "torch.pt"
    torch.save(checkpoint, path)
    loaded = edutorch.load(path)
    assert loaded["epoch"] == 3
    assert type(loaded["model"]) is collections.OrderedDict and list(loaded["model"]) == list(model.state_dict())
    for key, theirs in model.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][key].numpy(), theirs.numpy())
    state = loaded["optimizer"]["state"]
    assert sorted(state) == [0, 1, 2, 3]
    assert state[0]["step"].dim() == 0 and state[0]["step"].dtype is edutorch.float32
    assert state[0]["step"].item() == 1.0
    np.testing.assert_array_equal(state[0]["exp_avg"].numpy(), optimizer.state_dict()["state"][0]["exp_avg"].numpy())
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert loaded["optimizer"]["param_groups"][0]["params"] == [0, 1, 2, 3]
    extra = loaded["extra"]
    assert extra["shared_t"].stride() == (1, 4) and extra["col"].stride() == (4,)
    assert np.shares_memory(extra["shared"]._data, extra["shared_t"]._data)
    assert np.shares_memory(extra["shared"]._data, extra["col"]._data)
    np.testing.assert_array_equal(extra["col"].numpy(), shared[:, 1].numpy())
    assert type(extra["param"]) is edutorch.nn.Parameter and extra["param"].requires_grad


def test_torch_state_dict_loads_into_our_module_and_back(torch, tmp_path):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2)
    ours = edutorch.nn.Linear(3, 2)
    torch.save(theirs.state_dict(), tmp_path / "t.pt")
    ours.load_state_dict(edutorch.load(tmp_path / "t.pt"))
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(edutorch.from_numpy(x)).detach().numpy(),
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)
    ours.weight.data.mul_(2)  # change ours, then hand it back to PyTorch
    edutorch.save(ours.state_dict(), tmp_path / "e.pt")
    theirs.load_state_dict(torch.load(tmp_path / "e.pt", weights_only=True))
    np.testing.assert_array_equal(theirs.weight.detach().numpy(), ours.weight.detach().numpy())


def test_torch_tensor_with_python_attribute(torch, tmp_path):
    t = torch.ones(2)
    t.label = "weights"
    torch.save(t, tmp_path / "attr.pt")
    loaded = edutorch.load(tmp_path / "attr.pt")
    assert loaded.label == "weights"
    np.testing.assert_array_equal(loaded.numpy(), np.ones(2, np.float32))


def test_bfloat16_round_trips(torch, tmp_path):
    """torch.bfloat16 is a real dtype (ml_dtypes): checkpoints keep it both ways."""
    values = torch.tensor([1.5, -2.0, 3.25, 0.1], dtype=torch.bfloat16)
    torch.save(values, tmp_path / "bf16.pt")
    loaded = edutorch.load(tmp_path / "bf16.pt")
    assert loaded.dtype == edutorch.bfloat16 and loaded.tolist() == values.tolist()
    edutorch.save(loaded * 2, tmp_path / "ours.pt")
    back = torch.load(tmp_path / "ours.pt")
    assert back.dtype == torch.bfloat16 and back.tolist() == (values * 2).tolist()


def test_unsupported_torch_dtype_is_a_clear_error(torch, tmp_path):
    torch.save(torch.zeros(2, dtype=torch.complex64), tmp_path / "c.pt")
    with pytest.raises(RuntimeError, match=r"c\.pt.*ComplexFloatStorage.*does not support"):
        edutorch.load(tmp_path / "c.pt")
    torch.save(torch.zeros(2, dtype=torch.uint16), tmp_path / "u.pt")
    with pytest.raises(RuntimeError, match=r"u\.pt.*torch\.uint16"):
        edutorch.load(tmp_path / "u.pt")


def test_legacy_torch_format_is_a_clear_error(torch, tmp_path):
    torch.save(torch.ones(2), tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match=r"old\.pt.*legacy"):
        edutorch.load(tmp_path / "old.pt")


# ------------------------------------------------------------------------------ map_location, mmap
def test_map_location_forms(torch, tmp_path):
    path = tmp_path / "m.pt"
    edutorch.save({"w": edutorch.ones(2)}, path)
    seen = []
    for location in ("cpu", edutorch.device("cpu"), torch.device("cpu"), {"cuda:0": "cpu"},
                     lambda storage, loc: seen.append(loc) or storage):
        assert_tensor_equal(edutorch.load(path, map_location=location)["w"], np.ones(2, np.float32))
    assert seen == ["cpu"]
    with pytest.raises(RuntimeError, match="CUDA"):
        edutorch.load(path, map_location="cuda")


def test_cuda_checkpoint_needs_map_location(tmp_path):
    path = tmp_path / "gpu.pt"
    edutorch.save({"w": edutorch.ones(2)}, path)
    rewrite_member(path, "data.pkl", lambda pkl: pkl.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"))
    with pytest.raises(RuntimeError, match=r"gpu\.pt.*map_location=torch.device\('cpu'\)"):
        edutorch.load(path)
    for location in ("cpu", {"cuda:0": "cpu"}, lambda storage, loc: storage):
        assert_tensor_equal(edutorch.load(path, map_location=location)["w"], np.ones(2, np.float32))


def test_mmap(tmp_path):
    path = tmp_path / "mm.pt"
    values = np.arange(10, dtype=np.float32)
    edutorch.save({"x": edutorch.from_numpy(values), "e": edutorch.zeros(0)}, path)
    loaded = edutorch.load(path, mmap=True)
    assert_tensor_equal(loaded["x"], values)
    loaded["x"]._data[0] = 42.0  # copy-on-write: the file is not changed
    assert_tensor_equal(edutorch.load(path)["x"], values)
    with pytest.raises(ValueError, match="file path"):
        edutorch.load(io.BytesIO(path.read_bytes()), mmap=True)


# ------------------------------------------------------------------------------ security
class _RunsCode:
    """Unpickling this calls builtins.exec: what a malicious checkpoint does."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (builtins.exec, (f"open({self.marker!r}, 'w').write('pwned')",))


class _RunsShell:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_default_load_refuses_code_in_a_zip(tmp_path):
    marker, path = tmp_path / "marker", tmp_path / "evil.pt"
    zip_with_pickle(path, pickle.dumps({"w": [1.0], "payload": _RunsCode(marker)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError) as error:
        edutorch.load(path)
    message = str(error.value)
    assert "evil.pt" in message and "builtins.exec" in message and "weights_only=False" in message
    assert not marker.exists()
    # The same file with weights_only=False does run the code, with a warning naming the risk.
    with pytest.warns(UserWarning, match="arbitrary code"):
        edutorch.load(path, weights_only=False)
    assert marker.read_text() == "pwned"


def test_default_load_refuses_os_system_and_plain_pickles(tmp_path):
    marker = tmp_path / "marker"
    zip_with_pickle(tmp_path / "shell.pt", pickle.dumps(_RunsShell(), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"shell\.pt.*system"):
        edutorch.load(tmp_path / "shell.pt")
    (tmp_path / "plain.pkl").write_bytes(pickle.dumps([_RunsCode(marker)], protocol=4))
    with pytest.raises(pickle.UnpicklingError, match=r"plain\.pkl.*builtins\.exec"):
        edutorch.load(tmp_path / "plain.pkl")
    with pytest.raises(pickle.UnpicklingError, match="exec"):  # weights_only=False reads no plain pickle either
        with pytest.warns(UserWarning):
            edutorch.load(tmp_path / "plain.pkl", weights_only=False)
    assert not marker.exists()


def test_torch_agrees_the_crafted_file_is_unsafe(torch, tmp_path):
    marker, path = tmp_path / "marker", tmp_path / "evil.pt"
    zip_with_pickle(path, pickle.dumps(_RunsCode(marker), protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    assert not marker.exists()


def test_allowed_names_cannot_be_abused(tmp_path):
    # _codecs.encode is allowed for bytes, but only as latin-1 text -> bytes.
    evil = b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x04\x00\x00\x00zlibq\x00\x86R."
    zip_with_pickle(tmp_path / "codec.pt", evil)
    with pytest.raises(RuntimeError, match=r"codec\.pt"):
        edutorch.load(tmp_path / "codec.pt")
    # A view reaching past its storage would read foreign memory: refused.
    path = tmp_path / "oob.pt"
    edutorch.save(edutorch.ones(4), path)
    rewrite_member(path, "data.pkl", lambda pkl: pkl.replace(b"K\x00K\x04\x85", b"K\x00K\x40\x85"))
    with pytest.raises(RuntimeError, match=r"oob\.pt.*storage holds only 4"):
        edutorch.load(path)


def test_whole_module_needs_weights_only_false(tmp_path):
    net = edutorch.nn.Sequential(edutorch.nn.Linear(3, 4), edutorch.nn.ReLU(), edutorch.nn.Linear(4, 1))
    path = tmp_path / "net.pt"
    edutorch.save(net, path)
    with pytest.raises(pickle.UnpicklingError, match=r"net\.pt.*Sequential.*weights_only=False"):
        edutorch.load(path)
    with pytest.warns(UserWarning, match="arbitrary code"):
        loaded = edutorch.load(path, weights_only=False)
    assert type(loaded) is edutorch.nn.Sequential and isinstance(loaded[0].weight, edutorch.nn.Parameter)
    x = edutorch.randn(5, 3)
    np.testing.assert_array_equal(loaded(x).detach().numpy(), net(x).detach().numpy())


# ------------------------------------------------------------------------------ atomic save, bad files
def test_crash_mid_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    edutorch.save({"epoch": 1, "w": edutorch.ones(3)}, path)
    real_write_record, calls = serialization._ZipWriter.write_record, []

    def crashing_write_record(self, name, data):
        calls.append(name)
        if name.startswith("data/"):  # die after data.pkl and the headers are on disk
            raise KeyboardInterrupt("power cut")
        real_write_record(self, name, data)

    monkeypatch.setattr(serialization._ZipWriter, "write_record", crashing_write_record)
    with pytest.raises(KeyboardInterrupt):
        edutorch.save({"epoch": 2, "w": edutorch.zeros(1000)}, path)
    assert "data.pkl" in calls
    monkeypatch.undo()
    loaded = edutorch.load(path)
    assert loaded["epoch"] == 1
    assert_tensor_equal(loaded["w"], np.ones(3, np.float32))
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temporary file left behind


def test_unpicklable_object_leaves_previous_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    edutorch.save([1], path)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        edutorch.save({"fn": lambda x: x}, path)
    assert edutorch.load(path) == [1] and os.listdir(tmp_path) == ["ckpt.pt"]


@pytest.mark.parametrize("damage", ["truncate", "storage_bytes", "pickle_bytes", "empty", "garbage"])
def test_damaged_files_raise_clear_errors_naming_the_file(damage, tmp_path):
    path = tmp_path / "damaged.pt"
    edutorch.save({"w": edutorch.arange(100.0), "epoch": 3}, path)
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "storage_bytes":
        with zipfile.ZipFile(path) as zf:
            start = serialization._data_offset(zf, zf.getinfo("damaged/data/0"))
        raw[start + 10] ^= 0xFF  # flip bits of one float: the CRC-32 no longer matches
    elif damage == "pickle_bytes":
        raw[64:80] = b"\xff" * 16  # data.pkl starts at byte 64
    elif damage == "empty":
        raw = b""
    else:
        raw = b"garbage" + os.urandom(300)
    path.write_bytes(bytes(raw))
    # PyTorch's types for the same damage: EOFError for an empty file, UnpicklingError for a file that is
    # not a zip (read as a legacy pickle), RuntimeError for a damaged zip.
    expected = {"empty": EOFError, "garbage": pickle.UnpicklingError}.get(damage, RuntimeError)
    with pytest.raises(expected, match=r"damaged\.pt"):
        edutorch.load(path)


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage"])
def test_damaged_file_error_types_match_torch(damage, tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "d.pt"
    torch.save({"w": torch.arange(100.0)}, path)
    raw = {"truncate": path.read_bytes()[:300], "empty": b"", "garbage": b"garbage"}[damage]
    path.write_bytes(raw)
    with pytest.raises(Exception) as theirs:
        torch.load(path)
    with pytest.raises(Exception) as ours:
        edutorch.load(path)
    assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)


def test_zip_that_is_not_a_checkpoint(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(RuntimeError, match=r"other\.zip.*not a PyTorch checkpoint"):
        edutorch.load(tmp_path / "other.zip")


def test_argument_errors(tmp_path):
    with pytest.raises(RuntimeError, match="pickle_module"):
        edutorch.load(tmp_path / "x.pt", pickle_module=pickle)
    with pytest.raises(NotImplementedError, match="zip format"):
        edutorch.save(1, tmp_path / "x.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(AttributeError, match="write"):
        edutorch.save(1, object())


def test_real_optimizer_checkpoint_both_ways(torch, tmp_path):
    net = edutorch.nn.Linear(3, 2)
    optimizer = edutorch.optim.Adam(net.parameters(), lr=0.01)
    net(edutorch.randn(4, 3)).sum().backward()
    optimizer.step()
    path = tmp_path / "resume.pt"
    edutorch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 1}, path)
    # PyTorch resumes from our checkpoint...
    checkpoint = torch.load(path, weights_only=True)
    their_net = torch.nn.Linear(3, 2)
    their_optimizer = torch.optim.Adam(their_net.parameters(), lr=0.5)
    their_net.load_state_dict(checkpoint["model"])
    their_optimizer.load_state_dict(checkpoint["optimizer"])
    assert their_optimizer.param_groups[0]["lr"] == 0.01
    np.testing.assert_array_equal(their_optimizer.state_dict()["state"][0]["exp_avg"].numpy(),
                                  optimizer.state_dict()["state"][0]["exp_avg"].numpy())
    # ...and we resume from PyTorch's.
    torch.save({"optimizer": their_optimizer.state_dict()}, tmp_path / "theirs.pt")
    fresh = edutorch.optim.Adam(net.parameters(), lr=0.5)
    fresh.load_state_dict(edutorch.load(tmp_path / "theirs.pt")["optimizer"])
    assert fresh.param_groups[0]["lr"] == 0.01
    assert fresh.state_dict()["state"][0]["step"].item() == 1.0
