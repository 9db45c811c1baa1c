"""edutorch.vision.ops against torchvision.ops (answers recorded in fixtures/ops.npz by
fixtures/make_ops_fixtures.py), finite-difference gradient checks, and a loop-by-loop transcription of
torchvision's roi_align CPU kernel for random boxes."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch as torch
from edutorch.autograd import gradcheck
from edutorch.vision import ops

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "ops.npz")
META = json.loads(str(FIXTURE["meta"]))
T = torch.from_numpy


def fx(name: str) -> np.ndarray:
    return FIXTURE[name].copy()


def check(ours, expected: np.ndarray, rtol=1e-5, atol=1e-6) -> None:
    """Same shape, dtype and values as torchvision's recorded answer."""
    got = ours.detach().numpy()
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------------ box functions
@pytest.mark.parametrize("fmt", ["xyxy", "xywh", "cxcywh"])
def test_box_area_iou_and_convert_match_torchvision(fmt):
    b1, b2 = T(fx("boxes1")), T(fx("boxes2"))
    check(ops.box_area(b1, fmt=fmt), fx(f"box_area_{fmt}"))
    check(ops.box_iou(b1, b2, fmt=fmt), fx(f"box_iou_{fmt}"))
    for fmt2 in ("xyxy", "xywh", "cxcywh"):
        check(ops.box_convert(b1, fmt, fmt2), fx(f"convert_{fmt}_{fmt2}"))


def test_giou_diou_clip_remove_small_match_torchvision():
    b1, b2 = T(fx("boxes1")), T(fx("boxes2"))
    check(ops.generalized_box_iou(b1, b2), fx("generalized_box_iou"))
    check(ops.distance_box_iou(b1, b2), fx("distance_box_iou"))
    check(ops.complete_box_iou(b1, b2), fx("complete_box_iou"))
    check(ops.clip_boxes_to_image(b1, (12, 15)), fx("clip"))
    check(ops.remove_small_boxes(b1, 4.0), fx("remove_small"))
    iou = ops.box_iou(b1, b2).numpy()
    assert iou[0, :].tolist() == ops.box_iou(b1[5:], b2).numpy()[0].tolist()  # row 5 duplicates box 0
    assert np.all(iou[:, 4] == 0)  # the disjoint box


def test_box_ops_with_leading_batch_dims():
    b1, b2 = T(fx("batched1")), T(fx("batched2"))
    check(ops.box_iou(b1, b2), fx("box_iou_batched"))
    check(ops.generalized_box_iou(b1, b2), fx("giou_batched"))


def test_integer_boxes_keep_torchvisions_dtypes():
    ints = T(fx("int_boxes"))
    check(ops.box_area(ints), fx("box_area_int"))                 # int64 areas
    check(ops.box_iou(ints, ints), fx("box_iou_int"))             # float32 IoU
    check(ops.box_convert(ints, "xyxy", "cxcywh"), fx("convert_int_xyxy_cxcywh"))
    check(ops.clip_boxes_to_image(ints, (2, 3)), fx("clip_int"))
    assert ops.box_area(ints.to(torch.int16)).dtype is torch.int32  # upcast: no int16 overflow


@pytest.mark.parametrize("name", ["box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou"])
def test_box_gradients_and_grad_fn_match_torchvision(name):
    b1, b2 = T(fx("boxes1")[:5]).requires_grad_(), T(fx("boxes2")).requires_grad_()
    out = getattr(ops, name)(b1, b2)
    assert out.grad_fn.name() == META["grad_fn"][name]
    (out * T(fx("box_weight")[:5])).sum().backward()
    check(b1.grad, fx(f"grad1_{name}"), rtol=1e-4, atol=1e-6)
    check(b2.grad, fx(f"grad2_{name}"), rtol=1e-4, atol=1e-6)


def test_box_grad_fn_names():
    b = T(fx("boxes1")).requires_grad_()
    names = META["grad_fn"]
    assert ops.box_area(b).grad_fn.name() == names["box_area"]
    assert ops.box_convert(b, "xyxy", "cxcywh").grad_fn.name() == names["box_convert"]
    assert ops.box_convert(b, "xyxy", "xyxy").grad_fn.name() == names["box_convert_same"]
    assert ops.clip_boxes_to_image(b, (12, 15)).grad_fn.name() == names["clip_boxes_to_image"]


def _overlapping_boxes_f64(n, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 4, (n, 2))
    return torch.tensor(np.concatenate([xy, xy + rng.uniform(2, 5, (n, 2))], 1), requires_grad=True)


# complete_box_iou is left out on purpose: its alpha weight is detached (as torchvision's), so its
# gradient is not the derivative of its value; its gradients are checked against torchvision's above.
@pytest.mark.parametrize("fn", [ops.box_iou, ops.generalized_box_iou, ops.distance_box_iou,
                                lambda a, b: ops.box_iou(a, b, fmt="cxcywh")])
def test_box_functions_gradcheck(fn):
    assert gradcheck(fn, (_overlapping_boxes_f64(3, 1), _overlapping_boxes_f64(2, 2)))


def test_box_convert_and_area_gradcheck():
    b = _overlapping_boxes_f64(3, 3)
    for i, o in [("xyxy", "cxcywh"), ("cxcywh", "xywh"), ("xywh", "xyxy")]:
        assert gradcheck(lambda x: ops.box_convert(x, i, o), (b,))
    assert gradcheck(lambda x: ops.box_area(x, fmt="xywh"), (b,))


def test_giou_is_a_trainable_loss():
    """1 - GIoU pulls a disjoint box onto its target (IoU alone would give no gradient)."""
    box = torch.tensor([[0.0, 0.0, 2.0, 2.0]], requires_grad=True)
    target = torch.tensor([[5.0, 5.0, 8.0, 9.0]])
    assert ops.box_iou(box, target).item() == 0
    optimizer = torch.optim.Adam([box], lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        (1 - ops.generalized_box_iou(box, target)).sum().backward()
        optimizer.step()
    assert ops.box_iou(box, target).item() > 0.9


# ------------------------------------------------------------------------------------------- nms
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_nms_matches_torchvision_including_ties(threshold):
    keep = ops.nms(T(fx("nms_boxes")), T(fx("nms_scores")), threshold)
    check(keep, fx(f"nms_{threshold}"))


def test_nms_tie_order_and_duplicates():
    boxes, scores = fx("nms_boxes"), fx("nms_scores")
    keep = ops.nms(T(boxes), T(scores), 1.0).tolist()  # IoU is never > 1: everything kept, sorted
    assert keep == np.argsort(-scores, kind="stable").tolist()
    assert keep.index(0) < keep.index(30) < keep.index(34)  # equal scores: lower index first
    keep = ops.nms(T(boxes), T(scores), 0.5).tolist()
    assert 0 in keep and not set(range(30, 35)) & set(keep)  # exact duplicates of box 0 suppressed


@pytest.mark.parametrize("h,expected", [(0.1, [0]), (0.7, [0, 1])])  # torchvision 0.29's answers
def test_nms_compares_the_float32_iou_with_the_double_threshold(h, expected):
    """IoU = float32(h): 0.1 rounds up in float32, so the IoU exceeds the threshold 0.1 (a double) and
    the second box goes; 0.7 rounds down, so it stays. Comparing in float32 would keep both for 0.1."""
    boxes = torch.tensor([[0, 0, 1, 1], [0, 0, 1, h]])
    assert ops.nms(boxes, torch.tensor([1.0, 0.5]), h).tolist() == expected


def test_nms_float64_big_and_empty():
    check(ops.nms(T(fx("nms_boxes").astype(np.float64)), T(fx("nms_scores").astype(np.float64)), 0.5),
          fx("nms_f64_0.5"))
    check(ops.nms(T(fx("big_boxes")), T(fx("big_scores")), 0.5), fx("nms_big"))
    empty = ops.nms(torch.zeros(0, 4), torch.zeros(0), 0.5)
    assert empty.shape == (0,) and empty.dtype is torch.int64


def test_batched_nms_both_strategies_match_torchvision():
    boxes, scores, idxs = T(fx("nms_boxes")), T(fx("nms_scores")), T(fx("nms_idxs"))
    for threshold in (0.3, 0.6):
        check(ops.batched_nms(boxes, scores, idxs, threshold), fx(f"batched_nms_{threshold}"))
    # 1100 boxes = 4400 coordinates: torchvision runs one nms per category
    check(ops.batched_nms(T(fx("big_boxes")), T(fx("big_scores")), T(fx("big_idxs")), 0.5),
          fx("batched_nms_big"))
    empty = ops.batched_nms(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64), 0.5)
    assert empty.shape == (0,) and empty.dtype is torch.int64


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 25), threshold=st.sampled_from([0.1, 0.4, 0.6]), seed=st.integers(0, 2**16))
def test_nms_invariants(n, threshold, seed):
    """What NMS promises: survivors overlap each other at most ``threshold``; each removed box overlaps
    a survivor with a score at least as high by more than ``threshold``; survivors sorted by score."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10, (n, 2))
    boxes = T(np.concatenate([xy, xy + rng.uniform(1, 6, (n, 2))], 1).astype(np.float32))
    scores = T(rng.integers(0, 5, n).astype(np.float32))  # few distinct scores: many ties
    keep = ops.nms(boxes, scores, threshold).numpy()
    iou = ops.box_iou(boxes, boxes).numpy()
    s = scores.numpy()
    assert np.all(np.diff(s[keep]) <= 0)
    kept_iou = iou[np.ix_(keep, keep)]
    assert np.all(kept_iou[~np.eye(len(keep), dtype=bool)] <= threshold)
    for j in sorted(set(range(n)) - set(keep.tolist())):
        assert np.any((iou[j, keep] > threshold) & (s[keep] >= s[j]))


def test_nms_returns_no_gradient_and_accepts_boxes_that_require_grad():
    boxes = T(fx("nms_boxes")).requires_grad_()
    keep = ops.nms(boxes, T(fx("nms_scores")), 0.5)
    assert keep.dtype is torch.int64 and not keep.requires_grad


# ------------------------------------------------------------------------------ roi_pool / roi_align
POOL_CASES = {"pool_a": ((3, 2), 1.0), "pool_b": (4, 0.5), "pool_c": ((2, 5), 1.0 / 1.5)}
ALIGN_CASES = {
    "align_a": ((3, 2), 1.0, -1, False), "align_b": ((3, 2), 1.0, 2, False),
    "align_c": (4, 0.5, -1, True), "align_d": ((2, 3), 0.5, 2, True), "align_e": (3, 1.0 / 1.5, 1, False),
    "align_f": ((3, 2), 1.0, 0, True),
}


@pytest.mark.parametrize("name", sorted(POOL_CASES))
def test_roi_pool_values_and_gradient_match_torchvision(name):
    size, scale = POOL_CASES[name]
    x = T(fx("feats")).requires_grad_()
    rois = T(fx("rois")).requires_grad_()
    out = ops.roi_pool(x, rois, size, scale)
    check(out, fx(f"{name}_out"))
    assert out.grad_fn.name() == META["grad_fn"]["roi_pool"]
    (out * T(fx(f"{name}_w"))).sum().backward()
    check(x.grad, fx(f"{name}_grad"))
    assert rois.grad is None  # boxes get no gradient, as in torchvision


@pytest.mark.parametrize("name", sorted(ALIGN_CASES))
def test_roi_align_values_and_gradient_match_torchvision(name):
    size, scale, ratio, aligned = ALIGN_CASES[name]
    x = T(fx("feats")).requires_grad_()
    rois = T(fx("rois")).requires_grad_()
    out = ops.roi_align(x, rois, size, scale, ratio, aligned)
    check(out, fx(f"{name}_out"), rtol=1e-5, atol=1e-5)
    assert out.grad_fn.name() == META["grad_fn"]["roi_align"]
    (out * T(fx(f"{name}_w"))).sum().backward()
    check(x.grad, fx(f"{name}_grad"), rtol=1e-5, atol=1e-5)
    assert rois.grad is None


def test_roi_ops_accept_a_list_of_boxes_per_image_and_float64():
    feats, rois = fx("feats"), fx("rois")
    boxes = [T(rois[rois[:, 0] == 0, 1:]), T(rois[rois[:, 0] == 1, 1:])]
    check(ops.roi_align(T(feats), boxes, 3, 1.0, 2), fx("list_align"), atol=1e-5)
    check(ops.roi_pool(T(feats), boxes, 3, 1.0), fx("list_pool"))
    check(ops.roi_align(T(feats.astype(np.float64)), T(rois.astype(np.float64)), 3), fx("align_f64"),
          rtol=1e-12, atol=1e-12)


def test_roi_modules_repr_and_forward():
    assert repr(ops.RoIAlign((3, 2), 0.5, 2)) == META["repr"]["RoIAlign"]
    assert repr(ops.RoIPool(4, 1.0)) == META["repr"]["RoIPool"]
    assert repr(ops.RoIAlign(7, 1 / 16, -1, aligned=True)) == META["repr"]["RoIAlign_aligned"]
    x, rois = T(fx("feats")), T(fx("rois"))
    check(ops.RoIAlign((2, 3), 0.5, 2, aligned=True)(x, rois), fx("align_d_out"), atol=1e-5)
    check(ops.RoIPool(4, 0.5)(x, rois), fx("pool_b_out"))


def _gradcheck_rois():
    return torch.tensor([[0, 0.6, 1.3, 5.2, 4.9], [1, 2.2, 0.4, 6.1, 5.7], [0, 3.0, 2.0, 3.5, 2.4],
                         [1, -1.5, 3.0, 4.0, 7.5]], dtype=torch.float64)


@pytest.mark.parametrize("ratio,aligned", [(-1, False), (2, True), (0, True)])
def test_roi_align_gradcheck(ratio, aligned):
    x = torch.randn(2, 2, 6, 7, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda t: ops.roi_align(t, _gradcheck_rois(), (2, 3), 1.0, ratio, aligned), (x,))


def test_roi_pool_gradcheck():
    x = torch.randn(2, 2, 6, 7, dtype=torch.float64, requires_grad=True)  # distinct values: a unique max
    assert gradcheck(lambda t: ops.roi_pool(t, _gradcheck_rois(), (2, 2), 1.0), (x,))


def _roi_align_reference(feats, rois, ph, pw, scale, ratio, aligned):
    """torchvision's roi_align CPU kernel, loop by loop (slow; the readable specification)."""
    _, channels, height, width = feats.shape
    out = np.zeros((len(rois), channels, ph, pw), feats.dtype)
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        off = 0.5 if aligned else 0.0
        sw, sh, ew, eh = x1 * scale - off, y1 * scale - off, x2 * scale - off, y2 * scale - off
        rw, rh = ew - sw, eh - sh
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph, rw / pw
        gh = ratio if ratio > 0 else math.ceil(rh / ph)
        gw = ratio if ratio > 0 else math.ceil(rw / pw)
        count = max(gh * gw, 1)
        for i in range(ph):
            for j in range(pw):
                total = np.zeros(channels)
                for iy in range(gh):
                    y = sh + i * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        x = sw + j * bw + (ix + 0.5) * bw / gw
                        if y < -1 or y > height or x < -1 or x > width:
                            continue
                        y, x = max(y, 0.0), max(x, 0.0)
                        yl, xl = int(y), int(x)
                        yh, xh = min(yl + 1, height - 1), min(xl + 1, width - 1)
                        if yl >= height - 1:
                            yl = yh = height - 1
                            y = float(yl)
                        if xl >= width - 1:
                            xl = xh = width - 1
                            x = float(xl)
                        ly, lx = y - yl, x - xl
                        img = feats[int(b)]
                        total += ((1 - ly) * (1 - lx) * img[:, yl, xl] + (1 - ly) * lx * img[:, yl, xh]
                                  + ly * (1 - lx) * img[:, yh, xl] + ly * lx * img[:, yh, xh])
                out[k, :, i, j] = total / count
    return out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.integers(1, 4), ph=st.integers(1, 3), pw=st.integers(1, 3),
       scale=st.sampled_from([1.0, 0.5, 0.25]), ratio=st.sampled_from([-1, 0, 1, 2, 3]),
       aligned=st.booleans())
def test_roi_align_matches_the_kernel_transcription(seed, k, ph, pw, scale, ratio, aligned):
    rng = np.random.default_rng(seed)
    feats = rng.standard_normal((2, 2, 5, 6))
    xy = rng.uniform(-4, 12, (k, 2))
    rois = np.concatenate([rng.integers(0, 2, (k, 1)), xy, xy + rng.uniform(0, 9, (k, 2))], 1)
    ours = ops.roi_align(T(feats), T(rois), (ph, pw), scale, ratio, aligned).numpy()
    np.testing.assert_allclose(ours, _roi_align_reference(feats, rois, ph, pw, scale, ratio, aligned),
                               rtol=1e-10, atol=1e-12)


def _roi_pool_reference(feats, rois, ph, pw, scale):
    """torchvision's roi_pool CPU kernel, loop by loop (float64 inputs)."""
    _, channels, height, width = feats.shape
    out = np.zeros((len(rois), channels, ph, pw), feats.dtype)
    c_round = lambda v: int(math.floor(v + 0.5)) if v >= 0 else -int(math.floor(-v + 0.5))  # noqa: E731
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh, ew, eh = (c_round(v * scale) for v in (x1, y1, x2, y2))
        bh, bw = max(eh - sh + 1, 1) / ph, max(ew - sw + 1, 1) / pw
        for i in range(ph):
            for j in range(pw):
                h0 = min(max(math.floor(i * bh) + sh, 0), height)
                h1 = min(max(math.ceil((i + 1) * bh) + sh, 0), height)
                w0 = min(max(math.floor(j * bw) + sw, 0), width)
                w1 = min(max(math.ceil((j + 1) * bw) + sw, 0), width)
                if h1 > h0 and w1 > w0:
                    out[k, :, i, j] = feats[int(b), :, h0:h1, w0:w1].max(axis=(1, 2))
    return out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.integers(0, 4), ph=st.integers(1, 3), pw=st.integers(1, 4),
       scale=st.sampled_from([1.0, 0.5, 0.25]))
def test_roi_pool_matches_the_kernel_transcription(seed, k, ph, pw, scale):
    rng = np.random.default_rng(seed)
    feats = rng.standard_normal((2, 2, 5, 6))
    xy = np.round(rng.uniform(-4, 12, (k, 2)) * 2) / 2  # halves: C's round differs from np.round
    wh = np.round(rng.uniform(0, 9, (k, 2)) * 2) / 2
    rois = np.concatenate([rng.integers(0, 2, (k, 1)), xy, xy + wh], 1)
    x = T(feats).requires_grad_()
    ours = ops.roi_pool(x, T(rois), (ph, pw), scale)
    np.testing.assert_array_equal(ours.detach().numpy(), _roi_pool_reference(feats, rois, ph, pw, scale))
    ours.sum().backward()  # each non-empty bin sends 1 to its max pixel: the gradient sums to their count
    assert x.grad.sum().item() == pytest.approx(float((ours.detach().numpy() != 0).sum()))


def test_roi_ops_with_no_boxes():
    x = torch.rand(1, 3, 8, 8, requires_grad=True)
    for fn in (ops.roi_pool, ops.roi_align):
        out = fn(x, [torch.zeros(0, 4)], (2, 3))
        assert out.shape == (0, 3, 2, 3)
        out.sum().backward()
    assert x.grad.abs().sum().item() == 0


def test_roi_pool_picks_the_max_of_each_quantised_bin():
    x = torch.arange(36.0).reshape(1, 1, 6, 6)
    out = ops.roi_pool(x, torch.tensor([[0, 0.0, 0.0, 5.0, 5.0]]), 2)
    assert out.tolist() == [[[[14.0, 17.0], [32.0, 35.0]]]]  # 6x6 box, 3x3 bins: their bottom-right corners
    outside = ops.roi_pool(x, torch.tensor([[0, 10.0, 10.0, 12.0, 12.0]]), 2)
    assert outside.tolist() == [[[[0.0, 0.0], [0.0, 0.0]]]]  # empty bins give 0


# ------------------------------------------------------------------------------------------ errors
def _raises(name, fn, match):
    expected = META["errors"][name]
    with pytest.raises(Exception, match=match) as info:
        fn()
    assert type(info.value).__name__ == expected, (name, type(info.value), expected)


def test_errors_have_torchvisions_types_and_say_what_is_wrong():
    f = torch.rand(2, 3, 8, 8)
    r = torch.tensor([[0, 1.0, 1.0, 5.0, 6.0]])
    _raises("convert_bad_fmt", lambda: ops.box_convert(r[:, 1:], "xyxy", "yxyx"), "out_fmt yxyx")
    _raises("convert_bad_in_fmt", lambda: ops.box_convert(r[:, 1:], "xywhx", "xyxy"), "in_fmt xywhx")
    _raises("area_bad_fmt", lambda: ops.box_area(r[:, 1:], fmt="yxyx"), "format yxyx")
    _raises("iou_bad_fmt", lambda: ops.box_iou(r[:, 1:], r[:, 1:], fmt="yxyx"), "'yxyx'")
    _raises("iou_1d", lambda: ops.box_iou(torch.rand(4), torch.rand(4)), r"Tensor\[..., N, 4\].*\[4\]")
    _raises("nms_3d", lambda: ops.nms(torch.rand(2, 3, 4), torch.rand(2), 0.5), "2d tensor, got 3D")
    _raises("nms_5cols", lambda: ops.nms(torch.rand(2, 5), torch.rand(2), 0.5), "4 elements .* got 5")
    _raises("nms_scores_2d", lambda: ops.nms(torch.rand(2, 4), torch.rand(2, 1), 0.5), "1d tensor, got 2D")
    _raises("nms_count", lambda: ops.nms(torch.rand(2, 4), torch.rand(3), 0.5), "got 2 and 3")
    _raises("nms_dtype", lambda: ops.nms(torch.rand(2, 4), torch.rand(2).double(), 0.5), "same type")
    _raises("nms_int", lambda: ops.nms(torch.randint(0, 5, (2, 4)), torch.randint(0, 5, (2,)), 0.5),
            "not implemented for 'Long'")
    _raises("roi_align_4cols", lambda: ops.roi_align(f, r[:, 1:], 2), r"Tensor\[K, 5\]: got \[1, 4\]")
    _raises("roi_pool_4cols", lambda: ops.roi_pool(f, r[:, 1:], 2), r"Tensor\[K, 5\]")
    _raises("roi_align_list_5cols", lambda: ops.roi_align(f, [r], 2),
            r"List\[Tensor\[L, 4\]\]: got .*\[1, 5\]")
    _raises("roi_align_not_boxes", lambda: ops.roi_align(f, 3, 2), "got int")
    _raises("roi_align_1d_boxes", lambda: ops.roi_align(f, r[0], 2), "[Dd]imension")
    _raises("roi_align_dtype", lambda: ops.roi_align(f, r.double(), 2), "same type as rois.*float64")
    _raises("roi_pool_dtype", lambda: ops.roi_pool(f, r.double(), 2), "same type as rois")
    _raises("roi_align_3d_input", lambda: ops.roi_align(f[0], r, 2),
            r"Tensor\[N, C, H, W\], got shape \[3, 8, 8\]")
    _raises("roi_pool_3d_input", lambda: ops.roi_pool(f[0], r, 2), r"Tensor\[N, C, H, W\]")


def test_errors_torchvision_does_not_check():
    """torchvision reads past the batch for a bad image index; edutorch says which index is wrong."""
    f = torch.rand(2, 3, 8, 8)
    with pytest.raises(IndexError, match="image 5, but the input batch has 2"):
        ops.roi_align(f, torch.tensor([[5, 1.0, 1.0, 5.0, 6.0]]), 2)
    with pytest.raises(ValueError, match="output_size"):
        ops.roi_pool(f, torch.tensor([[0, 1.0, 1.0, 5.0, 6.0]]), (2, 3, 4))
    with pytest.raises(NotImplementedError, match="rotated"):
        ops.box_convert(torch.rand(2, 4), "xyxy", "cxcywhr")
