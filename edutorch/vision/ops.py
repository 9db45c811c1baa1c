"""Detection building blocks, as ``torchvision.ops``: ``from edutorch.vision import ops``.

    ops.box_iou(boxes1, boxes2)                 # [N, M] intersection over union
    keep = ops.nms(boxes, scores, 0.5)          # indices of the boxes that survive, best first
    ops.roi_align(features, [boxes], output_size=7, spatial_scale=1 / 16, sampling_ratio=2)

Boxes are ``(x1, y1, x2, y2)`` ("xyxy") unless a ``fmt`` says otherwise. The box functions are written
with edutorch tensor ops, so they are differentiable exactly as torchvision's are (a GIoU loss trains).
``nms`` returns indices (no gradient). ``roi_pool`` and ``roi_align`` are ``NumpyFunction`` ops whose
backward sends gradients to the feature map only, never to the boxes, as torchvision's kernels do.
Names, signatures, dtypes and exception types follow torchvision 0.29 (its CPU kernels for the numbers).
"""
from __future__ import annotations

import math
from typing import Union

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from ..nn.modules.module import Module
from ..ops.arithmetic import atan, maximum, minimum, where
from ..ops.creation import from_numpy
from ..ops.shape import stack

__all__ = ["box_area", "box_convert", "box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou",
           "clip_boxes_to_image", "remove_small_boxes", "nms", "batched_nms", "roi_pool", "RoIPool",
           "roi_align", "RoIAlign"]

_BOX_FORMATS = ("xyxy", "xywh", "cxcywh")
_ROTATED_FORMATS = ("xywhr", "cxcywhr", "xyxyxyxy")


# ====================================================================== boxes (plain tensor ops)
def _upcast(t: Tensor) -> Tensor:
    """int8/int16/uint8 -> int32, float16 -> float32: areas of small-integer boxes would overflow."""
    if t.is_floating_point():
        return t if t.dtype in (_dtype.float32, _dtype.float64) else t.float()
    return t if t.dtype in (_dtype.int32, _dtype.int64) else t.int()


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert ``boxes`` (Tensor[..., 4]) between the formats

    - ``'xyxy'``: corners, (x1, y1) top left and (x2, y2) bottom right (what every other op expects);
    - ``'xywh'``: top-left corner, width, height (COCO's annotations);
    - ``'cxcywh'``: centre, width, height (DETR's and YOLO's heads).

    Every conversion goes through xyxy. Differentiable (a stack of sums and differences).
    """
    if in_fmt not in _BOX_FORMATS + _ROTATED_FORMATS or out_fmt not in _BOX_FORMATS + _ROTATED_FORMATS:
        raise ValueError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt "
                         f"{out_fmt}; the supported formats are {list(_BOX_FORMATS)}")
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt in _ROTATED_FORMATS or out_fmt in _ROTATED_FORMATS:
        raise NotImplementedError(f"edutorch's box_convert handles axis-aligned boxes only "
                                  f"{list(_BOX_FORMATS)}, not the rotated format in "
                                  f"{in_fmt!r} -> {out_fmt!r}")
    a, b, c, d = boxes.unbind(-1)
    if in_fmt == "xywh":          # (x, y, w, h) -> corners
        a, b, c, d = a, b, a + c, b + d
    elif in_fmt == "cxcywh":      # (cx, cy, w, h) -> corners
        a, b, c, d = a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d
    if out_fmt == "xywh":
        a, b, c, d = a, b, c - a, d - b
    elif out_fmt == "cxcywh":
        a, b, c, d = (a + c) / 2, (b + d) / 2, c - a, d - b
    return stack((a, b, c, d), dim=-1)


def box_area(boxes: Tensor, fmt: str = "xyxy") -> Tensor:
    """Area of each box in ``boxes`` (Tensor[..., 4]): (x2 - x1) * (y2 - y1), or w * h. -> Tensor[...]"""
    if fmt not in _BOX_FORMATS:
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}; expected one of "
                         f"{list(_BOX_FORMATS)}")
    boxes = _upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def _corners(boxes: Tensor, fmt: str) -> tuple:
    """(top-left, bottom-right) of Tensor[..., 4] boxes, each Tensor[..., 2]."""
    if fmt == "xyxy":
        return boxes[..., :2], boxes[..., 2:]
    if fmt == "xywh":
        return boxes[..., :2], boxes[..., :2] + boxes[..., 2:]
    return boxes[..., :2] - boxes[..., 2:] / 2, boxes[..., :2] + boxes[..., 2:] / 2


def _box_inter_union(boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> tuple:
    """Pairwise intersection and union areas, Tensor[..., N, M] each.

    Broadcasting does the pairing: boxes1 as [..., N, 1, 2] against boxes2 as [..., 1, M, 2]. The
    intersection's corners are the max of the top-lefts and the min of the bottom-rights; clamping its
    width and height at 0 makes disjoint boxes intersect in area 0 (with zero gradient there).
    """
    area1, area2 = box_area(boxes1, fmt=fmt), box_area(boxes2, fmt=fmt)
    lt1, rb1 = _corners(boxes1, fmt)
    lt2, rb2 = _corners(boxes2, fmt)
    lt = maximum(lt1[..., :, None, :], lt2[..., None, :, :])  # [..., N, M, 2]
    rb = minimum(rb1[..., :, None, :], rb2[..., None, :, :])
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = area1[..., :, None] + area2[..., None, :] - inter
    return inter, union


def _check_pairwise(boxes1: Tensor, boxes2: Tensor, name: str) -> None:
    for arg, b in (("boxes1", boxes1), ("boxes2", boxes2)):
        if b.dim() < 2 or b.shape[-1] != 4:
            raise IndexError(f"{name}: {arg} should be a Tensor[..., N, 4] of boxes, got shape "
                             f"{list(b.shape)}")


def box_iou(boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> Tensor:
    """Intersection over union of every pair: Tensor[..., N, 4] x Tensor[..., M, 4] -> Tensor[..., N, M].

        IoU(A, B) = |A ∩ B| / |A ∪ B|  in [0, 1]   (1: the same box, 0: disjoint)
    """
    if fmt not in _BOX_FORMATS:
        if fmt in _ROTATED_FORMATS:
            raise NotImplementedError(f"edutorch's box_iou handles axis-aligned boxes only, not {fmt!r}")
        raise ValueError(f"Unsupported format '{fmt}'. Supported axis-aligned formats: {_BOX_FORMATS}.")
    _check_pairwise(boxes1, boxes2, "box_iou")
    inter, union = _box_inter_union(boxes1, boxes2, fmt)
    return inter / union


def _enclosing_wh(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Width and height of the smallest box enclosing each pair (xyxy), Tensor[..., N, M, 2]."""
    lt = minimum(boxes1[..., :, None, :2], boxes2[..., None, :, :2])
    rb = maximum(boxes1[..., :, None, 2:], boxes2[..., None, :, 2:])
    return _upcast(rb - lt).clamp(min=0)


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Generalized IoU (Rezatofighi et al. 2019) of every pair of xyxy boxes -> Tensor[..., N, M].

        GIoU = IoU - (|C| - |A ∪ B|) / |C|    C: the smallest box enclosing A and B;  in [-1, 1]

    Unlike IoU it still says how far apart two disjoint boxes are, so 1 - GIoU is a useful loss.
    """
    _check_pairwise(boxes1, boxes2, "generalized_box_iou")
    inter, union = _box_inter_union(boxes1, boxes2)
    iou = inter / union
    whi = _enclosing_wh(boxes1, boxes2)
    area_c = whi[..., 0] * whi[..., 1]
    return iou - (area_c - union) / area_c


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Distance IoU (Zheng et al. 2020) of every pair of xyxy boxes -> Tensor[..., N, M].

        DIoU = IoU - ρ²(centre_A, centre_B) / c²    c: the diagonal of the enclosing box
    """
    _check_pairwise(boxes1, boxes2, "distance_box_iou")
    return _diou_and_iou(_upcast(boxes1), _upcast(boxes2), eps)[0]


def _diou_and_iou(boxes1: Tensor, boxes2: Tensor, eps: float) -> tuple:
    """(DIoU, IoU) of every pair: complete_box_iou needs both, so IoU is computed once."""
    iou = box_iou(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    diagonal_squared = whi[..., 0] ** 2 + whi[..., 1] ** 2 + eps
    centre1 = (boxes1[..., :2] + boxes1[..., 2:]) / 2  # [..., N, 2]
    centre2 = (boxes2[..., :2] + boxes2[..., 2:]) / 2
    d = centre1[..., :, None, :] - centre2[..., None, :, :]
    return iou - (d[..., 0] ** 2 + d[..., 1] ** 2) / diagonal_squared, iou


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Complete IoU (Zheng et al. 2020) of every pair of xyxy boxes -> Tensor[..., N, M].

        CIoU = DIoU - alpha v,   v = 4/pi² (atan(w_A / h_A) - atan(w_B / h_B))²   (aspect-ratio mismatch)
                                 alpha = v / (1 - IoU + v), a weight that carries no gradient
    """
    _check_pairwise(boxes1, boxes2, "complete_box_iou")
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _diou_and_iou(boxes1, boxes2, eps)
    ratio1 = atan((boxes1[..., 2] - boxes1[..., 0]) / (boxes1[..., 3] - boxes1[..., 1]))  # [..., N]
    ratio2 = atan((boxes2[..., 2] - boxes2[..., 0]) / (boxes2[..., 3] - boxes2[..., 1]))  # [..., M]
    v = (4 / math.pi ** 2) * (ratio1[..., :, None] - ratio2[..., None, :]) ** 2
    alpha = (v / (1 - iou + v + eps)).detach()
    return diou - alpha * v


def clip_boxes_to_image(boxes: Tensor, size: tuple) -> Tensor:
    """Clip xyxy ``boxes`` (Tensor[..., 4]) into an image of ``size = (height, width)``."""
    height, width = size
    boxes_x = boxes[..., 0::2].clamp(min=0, max=width)
    boxes_y = boxes[..., 1::2].clamp(min=0, max=height)
    return stack((boxes_x, boxes_y), dim=boxes.dim()).reshape(boxes.shape)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices (int64) of the xyxy boxes whose width and height are both at least ``min_size``."""
    ws, hs = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    return where((ws >= min_size) & (hs >= min_size))[0]


# ====================================================================== non-maximum suppression
def _check_nms_args(boxes: Tensor, scores: Tensor) -> None:
    """torchvision's nms kernel checks, with its messages (RuntimeError)."""
    if boxes.dim() != 2:
        raise RuntimeError(f"nms: boxes should be a 2d tensor, got {boxes.dim()}D "
                           f"(shape {list(boxes.shape)})")
    if boxes.shape[1] != 4:
        raise RuntimeError(f"nms: boxes should have 4 elements in dimension 1, got {boxes.shape[1]} "
                           "(boxes are Tensor[N, 4] in (x1, y1, x2, y2) format)")
    if scores.dim() != 1:
        raise RuntimeError(f"nms: scores should be a 1d tensor, got {scores.dim()}D "
                           f"(shape {list(scores.shape)})")
    if boxes.shape[0] != scores.shape[0]:
        raise RuntimeError(f"nms: boxes and scores should have same number of elements in dimension 0, "
                           f"got {boxes.shape[0]} and {scores.shape[0]}")
    if not boxes.is_floating_point():
        raise RuntimeError(f"nms: \"nms_kernel\" not implemented for '{boxes.dtype._c_name}': boxes and "
                           "scores must be floating point (use boxes.float())")
    if boxes.dtype is not scores.dtype:
        raise RuntimeError(f"nms: dets should have the same type as scores, got boxes {boxes.dtype} and "
                           f"scores {scores.dtype}")


def _pairwise_iou(b: np.ndarray) -> np.ndarray:
    """IoU matrix of xyxy boxes [N, 4] -> [N, N], with the nms kernel's formula in the boxes' dtype."""
    x1, y1, x2, y2 = b.T
    areas = (x2 - x1) * (y2 - y1)
    w = np.maximum(0, np.minimum(x2[:, None], x2) - np.maximum(x1[:, None], x1))
    h = np.maximum(0, np.minimum(y2[:, None], y2) - np.maximum(y1[:, None], y1))
    inter = w * h
    with np.errstate(divide="ignore", invalid="ignore"):  # two empty boxes: 0/0 = nan, never > threshold
        return inter / (areas[:, None] + areas - inter)


def _nms_numpy(b: np.ndarray, s: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy NMS on arrays -> int64 indices into b, best score first."""
    # Highest score first; a stable sort keeps tied scores in index order, as torchvision's CPU kernel.
    order = np.argsort(-s, kind="stable")
    # All IoUs at once (vectorised); compared in float64 as the kernel compares with a double threshold.
    overlaps = _pairwise_iou(b[order]).astype(np.float64) > iou_threshold
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    # The one loop over boxes: whether box i survives depends on which earlier boxes survived.
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= overlaps[i]  # every box overlapping a kept box more than the threshold goes
    return order[np.asarray(keep, dtype=np.int64)]


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression: keep the best box, drop every box with IoU > ``iou_threshold`` with it,
    repeat with the best remaining box.

    Args:
        boxes (Tensor[N, 4]): xyxy boxes.  scores (Tensor[N]): their scores (same dtype).
        iou_threshold (float): boxes overlapping a kept box by more than this are discarded.

    Returns:
        Tensor[K] int64: the indices of the kept boxes, in decreasing order of score (ties: lower index
        first, as torchvision's CPU kernel).
    """
    _check_nms_args(boxes, scores)
    keep = _nms_numpy(boxes.detach().numpy(), scores.detach().numpy(), iou_threshold)
    return from_numpy(keep)


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS within each category: boxes with different ``idxs`` (Tensor[N] int64) never suppress each other.

    Returns int64 indices of the kept boxes, in decreasing order of score. As torchvision: for up to 4000
    coordinates every category's boxes are shifted by ``idx * (max coordinate + 1)`` so categories cannot
    overlap and one nms does all; above that, one nms per category.
    """
    _check_nms_args(boxes, scores)
    b, s, c = boxes.detach().numpy(), scores.detach().numpy(), idxs.detach().numpy()
    if b.size == 0:
        return from_numpy(np.zeros(0, dtype=np.int64))
    if b.size <= 4000:
        offsets = c.astype(b.dtype) * (b.max() + b.dtype.type(1))
        return from_numpy(_nms_numpy(b + offsets[:, None], s, iou_threshold))
    keep_mask = np.zeros(len(s), dtype=bool)
    for class_id in np.unique(c):  # a loop over categories (a handful), not over boxes
        members = np.flatnonzero(c == class_id)
        keep_mask[members[_nms_numpy(b[members], s[members], iou_threshold)]] = True
    keep = np.flatnonzero(keep_mask)
    return from_numpy(keep[np.argsort(-s[keep], kind="stable")].astype(np.int64))


# ====================================================================== RoI pooling
def _pair(output_size) -> tuple:
    if isinstance(output_size, int):
        return output_size, output_size
    output_size = tuple(output_size)
    if len(output_size) != 2:
        raise ValueError(f"output_size should be an int or a (height, width) pair, got {output_size}")
    return output_size


def _rois_array(input: Tensor, boxes, op: str) -> np.ndarray:
    """Check ``boxes`` as torchvision does and return them as one [K, 5] array (batch_idx, x1, y1, x2, y2).

    ``boxes`` is a Tensor[K, 5] whose first column is the image index in the batch, or a list with one
    Tensor[L, 4] per image (the list form is what a detector's proposals look like).
    """
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.size(1) != 4:  # (a 1-d tensor raises IndexError here, as in torchvision)
                raise AssertionError("The shape of the tensor in the boxes list is not correct as "
                                     f"List[Tensor[L, 4]]: got a tensor of shape {list(b.shape)}")
        # each image's boxes get its index as a first column, then all are stacked: [K, 5]
        per_image = [np.concatenate([np.full((len(b), 1), i, b.dtype.to_numpy()), b.detach().numpy()], 1)
                     for i, b in enumerate(boxes)]
        rois = np.concatenate(per_image) if per_image else np.zeros((0, 5), input.dtype.to_numpy())
    elif isinstance(boxes, Tensor):
        if boxes.size(1) != 5:
            raise AssertionError("The boxes tensor shape is not correct as Tensor[K, 5]: got "
                                 f"{list(boxes.shape)} (first column: the image's index in the batch; pass "
                                 "a list of Tensor[L, 4] to give the boxes of each image)")
        rois = boxes.detach().numpy()
    else:
        raise AssertionError("boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]], got "
                             f"{type(boxes).__name__}")
    if input.dim() != 4:
        raise RuntimeError(f"{op}: input should be a Tensor[N, C, H, W], got shape {list(input.shape)}")
    if not input.is_floating_point():
        raise RuntimeError(f"{op}: input should be a floating point tensor, got {input.dtype} "
                           "(use input.float())")
    if rois.dtype != input.dtype.to_numpy():
        raise RuntimeError(f"{op}: input should have the same type as rois, got input {input.dtype} and "
                           f"rois {_dtype.from_numpy_dtype(rois.dtype)} "
                           "(convert the boxes with .to(input.dtype))")
    batch = rois[:, 0].astype(np.int64)  # C's (int) cast truncates, as astype does
    if len(rois) and (batch.min() < 0 or batch.max() >= input.shape[0]):
        bad = batch[(batch < 0) | (batch >= input.shape[0])][0]
        raise IndexError(f"{op}: a box refers to image {bad}, but the input batch has {input.shape[0]} "
                         "image(s)")
    return rois


def _round_half_away(x: np.ndarray) -> np.ndarray:
    """C's round(): halves go away from zero (np.round would round 2.5 to 2, C's round gives 3)."""
    t = np.trunc(x)
    return t + np.where(np.abs(x - t) >= 0.5, np.sign(x), 0)


class RoiPoolFunction(NumpyFunction):
    """RoI max pooling (Fast R-CNN): each box is cut into output_size bins on the feature map, each bin
    gives the maximum of its pixels.

    The box is rounded to whole pixels (C's round of x * spatial_scale), at least 1x1; bin (i, j) covers
    rows floor(i * h / PH) .. ceil((i + 1) * h / PH) of it (bins may overlap by a pixel), clipped to the
    map. An empty bin (wholly outside the map) outputs 0.
    Gradient: each output's gradient goes to the one pixel that was its maximum (the argmax; the first
    one in row-major order on ties); empty bins send nothing. Boxes get no gradient.
    Shapes: input [N, C, H, W], rois [K, 5] -> out [K, C, PH, PW].
    """

    node_name = "GeneratedBackwardFor_torchvision_roi_pool_defaultBackward"  # torchvision 0.29's name

    @staticmethod
    def forward(ctx, input, rois, spatial_scale, pooled_h, pooled_w):
        dtype = input.dtype.type
        _, _, height, width = input.shape
        batch = rois[:, 0].astype(np.int64)
        x1, y1, x2, y2 = (_round_half_away(rois[:, i] * dtype(spatial_scale)).astype(np.int64)
                          for i in range(1, 5))
        # the rows [start, end) of every bin, [K, PH] each; likewise the columns, [K, PW]
        rows = _pool_bins(y1, np.maximum(y2 - y1 + 1, 1), pooled_h, height, dtype)
        cols = _pool_bins(x1, np.maximum(x2 - x1 + 1, 1), pooled_w, width, dtype)
        # Work on the window each box covers (padded to the tallest/widest), not on the whole map.
        row_at, col_at = _box_window(rows, height), _box_window(cols, width)  # [K, Hw], [K, Ww]: pixels
        in_row = (row_at[:, None] >= rows[0][..., None]) & (row_at[:, None] < rows[1][..., None])  # [K,PH,Hw]
        in_col = (col_at[:, None] >= cols[0][..., None]) & (col_at[:, None] < cols[1][..., None])  # [K,PW,Ww]
        k = np.arange(len(rois))[:, None, None]
        feats = input[batch[:, None, None], :, row_at[:, :, None], col_at[:, None, :]]  # [K, Hw, Ww, C]
        feats = feats.transpose(0, 3, 1, 2)                                              # [K, C, Hw, Ww]
        # A max over a rectangle is a max over its columns, then over its rows: two masked maxima over
        # [K, C, Hw, PW, Ww] and [K, C, PH, Hw, PW] instead of one over [K, C, PH, PW, Hw, Ww].
        by_col = np.where(in_col[:, None, None], feats[:, :, :, None, :], -np.inf)        # [K,C,Hw,PW,Ww]
        col_max, col_arg = by_col.max(-1), by_col.argmax(-1)                            # [K,C,Hw,PW]
        by_row = np.where(in_row[:, None, :, :, None], col_max[:, :, None], -np.inf)     # [K,C,PH,Hw,PW]
        out, arg_h = by_row.max(3), by_row.argmax(3)                                     # [K,C,PH,PW]
        arg_w = np.take_along_axis(col_arg, arg_h, axis=2)                               # [K,C,PH,PW]
        arg_h, arg_w = row_at[k[..., None], arg_h], col_at[k[..., None], arg_w]  # window -> map pixels
        empty = (rows[1] <= rows[0])[:, :, None] | (cols[1] <= cols[0])[:, None, :]      # [K,PH,PW]
        out = np.where(empty[:, None], 0, out).astype(input.dtype, copy=False)
        ctx.shape, ctx.empty = input.shape, empty
        ctx.save_for_backward(batch, arg_h, arg_w)
        return out

    @staticmethod
    def backward(ctx, grad):
        batch, arg_h, arg_w = ctx.saved_tensors
        grad_input = np.zeros(ctx.shape, dtype=grad.dtype)
        k, c = np.indices(grad.shape[:2])
        # Route each bin's gradient to its argmax pixel; np.add.at adds repeats (overlapping bins, boxes).
        np.add.at(grad_input, (batch[k][..., None, None], c[..., None, None], arg_h, arg_w),
                  np.where(ctx.empty[:, None], 0, grad))
        return grad_input, None, None, None, None


def _box_window(bins, size):
    """Pixel indices [K, span] from each box's first bin start on; span = the largest box's extent.
    Every bin of a box lies in [lo[:, 0], hi[:, -1]). Indices past the map repeat its last pixel, which
    the bin masks either exclude or find again (the first occurrence wins argmax, same pixel)."""
    lo, hi = bins
    span = max(int((hi[:, -1] - lo[:, 0]).max(initial=0)), 1)
    return np.minimum(lo[:, :1] + np.arange(span), size - 1)


def _pool_bins(start, length, pooled, size, dtype):
    """[start, end) pixel ranges of ``pooled`` bins over boxes ``start .. start + length``, [K, pooled]."""
    bin_size = length.astype(dtype) / dtype(pooled)  # in the input's dtype, as the kernel's T
    p = np.arange(pooled, dtype=dtype)
    lo = np.floor(p * bin_size[:, None]).astype(np.int64) + start[:, None]
    hi = np.ceil((p + 1) * bin_size[:, None]).astype(np.int64) + start[:, None]
    return np.clip(lo, 0, size), np.clip(hi, 0, size)


def roi_pool(input: Tensor, boxes: Union[Tensor, list], output_size, spatial_scale: float = 1.0) -> Tensor:
    """RoI max pooling of Fast R-CNN: a fixed-size [C, PH, PW] feature for every box.

    Args:
        input (Tensor[N, C, H, W]): the feature maps.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): xyxy boxes with their image index in column 0, or a
            list with the boxes of each image.
        output_size (int or (int, int)): (PH, PW), the bins per box.
        spatial_scale (float): feature-map pixels per box unit, e.g. 1/16 after four stride-2 stages.

    Returns:
        Tensor[K, C, PH, PW], differentiable with respect to ``input``.
    """
    rois = _rois_array(input, boxes, "roi_pool")
    pooled_h, pooled_w = _pair(output_size)
    return RoiPoolFunction.apply(input, rois, float(spatial_scale), pooled_h, pooled_w)


class RoIPool(Module):
    """See :func:`roi_pool`."""

    def __init__(self, output_size, spatial_scale: float):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input: Tensor, rois) -> Tensor:
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale})")


# ====================================================================== RoI align
def _align_weights(start, length, pooled, sampling_ratio, size, dtype):
    """The bilinear weights of one axis: W[k, p, i] = how much pixel i contributes to bin p of box k.

    Bin p of box k is sampled at ``grid`` evenly spaced points (grid = sampling_ratio, or, when that is
    <= 0, ceil(bin size) for that box); the point at coordinate t reads pixels floor(t) and floor(t) + 1
    with weights 1 - frac(t) and frac(t). Summing over a bin's points gives one row of W. Points further
    than one pixel outside the map read nothing; points in [-1, 0] read pixel 0 (the kernel's clamps).
    Returns W [K, pooled, size] and grid [K].
    """
    k_boxes = len(start)
    bin_size = length / dtype(pooled)
    if sampling_ratio > 0:
        grid = np.full(k_boxes, sampling_ratio, dtype=np.int64)
    else:
        grid = np.ceil(length / dtype(pooled)).astype(np.int64)
    g = int(grid.max()) if k_boxes else 0
    p = np.arange(pooled, dtype=dtype)[None, :, None]
    i = np.arange(g, dtype=dtype)[None, None, :]
    # The sample coordinates [K, pooled, g], with the kernel's order of float operations.
    t = start[:, None, None] + p * bin_size[:, None, None] \
        + (i + dtype(0.5)) * bin_size[:, None, None] / grid[:, None, None].astype(dtype)
    # Boxes with a smaller adaptive grid than the largest use only their first ``grid`` points.
    real = (np.arange(g) < grid[:, None])[:, None, :]
    valid = real & (t >= -1) & (t <= size)
    t = np.where(valid, np.maximum(t, 0), 0)  # (unused points may be nan: 0/0 for an empty grid)
    low = np.minimum(t.astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    frac = np.where(t >= size - 1, dtype(0), t - low).astype(dtype)  # at the last pixel: read it alone
    weights = np.zeros((k_boxes, pooled, size), dtype=dtype)
    k, p_idx = np.indices((k_boxes, pooled))
    k, p_idx = np.broadcast_to(k[..., None], t.shape), np.broadcast_to(p_idx[..., None], t.shape)
    np.add.at(weights, (k, p_idx, low), np.where(valid, 1 - frac, 0))
    np.add.at(weights, (k, p_idx, high), np.where(valid, frac, 0))
    return weights, grid


class RoiAlignFunction(NumpyFunction):
    """RoI Align (Mask R-CNN): average of bilinear samples at evenly spaced points in each bin, with no
    rounding of the box, so features stay aligned with the image.

    The bilinear weight of a sample on pixel (h, w) is a product wy(h) * wx(w), and the sample grid of a
    bin is rows x columns, so the whole op is two small matrices per box (see ``_align_weights``):
        out[k, c] = Wy[k] @ input[batch[k], c] @ Wx[k]^T / count[k]     count = grid_h * grid_w (>= 1)
    exactly the kernel's sum over sample points, reordered. It is linear in the input, so
        grad_input[batch[k], c] += Wy[k]^T @ grad[k, c] @ Wx[k] / count[k]
    (summed over the boxes that share an image). Boxes get no gradient.
    Shapes: input [N, C, H, W], rois [K, 5] -> out [K, C, PH, PW]; Wy [K, PH, H], Wx [K, PW, W].
    """

    node_name = "GeneratedBackwardFor_torchvision_roi_align_defaultBackward"  # torchvision 0.29's name

    @staticmethod
    def forward(ctx, input, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
        dtype = input.dtype.type
        _, _, height, width = input.shape
        batch = rois[:, 0].astype(np.int64)
        offset = dtype(0.5 if aligned else 0.0)  # aligned: pixel i covers [i - 0.5, i + 0.5)
        x1, y1, x2, y2 = (rois[:, i] * dtype(spatial_scale) - offset for i in range(1, 5))
        roi_w, roi_h = x2 - x1, y2 - y1
        if not aligned:  # legacy mode: boxes smaller than a pixel are stretched to one pixel
            roi_w, roi_h = np.maximum(roi_w, dtype(1)), np.maximum(roi_h, dtype(1))
        wy, grid_h = _align_weights(y1, roi_h, pooled_h, sampling_ratio, height, dtype)
        wx, grid_w = _align_weights(x1, roi_w, pooled_w, sampling_ratio, width, dtype)
        count = np.maximum(grid_h * grid_w, 1).astype(dtype)[:, None, None, None]
        out = wy[:, None] @ input[batch] @ wx[:, None].transpose(0, 1, 3, 2) / count
        ctx.shape = input.shape
        ctx.save_for_backward(batch, wy, wx, count)
        return out.astype(input.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        batch, wy, wx, count = ctx.saved_tensors
        per_box = wy[:, None].transpose(0, 1, 3, 2) @ (grad / count) @ wx[:, None]  # [K, C, H, W]
        # Add each box's share into its image: np.add.at(grad_input, batch, per_box), written as one
        # matmul with a one-hot [N, K] matrix (np.add.at is ~10x slower on whole feature maps).
        one_hot = (np.arange(ctx.shape[0])[:, None] == batch).astype(grad.dtype)
        per_box = per_box.reshape(len(batch), int(np.prod(ctx.shape[1:])))
        grad_input = (one_hot @ per_box).reshape(ctx.shape)
        return grad_input, None, None, None, None, None, None


def roi_align(input: Tensor, boxes: Union[Tensor, list], output_size, spatial_scale: float = 1.0,
              sampling_ratio: int = -1, aligned: bool = False) -> Tensor:
    """RoI Align of Mask R-CNN: a fixed-size [C, PH, PW] feature for every box, by bilinear sampling.

    Args:
        input (Tensor[N, C, H, W]): the feature maps.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): xyxy boxes with their image index in column 0, or a
            list with the boxes of each image.
        output_size (int or (int, int)): (PH, PW), the bins per box.
        spatial_scale (float): feature-map pixels per box unit, e.g. 1/16 after four stride-2 stages.
        sampling_ratio (int): sample points per bin along each axis; <= 0: adaptive,
            ceil(box height / PH) x ceil(box width / PW). Default: -1.
        aligned (bool): shift the box by -0.5 pixel so pixel centres line up (Detectron2's choice);
            False is the legacy behaviour. Default: False.

    Returns:
        Tensor[K, C, PH, PW], differentiable with respect to ``input``.
    """
    rois = _rois_array(input, boxes, "roi_align")
    pooled_h, pooled_w = _pair(output_size)
    return RoiAlignFunction.apply(input, rois, float(spatial_scale), pooled_h, pooled_w, int(sampling_ratio),
                                  bool(aligned))


class RoIAlign(Module):
    """See :func:`roi_align`."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int, aligned: bool = False):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input: Tensor, rois) -> Tensor:
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale}"
                f", sampling_ratio={self.sampling_ratio}, aligned={self.aligned})")
