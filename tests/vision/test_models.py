"""edutorch.vision.models against torchvision's recorded answers (fixtures/make_models_fixtures.py).

- structure: state_dict keys, order, shapes and parameter counts of every architecture, and ``print(model)``;
- outputs: small models at small inputs with deterministic weights (a formula, no file), eval and train
  mode, equal to torchvision's outputs;
- weights enums: url, meta, ``transforms()`` (repr and values on a PIL image), get_weight / get_model /
  get_model_weights / list_models, the legacy ``pretrained=`` warnings;
- loading: a checkpoint written by real PyTorch in the cache is used as is; offline, a clear error;
- the shipped LeNet: accuracy on the digits test split, and the same logits in real PyTorch.

Building VGG's 100M-parameter classifier draws 100M random numbers (seconds each): structural tests
replace the random init by a no-op (``fast_init``), which changes values only, never names or shapes.
"""
from __future__ import annotations

import collections
import hashlib
import json
import math
import os
import re
import warnings
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
from PIL import Image

import edutorch
from edutorch import hub, nn
from edutorch.vision import models
from edutorch.vision.transforms import InterpolationMode
from edutorch.vision.transforms._presets import ImageClassification

HERE = Path(__file__).parent / "fixtures"
REC = json.loads((HERE / "models.json").read_text())
OUT = np.load(HERE / "models_outputs.npz")
DIGITS_RAW = Path(__file__).resolve().parents[2] / "data" / "digits" / "MNIST" / "raw"
WEIGHTS_README = Path(__file__).resolve().parents[2] / "data" / "weights" / "README.md"


# ---------------------------------------------------------------------------------------- helpers
def deterministic_array(key: str, shape: tuple, k: int) -> np.ndarray:
    """Same formula as fixtures/make_models_fixtures.py."""
    n = int(np.prod(shape)) if shape else 1
    base = np.sin(np.arange(n, dtype=np.float64) * 0.7 + k).reshape(shape)
    if key.endswith("running_var"):
        values = 1.0 + 0.5 * np.abs(base)
    elif key.endswith("running_mean"):
        values = 0.1 * base
    elif len(shape) >= 2:
        values = base * (2.0 / math.sqrt(int(np.prod(shape[1:]))))
    elif key.endswith("weight"):
        values = 1.0 + 0.1 * base
    else:
        values = 0.1 * base
    return values.astype(np.float32)


def deterministic_state_dict(model) -> dict:
    out = {}
    for k, (key, value) in enumerate(model.state_dict().items()):
        out[key] = value.clone() if key.endswith("num_batches_tracked") else \
            edutorch.from_numpy(deterministic_array(key, tuple(value.shape), k))
    return out


def deterministic_input(shape) -> edutorch.Tensor:
    n = int(np.prod(shape))
    return edutorch.from_numpy(np.sin(np.arange(n, dtype=np.float64) * 0.37).reshape(tuple(shape)).astype(np.float32))


def deterministic_image(width: int, height: int, mode: str = "RGB") -> Image.Image:
    yy, xx = np.mgrid[0:height, 0:width]
    channels = [(37 * xx + 11 * yy) % 256, (5 * xx * yy + 3) % 256, (255 - 7 * xx + 13 * yy) % 256]
    array = np.stack(channels, -1).astype(np.uint8)
    return Image.fromarray(array[..., 0] if mode == "L" else array, mode=mode)


@pytest.fixture
def fast_init(monkeypatch):
    """Random initialisation becomes a no-op (values stay whatever empty memory held)."""
    for name in ("kaiming_normal_", "kaiming_uniform_", "normal_", "trunc_normal_", "uniform_", "constant_",
                 "zeros_", "ones_"):
        monkeypatch.setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)


def build(name: str, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # googlenet's init_weights notice
        return models.get_model(name, weights=None, **kwargs)


def read_idx(path: Path) -> np.ndarray:
    raw = path.read_bytes()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


# ---------------------------------------------------------------------------------------- structure
@pytest.mark.parametrize("name", list(REC["archs"]))
def test_state_dict_keys_shapes_and_param_count_equal_torchvision(name, fast_init):
    if name == "googlenet(aux_logits=False)":
        model = build("googlenet", aux_logits=False, init_weights=False)
    else:
        model = build(name)
    expected = REC["archs"][name]
    ours = [[k, list(v.shape)] for k, v in model.state_dict().items()]
    assert ours == expected["state_dict"]
    assert sum(p.numel() for p in model.parameters()) == expected["num_params"]


@pytest.mark.parametrize("name", list(REC["repr"]))
def test_print_model_reads_like_torchvision(name, fast_init):
    assert repr(build(name)) == REC["repr"][name]


def test_resnet_init_follows_torchvision():
    edutorch.manual_seed(0)
    model = models.resnet18()
    w = model.conv1.weight.detach().numpy()
    expected_std = math.sqrt(2.0 / (64 * 7 * 7))  # kaiming_normal_, mode="fan_out", relu
    assert abs(w.std() / expected_std - 1) < 0.05
    assert np.all(model.bn1.weight.detach().numpy() == 1) and np.all(model.bn1.bias.detach().numpy() == 0)
    bound = 1 / math.sqrt(512)
    assert np.abs(model.fc.weight.detach().numpy()).max() <= bound
    zero = models.resnet18(zero_init_residual=True)
    assert np.all(zero.layer1[0].bn2.weight.detach().numpy() == 0)
    assert np.all(zero.layer1[0].bn1.weight.detach().numpy() == 1)


# ---------------------------------------------------------------------------------------- outputs
EVAL_CASES = {
    "resnet18": dict(num_classes=10),
    "resnet50": dict(num_classes=10),
    "mobilenet_v2": dict(num_classes=10),
    "squeezenet1_0": dict(num_classes=10),
    "squeezenet1_1": dict(num_classes=10),
    "googlenet": dict(num_classes=10, aux_logits=False, transform_input=True, init_weights=False),
    "alexnet": dict(num_classes=10),
    "vgg11_bn": dict(num_classes=10, init_weights=False),
}


@pytest.mark.parametrize("name", list(EVAL_CASES))
def test_eval_outputs_equal_torchvision_for_the_same_weights(name, fast_init):
    model = build(name, **EVAL_CASES[name]).eval()
    model.load_state_dict(deterministic_state_dict(model))
    x = deterministic_input(OUT[f"{name}/input_shape"])
    with edutorch.no_grad():
        out = model(x)
        again = model(x)
    expected = OUT[f"{name}/eval"]
    assert out.dtype == edutorch.float32 and tuple(out.shape) == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    np.testing.assert_array_equal(out.numpy(), again.numpy())  # eval mode is deterministic


def test_train_mode_resnet18_uses_batch_statistics_like_torchvision(fast_init):
    model = build("resnet18", num_classes=10).train()
    model.load_state_dict(deterministic_state_dict(model))
    out = model(deterministic_input((4, 3, 64, 64)))
    expected = OUT["resnet18/train"]
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    np.testing.assert_allclose(model.bn1.running_mean.numpy(), OUT["resnet18/train_running_mean"], rtol=1e-4,
                               atol=1e-6)
    out.sum().backward()  # the whole graph differentiates (in-place residual add, inplace ReLU)
    assert model.conv1.weight.grad is not None and model.conv1.weight.grad.shape == model.conv1.weight.shape


def test_googlenet_train_mode_returns_aux_logits_like_torchvision(fast_init):
    model = build("googlenet", num_classes=10, aux_logits=True, init_weights=False, dropout=0.0,
                  dropout_aux=0.0).train()
    model.load_state_dict(deterministic_state_dict(model))
    out = model(deterministic_input((4, 3, 96, 96)))
    assert isinstance(out, models.GoogLeNetOutputs) and out._fields == ("logits", "aux_logits2", "aux_logits1")
    for field in out._fields:
        expected = OUT[f"googlenet/train/{field}"]
        np.testing.assert_allclose(getattr(out, field).detach().numpy(), expected, rtol=1e-4,
                                   atol=1e-4 * np.abs(expected).max())
    model.eval()
    with edutorch.no_grad():
        assert isinstance(model(deterministic_input((1, 3, 64, 64))), edutorch.Tensor)  # eval: logits only


@pytest.mark.parametrize("name,size", [("resnet18", 32), ("mobilenet_v2", 32), ("squeezenet1_1", 32),
                                       ("googlenet", 32), ("lenet", 8), ("lenet", 28)])
def test_forward_shapes_with_num_classes(name, size):
    kwargs = {"init_weights": False} if name == "googlenet" else {}
    model = build(name, num_classes=7, **kwargs).eval()
    channels = 1 if name == "lenet" else 3
    with edutorch.no_grad():
        out = model(edutorch.randn(2, channels, size, size))
    assert tuple(out.shape) == (2, 7)


# ---------------------------------------------------------------------------------------- weights enums
def _enums():
    return [(enum_name, member) for enum_name, members in REC["weights"].items() for member in members]


@pytest.mark.parametrize("enum_name,member", _enums())
def test_weights_enum_url_meta_and_transforms_equal_torchvision(enum_name, member):
    rec = REC["weights"][enum_name][member]
    weights = getattr(models, enum_name)[member]
    assert weights.name == rec["is"]  # DEFAULT is an alias of the same member
    assert weights.url == rec["url"]
    meta = dict(weights.meta)
    categories = meta.pop("categories")
    if rec["categories_sha256"] is None:
        assert categories is None
    else:
        assert hashlib.sha256(json.dumps(categories).encode()).hexdigest() == rec["categories_sha256"]
    got = json.loads(json.dumps(meta, default=list).replace("NaN", '"nan"'))
    assert got == json.loads(json.dumps(rec["meta"]))
    assert repr(weights.transforms()) == rec["transforms_repr"]


def test_imagenet_categories():
    cats = models.ResNet50_Weights.DEFAULT.meta["categories"]
    assert len(cats) == 1000 and [cats[0], cats[-1]] == REC["imagenet_categories_first_last"]
    assert hashlib.sha256(json.dumps(cats).encode()).hexdigest() == REC["imagenet_categories_sha256"]


def test_get_weight_get_model_weights_and_verify():
    w = models.get_weight("ResNet50_Weights.IMAGENET1K_V2")
    assert w is models.ResNet50_Weights.IMAGENET1K_V2 is models.ResNet50_Weights.DEFAULT
    assert repr(w) == "ResNet50_Weights.IMAGENET1K_V2"
    assert models.get_model_weights("resnet50") is models.ResNet50_Weights
    assert models.get_model_weights(models.vgg16) is models.VGG16_Weights
    assert models.get_model_weights("lenet") is models.LeNet_Weights
    assert models.ResNet18_Weights.verify("IMAGENET1K_V1") is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet18_Weights.verify("ResNet18_Weights.IMAGENET1K_V1") is models.ResNet18_Weights.IMAGENET1K_V1
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received ResNet50_Weights"):
        models.resnet18(weights=models.ResNet50_Weights.DEFAULT)
    with pytest.raises(ValueError, match="Invalid weight name provided: 'resnet50'"):
        models.get_weight("resnet50")
    with pytest.raises(ValueError, match="The weight enum 'Nope_Weights'"):
        models.get_weight("Nope_Weights.X")
    with pytest.raises(KeyError):
        models.get_weight("ResNet50_Weights.IMAGENET1K_V9")
    with pytest.raises(ValueError, match="Unknown model nope"):
        models.get_model("nope")


def test_list_models_and_get_model():
    ours = models.list_models()
    assert ours == sorted(ours) and "lenet" in ours
    assert set(ours) - {"lenet"} <= set(REC["list_models"])  # every other name is torchvision's
    assert set(ours) - {"lenet"} == set(REC["archs"]) - {"googlenet(aux_logits=False)"}
    assert models.list_models(include="resnet*") == ["resnet101", "resnet152", "resnet18", "resnet34", "resnet50"]
    assert models.list_models(include="vgg*", exclude="*_bn") == ["vgg11", "vgg13", "vgg16", "vgg19"]
    model = models.get_model("resnet18", weights=None, num_classes=10)
    assert isinstance(model, models.ResNet) and model.fc.out_features == 10


def test_weights_fix_num_classes():
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 10 but got 3 instead."):
        models.lenet(weights=models.LeNet_Weights.DIGITS, num_classes=3)


def test_legacy_pretrained_argument_warns_as_torchvision():
    with pytest.warns(UserWarning) as record:
        model = models.resnet18(pretrained=False)
    messages = [str(w.message) for w in record]
    assert messages == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please use "
        "'weights' instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed "
        "in the future. The current behavior is equivalent to passing `weights=None`.",
    ]
    assert isinstance(model, models.ResNet)
    with pytest.warns(UserWarning) as record:
        models.lenet(pretrained=True)
    assert str(record[-1].message).endswith(
        "The current behavior is equivalent to passing `weights=LeNet_Weights.DIGITS`. You can also use "
        "`weights=LeNet_Weights.DEFAULT` to get the most up-to-date weights.")
    with pytest.warns(UserWarning, match="Using 'weights' as positional parameter"):
        models.resnet18(None)


# ---------------------------------------------------------------------------------------- presets
@pytest.mark.parametrize("key,kwargs", [
    ("crop24_resize28", dict(crop_size=24, resize_size=28)),
    ("crop16_resize20_bicubic", dict(crop_size=16, resize_size=20, interpolation=InterpolationMode.BICUBIC)),
])
def test_image_classification_preset_on_pil_equals_torchvision(key, kwargs):
    image = Image.fromarray(OUT["preset/image"])
    out = ImageClassification(**kwargs)(image)
    assert out.dtype == edutorch.float32
    np.testing.assert_allclose(out.numpy(), OUT[f"preset/{key}"], atol=2e-5)


def test_image_classification_preset_on_tensor_equals_torchvision():
    tensor = edutorch.from_numpy(np.ascontiguousarray(OUT["preset/image"].transpose(2, 0, 1)))
    out = ImageClassification(crop_size=24, resize_size=28)(tensor)
    # uint8 tensor resizing rounds to uint8 like torchvision; allow one grey level / std
    np.testing.assert_allclose(out.numpy(), OUT["preset/tensor_crop24_resize28"], atol=1.01 / 255 / 0.224)


def test_weights_transforms_on_pil_image():
    out = models.ResNet50_Weights.IMAGENET1K_V2.transforms()(deterministic_image(80, 64))
    assert list(out.shape) == OUT["preset/resnet50_v2_shape"].tolist()
    np.testing.assert_allclose(out.numpy()[:, ::16, ::16], OUT["preset/resnet50_v2_sample"], atol=2e-5)
    np.testing.assert_allclose(out.numpy().mean(axis=(1, 2)), OUT["preset/resnet50_v2_channel_mean"], atol=1e-5)
    grey = Image.fromarray(OUT["preset/grey8"])
    out = ImageClassification(crop_size=8, resize_size=8, mean=(0.3,), std=(0.4,))(grey)
    np.testing.assert_allclose(out.numpy(), OUT["preset/grey8_crop8_resize8"], atol=1e-6)


# ---------------------------------------------------------------------------------------- loading
@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return tmp_path / "torch_home"


def test_torch_written_checkpoint_in_the_cache_is_used_as_is(torch, torch_home, fast_init):
    ours = build("resnet18")
    reference = deterministic_state_dict(ours)
    state = collections.OrderedDict((k, torch.from_numpy(v.numpy().copy())) for k, v in reference.items())
    state._metadata = collections.OrderedDict([("", {"version": 1}), ("bn1", {"version": 2})])  # as state_dict()
    checkpoints = torch_home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(state, checkpoints / "resnet18-f37072fd.pth")  # torchvision's file name: no download needed
    model = models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.detach().numpy(), reference[key].numpy())


def test_offline_download_fails_fast_naming_url_file_and_folder(torch_home, monkeypatch):
    def no_network(*args, **kwargs):
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(hub, "urlopen", no_network)
    with pytest.raises(RuntimeError) as info:
        models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)
    message = str(info.value)
    folder = os.path.join(str(torch_home), "hub", "checkpoints")
    assert "https://download.pytorch.org/models/resnet50-11ad3fa6.pth" in message
    assert "resnet50-11ad3fa6.pth" in message and folder in message
    assert not os.listdir(folder)  # nothing half-written left behind


# ---------------------------------------------------------------------------------------- shipped weights
def _readme_accuracy() -> float:
    match = re.search(r"test accuracy\W*([0-9.]+)\s*%", WEIGHTS_README.read_text(), re.IGNORECASE)
    assert match, "data/weights/README.md states the test accuracy"
    return float(match.group(1))


def test_shipped_lenet_reaches_the_readme_accuracy_on_the_test_split():
    weights = models.LeNet_Weights.DIGITS
    model = models.lenet(weights=weights).eval()
    assert sum(p.numel() for p in model.parameters()) == weights.meta["num_params"]
    images = read_idx(DIGITS_RAW / "t10k-images-idx3-ubyte")
    labels = read_idx(DIGITS_RAW / "t10k-labels-idx1-ubyte").astype(np.int64)
    preprocess = weights.transforms()
    batch = edutorch.stack([preprocess(Image.fromarray(img, mode="L")) for img in images])
    assert tuple(batch.shape) == (len(images), 1, 8, 8)
    with edutorch.no_grad():
        predicted = model(batch).argmax(1).numpy()
    accuracy = 100 * float((predicted == labels).mean())
    assert accuracy >= _readme_accuracy() - 1e-9
    assert accuracy == pytest.approx(weights.meta["_metrics"]["digits (data/digits, test split)"]["acc@1"], abs=0.05)
    assert [weights.meta["categories"][i] for i in predicted[:3]] == [str(d) for d in predicted[:3]]


def test_shipped_lenet_file_hash_matches_its_name():
    path = Path(models.LeNet_Weights.DIGITS.url[len("file://"):])
    assert path.exists()
    prefix = re.search(r"-([a-f0-9]+)\.pth$", path.name).group(1)
    assert hashlib.sha256(path.read_bytes()).hexdigest().startswith(prefix)


def test_shipped_lenet_gives_the_same_logits_in_real_pytorch(torch):
    tnn = torch.nn
    twin = tnn.Module()
    twin.features = tnn.Sequential(tnn.Conv2d(1, 6, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                                   tnn.Conv2d(6, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2))
    twin.avgpool = tnn.AdaptiveAvgPool2d((2, 2))
    twin.classifier = tnn.Sequential(tnn.Linear(64, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
                                     tnn.Linear(84, 10))
    path = models.LeNet_Weights.DIGITS.url[len("file://"):]
    twin.load_state_dict(torch.load(path, weights_only=True))  # the file edutorch.save wrote, read by torch
    x = deterministic_input((4, 1, 8, 8))
    ours = models.lenet(weights=models.LeNet_Weights.DIGITS).eval()
    with edutorch.no_grad():
        got = ours(x).numpy()
    theirs = twin.classifier(torch.flatten(twin.avgpool(twin.features(torch.from_numpy(x.numpy()))), 1))
    np.testing.assert_allclose(got, theirs.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_missing_shipped_file_names_where_to_put_it(monkeypatch, torch_home, tmp_path):
    import sys

    monkeypatch.setattr(sys.modules["edutorch.vision.models.lenet"], "_SHIPPED_DIR", tmp_path / "nowhere")
    with pytest.raises(RuntimeError, match=r"lenet_digits-[0-9a-f]{8}\.pth was not found in .*nowhere"):
        models.lenet(weights=models.LeNet_Weights.DIGITS)
