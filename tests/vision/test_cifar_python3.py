"""CIFAR batches written by Python 3 (issue 18): ``pickle.dump`` of a dict of NumPy arrays, protocols 2 to 5.

Protocol 2 spells an array's bytes as ``_codecs.encode(text, 'latin1')`` (PyTorch's weights-only unpickler
allows it too), protocol 5 rebuilds arrays with ``numpy._core.numeric._frombuffer``, and NumPy numbers
(labels kept as ``np.int64``) are ``numpy._core.multiarray.scalar``. These load; anything that can run
code (``os.system``, ``eval``, a non-latin-1 ``_codecs.encode``, an ndarray subclass) is still refused.
"""
from __future__ import annotations

import codecs
import os
import pickle

import numpy as np
import pytest

from edutorch.vision import datasets
from edutorch.vision.datasets.cifar import restricted_pickle_load
from tests.vision import _dataset_files as files


def _write_python3_cifar10(root, protocol: int) -> dict[str, str]:
    """The CIFAR-10 folder with every batch written by ``pickle.dump`` (Python 3) at ``protocol``."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    train, test = files.cifar_arrays(0)
    batches = {f"data_batch_{i + 1}": {"batch_label": f"training batch {i + 1} of 5", "data": data,
                                       "labels": [np.int64(v) for v in labels]}  # NumPy numbers, as list(y) gives
               for i, (data, labels) in enumerate(train)}
    batches["test_batch"] = {"batch_label": "testing batch 1 of 1", "data": test[0], "labels": test[1]}
    batches["batches.meta"] = {"label_names": files.CIFAR10_CLASSES, "num_vis": 3072}
    md5s = {}
    for name, obj in batches.items():
        with open(folder / name, "wb") as f:
            pickle.dump(obj, f, protocol=protocol)
        md5s[name] = files.md5_of(folder / name)
    return md5s


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_python3_cifar_batches_load(tmp_path, monkeypatch, protocol):
    md5 = _write_python3_cifar10(tmp_path, protocol)
    cls = datasets.CIFAR10
    monkeypatch.setattr(cls, "train_list", [[name, md5[name]] for name, _ in cls.train_list])
    monkeypatch.setattr(cls, "test_list", [[name, md5[name]] for name, _ in cls.test_list])
    monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=md5["batches.meta"]))
    train, test = files.cifar_arrays(0)
    ds = cls(tmp_path)
    assert ds.data.shape == (11, 32, 32, 3) and ds.data.dtype == np.uint8
    assert ds.targets == [t for _, labels in train for t in labels]
    assert ds.classes == files.CIFAR10_CLASSES
    row = train[0][0][0]
    assert ds[0][0].getpixel((0, 0)) == (row[0], row[1024], row[2048])
    assert cls(tmp_path, train=False).targets == test[1]


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_python3_pickles_of_arrays_round_trip(protocol):
    obj = {"data": np.arange(24, dtype=np.uint8).reshape(2, 12), "f": np.linspace(0, 1, 6).reshape(3, 2).T,
           "label": np.int64(7), "raw": b"\x00\xff", "names": ["a", "b"]}
    out = restricted_pickle_load(pickle.dumps(obj, protocol=protocol))
    for key in ("data", "f"):
        np.testing.assert_array_equal(out[key], obj[key])
        assert out[key].dtype == obj[key].dtype and out[key].flags.writeable
    assert out["label"] == 7 and type(out["label"]) is np.int64
    assert out["raw"] == b"\x00\xff" and out["names"] == ["a", "b"]


class _System:
    def __reduce__(self):
        return (os.system, ("touch pwned_by_pickle",))


class _Rot13:
    def __reduce__(self):  # _codecs.encode is allowed only as protocol 2's latin-1 bytes spelling
        return (codecs.encode, ("abc", "rot13"))


class _Subclass(np.ndarray):
    pass


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_python3_pickles_that_run_code_are_refused(tmp_path, monkeypatch, protocol):
    monkeypatch.chdir(tmp_path)
    payload = pickle.dumps({"data": np.zeros((1, 3072), np.uint8), "labels": [_System()]}, protocol=protocol)
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing to load global '(posix|os|nt)\.system'"):
        restricted_pickle_load(payload)
    assert not (tmp_path / "pwned_by_pickle").exists()
    with pytest.raises(pickle.UnpicklingError, match="only allowed on str with 'latin1'"):
        restricted_pickle_load(pickle.dumps(_Rot13(), protocol=protocol))
    with pytest.raises(pickle.UnpicklingError):
        restricted_pickle_load(pickle.dumps(np.zeros(3).view(_Subclass), protocol=protocol))
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing to load global '(builtins|__builtin__)\.eval'"):
        restricted_pickle_load(pickle.dumps(eval, protocol=protocol))
