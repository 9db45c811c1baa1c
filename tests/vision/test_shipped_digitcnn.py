"""The shipped digit CNN of data/weights (the backbone of lesson 24): its file, its accuracy claim, and
the same logits in real PyTorch. The architecture is imported from the training script that made it."""
import hashlib
import importlib.util
import re
from pathlib import Path

import numpy as np

import edutorch

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ROOT / "data" / "weights"
FILE = WEIGHTS / "digitcnn_mnist5k-8927ae46.pth"
RAW = ROOT / "data" / "mnist5k" / "MNIST" / "raw"


def _script():
    spec = importlib.util.spec_from_file_location("train_digitcnn_mnist5k", WEIGHTS / "train_digitcnn_mnist5k.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _readme_claim() -> tuple[float, int, int]:
    """(accuracy in %, right, total) from the README section of this file."""
    section = (WEIGHTS / "README.md").read_text(encoding="utf-8").split(f"## `{FILE.name}`")[1]
    match = re.search(r"test accuracy \| \*\*([0-9.]+) %\*\* \((\d+) / (\d+)", section)
    assert match, "data/weights/README.md states the test accuracy of the digit CNN"
    return float(match.group(1)), int(match.group(2)), int(match.group(3))


def test_file_hash_matches_its_name_and_the_readme():
    digest = hashlib.sha256(FILE.read_bytes()).hexdigest()
    assert digest.startswith(re.search(r"-([a-f0-9]{8})\.pth$", FILE.name).group(1))
    readme = (WEIGHTS / "README.md").read_text(encoding="utf-8")
    assert digest in readme and f"{FILE.stat().st_size:,} bytes" in readme
    assert FILE.stat().st_size < 1_000_000


def test_reaches_the_readme_accuracy_on_the_mnist5k_test_split():
    script = _script()
    model = script.DigitCNN()
    model.load_state_dict(edutorch.load(FILE, weights_only=True))
    assert sum(p.numel() for p in model.parameters()) == 24170
    images, labels = script.load_split(train=False)
    model.eval()
    with edutorch.no_grad():
        predicted = model(edutorch.from_numpy(images)).argmax(1).numpy()
    accuracy, right, total = _readme_claim()
    assert (int((predicted == labels).sum()), len(labels)) == (right, total)
    assert round(100 * right / total, 1) == accuracy


def test_reads_64x64_tiles_too():
    model = _script().DigitCNN().eval()
    model.load_state_dict(edutorch.load(FILE, weights_only=True))
    with edutorch.no_grad():
        assert tuple(model(edutorch.zeros(2, 1, 64, 64)).shape) == (2, 10)


def test_gives_the_same_logits_in_real_pytorch(torch):
    tnn = torch.nn
    twin = tnn.Module()
    twin.features = tnn.Sequential(
        tnn.Conv2d(1, 16, 3, padding=1), tnn.BatchNorm2d(16), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(16, 32, 3, padding=1), tnn.BatchNorm2d(32), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(32, 64, 3, padding=1), tnn.BatchNorm2d(64), tnn.ReLU())
    twin.fc = tnn.Linear(64, 10)
    twin.load_state_dict(torch.load(FILE, weights_only=True))  # the file edutorch.save wrote, read by torch
    twin.eval()
    ours = _script().DigitCNN().eval()
    ours.load_state_dict(edutorch.load(FILE, weights_only=True))
    x = (np.arange(3 * 28 * 28, dtype=np.float32).reshape(3, 1, 28, 28) * 0.37) % 1.0 * 2 - 0.5
    with edutorch.no_grad():
        got = ours(edutorch.from_numpy(x)).numpy()
    with torch.no_grad():
        theirs = twin.fc(twin.features(torch.from_numpy(x)).mean((2, 3))).numpy()
    np.testing.assert_allclose(got, theirs, rtol=1e-4, atol=1e-4)
