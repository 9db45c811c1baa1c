#!/usr/bin/env python
"""Build lessons 17 (detection basics) and 19 (graph networks), execute them, check them against PyTorch.

    python lessons/_build/build_17_19.py
    python lessons/_build/build_17_19.py --torch --twin-kernel=torchvision-oracle
"""
from __future__ import annotations

import sys

from _common import IGNORE, code, main, md, setup  # the shared machinery: lessons/_build/_common.py

# ===================================================================================== 17 detection
L17 = [
    md(r"""
    # 17 · Object detection: the building blocks

    Classification says *what* is in an image; **detection** (目标检测) says what and *where*: a list of
    boxes, each with a class and a score. Detectors come in two families:

    - **one-stage** (单阶段, YOLO, SSD, RetinaNet): a head on a feature map predicts, for every grid
      cell, whether an object's centre is there, its box and its class — all at once;
    - **two-stage** (两阶段, Faster R-CNN): first propose candidate regions, then cut each region out of
      the feature map (**RoI pooling**) and classify it.

    Both need the same small tools, which this lesson builds up on a real photo: box formats, **IoU**
    (交并比), **NMS** (非极大值抑制) and **RoI pooling / RoI align**.
    """),
    setup("import matplotlib.cbook as cbook", "from PIL import Image", nn=True, engine_imports=(
        "from edutorch.vision import ops, transforms",
        "from edutorch.vision.utils import draw_bounding_boxes",
    )),
    md(r"""
    ## 1. Boxes on a photo

    A box is four numbers. The usual format is `xyxy` — top-left `(x1, y1)` and bottom-right
    `(x2, y2)` corners in pixels; `xywh` keeps the top-left corner and the size; `cxcywh` the centre
    and the size (what detection heads predict). Four objects in Grace Hopper's portrait, marked by hand:
    """),
    code(r"""
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
    """),
    md(r"""
    ## 2. IoU: how much two boxes agree

    $$\mathrm{IoU}(A, B) = \frac{|A \cap B|}{|A \cup B|} = \frac{|A \cap B|}{|A| + |B| - |A \cap B|}.$$

    1 for identical boxes, 0 for disjoint ones. A detection usually counts as correct when its IoU with
    a ground-truth box is at least 0.5. By hand for the face and a shifted copy, then with `box_iou`
    (all pairs at once):
    """),
    code(r"""
    face = gt_boxes[0]
    guess = face + torch.tensor([30.0, 20.0, 30.0, 20.0])     # shifted right by 30 and down by 20
    width = (torch.minimum(face[2], guess[2]) - torch.maximum(face[0], guess[0])).clamp(min=0)
    height = (torch.minimum(face[3], guess[3]) - torch.maximum(face[1], guess[1])).clamp(min=0)
    inter = width * height
    by_hand = inter / (ops.box_area(face[None])[0] + ops.box_area(guess[None])[0] - inter)
    print(round(by_hand.item(), 4), round(ops.box_iou(face[None], guess[None]).item(), 4))
    print(ops.box_iou(gt_boxes, gt_boxes).round(decimals=3))
    """),
    md(r"""
    ## 3. One-stage: which grid cell owns an object?

    A one-stage head runs on a feature map with stride 32: the 600×512 photo gives a grid of
    18 rows × 16 columns of cells, each looking at a 32×32 patch. For each cell the head predicts an *objectness* score, four
    box numbers and class scores: `5 + C` channels. During training, the cell that contains a box's
    **centre** is responsible for it (YOLO's rule); every other cell should say "no object".
    """),
    code(r"""
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
    """),
    code(r"""
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
    """),
    md(r"""
    ## 4. NMS: one box per object

    Detectors produce many overlapping boxes for the same object. **Non-maximum suppression** keeps the
    highest-scoring box, removes every other box overlapping it by more than a threshold, and repeats
    with what is left. Here: 9 candidates around the face and the cap (shifted copies, scores falling
    with the shift), plus the two small objects.
    """),
    code(r"""
    shifts = torch.tensor([[0.0, 0.0], [12.0, 8.0], [-10.0, 6.0], [20.0, -12.0]])
    candidates = torch.cat([gt_boxes[0] + shifts.repeat(1, 2), gt_boxes[1] + shifts.repeat(1, 2)[:3],
                            gt_boxes[2:]])
    scores = torch.tensor([0.95, 0.90, 0.80, 0.60, 0.85, 0.70, 0.65, 0.75, 0.55])
    keep = ops.nms(candidates, scores, iou_threshold=0.5)
    print(len(candidates), "candidates ->", keep.tolist())
    print(ops.box_iou(candidates[keep], gt_boxes).max(dim=1).values.round(decimals=3))
    """),
    code(r"""
    before = draw_bounding_boxes(image, candidates, colors="orange", width=2)
    after = draw_bounding_boxes(image, candidates[keep], colors="lime", width=3)
    fig, axes = plt.subplots(1, 2, figsize=(6, 3.6))
    for ax, picture, title in zip(axes, [before, after], ["before NMS", "after NMS"]):
        ax.imshow(picture.permute(1, 2, 0).numpy())
        ax.set_title(title)
        ax.axis("off")
    plt.show()
    """),
    md(r"""
    `batched_nms(boxes, scores, classes, threshold)` runs NMS per class, so that a face box never
    suppresses an overlapping cap box:
    """),
    code(r"""
    labels = torch.tensor([0, 0, 0, 0, 1, 1, 1, 2, 3])
    print(ops.batched_nms(candidates, scores, labels, iou_threshold=0.1).tolist(),
          ops.nms(candidates, scores, iou_threshold=0.1).tolist())
    """),
    md(r"""
    ## 5. Two-stage: proposals → RoI pooling → classification

    The second stage needs a **fixed-size** feature for every proposal, whatever its size. **RoI
    pooling** scales the box to the feature map (`spatial_scale = 1 / stride`), divides it into
    `output_size` bins and max-pools each bin. Here the "backbone" is an 8× average pooling of the
    photo, so the feature map is 75×64 and `spatial_scale = 1/8`.
    """),
    code(r"""
    features = F.avg_pool2d(image[None].float() / 255, kernel_size=8)        # (1, 3, 75, 64)
    proposals = candidates[keep]
    pooled = ops.roi_pool(features, [proposals], output_size=(7, 7), spatial_scale=1 / 8)
    print(tuple(features.shape), "->", tuple(pooled.shape))

    classifier = nn.Sequential(nn.Flatten(), nn.Linear(3 * 7 * 7, len(CLASSES) + 1))   # + background
    print(tuple(classifier(pooled).shape), "class scores per proposal")
    """),
    md(r"""
    **RoI align.** RoI pooling rounds the box to whole feature cells, so a box moved by a few pixels
    can give exactly the same features — a problem for precise boxes and for masks. **RoI align**
    (Mask R-CNN) keeps the fractional coordinates and samples the map bilinearly:
    """),
    code(r"""
    box = gt_boxes[:1]
    moved = box + torch.tensor([[1.0, 1.0, 1.0, 1.0]])                        # 1 pixel = 1/8 of a cell
    pool_a, pool_b = (ops.roi_pool(features, [b], output_size=7, spatial_scale=1 / 8) for b in (box, moved))
    align_a, align_b = (ops.roi_align(features, [b], output_size=7, spatial_scale=1 / 8, sampling_ratio=2,
                                      aligned=True) for b in (box, moved))
    print("roi_pool changed: ", not torch.equal(pool_a, pool_b), "  (the rounded box is the same)")
    print("roi_align changed:", not torch.equal(align_a, align_b))
    """),
    md(r"""
    Both are differentiable with respect to the features, so the backbone learns through them:
    """),
    code(r"""
    feature_map = features.clone().requires_grad_()
    ops.roi_align(feature_map, [proposals], output_size=7, spatial_scale=1 / 8, sampling_ratio=2).sum().backward()
    touched = (feature_map.grad.abs().sum(dim=1)[0] > 0)
    print(tuple(feature_map.grad.shape), "gradient reaches", int(touched.sum().item()), "of", touched.numel(), "cells")
    """),
    code(rf"""
    {IGNORE}
    # edutorch's source
    if EDUTORCH:
        show_source(ops.nms)
    """),
    md(r"""
    ## Summary

    - Boxes: `xyxy`, `xywh`, `cxcywh` (`box_convert`); `box_area`; IoU = intersection / union (`box_iou`).
    - One-stage: a grid head predicts objectness, box and class per cell; the cell holding a box's
      centre is responsible for it.
    - NMS keeps the best box and removes its overlapping duplicates; `batched_nms` does it per class.
    - Two-stage: proposals → `roi_pool` / `roi_align` (fixed size, `spatial_scale = 1 / stride`) →
      a classifier; RoI align avoids rounding.

    ## Exercises

    1. Lower the NMS threshold to 0.2, then raise it to 0.9. Which boxes survive, and why?
    2. In section 3, which cells would own the objects with a stride of 16? How many cells is that?
    3. Compute the generalised IoU (`ops.generalized_box_iou`) of two disjoint boxes; why is it more
       useful than IoU as a loss?
    """),
]

# ===================================================================================== 19 graphs
L19 = [
    md(r"""
    # 19 · Graph neural networks: message passing with `index_add_`

    Many data are **graphs** (图): people and friendships, atoms and bonds, papers and citations. A
    **graph neural network** (图神经网络) updates every node from its neighbours — **message passing**
    (消息传递). Libraries such as PyTorch Geometric store a graph as

    - `x`: node features, shape `(N, F)`;
    - `edge_index`: the edges, shape `(2, E)` — row 0 the source node of each edge, row 1 its target;

    and implement message passing with scatter operations. We do the same with plain PyTorch
    (`index_add_`, `scatter_reduce`), then train a graph convolutional network on a real social network.
    """),
    setup(nn=True),
    md(r"""
    ## 1. A real graph: Zachary's karate club

    34 members of a karate club and who met whom outside the club (`data/karate`, see its README).
    The club split in two: `club` says which side each member joined. Each friendship becomes two
    directed edges, one each way.
    """),
    code(r"""
    table = np.loadtxt("../data/karate/edges.csv", delimiter=",", skiprows=1, dtype=np.int64)
    club = torch.from_numpy(np.loadtxt("../data/karate/clubs.csv", delimiter=",", skiprows=1, dtype=np.int64)[:, 1])
    pairs = torch.from_numpy(table[:, :2]).T                                  # (2, 78)
    edge_index = torch.cat([pairs, pairs.flip(0)], dim=1)                     # both directions: (2, 156)
    N = 34
    print(tuple(edge_index.shape), edge_index[:, :5].tolist(), torch.bincount(club).tolist())
    """),
    md(r"""
    ## 2. Messages and aggregation

    The **degree** of a node is how many edges point to it: add a 1 for every edge at its target.
    `index_add_(0, index, values)` adds `values[k]` into row `index[k]`, summing repeated indices —
    exactly what aggregation needs.
    """),
    code(r"""
    src, dst = edge_index
    degree = torch.zeros(N).index_add_(0, dst, torch.ones(dst.shape[0]))
    print(degree[:8].tolist(), torch.equal(degree.long(), torch.bincount(dst, minlength=N)))
    print("most connected:", degree.argsort(descending=True)[:3].tolist())
    """),
    md(r"""
    One round of message passing: every edge sends its source's features to its target; each node
    aggregates what it receives — sum (`index_add_`), or mean / max (`scatter_reduce`).
    """),
    code(r"""
    x = torch.arange(N, dtype=torch.float32).unsqueeze(1)                    # feature = the node's number
    messages = x[src]                                                          # one message per edge
    summed = torch.zeros(N, 1).index_add_(0, dst, messages)
    index = dst.unsqueeze(1)
    mean = torch.zeros(N, 1).scatter_reduce(0, index, messages, reduce="mean", include_self=False)
    biggest = torch.zeros(N, 1).scatter_reduce(0, index, messages, reduce="amax", include_self=False)
    neighbours_of_9 = sorted(src[dst == 9].tolist())
    print("node 9's neighbours", neighbours_of_9, "-> sum", summed[9].item(), "mean", mean[9].item(), "max", biggest[9].item())
    """),
    md(r"""
    ## 3. A graph convolution (GCN) layer

    Kipf & Welling's GCN layer adds self-loops ($\hat A = A + I$) and normalises by the degrees:

    $$H' = \hat D^{-1/2} \hat A \hat D^{-1/2} \, H W, \qquad
      h'_i = \sum_{j \in \mathcal{N}(i) \cup \{i\}} \frac{1}{\sqrt{\hat d_i \hat d_j}}\, W^\top h_j .$$

    The right-hand form is message passing: each edge $j \to i$ carries $W^\top h_j$ scaled by
    $1/\sqrt{\hat d_i \hat d_j}$, and `index_add_` sums them at $i$. It never builds the $N \times N$
    matrix, which is what makes GNNs scale to millions of nodes.
    """),
    code(r"""
    class GCNLayer(nn.Module):
        def __init__(self, in_features, out_features):
            super().__init__()
            self.linear = nn.Linear(in_features, out_features, bias=False)

        def forward(self, h, edge_index):
            n = h.shape[0]
            loops = torch.arange(n)
            src = torch.cat([edge_index[0], loops])                       # A + I
            dst = torch.cat([edge_index[1], loops])
            degree = torch.zeros(n).index_add_(0, dst, torch.ones(dst.shape[0]))
            norm = degree.pow(-0.5)
            h = self.linear(h)                                            # W^T h_j for every node
            messages = h[src] * (norm[src] * norm[dst]).unsqueeze(1)
            return torch.zeros(n, h.shape[1]).index_add_(0, dst, messages)
    """),
    md(r"""
    **Check it** against the dense formula, built as matrices (fine for 34 nodes):
    """),
    code(r"""
    torch.manual_seed(0)
    layer = GCNLayer(4, 2)
    h = torch.randn(N, 4)
    a_hat = torch.eye(N)
    a_hat[dst, src] = 1.0
    d_inv_sqrt = a_hat.sum(dim=1).pow(-0.5)
    dense = (d_inv_sqrt[:, None] * a_hat * d_inv_sqrt[None, :]) @ h @ layer.linear.weight.T
    print(torch.allclose(layer(h, edge_index), dense, atol=1e-6))
    """),
    md(r"""
    ## 4. Predicting the split from two labels

    A classic semi-supervised task: we know the side of only **two** members — the instructor (node 0)
    and the administrator (node 33) — and predict everyone else's from the friendships. Node features
    are just one-hot identities (`torch.eye(34)`): all the information is in the graph.
    """),
    code(r"""
    class GCN(nn.Module):
        def __init__(self, in_features, hidden, classes):
            super().__init__()
            self.conv1 = GCNLayer(in_features, hidden)
            self.conv2 = GCNLayer(hidden, classes)

        def forward(self, x, edge_index):
            h = torch.relu(self.conv1(x, edge_index))
            return self.conv2(h, edge_index)

    torch.manual_seed(0)
    features = torch.eye(N)
    labelled = torch.tensor([0, 33])
    model = GCN(N, 16, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for step in range(200):
        logits = model(features, edge_index)
        loss = F.cross_entropy(logits[labelled], club[labelled])      # the loss sees 2 labels only
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    predicted = model(features, edge_index).argmax(dim=1)
    accuracy = (predicted == club).float().mean().item()
    """),
    code(rf"""
    {IGNORE}
    # depends on the random initialisation
    print(f"loss {{loss.item():.4f}} | accuracy on all 34 members: {{accuracy:.3f}}")
    print("wrong:", torch.nonzero(predicted != club).flatten().tolist())
    """),
    code(r"""
    print(accuracy > 0.7)      # from 2 labels; guessing would give 0.5
    """),
    md(r"""
    Draw the network: positions from the graph's normalised Laplacian $I - D^{-1/2} A D^{-1/2}$ (its
    eigenvectors 2 and 3, a *spectral layout*: well-connected groups land close together), colours
    from the model's prediction, rings for the true side.
    """),
    code(r"""
    adjacency = np.zeros((N, N))
    adjacency[dst.numpy(), src.numpy()] = 1.0
    deg = adjacency.sum(1)
    laplacian = np.eye(N) - adjacency / np.sqrt(deg[:, None] * deg[None, :])
    _, vectors = np.linalg.eigh(laplacian)
    pos = vectors[:, 1:3] / np.sqrt(deg)[:, None]
    plt.figure(figsize=(5, 4))
    for a, b in pairs.T.tolist():
        plt.plot(pos[[a, b], 0], pos[[a, b], 1], color="grey", lw=0.5, zorder=1)
    plt.scatter(pos[:, 0], pos[:, 1], c=predicted.numpy(), cmap="coolwarm", s=120, zorder=2,
                edgecolors=np.where(club.numpy() == 1, "darkred", "navy"), linewidths=2)
    for i in (0, 33):
        plt.annotate(str(i), pos[i], ha="center", va="center", fontsize=8, color="white", zorder=3)
    plt.title("prediction (fill) vs. true side (ring)")
    plt.axis("off")
    plt.show()
    """),
    md(r"""
    ## Summary

    - A graph is `x` `(N, F)` + `edge_index` `(2, E)`; undirected edges are stored both ways.
    - Message passing: gather `x[src]`, transform, aggregate at `dst` with `index_add_` (sum) or
      `scatter_reduce` (mean, max); repeated indices accumulate.
    - A GCN layer is $\hat D^{-1/2}(A+I)\hat D^{-1/2} H W$, computed edge by edge; two layers learn the
      karate club's split from two labels.

    ## Exercises

    1. Replace the sum in `GCNLayer` by a mean over neighbours (`scatter_reduce(..., "mean")`) and
       drop the degree normalisation. Does the karate result change?
    2. Use the edge weights of `edges.csv` in the messages (weighted degree too).
    3. Add a third GCN layer. What happens to the node embeddings as layers are added (over-smoothing)?
    """),
]

NOTEBOOKS = {"17_detection_basics": L17, "19_graph_networks": L19}

if __name__ == "__main__":
    sys.exit(main(NOTEBOOKS, sys.argv[1:]))
