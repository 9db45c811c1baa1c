"""Feature maps and class activation maps (CAM), both read with forward hooks.

- ``feature_maps(model, layer, x)``: run the model once with a forward hook on ``layer`` and return
  what that layer produced; ``show_feature_maps`` also draws the channels of the first image as a grid.
- ``class_activation_map(model, features_layer, fc_layer, x, class_idx)``: for a network that ends
  with global average pooling and one linear layer, the logit of class c is
  ``sum_k w[c, k] * mean(A_k) + b_c``, where ``A_k`` is the k-th feature map of ``features_layer``.
  Moving the mean outside gives a map of where the evidence for c lies (Zhou et al., 2016)::

      CAM_c(i, j) = sum_k w[c, k] * A_k(i, j)

  upsampled (bilinear, ``F.interpolate``) to the input's size and drawn over the image.

Both work on PyTorch models too: hooks and indexing are the same in both libraries, and ``no_grad``,
``as_tensor`` and ``F.interpolate`` come from the model's own library (see ``_engine.py``).
"""
from __future__ import annotations

import numpy as np

from ._engine import engine_of


def _module(model, layer):
    """``layer`` given as a module or as its qualified name in ``model`` ('features.3')."""
    return model.get_submodule(layer) if isinstance(layer, str) else layer


def feature_maps(model, layer, x):
    """The output of ``layer`` when ``model(x)`` runs (no grad; the hook is removed afterwards)."""
    engine = engine_of(model)

    captured = []
    handle = _module(model, layer).register_forward_hook(lambda m, args, out: captured.append(out))
    try:
        with engine.no_grad():
            model(x)
    finally:
        handle.remove()
    if not captured:
        raise RuntimeError(f"the layer {layer!r} did not run during model(x): is it part of the forward pass?")
    return captured[-1]


def feature_grid(activation, max_maps: int = 32, ncols: int = 8) -> np.ndarray:
    """The channels of the first image of ``activation`` ((N, C, H, W) or (C, H, W)) tiled into one
    array, each map scaled to [0, 1] on its own, with a one-pixel NaN border between maps."""
    a = np.asarray(activation.detach().numpy() if hasattr(activation, "detach") else activation,
                   dtype=np.float32)
    if a.ndim == 4:
        a = a[0]
    if a.ndim != 3:
        raise ValueError(f"feature maps must have shape (N, C, H, W) or (C, H, W), got {a.shape}")
    a = a[:max_maps]
    lo = a.min(axis=(1, 2), keepdims=True)
    span = a.max(axis=(1, 2), keepdims=True) - lo
    a = (a - lo) / np.where(span > 0, span, 1)
    c, h, w = a.shape
    ncols = min(ncols, c)
    nrows = -(-c // ncols)
    grid = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan, dtype=np.float32)
    for k in range(c):  # a handful of maps: a loop over channels, not pixels
        r, q = divmod(k, ncols)
        grid[r * (h + 1):r * (h + 1) + h, q * (w + 1):q * (w + 1) + w] = a[k]
    return grid


def show_feature_maps(model, layer, x, max_maps: int = 32, ncols: int = 8, ax=None):
    """Feature maps of ``layer`` for ``x``: returns the activation tensor and draws its channels.

    Drawn with pyplot on ``ax`` (default: a new figure), one small image per channel of the first
    image, each scaled to its own range (bright = strong response).
    """
    import matplotlib.pyplot as plt

    act = feature_maps(model, layer, x)
    grid = feature_grid(act, max_maps, ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.2 * ncols, 12), 1.2 * grid.shape[0] / max(grid.shape[1], 1) * ncols))
    ax.imshow(np.ma.masked_invalid(grid), cmap="viridis", interpolation="nearest")
    name = layer if isinstance(layer, str) else type(layer).__name__
    ax.set_title(f"{name}: {min(act.shape[-3], max_maps)} of {act.shape[-3]} maps, "
                 f"{act.shape[-2]}×{act.shape[-1]} each", fontsize=9)
    ax.set_axis_off()
    return act


def class_activation_map(model, features_layer, fc_layer, x, class_idx=None, show: bool = True,
                         ax=None, alpha: float = 0.5):
    """CAM of class ``class_idx`` (default: the predicted class) for the images ``x``.

    ``features_layer`` is the layer whose output (N, K, h, w) is globally average-pooled and fed to
    ``fc_layer`` (weight (classes, K)). Returns the map upsampled to x's height and width: shape
    (H, W) for an unbatched image or a batch of one, (N, H, W) otherwise. With ``show`` the map of the
    first image is drawn over it (``alpha`` = opacity of the map).
    """
    engine = engine_of(model)  # edutorch, or torch for a PyTorch model
    F = engine.nn.functional

    fc = _module(model, fc_layer)
    unbatched = x.dim() == 3
    xb = x[None] if unbatched else x
    captured = []
    handle = _module(model, features_layer).register_forward_hook(lambda m, a, out: captured.append(out))
    try:
        with engine.no_grad():
            logits = model(xb)
    finally:
        handle.remove()
    if not captured:
        raise RuntimeError(f"the layer {features_layer!r} did not run during model(x)")
    A = captured[-1]  # (N, K, h, w)
    if A.dim() != 4 or A.shape[1] != fc.weight.shape[1]:
        raise ValueError(f"CAM needs feature maps (N, K, h, w) with K = fc in_features ({fc.weight.shape[1]}), "
                         f"got {list(A.shape)}: pick the layer just before global average pooling")
    n = A.shape[0]
    if class_idx is None:
        classes = logits.argmax(dim=1)
    else:
        classes = engine.as_tensor(np.broadcast_to(np.asarray(class_idx, dtype=np.int64), (n,)).copy())
    with engine.no_grad():
        w = fc.weight[classes]                                   # (N, K)
        cam = (w[:, :, None, None] * A).sum(dim=1, keepdim=True)  # (N, 1, h, w)
        cam = F.interpolate(cam, size=tuple(xb.shape[-2:]), mode="bilinear", align_corners=False)[:, 0]
    if show:
        _draw_cam(xb[0], cam[0], int(classes[0]), ax, alpha)
    return cam[0] if unbatched or n == 1 else cam


def _draw_cam(image, cam, class_idx: int, ax, alpha: float) -> None:
    import matplotlib.pyplot as plt

    img = image.detach().numpy()
    img = np.transpose(img, (1, 2, 0)) if img.shape[0] in (1, 3) else img[0]
    img = (img - img.min()) / max(float(img.max() - img.min()), 1e-12)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.5, 3.5))
    ax.imshow(img.squeeze(), cmap="gray" if img.ndim == 2 or img.shape[-1] == 1 else None)
    ax.imshow(cam.numpy(), cmap="jet", alpha=alpha)
    ax.set_title(f"CAM for class {class_idx}", fontsize=9)
    ax.set_axis_off()
