# Common wrong answers to the exercises of lesson 17: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: *half* the size
def xyxy_to_cxcywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(dim=1)
    return torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=1)

def cxcywh_to_xyxy(boxes):
    cx, cy, w, h = boxes.unbind(dim=1)
    return torch.stack([cx - w, cy - h, cx + w, cy + h], dim=1)

# %% Exercise 2: Clamp them at 0
def iou(boxes1, boxes2):
    top_left = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    bottom_right = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = bottom_right - top_left
    inter = wh[..., 0] * wh[..., 1]
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    return inter / (area1[:, None] + area2[None, :] - inter)

# %% Exercise 3: centred on the cells' top-left corners
def ssd_anchors(grid_h, grid_w, stride, sizes, ratios):
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    widths = torch.tensor([s / math.sqrt(r) for s, r in pairs])
    heights = torch.tensor([s * math.sqrt(r) for s, r in pairs])
    cy = torch.arange(grid_h, dtype=torch.float32) * stride
    cx = torch.arange(grid_w, dtype=torch.float32) * stride
    cy, cx = torch.meshgrid(cy, cx, indexing="ij")
    cx, cy = cx.reshape(-1, 1), cy.reshape(-1, 1)
    return torch.stack([cx - widths / 2, cy - heights / 2, cx + widths / 2, cy + heights / 2], dim=-1).reshape(-1, 4)

# %% Exercise 4: decoding *divides*
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
    cx, cy = ax + offsets[:, 0] * wx * aw, ay + offsets[:, 1] * wy * ah
    w, h = aw * torch.exp(offsets[:, 2] * ww), ah * torch.exp(offsets[:, 3] * wh)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1)

# %% Exercise 5: Only boxes you *keep* suppress others
def my_nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True).tolist()
    overlaps = ops.box_iou(boxes, boxes)
    keep = []
    for rank, i in enumerate(order):
        if all(overlaps[i, j] <= iou_threshold for j in order[:rank]):
            keep.append(i)
    return torch.tensor(keep, dtype=torch.int64)
