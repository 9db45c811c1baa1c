"""Checks for the exercises of lesson 17 (object detection: boxes, IoU, anchors, offsets, NMS)."""
from __future__ import annotations

import math

import numpy as np

from . import LessonChecks, exercise


# ------------------------------------------------------------------ NumPy references (float64)
def _to_cxcywh(b):
    b = np.asarray(b, dtype=np.float64)
    return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)


def _to_xyxy(c):
    c = np.asarray(c, dtype=np.float64)
    return np.stack([c[:, 0] - c[:, 2] / 2, c[:, 1] - c[:, 3] / 2, c[:, 0] + c[:, 2] / 2, c[:, 1] + c[:, 3] / 2], 1)


def _area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def _iou(b1, b2, *, clamp=True, subtract=True, over="union", enclosing=False):
    """IoU of all pairs, and the typical wrong versions (for the hints)."""
    b1, b2 = np.asarray(b1, np.float64), np.asarray(b2, np.float64)
    if enclosing:   # min/max swapped: the enclosing box instead of the intersection
        lt = np.minimum(b1[:, None, :2], b2[None, :, :2])
        rb = np.maximum(b1[:, None, 2:], b2[None, :, 2:])
    else:
        lt = np.maximum(b1[:, None, :2], b2[None, :, :2])
        rb = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = rb - lt
    if clamp:
        wh = np.clip(wh, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    a1, a2 = _area(b1)[:, None], _area(b2)[None, :]
    if over == "first":
        return inter / a1 + 0 * a2
    union = a1 + a2 - inter if subtract else a1 + a2
    return inter / union


def _nms(boxes, scores, threshold, *, by_kept=True):
    """Greedy NMS (torchvision's rule: suppress IoU > threshold), and the wrong variant that lets
    suppressed boxes suppress others (by_kept=False)."""
    boxes, scores = np.asarray(boxes, np.float64), np.asarray(scores, np.float64)
    order = np.argsort(-scores, kind="stable")
    iou = _iou(boxes, boxes)
    keep, removed = [], np.zeros(len(boxes), dtype=bool)
    for rank, i in enumerate(order):
        if by_kept:
            if removed[i]:
                continue
            keep.append(i)
            removed |= iou[i] > threshold
        else:   # dropped if ANY higher-scored box overlaps it, kept or not
            higher = order[:rank]
            if not np.any(iou[i, higher] > threshold):
                keep.append(i)
    return np.array(keep, dtype=np.int64)


def _anchors(grid_h, grid_w, stride, pairs, *, centre=0.5, inverted=False, column_major=False):
    out = []
    rows_cols = [(i, j) for j in range(grid_w) for i in range(grid_h)] if column_major else \
                [(i, j) for i in range(grid_h) for j in range(grid_w)]
    for i, j in rows_cols:
        cx, cy = (j + centre) * stride, (i + centre) * stride
        for s, r in pairs:
            w, h = (s * math.sqrt(r), s / math.sqrt(r)) if inverted else (s / math.sqrt(r), s * math.sqrt(r))
            out.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
    return np.array(out)


def _encode(boxes, anchors, weights):
    b, a = _to_cxcywh(boxes), _to_cxcywh(anchors)
    wx, wy, ww, wh = weights
    return np.stack([wx * (b[:, 0] - a[:, 0]) / a[:, 2], wy * (b[:, 1] - a[:, 1]) / a[:, 3],
                     ww * np.log(b[:, 2] / a[:, 2]), wh * np.log(b[:, 3] / a[:, 3])], 1)


def _decode(d, anchors, weights, *, exp=True):
    a = _to_cxcywh(anchors)
    d = np.asarray(d, np.float64) / np.asarray(weights, np.float64)
    grow = np.exp(d[:, 2:]) if exp else d[:, 2:]
    return _to_xyxy(np.stack([a[:, 0] + d[:, 0] * a[:, 2], a[:, 1] + d[:, 1] * a[:, 3],
                              a[:, 2] * grow[:, 0], a[:, 3] * grow[:, 1]], 1))


class Checks(LessonChecks):
    def _tensor(self, data):
        return self.torch.tensor(np.asarray(data, dtype=np.float32))

    def _unchanged(self, before, after, name):
        self.require(np.array_equal(self.numpy(before), self.numpy(after)),
                     f"{name} changed its input boxes: build a new tensor (torch.stack of the four new "
                     f"columns) instead of writing into `boxes[:, k]`.")

    @exercise(1, "box formats")
    def ex1(self, xyxy_to_cxcywh, cxcywh_to_xyxy):
        xyxy = np.array([[165.0, 150.0, 345.0, 330.0], [78.0, 482.0, 168.0, 522.0], [0.0, 10.0, 4.0, 30.0]])
        boxes = self._tensor(xyxy)
        got = xyxy_to_cxcywh(boxes)
        self.is_tensor(got, "xyxy_to_cxcywh(boxes)")
        self._unchanged(xyxy, boxes, "xyxy_to_cxcywh")
        size = xyxy[:, 2:] - xyxy[:, :2]
        self.close(got, _to_cxcywh(xyxy), "xyxy_to_cxcywh(boxes)", mistakes=[
            (np.concatenate([xyxy[:, :2], size], 1),
             "that is xywh (top-left corner + size): cxcywh starts with the centre, ((x1 + x2) / 2, (y1 + y2) / 2)."),
            (np.concatenate([xyxy[:, :2] + xyxy[:, 2:], size], 1),
             "the centre is off by a factor of 2: it is the *mean* of the corners, (x1 + x2) / 2."),
            (np.concatenate([(xyxy[:, :2] + xyxy[:, 2:]) / 2, -size], 1),
             "the width and height are negative: subtract the top-left from the bottom-right corner (x2 - x1).")])

        cxcywh = _to_cxcywh(xyxy)
        centred = self._tensor(cxcywh)
        got = cxcywh_to_xyxy(centred)
        self.is_tensor(got, "cxcywh_to_xyxy(boxes)")
        self._unchanged(cxcywh, centred, "cxcywh_to_xyxy")
        self.close(got, xyxy, "cxcywh_to_xyxy(boxes)", mistakes=[
            (np.concatenate([cxcywh[:, :2] - cxcywh[:, 2:], cxcywh[:, :2] + cxcywh[:, 2:]], 1),
             "the boxes are twice too big: the corners are the centre -/+ *half* the size (w / 2, h / 2)."),
            (np.concatenate([cxcywh[:, :2], cxcywh[:, :2] + cxcywh[:, 2:]], 1),
             "you treated (cx, cy) as the top-left corner (that is xywh): the corners are the centre -/+ half the size.")])

        rng = np.random.default_rng(17)
        corner = rng.uniform(0, 400, (20, 2))
        random = np.concatenate([corner, corner + rng.uniform(5, 200, (20, 2))], 1)
        there_and_back = cxcywh_to_xyxy(xyxy_to_cxcywh(self._tensor(random)))
        self.close(there_and_back, random, "cxcywh_to_xyxy(xyxy_to_cxcywh(boxes))", atol=1e-3)
        return "both conversions agree with box_convert, and one undoes the other."

    @exercise(2, "IoU of all pairs")
    def ex2(self, iou):
        boxes1 = np.array([[0.0, 0.0, 10.0, 10.0], [2.0, 2.0, 6.0, 6.0], [20.0, 20.0, 30.0, 30.0],
                           [5.0, 0.0, 15.0, 10.0]])
        boxes2 = np.array([[0.0, 0.0, 10.0, 10.0], [25.0, 24.0, 40.0, 29.0], [8.0, -4.0, 12.0, 30.0]])
        got = iou(self._tensor(boxes1), self._tensor(boxes2))
        self.is_tensor(got, "iou(boxes1, boxes2)")
        expected = _iou(boxes1, boxes2)
        self.require(tuple(got.shape) != (3, 4),
                     "the result has shape (M, N) = (3, 4): rows belong to boxes1 and columns to boxes2, so "
                     "the shape is (N, M) = (4, 3). Broadcast boxes1[:, None, :] against boxes2[None, :, :].")
        self.require(tuple(got.shape) == (4, 3),
                     f"iou(boxes1, boxes2) has shape {tuple(got.shape)}; expected (N, M) = (4, 3): one IoU for "
                     f"every pair. Broadcast boxes1[:, None, :] against boxes2[None, :, :].")
        self.close(got, expected, "iou(boxes1, boxes2)", mistakes=[
            (_iou(boxes1, boxes2, clamp=False),
             "disjoint boxes get an IoU above 0: when both the width and the height of the 'intersection' are "
             "negative their product is positive. Clamp them at 0 first (`.clamp(min=0)`)."),
            (_iou(boxes1, boxes2, subtract=False),
             "the union counts the intersection twice: |A ∪ B| = |A| + |B| - |A ∩ B| (identical boxes must give 1)."),
            (_iou(boxes1, boxes2, over="first"),
             "you divided the intersection by the area of the first box only: divide by the union."),
            (_iou(boxes1, boxes2, enclosing=True),
             "that is the enclosing box, not the intersection: the intersection's top-left corner is the "
             "*maximum* of the two top-left corners, its bottom-right corner the *minimum* of the bottom-right ones.")])
        return "the (N, M) IoUs match box_iou, for disjoint, nested and overlapping boxes."

    @exercise(3, "SSD's anchors")
    def ex3(self, ssd_anchors):
        grid_h, grid_w, stride, sizes, ratios = 2, 3, 16, (32.0, 64.0, 128.0), (1.0, 2.0, 0.5)
        pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
        got = ssd_anchors(grid_h, grid_w, stride, sizes, ratios)
        self.is_tensor(got, "ssd_anchors(2, 3, 16, sizes, ratios)")
        n_loc = grid_h * grid_w
        self.require(tuple(got.shape) != (n_loc * len(sizes) * len(ratios), 4),
                     f"{got.shape[0]} anchors = 6 locations × 9: you made all n·m = 9 size-ratio pairs. SSD uses "
                     f"n + m - 1 = 5 per location: every size with ratios[0], then sizes[0] with ratios[1:].")
        self.require(tuple(got.shape) == (n_loc * len(pairs), 4),
                     f"ssd_anchors(2, 3, ...) has shape {tuple(got.shape)}; expected (2 * 3 * 5, 4) = (30, 4).")
        expected = _anchors(grid_h, grid_w, stride, pairs)
        actual = self.numpy(got)
        if not np.allclose(actual, expected, atol=1e-3) and np.allclose(
                actual[np.lexsort(actual.T[::-1])], expected[np.lexsort(expected.T[::-1])], atol=1e-3):
            order_hint = ("the right anchors in the wrong order: locations row by row (all columns of row 0 "
                          "first), and at each location (s1, r1), (s2, r1), ..., (sn, r1), (s1, r2), ..., (s1, rm).")
        else:
            order_hint = None
        self.close(got, expected, "ssd_anchors(2, 3, 16, sizes, ratios)", atol=1e-3, mistakes=[
            (_anchors(grid_h, grid_w, stride, pairs, centre=0.0),
             "the anchors are centred on the cells' top-left corners: the centre of cell (i, j) is "
             "((j + 0.5) * stride, (i + 0.5) * stride)."),
            (_anchors(grid_h, grid_w, stride, pairs, inverted=True),
             "the ratio is upside down: here r = h / w, so w = s / sqrt(r) and h = s * sqrt(r) (ratio 2 is tall)."),
            (_anchors(grid_h, grid_w, stride, pairs, column_major=True),
             "the locations go column by column: go row by row, as make_anchors does (meshgrid with indexing='ij')."),
            *([(actual, order_hint)] if order_hint else [])])
        return "5 anchors per location, centred on the cells, in the order SSD's head uses."

    @exercise(4, "weighted offsets")
    def ex4(self, encode_weighted, decode_weighted):
        weights = (10.0, 10.0, 5.0, 5.0)
        boxes = np.array([[165.0, 150.0, 345.0, 330.0], [150.0, 25.0, 370.0, 160.0], [78.0, 482.0, 168.0, 522.0]])
        anchors = np.array([[176.0, 176.0, 304.0, 304.0], [176.0, 48.0, 304.0, 112.0], [80.0, 480.0, 160.0, 520.0]])
        got = encode_weighted(self._tensor(boxes), self._tensor(anchors), weights)
        self.is_tensor(got, "encode_weighted(boxes, anchors)")
        expected = _encode(boxes, anchors, weights)
        self.close(got, expected, "encode_weighted(boxes, anchors)", atol=1e-4, mistakes=[
            (_encode(boxes, anchors, (1, 1, 1, 1)),
             "these are the unweighted offsets: multiply dx, dy by 10 and dw, dh by 5 (the weights argument)."),
            (_encode(boxes, anchors, (0.1, 0.1, 0.2, 0.2)),
             "you divided by the weights: encoding *multiplies* the offsets by them (decoding divides)."),
            (_encode(boxes, anchors, (10, 10, 5, 5)) * np.array([1, 1, 0, 0])
             + np.concatenate([np.zeros((3, 2)), 5 * (_to_cxcywh(boxes)[:, 2:] / _to_cxcywh(anchors)[:, 2:])], 1),
             "dw and dh are the *log* of the size ratio: ww * log(gw / aw).")])

        decoded = decode_weighted(self._tensor(expected), self._tensor(anchors), weights)
        self.is_tensor(decoded, "decode_weighted(offsets, anchors)")
        self.close(decoded, boxes, "decode_weighted(encode(boxes))", atol=1e-2, mistakes=[
            (_decode(expected, anchors, (1, 1, 1, 1)),
             "the weights were not undone: divide the offsets by the weights before using them."),
            (_decode(expected, anchors, (0.1, 0.1, 0.2, 0.2)),
             "you multiplied the offsets by the weights again: decoding *divides* by them."),
            (_decode(expected, anchors, weights, exp=False),
             "the sizes were multiplied by dw itself: the size is aw * exp(dw / ww), since dw is a log-ratio.")])
        rng = np.random.default_rng(4)
        offsets = rng.normal(0, 1, (3, 4))
        decoded = decode_weighted(self._tensor(offsets), self._tensor(anchors), weights)
        self.close(decoded, _decode(offsets, anchors, weights), "decode_weighted(random offsets)", atol=1e-2,
                   mistakes=[(_decode(offsets, anchors, weights, exp=False),
                              "the sizes were multiplied by dw itself: the size is aw * exp(dw / ww), "
                              "since dw is a log-ratio.")])
        return "encode matches torchvision's BoxCoder with weights (10, 10, 5, 5), and decode inverts it."

    @exercise(5, "NMS by hand")
    def ex5(self, my_nms):
        torch = self.torch

        def run(boxes, scores, threshold, what):
            got = my_nms(self._tensor(boxes), self._tensor(scores), threshold)
            self.is_tensor(got, what)
            self.require(got.dtype == torch.int64,
                         f"{what} has dtype {got.dtype}: return the indices as an int64 tensor "
                         f"(torch.tensor(keep, dtype=torch.int64)), as ops.nms does.")
            return got

        # a chain: A overlaps B, B overlaps C, A and C barely touch
        chain = np.array([[0.0, 0.0, 10.0, 10.0], [4.0, 0.0, 14.0, 10.0], [8.0, 0.0, 18.0, 10.0]])
        chain_scores = np.array([0.9, 0.8, 0.7])
        got = run(chain, chain_scores, 0.3, "my_nms on the chain")
        self.close(got, _nms(chain, chain_scores, 0.3), "my_nms on a chain of three boxes", mistakes=[
            (_nms(chain, chain_scores, 0.3, by_kept=False),
             "box 2 was dropped because it overlaps box 1 — but box 1 was itself suppressed by box 0. Only "
             "boxes you *keep* suppress others: take the best box left, drop its overlaps, repeat with what is left."),
            (np.array([0, 1, 2]), "nothing was suppressed: drop every remaining box whose IoU with the kept box "
                                  "is greater than iou_threshold.")])

        # IoU exactly 0.5 at threshold 0.5: torchvision keeps both (it suppresses IoU > threshold)
        edge = np.array([[0.0, 0.0, 3.0, 1.0], [1.0, 0.0, 4.0, 1.0]])
        got = run(edge, np.array([0.9, 0.8]), 0.5, "my_nms on two boxes with IoU 0.5")
        self.close(got, np.array([0, 1]), "my_nms for two boxes with IoU exactly 0.5 at threshold 0.5", mistakes=[
            (np.array([0]), "a box with IoU exactly equal to the threshold was suppressed: ops.nms removes only "
                            "boxes with IoU *greater* than iou_threshold (use >, not >=).")])

        rng = np.random.default_rng(5)
        corner = rng.uniform(0, 100, (40, 2))
        boxes = np.concatenate([corner, corner + rng.uniform(10, 40, (40, 2))], 1)
        scores = rng.permutation(np.linspace(0.05, 0.99, 40))
        got = run(boxes, scores, 0.4, "my_nms(boxes, scores, 0.4)")
        expected = _nms(boxes, scores, 0.4)
        self.close(got, expected, "my_nms on 40 random boxes", mistakes=[
            (np.sort(expected), "the right boxes, in index order: return them best score first, as ops.nms does."),
            (_nms(boxes, scores, 0.4, by_kept=False),
             "boxes were dropped for overlapping boxes that had been suppressed themselves: only kept boxes "
             "suppress others.")])
        return "the same boxes, in the same order, as ops.nms — also on the two tricky cases."
