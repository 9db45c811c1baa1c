"""Pretrained-model zoo, as ``torchvision.models``: ``from edutorch.vision import models``.

    model = models.resnet18(weights=None, num_classes=10)            # random weights, 10 classes
    model = models.resnet50(weights=models.ResNet50_Weights.DEFAULT)  # downloads once into the hub cache
    preprocess = models.ResNet50_Weights.DEFAULT.transforms()
    models.list_models()                                              # ['alexnet', 'googlenet', 'lenet', ...]
    models.get_model("vgg16", weights=None)

Every architecture has torchvision's module names, so ``state_dict()`` keys, order and shapes are
torchvision's and a torchvision ``.pth`` loads with ``load_state_dict`` unchanged. ``lenet`` is ours: a
small LeNet for the shipped 8x8 digits, with pretrained weights in the repository (``LeNet_Weights.DIGITS``).
"""
from ._api import Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight, list_models
from .alexnet import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .lenet import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
