"""Inference of resnet18 and vgg16 at batch 1, 224x224: edutorch against PyTorch, in one run.

    python benchmarks/models.py            # about a minute
    python benchmarks/models.py --quick    # fewer repeats, for a smoke run

torchvision cannot be assumed beside PyTorch, so the PyTorch side is the same architecture written
with ``torch.nn`` below (``TorchResNet18``, ``TorchVGG16``: torchvision's module names), loaded with
edutorch's random weights through the state_dict (the keys agree); the script first checks that both
give the same logits. Forward only, eval mode, under ``no_grad``. Both are timed alternately
(benchmarks/ops.py's ``compare``) and the medians shown; ratio = edutorch / PyTorch. Not a test.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops import TORCH_THREADS, compare, format_time, numpy_blas_threads, torch  # noqa: E402

import edutorch  # noqa: E402  (ops.py put the checkout on sys.path)
from edutorch.vision import models  # noqa: E402

tnn = torch.nn


class TorchBasicBlock(tnn.Module):
    def __init__(self, inplanes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = tnn.Sequential(tnn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                             tnn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + identity)


class TorchResNet18(tnn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        widths, inplanes = [64, 128, 256, 512], 64
        for i, planes in enumerate(widths):
            stride = 1 if i == 0 else 2
            setattr(self, f"layer{i + 1}", tnn.Sequential(TorchBasicBlock(inplanes, planes, stride),
                                                          TorchBasicBlock(planes, planes)))
            inplanes = planes
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512, 1000)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TorchVGG16(tnn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
            if v == "M":
                layers.append(tnn.MaxPool2d(2, 2))
            else:
                layers += [tnn.Conv2d(c, v, 3, padding=1), tnn.ReLU(inplace=True)]
                c = v
        self.features = tnn.Sequential(*layers)
        self.avgpool = tnn.AdaptiveAvgPool2d((7, 7))
        self.classifier = tnn.Sequential(tnn.Linear(25088, 4096), tnn.ReLU(True), tnn.Dropout(),
                                         tnn.Linear(4096, 4096), tnn.ReLU(True), tnn.Dropout(),
                                         tnn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def pair(name: str):
    """edutorch's model and PyTorch's twin with the same weights, and one forward each as closures."""
    edutorch.manual_seed(0)
    ours = models.get_model(name, weights=None).eval()
    theirs = {"resnet18": TorchResNet18, "vgg16": TorchVGG16}[name]().eval()
    theirs.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224), dtype=np.float32)
    x_ours, x_theirs = edutorch.from_numpy(x), torch.from_numpy(x)

    def run_ours():
        with edutorch.no_grad():
            return ours(x_ours)

    def run_theirs():
        with torch.no_grad():
            return theirs(x_theirs)

    a, b = run_ours().numpy(), run_theirs().numpy()
    err = float(np.abs(a - b).max() / np.abs(b).max())
    return run_ours, run_theirs, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = parser.parse_args()
    torch.set_num_threads(TORCH_THREADS)
    print(f"threads: torch {torch.get_num_threads()}, numpy BLAS {numpy_blas_threads()}; "
          f"torch {torch.__version__}, edutorch {edutorch.__version__}")
    print(f"{'model (batch 1, 3x224x224, eval, no_grad)':44s} {'edutorch':>12s} {'PyTorch':>12s} {'ratio':>7s}  max rel diff")
    warmup, repeat = (1, 3) if args.quick else (2, 7)
    for name in ("resnet18", "vgg16"):
        ours, theirs, err = pair(name)
        t_ours, t_theirs, ratio = compare(ours, theirs, warmup=warmup, repeat=repeat, number=1)
        print(f"{name:44s} {format_time(t_ours):>12s} {format_time(t_theirs):>12s} {ratio:6.2f}x  {err:.1e}")


if __name__ == "__main__":
    main()
