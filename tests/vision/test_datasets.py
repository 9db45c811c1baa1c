"""edutorch.vision.datasets, fully offline.

Every file is generated inside ``tmp_path`` in the OFFICIAL format (big-endian IDX files, CIFAR python
pickles in a tar.gz, ImageFolder trees), by ``_dataset_files.py``. torchvision's answers on the very same
files were recorded in ``fixtures/datasets.json`` (see ``fixtures/make_datasets_fixtures.py``).
``download=True`` is tested end to end against a local ``http.server`` on 127.0.0.1.
"""
from __future__ import annotations

import gzip
import http.server
import io
import json
import os
import pickle
import shutil
import socket
import tarfile
import threading
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

import edutorch
from edutorch.utils.data import DataLoader
from edutorch.vision import datasets
from edutorch.vision.datasets import utils as dutils
from edutorch.vision.datasets.cifar import RestrictedUnpickler, restricted_pickle_load
from edutorch.vision.datasets.mnist import read_idx, read_image_file, read_label_file
from tests.vision import _dataset_files as files

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "datasets.json").read_text())


class ToTensorLike:
    """PIL -> float32 edutorch tensor (C, H, W) in [0, 1]: ToTensor's job, without depending on the
    transforms module (written concurrently). Its repr is ToTensor's, for the repr tests."""

    def __call__(self, img):
        a = np.asarray(img, dtype=np.float32) / 255
        a = a[None] if a.ndim == 2 else a.transpose(2, 0, 1)
        return edutorch.from_numpy(np.ascontiguousarray(a))

    def __repr__(self):
        return "ToTensor()"


def _to_tensor():
    """transforms.ToTensor() once the transforms helper has landed it, else the stand-in above."""
    try:
        from edutorch.vision.transforms import ToTensor
    except ImportError:
        return ToTensorLike()
    return ToTensor()


# -------------------------------------------------------------------------------------------------------
# IDX files
# -------------------------------------------------------------------------------------------------------

def test_idx_header_bytes_are_mnist_layout(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data = files.idx_bytes(images)
    # magic 0x00000803 (uint8, 3 dims), then 2, 3, 4 as big-endian uint32, then the pixels
    assert data[:16] == bytes.fromhex("00000803 00000002 00000003 00000004")
    assert data[16:] == images.tobytes()
    assert files.idx_bytes(np.array([7, 1], dtype=np.uint8))[:8] == bytes.fromhex("00000801 00000002")


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_every_type(tmp_path, dtype, gz):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal((3, 2, 5)) * 100).astype(dtype)
    path = files.write_idx(tmp_path / "x-idx", array, gz=gz)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    assert out.shape == (3, 2, 5)
    np.testing.assert_array_equal(out, array)
    out[0, 0, 0] = 1  # writable, not a frombuffer view


def test_read_idx_rejects_bad_magic_and_truncation(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n....")
    with pytest.raises(ValueError, match="not an IDX file.*89 50 4e 47"):
        read_idx(bad)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(files.idx_bytes(np.zeros((4, 3, 3), np.uint8))[:-5])
    with pytest.raises(ValueError, match=r"shape \(4, 3, 3\).*36 elements.*holds 31"):
        read_idx(truncated)


def test_read_image_and_label_file_types(tmp_path):
    imgs = files.write_idx(tmp_path / "i", np.zeros((2, 8, 8), np.uint8))
    labels = files.write_idx(tmp_path / "l", np.array([3, 4], np.uint8))
    assert read_image_file(imgs).dtype == edutorch.uint8 and tuple(read_image_file(imgs).shape) == (2, 8, 8)
    assert read_label_file(labels).dtype == edutorch.int64
    with pytest.raises(ValueError, match="3 dimension instead of 1"):
        read_image_file(labels)
    with pytest.raises(TypeError, match="uint8 instead of float32"):
        read_label_file(files.write_idx(tmp_path / "f", np.zeros(3, np.float32)))


# -------------------------------------------------------------------------------------------------------
# MNIST / FashionMNIST
# -------------------------------------------------------------------------------------------------------

@pytest.fixture
def mnist_root(tmp_path):
    arrays = files.mnist_arrays(seed=0, hw=(8, 8))  # the fixture's arrays: 8x8, as data/digits
    files.write_mnist_raw(tmp_path / "MNIST" / "raw", arrays)
    return SimpleNamespace(root=str(tmp_path), arrays=arrays)


def test_mnist_matches_torchvision(mnist_root):
    rec = FIXTURES["mnist"]
    ds = datasets.MNIST(mnist_root.root, transform=ToTensorLike())
    assert len(ds) == rec["len"] == 12
    assert repr(ds.data.dtype) == rec["data_dtype"] and repr(ds.targets.dtype) == rec["targets_dtype"]
    assert tuple(ds.data.shape) == (12, 8, 8)
    np.testing.assert_array_equal(ds.data.numpy()[0], rec["data0"])
    assert ds.targets.numpy().tolist() == rec["targets"]
    assert repr(ds) == rec["repr"].format(root=mnist_root.root)
    assert repr(datasets.MNIST(mnist_root.root, train=False)) == rec["repr_test"].format(root=mnist_root.root)
    assert ds.classes == rec["classes"]
    assert ds.class_to_idx == {c: i for i, c in enumerate(rec["classes"])}


def test_mnist_items_and_transforms(mnist_root):
    images, labels = mnist_root.arrays["t10k"]
    ds = datasets.MNIST(mnist_root.root, train=False)
    assert ds.train is False and len(ds) == 5
    img, target = ds[3]
    assert isinstance(img, Image.Image) and img.mode == FIXTURES["mnist"]["item_mode"] == "L"
    assert img.size == (8, 8)
    np.testing.assert_array_equal(np.asarray(img), images[3])
    assert type(target) is int and target == labels[3]
    assert ds.raw_folder == os.path.join(mnist_root.root, "MNIST", "raw")
    assert ds.processed_folder == os.path.join(mnist_root.root, "MNIST", "processed")

    seen = []
    ds = datasets.MNIST(mnist_root.root, train=False, transform=lambda im: np.asarray(im).sum(),
                        target_transform=lambda t: seen.append(t) or t + 100)
    x, y = ds[1]
    assert x == images[1].astype(np.int64).sum() and y == labels[1] + 100 and seen == [labels[1]]

    assert datasets.MNIST(mnist_root.root, train=False).transforms is None
    joint = datasets.VisionDataset(mnist_root.root, transforms=lambda x, y: (x, y))
    assert joint.transform is None and callable(joint.transforms)
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        datasets.VisionDataset(mnist_root.root, transforms=lambda x, y: (x, y), transform=abs)


def test_standard_transform_repr_and_call():
    st = datasets.StandardTransform(ToTensorLike(), lambda t: t * 2)
    assert repr(st).startswith("StandardTransform\nTransform: ToTensor()\nTarget transform: <function")
    x, y = st(Image.new("L", (2, 3)), 4)
    assert tuple(x.shape) == (1, 3, 2) and y == 8


def test_mnist_any_image_size_and_gzip_download_free(tmp_path):
    arrays = files.mnist_arrays(seed=3, n_train=4, n_test=2, hw=(5, 7))
    files.write_mnist_raw(tmp_path / "MNIST" / "raw", arrays)
    ds = datasets.MNIST(str(tmp_path))
    assert tuple(ds.data.shape) == (4, 5, 7) and ds[0][0].size == (7, 5)


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path):
    files.write_mnist_raw(tmp_path / "FashionMNIST" / "raw", files.mnist_arrays(seed=2, n_train=3, n_test=2))
    ds = datasets.FashionMNIST(tmp_path)
    assert len(ds) == 3 and ds.classes[0] == "T-shirt/top" and ds.class_to_idx["Ankle boot"] == 9
    assert repr(ds).startswith("Dataset FashionMNIST\n    Number of datapoints: 3")
    assert datasets.FashionMNIST.mirrors != datasets.MNIST.mirrors
    assert datasets.FashionMNIST.resources[0] == ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d")
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.MNIST(tmp_path)  # the MNIST folder is not the FashionMNIST one


def test_mnist_missing_files_message(tmp_path):
    kind, msg = FIXTURES["mnist_missing"]
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(tmp_path / "nothing")
    assert type(info.value).__name__ == kind and str(info.value) == msg


def test_mnist_real_resources_are_torchvision_s():
    assert datasets.MNIST.mirrors[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert dict(datasets.MNIST.resources)["t10k-labels-idx1-ubyte.gz"] == "ec29112dd5afa0611ce80d1b7f02629c"
    assert datasets.CIFAR10.url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert datasets.CIFAR10.tgz_md5 == "c58f30108f718f92721af3b95e74349a"
    assert datasets.CIFAR100.tgz_md5 == "eb9058c3a382ffc7106e4002c42a8d85"


def test_dataloader_over_mnist(mnist_root):
    ds = datasets.MNIST(mnist_root.root, transform=_to_tensor())
    loader = DataLoader(ds, batch_size=5, shuffle=False)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    x, y = batches[0]
    assert tuple(x.shape) == (5, 1, 8, 8) and x.dtype == edutorch.float32
    assert y.dtype == edutorch.int64 and y.numpy().tolist() == mnist_root.arrays["train"][1][:5].tolist()
    np.testing.assert_allclose(x.numpy()[2, 0], mnist_root.arrays["train"][0][2] / 255, rtol=1e-6)
    assert tuple(batches[-1][0].shape) == (2, 1, 8, 8)


# -------------------------------------------------------------------------------------------------------
# CIFAR
# -------------------------------------------------------------------------------------------------------

def _patch_cifar_md5s(monkeypatch, cls, md5):
    monkeypatch.setattr(cls, "train_list", [[name, md5[name]] for name, _ in cls.train_list])
    monkeypatch.setattr(cls, "test_list", [[name, md5[name]] for name, _ in cls.test_list])
    monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=md5[cls.meta["filename"]]))


@pytest.fixture
def cifar_root(tmp_path, monkeypatch):
    _patch_cifar_md5s(monkeypatch, datasets.CIFAR10, files.write_cifar10(tmp_path))
    _patch_cifar_md5s(monkeypatch, datasets.CIFAR100, files.write_cifar100(tmp_path))
    return tmp_path


def test_cifar10_matches_torchvision(cifar_root):
    rec = FIXTURES["cifar10"]
    ds = datasets.CIFAR10(cifar_root)
    assert isinstance(ds.data, np.ndarray) and list(ds.data.shape) == rec["shape"] and ds.data.dtype == np.uint8
    np.testing.assert_array_equal(ds.data[0], rec["data0"])
    assert ds.targets == rec["targets"] and all(type(t) is int for t in ds.targets)
    assert ds.classes == rec["classes"] and ds.class_to_idx["truck"] == 9
    test = datasets.CIFAR10(cifar_root, train=False)
    assert test.targets == rec["test_targets"]
    assert repr(test) == rec["repr"].format(root=cifar_root)

    img, target = ds[0]
    assert isinstance(img, Image.Image) and img.mode == rec["item_mode"] and img.size == (32, 32)
    # the row layout: pixel (0, 0) is (R, G, B) = (row[0], row[1024], row[2048])
    row = files.cifar_arrays(0)[0][0][0][0]
    assert img.getpixel((0, 0)) == (row[0], row[1024], row[2048])
    assert img.getpixel((5, 2)) == (row[2 * 32 + 5], row[1024 + 2 * 32 + 5], row[2048 + 2 * 32 + 5])

    ds = datasets.CIFAR10(cifar_root, transform=lambda im: im.size, target_transform=str)
    assert ds[4] == ((32, 32), str(rec["targets"][4]))


def test_cifar100_fine_labels(cifar_root):
    rec = FIXTURES["cifar100"]
    ds = datasets.CIFAR100(cifar_root)
    assert list(ds.data.shape) == rec["shape"] and ds.targets == rec["targets"]
    assert len(ds.classes) == rec["n_classes"] == 100
    np.testing.assert_array_equal(ds.data[-1], rec["data_last"])


def test_cifar_md5_mismatch_and_missing(cifar_root, tmp_path):
    with pytest.raises(RuntimeError, match="^Dataset not found or corrupted. You can use download=True"):
        datasets.CIFAR10(tmp_path / "elsewhere")
    with open(cifar_root / "cifar-10-batches-py" / "data_batch_3", "ab") as f:
        f.write(b"\0")
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(cifar_root)


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned_by_pickle",))


def test_restricted_unpickler_refuses_code(tmp_path, monkeypatch, cifar_root):
    monkeypatch.chdir(tmp_path)
    evil = pickle.dumps({"data": _Evil(), "labels": [1]}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing to load global '(posix|os|nt)\.system'"):
        restricted_pickle_load(evil)
    assert not (tmp_path / "pwned_by_pickle").exists()
    for payload in (pickle.dumps(eval), pickle.dumps(Path("x")), pickle.dumps(np.random.default_rng(0))):
        with pytest.raises(pickle.UnpicklingError):
            RestrictedUnpickler(io.BytesIO(payload)).load()
    # what the files hold does load: containers, strings, bytes, numbers, arrays (numpy 1 and 2 names)
    obj = {"a": [1, 2.5, "s", b"b", (None, True)], "x": np.arange(6, dtype=np.uint8).reshape(2, 3)}
    for data in (pickle.dumps(obj, protocol=3), files._py2_style_pickle(obj)):
        out = restricted_pickle_load(data)
        assert out["a"] == obj["a"] or out["a"][:3] == obj["a"][:3]
        np.testing.assert_array_equal(out["x"], obj["x"])

    # a malicious batch with a matching md5 is still refused by the dataset
    batch = cifar_root / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(evil)
    monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", files.md5_of(batch)]])
    with pytest.raises(pickle.UnpicklingError):
        datasets.CIFAR10(cifar_root, train=False)
    assert not (tmp_path / "pwned_by_pickle").exists()


# -------------------------------------------------------------------------------------------------------
# ImageFolder / DatasetFolder
# -------------------------------------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    files.build_image_tree(root)
    return str(root)


def _rel(root, samples):
    return [[os.path.relpath(p, root).replace(os.sep, "/"), t] for p, t in samples]


def test_imagefolder_matches_torchvision(tree):
    rec = FIXTURES["imagefolder"]
    ds = datasets.ImageFolder(tree)
    assert ds.classes == rec["classes"] and ds.class_to_idx == rec["class_to_idx"]
    assert _rel(tree, ds.samples) == rec["samples"]
    assert ds.imgs is ds.samples and ds.targets == rec["targets"]
    assert all(isinstance(p, str) and isinstance(t, int) for p, t in ds.samples)
    for i, (mode, size, pixels) in enumerate(rec["items"]):
        img, target = ds[i]
        assert img.mode == mode == "RGB" and list(img.size) == size and target == rec["targets"][i]
        # JPEG decoders may differ by a grey level between Pillow builds; lossless formats are exact
        atol = 2 if rec["samples"][i][0].lower().endswith(("jpg", "jpeg")) else 0
        np.testing.assert_allclose(np.asarray(img, dtype=np.int64), pixels, atol=atol)
    assert repr(datasets.ImageFolder(tree, transform=ToTensorLike())) == rec["repr"].format(root=tree)
    assert ds.extensions == datasets.folder.IMG_EXTENSIONS


def test_imagefolder_transforms(tree):
    ds = datasets.ImageFolder(tree, transform=ToTensorLike(), target_transform=lambda t: -t)
    x, y = ds[4]
    assert tuple(x.shape) == (3, 5, 6) and x.dtype == edutorch.float32 and y == -1
    loader = DataLoader(ds, batch_size=3)
    xb, yb = next(iter(loader))
    assert tuple(xb.shape) == (3, 3, 5, 6) and yb.numpy().tolist() == [0, 0, 0]


def test_datasetfolder_is_valid_file_and_loader(tree):
    ds = datasets.DatasetFolder(tree, loader=lambda p: Path(p).read_text(),
                                is_valid_file=lambda p: p.endswith((".txt", "README")), allow_empty=True)
    assert _rel(tree, ds.samples) == FIXTURES["datasetfolder_valid_file"]
    assert ds[0] == ("not an image\n", 0)
    kind, msg = FIXTURES["datasetfolder_ext_str"]
    with pytest.raises(FileNotFoundError) as info:
        datasets.DatasetFolder(tree, loader=str, extensions=".txt")
    assert str(info.value) == msg
    kind, msg = FIXTURES["both_none"]
    with pytest.raises(ValueError, match=msg):
        datasets.DatasetFolder(tree, loader=str)
    with pytest.raises(ValueError, match=msg):
        datasets.DatasetFolder(tree, loader=str, extensions=(".png",), is_valid_file=bool)
    with pytest.raises(ValueError, match="class_to_idx parameter cannot be None"):
        datasets.DatasetFolder.make_dataset(tree, None, extensions=(".png",))


def test_imagefolder_errors_as_torchvision(tree, tmp_path):
    os.makedirs(os.path.join(tree, "zebra"))  # an empty class folder
    kind, msg = FIXTURES["empty_class"]
    with pytest.raises(FileNotFoundError) as info:
        datasets.ImageFolder(tree)
    assert kind == "FileNotFoundError" and str(info.value) == msg
    assert datasets.ImageFolder(tree, allow_empty=True).class_to_idx == FIXTURES["empty_class_allowed"]

    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "x.png").write_bytes(b"")
    kind, msg = FIXTURES["no_class_folder"]
    with pytest.raises(FileNotFoundError) as info:
        datasets.ImageFolder(flat)
    assert str(info.value) == msg.format(root=flat)


def test_find_classes_override(tree):
    class OnlyDogs(datasets.ImageFolder):
        def find_classes(self, directory):
            return ["dog"], {"dog": 0}

    ds = OnlyDogs(tree)
    assert ds.classes == ["dog"] and len(ds) == 3 and set(ds.targets) == {0}


# -------------------------------------------------------------------------------------------------------
# FakeData
# -------------------------------------------------------------------------------------------------------

def test_fakedata_is_deterministic_per_index():
    ds = datasets.FakeData(size=6, image_size=(3, 7, 5), num_classes=4)
    assert len(ds) == 6 and repr(datasets.FakeData(size=7, image_size=(1, 4, 4))) == FIXTURES["fakedata_repr"]
    edutorch.manual_seed(123)
    before = edutorch.rand(3).numpy()
    edutorch.manual_seed(123)
    items = [ds[i] for i in (4, 0, 4, 2)]
    np.testing.assert_array_equal(edutorch.rand(3).numpy(), before)  # the global RNG is untouched
    assert all(img.mode == "RGB" and img.size == (5, 7) for img, _ in items)
    assert all(type(t) is int and 0 <= t < 4 for _, t in items)
    np.testing.assert_array_equal(np.asarray(items[0][0]), np.asarray(items[2][0]))
    assert items[0][1] == items[2][1]
    assert not np.array_equal(np.asarray(items[0][0]), np.asarray(items[1][0]))
    other = datasets.FakeData(size=6, image_size=(3, 7, 5), num_classes=4, random_offset=1)
    np.testing.assert_array_equal(np.asarray(other[3][0]), np.asarray(ds[4][0]))  # seed = index + offset
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[6]
    grey = datasets.FakeData(size=2, image_size=(1, 4, 4), transform=np.asarray, target_transform=lambda t: t + 10)
    x, y = grey[1]
    assert x.shape == (4, 4) and x.dtype == np.uint8 and 10 <= y < 20


def test_dataloader_workers_see_the_same_items(mnist_root):
    fake = datasets.FakeData(size=10, image_size=(1, 3, 3), transform=np.asarray)
    one = [(x.numpy(), y.numpy()) for x, y in DataLoader(fake, batch_size=4)]
    two = [(x.numpy(), y.numpy()) for x, y in DataLoader(fake, batch_size=4, num_workers=2)]
    assert len(one) == len(two) == 3
    for (x1, y1), (x2, y2) in zip(one, two):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    mnist = datasets.MNIST(mnist_root.root, transform=np.asarray)
    ys = np.concatenate([y.numpy() for _, y in DataLoader(mnist, batch_size=5, num_workers=2)])
    np.testing.assert_array_equal(ys, mnist_root.arrays["train"][1])


# -------------------------------------------------------------------------------------------------------
# Archives: extraction and its safety
# -------------------------------------------------------------------------------------------------------

def _add_bytes(tar, name, data=b"x", **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for k, v in attrs.items():
        setattr(info, k, v)
    tar.addfile(info, io.BytesIO(data))


def test_extract_archive_formats(tmp_path):
    src = tmp_path / "src" / "folder"
    src.mkdir(parents=True)
    (src / "a.txt").write_text("A")
    (src / "sub").mkdir()
    (src / "sub" / "b.txt").write_text("B")
    for name, mode in (("x.tar", "w"), ("x.tar.gz", "w:gz"), ("x.tgz", "w:gz")):
        with tarfile.open(tmp_path / name, mode) as tar:
            tar.add(src, arcname="folder")
        out = tmp_path / f"out_{name}"
        assert dutils.extract_archive(str(tmp_path / name), str(out)) == str(out)
        assert (out / "folder" / "sub" / "b.txt").read_text() == "B"
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as z:
        z.write(src / "a.txt", "folder/a.txt")
        z.write(src / "sub" / "b.txt", "folder/sub/b.txt")
    dutils.extract_archive(tmp_path / "x.zip", tmp_path / "out_zip")
    assert (tmp_path / "out_zip" / "folder" / "sub" / "b.txt").read_text() == "B"
    (tmp_path / "f.bin.gz").write_bytes(gzip.compress(b"payload"))
    out = dutils.extract_archive(str(tmp_path / "f.bin.gz"), str(tmp_path / "gzout"), remove_finished=True)
    assert out == str(tmp_path / "gzout" / "f.bin") and Path(out).read_bytes() == b"payload"
    assert not (tmp_path / "f.bin.gz").exists()
    with pytest.raises(RuntimeError, match="Unknown compression or archive type: '.rar'"):
        dutils.extract_archive(tmp_path / "x.rar")


@pytest.mark.parametrize("case", ["dotdot", "absolute", "symlink_out", "symlink_abs", "symlink_chain",
                                  "hardlink_out"])
def test_tar_path_traversal_refused(tmp_path, case):
    archive = tmp_path / "evil.tar.gz"
    target = tmp_path / "extract" / "here"
    target.mkdir(parents=True)
    with tarfile.open(archive, "w:gz") as tar:
        _add_bytes(tar, "ok.txt", b"fine")
        if case == "dotdot":
            _add_bytes(tar, "sub/../../evil.txt", b"evil")
        elif case == "absolute":
            _add_bytes(tar, str(tmp_path / "evil.txt"), b"evil")
        elif case == "symlink_out":
            _add_bytes(tar, "link", b"", type=tarfile.SYMTYPE, linkname="../../")
            _add_bytes(tar, "link/evil.txt", b"evil")
        elif case == "symlink_abs":
            _add_bytes(tar, "link", b"", type=tarfile.SYMTYPE, linkname=str(tmp_path))
        elif case == "symlink_chain":  # each link looks harmless alone; through the first, the second escapes
            _add_bytes(tar, "a", b"", type=tarfile.SYMTYPE, linkname=".")
            _add_bytes(tar, "a/b", b"", type=tarfile.SYMTYPE, linkname="../..")
        elif case == "hardlink_out":
            _add_bytes(tar, "hard", b"", type=tarfile.LNKTYPE, linkname="../../evil.txt")
    with pytest.raises(RuntimeError, match=r"Refusing to extract .* outside the target directory"):
        dutils.extract_archive(str(archive), str(target))
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "extract" / "evil.txt").exists()
    assert (target / "ok.txt").read_bytes() == b"fine"  # members before the bad one were extracted


def test_zip_path_traversal_refused(tmp_path):
    for name in ("../evil.txt", "ok/../../evil.txt", "/abs/evil.txt"):
        archive = tmp_path / "evil.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr(name, "evil")
        with pytest.raises(RuntimeError, match="Refusing to extract"):
            dutils.extract_archive(archive, tmp_path / "out")
        assert not (tmp_path / "evil.txt").exists()


def test_check_integrity_and_md5(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    assert dutils.calculate_md5(f) == "900150983cd24fb0d6963f7d28e17f72"
    assert dutils.check_integrity(f) and dutils.check_integrity(f, "900150983cd24fb0d6963f7d28e17f72")
    assert not dutils.check_integrity(f, "0" * 32) and not dutils.check_integrity(tmp_path / "missing")


# -------------------------------------------------------------------------------------------------------
# download=True against a local HTTP server
# -------------------------------------------------------------------------------------------------------

@pytest.fixture
def http_server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):  # keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}/", dir=served, requests=requests)
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def closed_port_url():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # urllib would send requests to 127.0.0.1 through a proxy set in the environment
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


def test_mnist_download_end_to_end(tmp_path, http_server, closed_port_url, monkeypatch, capsys):
    arrays = files.mnist_arrays(seed=5, n_train=6, n_test=3)
    md5s = files.write_mnist_raw(http_server.dir, arrays, gz=True)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [closed_port_url, http_server.url])  # first mirror down
    monkeypatch.setattr(datasets.MNIST, "resources", [(name, md5s[name]) for name, _ in datasets.MNIST.resources])
    root = tmp_path / "data"

    ds = datasets.MNIST(root, download=True)
    assert len(ds) == 6 and ds[2][1] == arrays["train"][1][2]
    np.testing.assert_array_equal(ds.data.numpy(), arrays["train"][0])
    raw = root / "MNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted([*md5s, *(n[:-3] for n in md5s)])  # .gz kept + extracted, no .part
    assert sorted(http_server.requests) == sorted(f"/{n}" for n in md5s)
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz" in err and "100%" in err  # tqdm's progress bar

    datasets.MNIST(root, train=False, download=True)  # already there: no request at all
    assert len(http_server.requests) == 4
    shutil.rmtree(raw)
    os.makedirs(raw)
    shutil.copy(http_server.dir / "t10k-images-idx3-ubyte.gz", raw)  # a file put there by hand is used
    datasets.MNIST(root, download=True)
    assert "/t10k-images-idx3-ubyte.gz" not in http_server.requests[4:] and len(http_server.requests) == 7


def test_download_corrupted_file_raises(tmp_path, http_server):
    (http_server.dir / "blob.tar.gz").write_bytes(b"not what was published")
    with pytest.raises(RuntimeError, match=r"corrupted: .*blob.tar.gz has md5 [0-9a-f]{32}, expected 0{32}"):
        dutils.download_and_extract_archive(http_server.url + "blob.tar.gz", tmp_path / "dl", md5="0" * 32)
    with pytest.raises(RuntimeError, match=r"HTTP Error 404(.|\n)*download .*missing.gz by hand"):
        dutils.download_url(http_server.url + "missing.gz", tmp_path / "dl")
    assert not (tmp_path / "dl" / "missing.gz").exists() and not (tmp_path / "dl" / "missing.gz.part").exists()


def test_cifar10_download_end_to_end(tmp_path, http_server, monkeypatch):
    build = tmp_path / "build"
    md5 = files.write_cifar10(build)
    archive = files.tar_gz_folder(http_server.dir / "cifar-10-python.tar.gz", build, "cifar-10-batches-py")
    _patch_cifar_md5s(monkeypatch, datasets.CIFAR10, md5)
    monkeypatch.setattr(datasets.CIFAR10, "url", http_server.url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", files.md5_of(archive))
    root = tmp_path / "data"
    ds = datasets.CIFAR10(root, train=False, download=True)
    assert len(ds) == 4 and ds.classes[0] == "airplane"
    assert (root / "cifar-10-python.tar.gz").exists() and (root / "cifar-10-batches-py" / "batches.meta").exists()
    datasets.CIFAR10(root, download=True)
    assert http_server.requests == ["/cifar-10-python.tar.gz"]  # idempotent: downloaded once

    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", "f" * 32)  # the served archive does not match
    with pytest.raises(RuntimeError, match="corrupted"):
        datasets.CIFAR10(tmp_path / "other", download=True)


def test_offline_messages(tmp_path, closed_port_url, monkeypatch):
    monkeypatch.setattr(datasets.MNIST, "mirrors", [closed_port_url])
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(tmp_path, download=True)
    msg = str(info.value)
    raw = os.path.join(str(tmp_path), "MNIST", "raw")
    assert f"Tried {closed_port_url}train-images-idx3-ubyte.gz" in msg
    assert "Connection refused" in msg or "refused" in msg.lower()
    assert f"put them in {raw}{os.sep}" in msg and "by hand" in msg
    assert "t10k-labels-idx1-ubyte.gz" in msg

    monkeypatch.setattr(datasets.CIFAR10, "url", closed_port_url + "cifar-10-python.tar.gz")
    with pytest.raises(RuntimeError) as info:
        datasets.CIFAR10(tmp_path / "c", download=True)
    msg = str(info.value)
    assert f"Failed to download {closed_port_url}cifar-10-python.tar.gz" in msg
    assert f"put it in {tmp_path / 'c'}{os.sep}" in msg and "cifar-10-batches-py" in msg

    with pytest.raises(RuntimeError, match="^Dataset not found. You can use download=True to download it$"):
        datasets.MNIST(tmp_path, download=False)


def test_fakedata_pixels_wrap_like_torch_byte(torch):
    """FakeData's float -> uint8 is ToPILImage's ``mul(255).byte()``: truncate, then wrap modulo 256."""
    from edutorch.vision.datasets.fakedata import _float_chw_to_pil

    values = np.array([[[-1.5, -0.01, 0.5, 0.999, 1.2, 2.7]]], dtype=np.float32)
    ours = np.asarray(_float_chw_to_pil(values))
    theirs = torch.from_numpy(values).mul(255).byte().numpy()[0]
    np.testing.assert_array_equal(ours, theirs)
    assert ours.tolist() == [[130, 254, 127, 254, 50, 176]]  # -2.55 -> -2 -> 254
