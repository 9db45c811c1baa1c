# Solutions to the exercises of lesson 17 (object detection: the building blocks).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def xyxy_to_cxcywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(dim=1)          # four (N,) columns; the input is not changed
    return torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=1)

def cxcywh_to_xyxy(boxes):
    cx, cy, w, h = boxes.unbind(dim=1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)

# %% Exercise 2
def iou(boxes1, boxes2):
    top_left = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])       # (N, M, 2)
    bottom_right = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])   # (N, M, 2)
    wh = (bottom_right - top_left).clamp(min=0)                              # 0 where they do not meet
    inter = wh[..., 0] * wh[..., 1]
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    return inter / (area1[:, None] + area2[None, :] - inter)

# %% Exercise 3
def ssd_anchors(grid_h, grid_w, stride, sizes, ratios):
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]   # n + m - 1 shapes
    widths = torch.tensor([s / math.sqrt(r) for s, r in pairs])
    heights = torch.tensor([s * math.sqrt(r) for s, r in pairs])
    cy = (torch.arange(grid_h, dtype=torch.float32) + 0.5) * stride
    cx = (torch.arange(grid_w, dtype=torch.float32) + 0.5) * stride
    cy, cx = torch.meshgrid(cy, cx, indexing="ij")            # row by row
    cx, cy = cx.reshape(-1, 1), cy.reshape(-1, 1)
    corners = torch.stack([cx - widths / 2, cy - heights / 2, cx + widths / 2, cy + heights / 2], dim=-1)
    return corners.reshape(-1, 4)

# %% Exercise 4
def _centre_size(boxes):
    return (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2, \
           boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]

def encode_weighted(boxes, anchors, weights=(10.0, 10.0, 5.0, 5.0)):
    wx, wy, ww, wh = weights
    gx, gy, gw, gh = _centre_size(boxes)
    ax, ay, aw, ah = _centre_size(anchors)
    return torch.stack([wx * (gx - ax) / aw, wy * (gy - ay) / ah,
                        ww * torch.log(gw / aw), wh * torch.log(gh / ah)], dim=1)

def decode_weighted(offsets, anchors, weights=(10.0, 10.0, 5.0, 5.0)):
    wx, wy, ww, wh = weights
    ax, ay, aw, ah = _centre_size(anchors)
    cx = ax + offsets[:, 0] / wx * aw
    cy = ay + offsets[:, 1] / wy * ah
    w = aw * torch.exp(offsets[:, 2] / ww)
    h = ah * torch.exp(offsets[:, 3] / wh)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)

# %% Exercise 5
def my_nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True)
    overlaps = ops.box_iou(boxes, boxes)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(int(best))
        rest = order[1:]
        order = rest[overlaps[best, rest] <= iou_threshold]   # only the kept box suppresses
    return torch.tensor(keep, dtype=torch.int64)
