"""LeNet for the 8x8 handwritten digits shipped in ``data/digits`` (not a torchvision model: ours).

A LeNet-5-style network (LeCun et al., 1998) scaled to 8x8 grey images::

    features    Conv2d(1, 6, 3, padding=1), ReLU, MaxPool2d(2)       (N, 1, 8, 8) -> (N, 6, 4, 4)
                Conv2d(6, 16, 3, padding=1), ReLU, MaxPool2d(2)                   -> (N, 16, 2, 2)
    avgpool     AdaptiveAvgPool2d((2, 2)): a no-op at 8x8; lets 28x28 MNIST images through too
    classifier  Linear(64, 120), ReLU, Linear(120, 84), ReLU, Linear(84, num_classes)

It follows the zoo's layout (``features`` / ``avgpool`` / ``classifier``), so fine-tuning code written
for AlexNet or VGG (``model.classifier[-1] = nn.Linear(84, 3)``) works on it unchanged.

``LeNet_Weights.DIGITS`` are weights trained by ``data/weights/train_lenet_digits.py`` and shipped in
the repository: ``lenet(weights=LeNet_Weights.DIGITS)`` loads them offline, with no download. See
``LeNet_Weights.get_state_dict`` for where the file is looked for.
"""
import hashlib
import os
from functools import partial
from pathlib import Path
from typing import Any

from ... import flatten, nn
from ..._tensor import Tensor
from ..transforms._presets import ImageClassification
from ._api import Weights, WeightsEnum, register_model
from ._utils import _ovewrite_named_param, handle_legacy_interface

__all__ = ["LeNet", "LeNet_Weights", "lenet"]


class LeNet(nn.Module):
    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 2 * 2, 120),
            nn.ReLU(inplace=True),
            nn.Linear(120, 84),
            nn.ReLU(inplace=True),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = flatten(x, 1)
        return self.classifier(x)


# Where the shipped weights live: <repository>/data/weights/, next to this package's folder. The file name
# carries the first 8 hex digits of its sha256, as torch.hub names files, so the content can be checked.
_SHIPPED_DIR = Path(__file__).resolve().parents[3] / "data" / "weights"
_DIGITS_FILE = "lenet_digits-386f0c7a.pth"
_DIGITS_MEAN, _DIGITS_STD = 0.3054, 0.3753  # of the training split's pixels scaled to [0, 1]


class LeNet_Weights(WeightsEnum):
    DIGITS = Weights(
        url=(_SHIPPED_DIR / _DIGITS_FILE).as_uri(),
        # 8x8 in, 8x8 out: resize and crop leave the digits untouched (and bring 28x28 MNIST down to 8x8)
        transforms=partial(ImageClassification, crop_size=8, resize_size=8, mean=(_DIGITS_MEAN,),
                           std=(_DIGITS_STD,)),
        meta={
            "num_params": 19754,
            "min_size": (4, 4),
            "categories": [str(d) for d in range(10)],
            "recipe": "data/weights/train_lenet_digits.py",
            "_metrics": {"digits (data/digits, test split)": {"acc@1": 92.5}},
            "_file_size": 0.079,
            "_docs": """Trained on the 1437 training digits of data/digits, from a fixed seed, on CPU.""",
        },
    )
    DEFAULT = DIGITS

    def get_state_dict(self, progress: bool = True, check_hash: bool = False, **kwargs: Any) -> dict:
        """Load the shipped file, with no download.

        Looked for in order: ``data/weights/`` of the repository this package runs from (a source checkout or
        an editable install), then the hub cache ``edutorch.hub.get_dir()/checkpoints`` (copy the file there
        when edutorch is installed without its repository). ``check_hash`` compares the file's sha256 with
        the prefix in its name.
        """
        from ... import hub, load

        file_name = Path(self.url).name
        cache_dir = os.path.join(hub.get_dir(), "checkpoints")
        for folder in (_SHIPPED_DIR, Path(cache_dir)):
            path = folder / file_name
            if path.exists():
                if check_hash:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                    prefix = hub.HASH_REGEX.search(file_name).group(1)
                    if not digest.startswith(prefix):
                        raise RuntimeError(f'invalid hash value (expected "{prefix}", got "{digest}") for {path}')
                return load(path, map_location=kwargs.get("map_location"), weights_only=True)
        raise RuntimeError(
            f"The shipped weights file {file_name} was not found in {_SHIPPED_DIR} nor in {cache_dir}. It lives in "
            f"the edutorch repository's data/weights/ folder (an installed wheel does not carry data/): copy it "
            f"into {cache_dir}, or re-create it with data/weights/train_lenet_digits.py."
        )


@register_model()
@handle_legacy_interface(weights=("pretrained", LeNet_Weights.DIGITS))
def lenet(*, weights: LeNet_Weights | None = None, progress: bool = True, **kwargs: Any) -> LeNet:
    """LeNet for 8x8 grey digits (``data/digits``), LeNet-5 style (see the module docstring).

    Args:
        weights (LeNet_Weights, optional): ``LeNet_Weights.DIGITS`` loads the shipped, pretrained weights
            (offline); ``None`` (default) for random ones.
        progress (bool): kept for the zoo's signature (nothing is downloaded). Default: True.
        **kwargs: passed to ``LeNet`` (``num_classes``, ``in_channels``).
    """
    weights = LeNet_Weights.verify(weights)
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = LeNet(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
