# %% [markdown]
# # 17 · Object detection: the building blocks
#
# Classification says *what* is in an image; **detection** (目标检测) says what and *where*: a list of
# boxes, each with a class and a score. Detectors come in two families:
#
# - **one-stage** (单阶段, YOLO, SSD, RetinaNet): a head on a feature map predicts, for every grid
#   cell, whether an object's centre is there, its box and its class — all at once;
# - **two-stage** (两阶段, Faster R-CNN): first propose candidate regions, then cut each region out of
#   the feature map (**RoI pooling**) and classify it.
#
# Both need the same small tools, which this lesson builds up on a real photo: box formats, **IoU**
# (交并比), **NMS** (非极大值抑制) and **RoI pooling / RoI align**.

# %%
# %matplotlib inline
import math
import matplotlib.cbook as cbook
from PIL import Image

import matplotlib.pyplot as plt
import numpy as np

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
# A box is four numbers. The usual format is `xyxy` — top-left `(x1, y1)` and bottom-right
# `(x2, y2)` corners in pixels; `xywh` keeps the top-left corner and the size; `cxcywh` the centre
# and the size (what detection heads predict). Four objects in Grace Hopper's portrait, marked by hand:

# %%
photo = Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")
image = transforms.PILToTensor()(photo)                      # (3, 600, 512) uint8
CLASSES = ["face", "cap", "name tag", "ribbons"]
gt_boxes = torch.tensor([[165.0, 150.0, 345.0, 330.0],
                         [150.0, 25.0, 370.0, 160.0],
                         [78.0, 482.0, 168.0, 522.0],
                         [325.0, 490.0, 450.0, 540.0]])
print(ops.box_convert(gt_boxes, "xyxy", "xywh")[0].tolist(), ops.box_convert(gt_boxes, "xyxy", "cxcywh")[0].tolist())
print(ops.box_area(gt_boxes).tolist())
drawn = draw_bounding_boxes(image, gt_boxes, labels=CLASSES, colors=["yellow", "cyan", "lime", "magenta"], width=3)
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
# ## 3. One-stage: which grid cell owns an object?
#
# A one-stage head runs on a feature map with stride 32: the 600×512 photo gives a grid of
# 18 rows × 16 columns of cells, each looking at a 32×32 patch. For each cell the head predicts an *objectness* score, four
# box numbers and class scores: `5 + C` channels. During training, the cell that contains a box's
# **centre** is responsible for it (YOLO's rule); every other cell should say "no object".

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
# ## 4. NMS: one box per object
#
# Detectors produce many overlapping boxes for the same object. **Non-maximum suppression** keeps the
# highest-scoring box, removes every other box overlapping it by more than a threshold, and repeats
# with what is left. Here: 9 candidates around the face and the cap (shifted copies, scores falling
# with the shift), plus the two small objects.

# %%
shifts = torch.tensor([[0.0, 0.0], [12.0, 8.0], [-10.0, 6.0], [20.0, -12.0]])
candidates = torch.cat([gt_boxes[0] + shifts.repeat(1, 2), gt_boxes[1] + shifts.repeat(1, 2)[:3],
                        gt_boxes[2:]])
scores = torch.tensor([0.95, 0.90, 0.80, 0.60, 0.85, 0.70, 0.65, 0.75, 0.55])
keep = ops.nms(candidates, scores, iou_threshold=0.5)
print(len(candidates), "candidates ->", keep.tolist())
print(ops.box_iou(candidates[keep], gt_boxes).max(dim=1).values.round(decimals=3))

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
# `batched_nms(boxes, scores, classes, threshold)` runs NMS per class, so that a face box never
# suppresses an overlapping cap box:

# %%
labels = torch.tensor([0, 0, 0, 0, 1, 1, 1, 2, 3])
print(ops.batched_nms(candidates, scores, labels, iou_threshold=0.1).tolist(),
      ops.nms(candidates, scores, iou_threshold=0.1).tolist())

# %% [markdown]
# ## 5. Two-stage: proposals → RoI pooling → classification
#
# The second stage needs a **fixed-size** feature for every proposal, whatever its size. **RoI
# pooling** scales the box to the feature map (`spatial_scale = 1 / stride`), divides it into
# `output_size` bins and max-pools each bin. Here the "backbone" is an 8× average pooling of the
# photo, so the feature map is 75×64 and `spatial_scale = 1/8`.

# %%
features = F.avg_pool2d(image[None].float() / 255, kernel_size=8)        # (1, 3, 75, 64)
proposals = candidates[keep]
pooled = ops.roi_pool(features, [proposals], output_size=(7, 7), spatial_scale=1 / 8)
print(tuple(features.shape), "->", tuple(pooled.shape))

classifier = nn.Sequential(nn.Flatten(), nn.Linear(3 * 7 * 7, len(CLASSES) + 1))   # + background
print(tuple(classifier(pooled).shape), "class scores per proposal")

# %% [markdown]
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
# Both are differentiable with respect to the features, so the backbone learns through them:

# %%
feature_map = features.clone().requires_grad_()
ops.roi_align(feature_map, [proposals], output_size=7, spatial_scale=1 / 8, sampling_ratio=2).sum().backward()
touched = (feature_map.grad.abs().sum(dim=1)[0] > 0)
print(tuple(feature_map.grad.shape), "gradient reaches", int(touched.sum().item()), "of", touched.numel(), "cells")

# %%
# NBVAL_IGNORE_OUTPUT
# edutorch's source
if EDUTORCH:
    show_source(ops.nms)

# %% [markdown]
# ## Summary
#
# - Boxes: `xyxy`, `xywh`, `cxcywh` (`box_convert`); `box_area`; IoU = intersection / union (`box_iou`).
# - One-stage: a grid head predicts objectness, box and class per cell; the cell holding a box's
#   centre is responsible for it.
# - NMS keeps the best box and removes its overlapping duplicates; `batched_nms` does it per class.
# - Two-stage: proposals → `roi_pool` / `roi_align` (fixed size, `spatial_scale = 1 / stride`) →
#   a classifier; RoI align avoids rounding.
#
# ## Exercises
#
# 1. Lower the NMS threshold to 0.2, then raise it to 0.9. Which boxes survive, and why?
# 2. In section 3, which cells would own the objects with a stride of 16? How many cells is that?
# 3. Compute the generalised IoU (`ops.generalized_box_iou`) of two disjoint boxes; why is it more
#    useful than IoU as a loss?
