"""Feature maps and class activation maps through forward hooks."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.notebook import class_activation_map, feature_maps, show_feature_maps
from edutorch.notebook.widgets.features import feature_grid


class GapNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 6, 3, padding=1),
                                      nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        return self.fc(self.pool(self.features(x)).flatten(1))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_feature_maps_hook_and_grid():
    model = GapNet()
    x = edutorch.randn(2, 3, 10, 10)
    act = feature_maps(model, "features.1", x)
    expected = model.features[1](model.features[0](x))
    assert act.shape == (2, 8, 10, 10) and edutorch.allclose(act, expected)
    assert not act.requires_grad and not model.features[1]._forward_hooks
    grid = feature_grid(act, ncols=4)
    assert grid.shape == (2 * 11 - 1, 4 * 11 - 1)
    assert np.isnan(grid[10]).all() and np.nanmin(grid) == 0 and np.nanmax(grid) == 1
    shown = show_feature_maps(model, model.features[3], x, max_maps=5, ncols=5)
    ax = plt.gcf().axes[0]
    assert shown.shape == (2, 6, 10, 10) and len(ax.images) == 1
    assert ax.images[0].get_array().shape == (10, 5 * 11 - 1)
    assert ax.get_title() == "ReLU: 5 of 6 maps, 10×10 each"
    with pytest.raises(RuntimeError, match="did not run"):
        feature_maps(model, nn.ReLU(), x)


def test_class_activation_map_is_weighted_sum_of_feature_maps():
    model = GapNet()
    x = edutorch.randn(1, 3, 12, 12)
    cam = class_activation_map(model, "features", "fc", x)
    logits = model(x)
    c = int(logits.argmax())
    A = model.features(x)[0]
    raw = (model.fc.weight[c][:, None, None] * A).sum(0)
    # GAP commutes with the weighted sum: mean of the CAM + bias = the class logit
    assert float(raw.mean() + model.fc.bias[c]) == pytest.approx(float(logits[0, c]), rel=1e-5)
    up = F.interpolate(raw[None, None], size=(12, 12), mode="bilinear", align_corners=False)[0, 0]
    assert cam.shape == (12, 12) and edutorch.allclose(cam, up.detach(), atol=1e-6)
    ax = plt.gcf().axes[0]
    assert len(ax.images) == 2 and ax.get_title() == f"CAM for class {c}"
    assert not model.features._forward_hooks


def test_cam_batch_explicit_class_and_errors():
    model = GapNet()
    x = edutorch.randn(3, 3, 8, 8)
    cams = class_activation_map(model, model.features, model.fc, x, class_idx=2, show=False)
    assert cams.shape == (3, 8, 8) and not plt.get_fignums()
    single = class_activation_map(model, "features", "fc", x[1], class_idx=2, show=False)
    assert edutorch.allclose(single, cams[1], atol=1e-5)
    with pytest.raises(ValueError, match="global average pooling"):
        class_activation_map(model, "features.0", "fc", x, show=False)
