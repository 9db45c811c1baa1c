# %% [markdown]
# # 17 · Object detection: the building blocks
#
# *Runs in about 5 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Classification says *what* is in an image; **detection** (目标检测) says what and *where*: a list of
# **bounding boxes** (边界框), each with a class and a score. Detectors come in two families:
#
# - **one-stage** (单阶段): a head on a feature map predicts boxes and classes at every location, all
#   at once. YOLOv1 makes the grid cell that holds an object's *centre* responsible for it. SSD,
#   RetinaNet (and YOLOv2 to v5) instead place several **anchor boxes** (锚框) of different sizes
#   and shapes at every location of the feature map; for each anchor the head predicts class scores
#   and four **offsets** that move and stretch the anchor onto the object. During training, anchors
#   are matched to the ground-truth boxes by IoU.
# - **two-stage** (两阶段, Faster R-CNN): a region proposal network (itself anchor-based) proposes
#   candidate regions; each region is cut out of the feature map (**RoI pooling**) and classified.
#
# **Goals.** After this lesson you can
#
# - convert boxes between the `xyxy`, `xywh` and `cxcywh` formats and compute **IoU** (交并比);
# - say which grid cell YOLOv1 makes responsible for an object;
# - generate **anchor boxes** for a feature map, match them to objects by IoU, and encode / decode the
#   box offsets $(d_x, d_y, d_w, d_h)$ a head learns;
# - remove duplicates with **NMS** (非极大值抑制) and score detections with precision, recall and
#   **average precision** (AP);
# - train a tiny anchor head on one photo, and cut fixed-size features out of boxes with **RoI pooling /
#   RoI align**.

# %%
# %matplotlib inline
import math

import matplotlib.cbook as cbook
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

# to run this lesson on PyTorch, change `edutorch` to `torch` and `edutorch.vision` to
# `torchvision` in the import lines below
import edutorch as torch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.vision import ops, transforms
from edutorch.vision.utils import draw_bounding_boxes
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. Boxes on a photo
#
# A box is four numbers. The usual format is `xyxy`: the top-left corner `(x1, y1)` and the
# bottom-right corner `(x2, y2)` in pixels, with `x` to the right and `y` **down**. `xywh` keeps the
# top-left corner and the size; `cxcywh` the centre and the size (the form in which box offsets are
# defined, section 4). Five objects in Grace Hopper's portrait, marked by hand:

# %%
photo = Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")
image = transforms.PILToTensor()(photo)                      # (3, 600, 512) uint8
CLASSES = ["face", "cap", "name tag", "ribbons", "glasses"]
COLOURS = ["yellow", "cyan", "lime", "magenta", "orange"]
gt_boxes = torch.tensor([[165.0, 150.0, 345.0, 330.0],
                         [150.0, 25.0, 370.0, 160.0],
                         [78.0, 482.0, 168.0, 522.0],
                         [325.0, 490.0, 450.0, 540.0],
                         [168.0, 172.0, 352.0, 230.0]])
print("image", tuple(image.shape))
print("face xyxy  ", gt_boxes[0].tolist())
print("face xywh  ", ops.box_convert(gt_boxes, "xyxy", "xywh")[0].tolist())
print("face cxcywh", ops.box_convert(gt_boxes, "xyxy", "cxcywh")[0].tolist())
print("areas", ops.box_area(gt_boxes).tolist())

# %% [markdown]
# The face is 180 × 180 pixels with its centre at (255, 240); its area is 180² = 32400. The name tag
# (90 × 40 = 3600 pixels) is nine times smaller: detectors must find objects of very different sizes
# and shapes (the glasses are more than three times as wide as tall).

# %%
drawn = draw_bounding_boxes(image, gt_boxes, labels=CLASSES, colors=COLOURS, width=3)
plt.figure(figsize=(3.5, 4))
plt.imshow(drawn.permute(1, 2, 0).numpy())
plt.axis("off")
plt.show()

# %% [markdown]
# ## 2. IoU: how much two boxes agree
#
# $$\mathrm{IoU}(A, B) = \frac{|A \cap B|}{|A \cup B|} = \frac{|A \cap B|}{|A| + |B| - |A \cap B|}.$$
#
# 1 for identical boxes, 0 for disjoint ones. A detection usually counts as correct when its IoU with
# a ground-truth box is at least 0.5. By hand for the face and a shifted copy, then with `box_iou`
# (all pairs at once):

# %%
face = gt_boxes[0]
guess = face + torch.tensor([30.0, 20.0, 30.0, 20.0])     # shifted right by 30 and down by 20
width = (torch.minimum(face[2], guess[2]) - torch.maximum(face[0], guess[0])).clamp(min=0)
height = (torch.minimum(face[3], guess[3]) - torch.maximum(face[1], guess[1])).clamp(min=0)
inter = width * height
by_hand = inter / (ops.box_area(face[None])[0] + ops.box_area(guess[None])[0] - inter)
print(round(by_hand.item(), 4), round(ops.box_iou(face[None], guess[None]).item(), 4))
print(ops.box_iou(gt_boxes, gt_boxes).round(decimals=3))

# %% [markdown]
# The intersection is 150 × 160 = 24000 and the union 32400 + 32400 − 24000 = 40800, so a guess
# that is off by only 30 and 20 pixels already scores just 0.59: IoU is strict. In the matrix of all
# pairs, the diagonal is 1 (each box with itself), the face and the cap share only the strip where
# the brim covers the forehead (0.03), and the glasses lie almost wholly inside the face and still
# score only 0.31: when one box sits inside another, the IoU is the ratio of their areas, so IoU also
# punishes a box of the wrong **size**.
#
# **IoU as a loss.** `1 - IoU` looks like a good loss for box regression, but IoU is 0 for *every*
# pair of disjoint boxes, near or far, so it has no gradient to pull a box towards its object.
# The **generalised IoU** (`generalized_box_iou`, GIoU) subtracts the part of the smallest enclosing
# box that neither box covers; it keeps falling (down to −1) as the boxes move apart. Slide a copy of
# the face to the right:

# %%
shifts = torch.arange(0.0, 401.0, 10.0)
slid = face[None] + torch.stack([shifts, torch.zeros_like(shifts), shifts, torch.zeros_like(shifts)], dim=1)
iou_curve = ops.box_iou(face[None], slid)[0]
giou_curve = ops.generalized_box_iou(face[None], slid)[0]
assert torch.allclose(iou_curve[shifts < 180], ((180 - shifts) / (180 + shifts))[shifts < 180])
print("IoU  at 0, 90, 180, 300 px:", [round(v, 3) for v in iou_curve[[0, 9, 18, 30]].tolist()])
print("GIoU at 0, 90, 180, 300 px:", [round(v, 3) for v in giou_curve[[0, 9, 18, 30]].tolist()])

fig, ax = plt.subplots(figsize=(4.5, 2.8))
ax.plot(shifts.numpy(), iou_curve.numpy(), label="IoU")
ax.plot(shifts.numpy(), giou_curve.numpy(), label="GIoU")
ax.axvline(180, color="grey", lw=0.5)
ax.set_xlabel("shift to the right (pixels)")
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %% [markdown]
# Shifted by $s$ pixels (for $s < 180$) the overlap is $(180 - s) \cdot 180$ and the union
# $(180 + s) \cdot 180$, so IoU $= (180 - s)/(180 + s)$, which the `assert` checks. From 180 pixels on
# the boxes no longer touch: IoU is flat at 0 while GIoU goes on falling, towards −1. (While they
# overlap, GIoU equals IoU here: side by side, the enclosing box *is* the union.)
#
# ## 3. One-stage, the YOLOv1 way: which grid cell owns an object?
#
# A one-stage head runs on a feature map with stride 32: the 600×512 photo gives a grid of
# 18 rows × 16 columns of cells, each looking at a 32×32 patch. Each cell predicts an *objectness*
# score, four box numbers and class scores: `5 + C` channels (YOLOv1 predicts two boxes per cell,
# `2 · 5 + C` channels; we keep one). During training, the cell
# that contains a box's **centre** is responsible for it; every other cell should say "no object".

# %%
STRIDE, C = 32, len(CLASSES)
grid_h, grid_w = image.shape[1] // STRIDE, image.shape[2] // STRIDE
head = nn.Conv2d(3, 5 + C, kernel_size=STRIDE, stride=STRIDE)     # a stand-in for backbone + head
prediction = head(image[None].float() / 255)
print("grid", (grid_h, grid_w), "| head output", tuple(prediction.shape))

centres = ops.box_convert(gt_boxes, "xyxy", "cxcywh")[:, :2]
cells = (centres // STRIDE).long()                          # (column, row) of the owning cell
target = torch.zeros(grid_h, grid_w)
target[cells[:, 1], cells[:, 0]] = 1.0                       # objectness target: 1 in owning cells
for name, (col, row) in zip(CLASSES, cells.tolist()):
    print(f"{name:9s} centre in cell row {row:2d}, column {col:2d}")
print(int(target.sum().item()), "of", grid_h * grid_w, "cells own an object")

# %%
plt.figure(figsize=(3.5, 4))
plt.imshow(drawn.permute(1, 2, 0).numpy())
for k in range(grid_w + 1):
    plt.axvline(k * STRIDE, color="white", lw=0.4)
for k in range(grid_h + 1):
    plt.axhline(k * STRIDE, color="white", lw=0.4)
rows, cols = torch.nonzero(target, as_tuple=True)
for row, col in zip(rows.tolist(), cols.tolist()):
    plt.gca().add_patch(plt.Rectangle((col * STRIDE, row * STRIDE), STRIDE, STRIDE, color="red", alpha=0.5))
plt.plot(centres[:, 0].numpy(), centres[:, 1].numpy(), "r+", ms=10)
plt.axis("off")
plt.show()

# %% [markdown]
# The head's output has `5 + C = 10` channels on the 18 × 16 grid. Only 5 of the 288 cells have an
# object to predict; the other 283 learn to say "nothing here". The face's and the glasses' centres
# are only 39 pixels apart and land in neighbouring cells; had they fallen into the *same* cell, a
# YOLOv1 cell, which predicts one class, could not have reported both. Anchors are the answer.
#
# ## 4. Anchor boxes (锚框)
#
# SSD and RetinaNet do not ask "whose centre is in this cell?". At **every** location of the feature
# map they place $A$ **anchor boxes**: fixed boxes of a few sizes $s$ and aspect ratios $r$, centred
# on the cell. The head predicts, for every anchor, class scores and four numbers that move and
# stretch that anchor onto an object. With several anchors per location, objects of different shapes
# whose centres are close can each use their own anchor.
#
# ### 4.1 Generating the anchors
#
# We use the 18 × 16 grid of stride 32, sizes $s \in \{64, 128, 256\}$ pixels and ratios
# $r = h / w \in \{0.5, 1, 2\}$ (torchvision's convention: $r < 1$ is wide, $r > 1$ tall): $A = 3 \cdot 3
# = 9$ anchors per location. An anchor of size $s$ and ratio $r$ keeps the area $s^2$:
# $w = s / \sqrt r$ and $h = s \sqrt r$. Its centre is the centre of its cell, in image pixels:
# $((j + \tfrac12)\cdot\mathrm{stride}, (i + \tfrac12)\cdot\mathrm{stride})$ for row $i$, column $j$.
# The order is the one a head's output uses: location by location, row by row, then the $A$ anchors of
# that location.

# %%
def make_anchors(grid_h, grid_w, stride, sizes, ratios):
    "Anchors (grid_h * grid_w * A, 4) in xyxy pixels: for each cell (row by row), every size × ratio."
    widths = torch.tensor([s / math.sqrt(r) for s in sizes for r in ratios])      # (A,)
    heights = torch.tensor([s * math.sqrt(r) for s in sizes for r in ratios])     # (A,)
    cy = (torch.arange(grid_h, dtype=torch.float32) + 0.5) * stride               # cell centres
    cx = (torch.arange(grid_w, dtype=torch.float32) + 0.5) * stride
    cy, cx = torch.meshgrid(cy, cx, indexing="ij")                                # (grid_h, grid_w)
    cx, cy = cx.reshape(-1, 1), cy.reshape(-1, 1)                                 # (H*W, 1): broadcast with (A,)
    corners = torch.stack([cx - widths / 2, cy - heights / 2, cx + widths / 2, cy + heights / 2], dim=-1)
    return corners.reshape(-1, 4)                                                 # (H*W, A, 4) -> (H*W*A, 4)


SIZES, RATIOS = (64, 128, 256), (0.5, 1.0, 2.0)
A = len(SIZES) * len(RATIOS)
anchors = make_anchors(grid_h, grid_w, STRIDE, SIZES, RATIOS)
print(tuple(anchors.shape), "=", grid_h, "*", grid_w, "*", A)

face_cell = int(cells[0, 1]) * grid_w + int(cells[0, 0])     # row * width + column
at_face = anchors[face_cell * A:(face_cell + 1) * A]
print("the 9 anchors of the face's cell (row 7, column 7), centre", ops.box_convert(at_face, "xyxy", "cxcywh")[0, :2].tolist())
print(at_face.round().int())

# %% [markdown]
# 18 · 16 · 9 = 2592 anchors. The nine anchors of cell (7, 7) share its centre (240, 240); the first
# three have size 64: a wide one (90.5 × 45.3), a square (64 × 64) and a tall one (45.3 × 90.5), then
# the same shapes at 128 and 256. Anchors may stick out of the image (negative coordinates); that is
# allowed.

# %%
fig, ax = plt.subplots(figsize=(3.5, 4))
ax.imshow(image.permute(1, 2, 0).numpy())
every_centre = ops.box_convert(anchors[::A], "xyxy", "cxcywh")
ax.plot(every_centre[:, 0].numpy(), every_centre[:, 1].numpy(), ".", color="white", ms=2)
for (x1, y1, x2, y2), size in zip(at_face.tolist(), [s for s in SIZES for _ in RATIOS]):
    ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2,
                               color={64: "yellow", 128: "orange", 256: "red"}[size]))
ax.set_xlim(-100, 612)
ax.set_ylim(700, -100)
ax.set_title("9 anchors of one cell; dots: all 288 centres", fontsize=8)
ax.axis("off")
plt.show()
plt.close(fig)

# %% [markdown]
# ### 4.2 Matching anchors to objects
#
# Training needs a target for every anchor. Compute the IoU of every anchor with every ground-truth
# box (a 2592 × 5 matrix) and give each anchor the object it overlaps most. Then, as RetinaNet does:
#
# - IoU ≥ 0.5: a **positive** anchor; it must predict "object" and the offsets to its object;
# - IoU < 0.4: a **negative** anchor; it must predict "background";
# - in between: **ignored** (no loss at all), since such an anchor is neither clearly right nor clearly
#   wrong;
# - and every object's best anchor is made positive whatever its IoU, so that no object is left
#   without one (Faster R-CNN and SSD have the same rule).

# %%
iou = ops.box_iou(anchors, gt_boxes)                          # (2592, 5)
best_iou, matched = iou.max(dim=1)                            # each anchor's best object
labels = torch.full((anchors.shape[0],), -1.0)                # -1 = ignored
labels[best_iou < 0.4] = 0.0                                  # background
labels[best_iou >= 0.5] = 1.0                                 # object
best_anchor = iou.argmax(dim=0)                               # each object's best anchor...
labels[best_anchor] = 1.0                                     # ...is positive, whatever its IoU
matched[best_anchor] = torch.arange(len(gt_boxes))
positive = labels == 1

print(f"{'object':9s} best IoU  anchors with IoU >= 0.5  positives")
for k, name in enumerate(CLASSES):
    print(f"{name:9s} {iou[:, k].max().item():8.2f}  {int((iou[:, k] >= 0.5).sum()):24d}  "
          f"{int((positive & (matched == k)).sum()):9d}")
print("positive", int(positive.sum()), "| negative", int((labels == 0).sum()), "| ignored", int((labels == -1).sum()))

# %% [markdown]
# Read the table:
#
# - No anchor fits any object well: the best IoU is between 0.43 and 0.61, because there are only 9
#   anchor shapes and their centres sit on a 32-pixel grid. That is fine: the offsets (next section)
#   do the fine work.
# - The **ribbons** (125 × 50) have no anchor with IoU ≥ 0.5 at all; the best-anchor rule gives them
#   one positive anchor (IoU 0.43). Without it they would never be trained on. Small and oddly shaped
#   objects are hard for anchors, which is why real detectors use finer feature maps (a feature
#   pyramid) and more anchor shapes for them.
# - 12 positives against 2497 negatives: about **1 : 200**. A plain cross-entropy would be dominated by
#   the easy background. SSD keeps only the hardest negatives (3 per positive); RetinaNet keeps all of
#   them and down-weights the easy ones with the **focal loss** (section 7).

# %%
fig, ax = plt.subplots(figsize=(3.5, 4))
ax.imshow(image.permute(1, 2, 0).numpy())
for box, k in zip(anchors[positive].tolist(), matched[positive].tolist()):
    x1, y1, x2, y2 = box
    ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2, color=COLOURS[k]))
ax.set_title("positive anchors, coloured by object", fontsize=8)
ax.axis("off")
plt.show()
plt.close(fig)

# %% [markdown]
# ### 4.3 Offsets: what the head predicts for an anchor
#
# A head does not output box corners. For an anchor with centre $(a_x, a_y)$ and size $(a_w, a_h)$ and
# its object's box $(g_x, g_y, g_w, g_h)$ (all in `cxcywh`) it learns the **offsets**
#
# $$d_x = \frac{g_x - a_x}{a_w}, \quad d_y = \frac{g_y - a_y}{a_h}, \quad
#   d_w = \log \frac{g_w}{a_w}, \quad d_h = \log \frac{g_h}{a_h}.$$
#
# The shifts are measured in anchor sizes, so a big and a small object need the same numbers for the
# same relative error; the size change is a log-ratio, so it is 0 for "keep the size", symmetric
# between growing and shrinking, and `exp` turns any prediction back into a positive width.
# **Decoding** inverts the formulas: $g_x = a_x + d_x a_w$, $g_w = a_w e^{d_w}$, and so on. (SSD and
# the second stage of torchvision's Faster R-CNN multiply the offsets by weights $(10, 10, 5, 5)$ —
# the SSD paper divides by their inverses, "variances" $(0.1, 0.2)$ — so that the targets have a
# spread of about 1; the formulas are otherwise the same.)

# %%
def encode(boxes, anchors):
    "Offsets (dx, dy, dw, dh) that move each anchor onto its box (both (N, 4) xyxy)."
    b = ops.box_convert(boxes, "xyxy", "cxcywh")
    a = ops.box_convert(anchors, "xyxy", "cxcywh")
    return torch.stack([(b[:, 0] - a[:, 0]) / a[:, 2], (b[:, 1] - a[:, 1]) / a[:, 3],
                        torch.log(b[:, 2] / a[:, 2]), torch.log(b[:, 3] / a[:, 3])], dim=1)


def decode(offsets, anchors):
    "The boxes (N, 4) xyxy that offsets (N, 4) make of anchors (N, 4) xyxy: the inverse of encode."
    a = ops.box_convert(anchors, "xyxy", "cxcywh")
    boxes = torch.stack([a[:, 0] + offsets[:, 0] * a[:, 2], a[:, 1] + offsets[:, 1] * a[:, 3],
                         a[:, 2] * torch.exp(offsets[:, 2]), a[:, 3] * torch.exp(offsets[:, 3])], dim=1)
    return ops.box_convert(boxes, "cxcywh", "xyxy")


targets = encode(gt_boxes[matched], anchors)                  # (2592, 4); only positives are used
face_anchors = positive & (matched == 0)
print("the face's positive anchors (cxcywh):")
print(ops.box_convert(anchors[face_anchors], "xyxy", "cxcywh"))
print("their targets (dx, dy, dw, dh):")
print(targets[face_anchors].round(decimals=3))
assert torch.allclose(decode(targets[positive], anchors[positive]), gt_boxes[matched[positive]], atol=1e-3)
print("decode(encode(box)) == box for all", int(positive.sum()), "positive anchors")

# %% [markdown]
# The face (centre (255, 240), 180 × 180) has four positive anchors: the square and the tall anchor
# of size 128 at the two cells whose centres, (240, 240) and (272, 240), are nearest to the face's.
# The square at (240, 240) needs $d_x = 15/128 = 0.117$, $d_y = 0$ and $d_w = d_h = \log(180/128) =
# 0.341$; the one at (272, 240) the same with $d_x = -17/128 = -0.133$. The tall anchors (90.5 × 181)
# must grow in width, $d_w = \log(180/90.5) = 0.688$, and shrink a little in height, $d_h =
# \log(180/181) = -0.006$. Decoding the targets gives back the ground-truth boxes: the encoding loses
# nothing.
#
# ### Check your understanding
#
# Predict each answer, then run.

# %%
# 1. how many anchors does a 10 x 10 feature map with 2 sizes and 3 ratios have?
assert make_anchors(10, 10, 16, (32, 64), (0.5, 1.0, 2.0)).shape == (600, 4)

# 2. every anchor of one size has the same area, whatever its ratio; ratio 2 is twice as tall as wide
one_cell = make_anchors(1, 1, 32, (64,), (0.5, 1.0, 2.0))
assert torch.allclose(ops.box_area(one_cell), torch.full((3,), 64.0 ** 2))
tall = one_cell[2]
assert math.isclose(((tall[3] - tall[1]) / (tall[2] - tall[0])).item(), 2.0, rel_tol=1e-5)

# 3. an anchor that already is the box needs no offsets; a box twice as wide needs dw = log 2
assert torch.allclose(encode(anchors[:4], anchors[:4]), torch.zeros(4, 4))
double = ops.box_convert(torch.tensor([[100.0, 100.0, 128.0, 64.0]]), "cxcywh", "xyxy")
anchor = ops.box_convert(torch.tensor([[100.0, 100.0, 64.0, 64.0]]), "cxcywh", "xyxy")
assert torch.allclose(encode(double, anchor), torch.tensor([[0.0, 0.0, math.log(2), 0.0]]))

# 4. two 10 x 10 boxes that overlap by half: IoU = 50 / 150
assert math.isclose(ops.box_iou(torch.tensor([[0.0, 0.0, 10.0, 10.0]]),
                                torch.tensor([[5.0, 0.0, 15.0, 10.0]])).item(), 1 / 3, rel_tol=1e-5)
print("all correct")

# %% [markdown]
# ## 5. NMS: one box per object
#
# Detectors produce many overlapping boxes for the same object: every anchor near an object learns to
# point at it. **Non-maximum suppression** keeps the highest-scoring box, removes every other box
# whose IoU with it is *above* a threshold, and repeats with the best box that is left. Here: 10
# candidates, shifted copies of the face and the cap (scores falling with the shift) plus the three
# other objects.

# %%
offsets_px = torch.tensor([[0.0, 0.0], [12.0, 8.0], [-10.0, 6.0], [20.0, -12.0]])
candidates = torch.cat([gt_boxes[0] + offsets_px.repeat(1, 2), gt_boxes[1] + offsets_px.repeat(1, 2)[:3],
                        gt_boxes[2:]])
scores = torch.tensor([0.95, 0.90, 0.80, 0.60, 0.85, 0.70, 0.65, 0.75, 0.55, 0.50])
keep = ops.nms(candidates, scores, iou_threshold=0.5)
print(len(candidates), "candidates ->", keep.tolist())
print("best IoU of each kept box with an object:", ops.box_iou(candidates[keep], gt_boxes).max(dim=1).values.round(decimals=3).tolist())

# %% [markdown]
# The kept boxes are 0 (face), 4 (cap), 7 (name tag), 8 (ribbons) and 9 (glasses), in decreasing
# order of score, each exactly on its object. The three copies of the face overlap box 0 by IoU 0.71
# to 0.84 and are removed, and so are the two copies of the cap; the glasses overlap the face by only
# 0.31 and survive.

# %%
before = draw_bounding_boxes(image, candidates, colors="orange", width=2)
after = draw_bounding_boxes(image, candidates[keep], colors="lime", width=3)
fig, axes = plt.subplots(1, 2, figsize=(6, 3.6))
for ax, picture, title in zip(axes, [before, after], ["before NMS", "after NMS"]):
    ax.imshow(picture.permute(1, 2, 0).numpy())
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# The threshold decides how much overlap two *different* objects may have. How many boxes survive as
# it goes from 0 to 1:

# %%
thresholds = [round(0.05 * k, 2) for k in range(21)]
survivors = [len(ops.nms(candidates, scores, iou_threshold=t)) for t in thresholds]
print("thresholds", thresholds[::2])
print("kept      ", survivors[::2])
fig, ax = plt.subplots(figsize=(4.5, 2.5))
ax.step(thresholds, survivors, where="post")
ax.set_xlabel("iou_threshold")
ax.set_ylabel("boxes kept")
plt.show()
plt.close(fig)

# %% [markdown]
# At threshold 0 a box must not touch a kept box at all: the cap (IoU 0.03 with the face) and the
# glasses go, and 3 boxes remain. From 0.05 on the cap is kept, from 0.35 the glasses: 5 boxes, the
# right answer, up to 0.7. The shifted copies overlap their original by 0.71 to 0.84, so above 0.7
# they come back (the least-overlapping face copy first), and from 0.85 on nothing is suppressed: all
# 10 boxes. A good threshold lies between the overlap of two *different* objects and the overlap of
# two guesses at the *same* object; 0.5 is the usual choice.
#
# `batched_nms(boxes, scores, classes, threshold)` runs NMS per class: boxes of different classes never
# suppress each other. At threshold 0.3 plain NMS removes the glasses (IoU 0.31 with the face);
# per class they stay:

# %%
classes = torch.tensor([0, 0, 0, 0, 1, 1, 1, 2, 3, 4])
print("nms        ", ops.nms(candidates, scores, iou_threshold=0.3).tolist())
print("batched_nms", ops.batched_nms(candidates, scores, classes, iou_threshold=0.3).tolist())

# %% [markdown]
# ## 6. Scoring a detector: precision, recall and AP
#
# Sort the detections by score. Going down the list, a detection is a **true positive** if its IoU
# with some object is ≥ 0.5 and that object has not been found yet (by a higher-scoring detection);
# otherwise it is a **false positive** (a duplicate, or a box on nothing). After the first $k$
# detections, **precision** = true positives / $k$ and **recall** = objects found / objects. The
# **average precision** (AP, 平均精度) is the area under this precision–recall curve, after making
# precision non-increasing from the right (each recall gets the best precision reachable at that
# recall or beyond: PASCAL VOC's rule; COCO samples the same curve at 101 recall levels). AP is 1
# only when every object is found before any false positive. COCO's headline number averages AP over
# the classes and over the IoU thresholds 0.5, 0.55, …, 0.95.

# %%
def average_precision(boxes, scores, gt_boxes, iou_threshold=0.5):
    "AP of class-agnostic detections against gt_boxes, and the precision and recall after each detection."
    order = scores.argsort(descending=True)
    iou = ops.box_iou(boxes[order], gt_boxes).numpy()
    found = np.zeros(len(gt_boxes), dtype=bool)
    hit = np.zeros(len(iou), dtype=bool)
    for k, row in enumerate(iou):                  # the best-scored detection first
        j = row.argmax()                           # the object it overlaps most
        if row[j] >= iou_threshold and not found[j]:
            found[j] = hit[k] = True               # a true positive: the first to find object j
    true_positives = np.cumsum(hit)
    precision = true_positives / np.arange(1, len(hit) + 1)
    recall = true_positives / len(gt_boxes)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]      # non-increasing from the right
    recall_steps = np.diff(np.concatenate([[0.0], recall]))
    return float((envelope * recall_steps).sum()), precision, recall


ap_raw, precision_raw, recall_raw = average_precision(candidates, scores, gt_boxes)
ap_nms, precision_nms, recall_nms = average_precision(candidates[keep], scores[keep], gt_boxes)
print("before NMS: AP", round(ap_raw, 3), "| precision", precision_raw.round(2).tolist())
print("after NMS:  AP", round(ap_nms, 3), "| precision", precision_nms.round(2).tolist())

fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(np.concatenate([[0], recall_raw]), np.concatenate([[1], precision_raw]), "o-", label=f"before NMS, AP {ap_raw:.2f}")
ax.plot(np.concatenate([[0], recall_nms]), np.concatenate([[1], precision_nms]), "s-", label=f"after NMS, AP {ap_nms:.2f}")
ax.set_xlabel("recall")
ax.set_ylabel("precision")
ax.set_ylim(0, 1.05)
ax.legend(fontsize=8)
plt.show()
plt.close(fig)

# %% [markdown]
# Before NMS, in score order: face ✓ (0.95), a face copy ✗ (its object is already found), cap ✓, a face
# copy ✗, name tag ✓, two cap copies ✗✗, a face copy ✗, ribbons ✓, glasses ✓. Precision after each
# true positive: 1, 2/3, 3/5, 4/9, 5/10; AP = 0.2 · (1 + 0.667 + 0.6 + 0.5 + 0.5) = 0.653. The
# duplicates are counted as false positives, which is why every detector runs NMS before it is
# scored. After NMS all five detections are true positives: AP = 1.
#
# ## 7. Putting it together: an anchor head learns one photo
#
# Now train a tiny one-stage detector in the RetinaNet style on the anchors of section 4: for each of
# the 2592 anchors one "object" score (class-agnostic, like the region proposal network of Faster
# R-CNN) and four offsets. The "backbone" is a stand-in: for every cell of the 18 × 16 grid, the
# 12 × 12 block of the 8×-downsampled photo around it (a 96 × 96-pixel view, `F.unfold`), a
# 432-number feature. The head is the same small network at every cell (what a 1 × 1 convolution
# does): `nn.Linear` on the rows. It outputs $A \cdot 5 = 45$ numbers per cell, read as 9 anchors ×
# (score, $d_x$, $d_y$, $d_w$, $d_h$), in the order of `make_anchors`.
#
# Losses, as in RetinaNet: the **focal loss** on the scores, $-\alpha_t (1 - p_t)^\gamma \log p_t$ with
# $p_t$ the probability given to the right answer, $\gamma = 2$, $\alpha = 0.25$ for objects and 0.75
# for background (ignored anchors take no part; torchvision has it as `ops.sigmoid_focal_loss`);
# plus the smooth L1 loss between predicted and target offsets of the **positive** anchors only.
# Both are divided by the number of positive anchors. One photo is of course no detector: fitting
# a single image is the usual first test that the targets, the losses and the decoding agree.

# %%
cell_features = F.unfold(F.avg_pool2d(image[None].float() / 255, 8), kernel_size=12, stride=4, padding=4)[0].T
print("features", tuple(cell_features.shape), "(one row per cell)")


def detection_losses(out):
    "Focal loss on the anchors' scores + smooth L1 on the positives' offsets; out: (2592, 5)."
    logits, offsets = out[:, 0], out[:, 1:]
    used = labels >= 0                                       # ignored anchors take no part
    y = labels[used]
    p = torch.sigmoid(logits[used])
    cross_entropy = F.binary_cross_entropy_with_logits(logits[used], y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)                          # the probability of the right answer
    alpha_t = 0.25 * y + 0.75 * (1 - y)
    n_pos = positive.sum()
    focal = (alpha_t * (1 - p_t) ** 2 * cross_entropy).sum() / n_pos
    box = F.smooth_l1_loss(offsets[positive], targets[positive], beta=1 / 9, reduction="sum") / n_pos
    return focal, box


def detect(out, score_threshold=0.05, iou_threshold=0.5):
    "Decode every anchor, drop low scores, run NMS: the detector's boxes and scores."
    scores = torch.sigmoid(out[:, 0])
    boxes = decode(out[:, 1:], anchors)
    kept = scores > score_threshold
    boxes, scores = boxes[kept], scores[kept]
    best = ops.nms(boxes, scores, iou_threshold)
    return boxes[best], scores[best], boxes, scores


torch.manual_seed(0)
anchor_head = nn.Sequential(nn.Linear(cell_features.shape[1], 64), nn.ReLU(), nn.Linear(64, A * 5))
optimizer = torch.optim.Adam(anchor_head.parameters(), lr=0.01)
history = {"focal": [], "box": [], "step": [], "AP": []}
for step in range(200):
    out = anchor_head(cell_features).reshape(-1, 5)          # (288, 45) -> (2592, 5)
    focal, box = detection_losses(out)
    optimizer.zero_grad()
    (focal + box).backward()
    optimizer.step()
    history["focal"].append(focal.item())
    history["box"].append(box.item())
    if step % 10 == 0 or step == 199:
        with torch.no_grad():
            found_boxes, found_scores, _, _ = detect(out)
        history["step"].append(step)
        history["AP"].append(average_precision(found_boxes, found_scores, gt_boxes)[0])

with torch.no_grad():
    out = anchor_head(cell_features).reshape(-1, 5)
    found_boxes, found_scores, raw_boxes, raw_scores = detect(out)
ap_after_nms = average_precision(found_boxes, found_scores, gt_boxes)[0]
ap_without_nms = average_precision(raw_boxes, raw_scores, gt_boxes)[0]

# %%
# NBVAL_IGNORE_OUTPUT
# depends on the random initialisation (the last digits may differ between engines)
print(f"losses at step 0: focal {history['focal'][0]:.3f}, box {history['box'][0]:.3f};  "
      f"at step 199: focal {history['focal'][-1]:.4f}, box {history['box'][-1]:.4f}")
print(f"AP@0.5 at step 0: {history['AP'][0]:.3f}, at step 199: {ap_after_nms:.3f}   "
      f"(without NMS: {ap_without_nms:.3f});  {len(raw_boxes)} anchors score > 0.05, {len(found_boxes)} after NMS")

# %%
print("AP@0.5 after training >= 0.8:", ap_after_nms >= 0.8, "| started below 0.1:", history["AP"][0] < 0.1,
      "| NMS raises AP:", ap_without_nms < ap_after_nms)

# %%
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(10, 3.2))
ax1.semilogy(history["focal"], label="focal (scores)")
ax1.semilogy(history["box"], label="smooth L1 (offsets)")
ax1.set_xlabel("step")
ax1.legend(fontsize=8)
ax2.plot(history["step"], history["AP"], "o-", ms=3)
ax2.set_xlabel("step")
ax2.set_title("AP@0.5 on the photo", fontsize=9)
ax3.imshow(image.permute(1, 2, 0).numpy())
best_five = found_scores.argsort(descending=True)[:5]
for (x1, y1, x2, y2), s in zip(found_boxes[best_five].tolist(), found_scores[best_five].tolist()):
    ax3.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=2, color="lime"))
    ax3.text(x1, y1 - 4, f"{s:.2f}", color="lime", fontsize=7)
ax3.set_title("the 5 best detections", fontsize=9)
ax3.axis("off")
plt.tight_layout()
plt.show()
plt.close(fig)

# %% [markdown]
# What to read in these outputs:
#
# - At step 0 every anchor scores about 0.5, so every anchor is a "detection" and AP is close to 0.
#   The focal loss starts high: about 2500 background anchors each add $0.75 \cdot 0.5^2 \cdot \log 2
#   \approx 0.13$, and the sum is divided by only 12 positives. Once the background scores drop, their
#   $(1 - p_t)^2$ factor makes them nearly free, and both losses fall by orders of magnitude.
# - AP climbs close to 1 within 100–200 steps (in most runs exactly 1): the five best boxes (right)
#   lie on the five objects, even on the ribbons, whose only anchor overlapped them by 0.43 — the
#   offsets moved it.
# - A few hundred anchors still score above 0.05 (the count varies from run to run) and NMS removes
#   many of them. Most of the rest are low-scored, and false positives ranked below all true positives
#   do not lower AP. Without NMS, the neighbours of each object's anchors score almost as high as the
#   best one and AP drops clearly — section 6 in practice.
#
# ## 8. Two-stage: proposals → RoI pooling → classification
#
# The second stage of Faster R-CNN needs a **fixed-size** feature for every proposal, whatever its
# size. **RoI pooling** scales the box to the feature map (`spatial_scale = 1 / stride`), divides it
# into `output_size` bins and max-pools each bin. Here the "backbone" is an 8× average pooling of the
# photo, so the feature map is 75×64 and `spatial_scale = 1/8`; the proposals are the five boxes NMS
# kept.

# %%
features = F.avg_pool2d(image[None].float() / 255, kernel_size=8)        # (1, 3, 75, 64)
proposals = candidates[keep]
pooled = ops.roi_pool(features, [proposals], output_size=(7, 7), spatial_scale=1 / 8)
print(tuple(features.shape), "->", tuple(pooled.shape))

classifier = nn.Sequential(nn.Flatten(), nn.Linear(3 * 7 * 7, len(CLASSES) + 1))   # + background
print(tuple(classifier(pooled).shape), "class scores per proposal")

# %% [markdown]
# Five proposals of very different sizes (the face covers 22 × 22 feature cells, the name tag 11 × 5)
# all become 3 × 7 × 7 blocks, which one classifier can take: 5 classes + "background" for
# proposals on nothing.
#
# **RoI align.** RoI pooling rounds the box to whole feature cells, so a box moved by a few pixels
# can give exactly the same features — a problem for precise boxes and for masks. **RoI align**
# (Mask R-CNN) keeps the fractional coordinates and samples the map bilinearly:

# %%
box = gt_boxes[:1]
moved = box + torch.tensor([[1.0, 1.0, 1.0, 1.0]])                        # 1 pixel = 1/8 of a cell
pool_a, pool_b = (ops.roi_pool(features, [b], output_size=7, spatial_scale=1 / 8) for b in (box, moved))
align_a, align_b = (ops.roi_align(features, [b], output_size=7, spatial_scale=1 / 8, sampling_ratio=2,
                                  aligned=True) for b in (box, moved))
print("roi_pool changed: ", not torch.equal(pool_a, pool_b), "  (the rounded box is the same)")
print("roi_align changed:", not torch.equal(align_a, align_b))

# %% [markdown]
# Both are differentiable with respect to the features, so the backbone learns through them. Only the
# feature cells under a proposal take part, so only they get a gradient:

# %%
feature_map = features.clone().requires_grad_()
ops.roi_align(feature_map, [proposals], output_size=7, spatial_scale=1 / 8, sampling_ratio=2).sum().backward()
touched = feature_map.grad.abs().sum(dim=1)[0] > 0
under = torch.zeros(75, 64, dtype=torch.bool)
for x1, y1, x2, y2 in (proposals / 8).tolist():                           # the boxes in feature cells
    under[math.floor(y1):math.ceil(y2) + 1, math.floor(x1):math.ceil(x2) + 1] = True
print(tuple(feature_map.grad.shape), "gradient reaches", int(touched.sum().item()), "of", touched.numel(), "cells")
print("all of them under a proposal:", bool((touched & ~under).sum() == 0))

# %% [markdown]
# About a quarter of the feature map lies under the five proposals and gets a gradient; the
# background of the photo gets none.

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    show_source(ops.nms)

# %% [markdown]
# ## Summary
#
# - Boxes: `xyxy`, `xywh`, `cxcywh` (`box_convert`); `box_area`; IoU = intersection / union
#   (`box_iou`); GIoU keeps a signal for disjoint boxes.
# - YOLOv1: the grid cell holding a box's centre is responsible for it.
# - SSD / RetinaNet: $A$ **anchor boxes** (sizes × ratios) centred on every cell; anchors are matched
#   to objects by IoU (positive ≥ 0.5, negative < 0.4, ignored between, each object's best anchor
#   positive); the head predicts a score and offsets $(d_x, d_y, d_w, d_h)$ per anchor; `encode` makes
#   the targets, `decode` the boxes.
# - Positives are rare (1 : 200 here): hard-negative mining (SSD) or the focal loss (RetinaNet).
# - NMS keeps the best box and removes its overlapping duplicates; `batched_nms` does it per class.
# - AP = area under the precision–recall curve; duplicates are false positives.
# - Two-stage: proposals → `roi_pool` / `roi_align` (fixed size, `spatial_scale = 1 / stride`) →
#   a classifier; RoI align avoids rounding.

# %% [markdown]
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/17_detection_basics.py](solutions/17_detection_basics.py) (one click; try first!).
# Build these yourself from tensor operations: the point is to write what `ops.box_convert`,
# `ops.box_iou` and `ops.nms` do (exercise 5 may use `ops.box_iou` for the overlaps).

# %%
from checks.lesson17 import Checks   # the checks of these exercises: lessons/checks/lesson17.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — box formats.** Write `xyxy_to_cxcywh(boxes)` and `cxcywh_to_xyxy(boxes)` for boxes of
# shape `(N, 4)`. Return new tensors: do not change the input. The check compares them with its own
# conversion and converts back and forth.

# %%
# Exercise 1: (x1, y1, x2, y2) <-> (cx, cy, w, h), for (N, 4) tensors
def xyxy_to_cxcywh(boxes):
    raise NotImplementedError("centre = mean of the corners, size = difference")

def cxcywh_to_xyxy(boxes):
    raise NotImplementedError("corners = centre -/+ half the size")

# %%
check.ex1(xyxy_to_cxcywh, cxcywh_to_xyxy)

# %% [markdown]
# **Exercise 2 — IoU of all pairs.** Write `iou(boxes1, boxes2)` for `xyxy` boxes of shapes `(N, 4)`
# and `(M, 4)` that returns the `(N, M)` matrix of IoUs, like `ops.box_iou`, with no Python loop:
# broadcast `boxes1[:, None, :]` against `boxes2[None, :, :]`. The check uses boxes that are disjoint,
# nested and partly overlapping.

# %%
# Exercise 2: the (N, M) IoU matrix of two sets of xyxy boxes, vectorised
def iou(boxes1, boxes2):
    raise NotImplementedError("intersection corners by broadcasting, then inter / union")

# %%
check.ex2(iou)

# %% [markdown]
# **Exercise 3 — SSD's anchors.** SSD does not use all $n \cdot m$ combinations of $n$ sizes and $m$
# ratios; it uses $n + m - 1$ anchors per location: every size with the **first** ratio, then the
# **first** size with each other ratio. Write `ssd_anchors(grid_h, grid_w, stride, sizes, ratios)`:
# at each location (row by row, as in `make_anchors`), the anchors
# $(s_1, r_1), (s_2, r_1), \dots, (s_n, r_1), (s_1, r_2), \dots, (s_1, r_m)$, centred on the cell, with
# $w = s/\sqrt r$, $h = s\sqrt r$, in `xyxy` pixels; shape `(grid_h * grid_w * (n + m - 1), 4)`.

# %%
# Exercise 3: n + m - 1 anchors per location, centred on the cells, xyxy pixels
def ssd_anchors(grid_h, grid_w, stride, sizes, ratios):
    raise NotImplementedError("the (size, ratio) pairs, the cell centres, then corners")

# %%
check.ex3(ssd_anchors)

# %% [markdown]
# **Exercise 4 — weighted offsets.** torchvision's Faster R-CNN encodes offsets with weights
# $(w_x, w_y, w_w, w_h) = (10, 10, 5, 5)$: $d_x = w_x (g_x - a_x)/a_w$, $d_y = w_y (g_y - a_y)/a_h$,
# $d_w = w_w \log(g_w / a_w)$, $d_h = w_h \log(g_h / a_h)$. Write `encode_weighted(boxes, anchors,
# weights)` and its inverse `decode_weighted(offsets, anchors, weights)` (all boxes `(N, 4)` `xyxy`).
# The check encodes, decodes, and decodes offsets that no box made.

# %%
# Exercise 4: encode / decode box offsets with weights (wx, wy, ww, wh)
def encode_weighted(boxes, anchors, weights=(10.0, 10.0, 5.0, 5.0)):
    raise NotImplementedError("centres and sizes, then the four weighted offsets")

def decode_weighted(offsets, anchors, weights=(10.0, 10.0, 5.0, 5.0)):
    raise NotImplementedError("undo the weights, then centre + shift, size * exp")

# %%
check.ex4(encode_weighted, decode_weighted)

# %% [markdown]
# **Exercise 5 — NMS by hand.** Write `my_nms(boxes, scores, iou_threshold)` that returns the indices
# of the kept boxes as an `int64` tensor, best score first, exactly as `ops.nms`: take the best box
# left, keep it, drop every remaining box whose IoU with it is **greater** than the threshold, repeat.
# Use your `iou` or `ops.box_iou` for the overlaps. The check compares with a reference on random boxes
# and on two tricky cases.

# %%
# Exercise 5: non-maximum suppression; return the kept indices (int64), best score first
def my_nms(boxes, scores, iou_threshold):
    raise NotImplementedError("sort by score; keep the best, drop its overlaps, repeat")

# %%
check.ex5(my_nms)

# %% [markdown]
# ## 中文小结
#
# - **目标检测**既要回答"是什么"，也要回答"在哪里"：输出一组**边界框**、类别和置信度。边界框有 `xyxy`、
#   `xywh`、`cxcywh` 三种常见格式，用 `box_convert` 互相转换。
# - **交并比**（IoU）= 交集面积 / 并集面积，是判断两个框是否一致的标准（通常 ≥ 0.5 算检测正确）；
#   两个框不相交时 IoU 恒为 0，而 GIoU 仍能反映距离。
# - YOLOv1 让物体中心所在的网格单元负责预测该物体；SSD、RetinaNet 则在特征图的每个位置放置多个
#   不同大小和宽高比的**锚框**，按 IoU 把锚框与真实框匹配（≥ 0.5 为正样本，< 0.4 为负样本，中间忽略，
#   并保证每个物体至少有一个正锚框），网络预测的是相对锚框的偏移量 $(d_x, d_y, d_w, d_h)$。
# - 正负样本极不平衡（本例约 1 : 200），SSD 用难负样本挖掘，RetinaNet 用焦点损失（focal loss）。
# - **非极大值抑制**（NMS）保留得分最高的框并删除与它重叠过多的框；`batched_nms` 按类别分别进行。
# - 检测器用**平均精度**（AP，精确率–召回率曲线下的面积）评价；重复的框算作误检，所以评价前要先做 NMS。
# - 两阶段检测器用 RoI 汇聚 / RoI Align 把大小不同的候选区域变成固定大小的特征，再进行分类。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | object detection | 目标检测 | `torchvision.models.detection` |
# | bounding box | 边界框 | `torchvision.ops.box_convert` |
# | intersection over union | 交并比 | `torchvision.ops.box_iou` |
# | generalised IoU | 广义交并比 | `torchvision.ops.generalized_box_iou` |
# | anchor box | 锚框 | `torchvision.models.detection.anchor_utils.AnchorGenerator` |
# | aspect ratio | 宽高比 | — |
# | offset (box regression target) | 偏移量 | — |
# | positive / negative sample | 正样本 / 负样本 | — |
# | focal loss | 焦点损失 | `torchvision.ops.sigmoid_focal_loss` |
# | non-maximum suppression | 非极大值抑制 | `torchvision.ops.nms`, `batched_nms` |
# | precision / recall | 精确率 / 召回率 | — |
# | average precision | 平均精度 | — |
# | one-stage / two-stage detector | 单阶段 / 两阶段检测器 | — |
# | region proposal | 候选区域 | — |
# | RoI pooling | 兴趣区域汇聚层 | `torchvision.ops.roi_pool` |
# | RoI align | RoI 对齐 | `torchvision.ops.roi_align` |
