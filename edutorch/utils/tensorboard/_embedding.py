"""``add_embedding``: the files of TensorBoard's Projector, laid out as PyTorch lays them out::

    <log_dir>/projector_config.pbtxt          one `embeddings { ... }` block per add_embedding call
    <log_dir>/<step:05d>/<tag>/tensors.tsv    one row per point, tab-separated numbers
                               metadata.tsv   one label per line (or a header line + columns)
                               sprite.png     the label images in a square grid
"""
from __future__ import annotations

import math
import os

import numpy as np

from ._summary import encode_png, make_grid


def encode_tag(tag: str) -> str:
    """Make a tag safe as one directory name (PyTorch's SummaryWriter._encode)."""
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def write_tensors(mat: np.ndarray, save_path: str) -> None:
    # str() of each number as a Python float: the same text PyTorch writes.
    rows = ("\t".join(map(str, row)) for row in mat.tolist())
    with open(os.path.join(save_path, "tensors.tsv"), "wb") as f:
        f.write("".join(r + "\n" for r in rows).encode("utf-8"))


def write_metadata(metadata, save_path: str, metadata_header=None) -> None:
    if not metadata_header:
        lines = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise ValueError(f"add_embedding: metadata_header has {len(metadata_header)} columns but each "
                             f"metadata row has {len(metadata[0])}")
        lines = ["\t".join(str(e) for e in row) for row in [metadata_header] + list(metadata)]
    with open(os.path.join(save_path, "metadata.tsv"), "wb") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))


def write_sprite(label_img: np.ndarray, save_path: str) -> None:
    """Images (N, C, H, W) in [0, 1] -> a square grid of ceil(sqrt(N)) columns, as one PNG."""
    nrow = math.ceil(label_img.shape[0] ** 0.5)
    grid_chw = make_grid(label_img, ncols=nrow)
    square = np.zeros((grid_chw.shape[2], grid_chw.shape[2], 3))  # the Projector expects a square sprite
    grid_hwc = grid_chw.transpose(1, 2, 0)
    square[:grid_hwc.shape[0]] = grid_hwc
    with open(os.path.join(save_path, "sprite.png"), "wb") as f:
        f.write(encode_png(np.uint8((square * 255).clip(0, 255))))


def _pbtxt_string(s: str) -> str:
    """A string in protobuf text format: quotes, backslashes and non-ASCII bytes escaped (octal)."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c in "\"'\\":
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def projector_config_pbtxt(embeddings: list[dict]) -> str:
    """ProjectorConfig in text format, fields in number order: tensor_name (1), metadata_path (2),
    sprite (5: image_path 1, single_image_dim 2), tensor_path (6)."""
    lines = []
    for e in embeddings:
        lines.append("embeddings {")
        lines.append(f"  tensor_name: {_pbtxt_string(e['tensor_name'])}")
        if e.get("metadata_path"):
            lines.append(f"  metadata_path: {_pbtxt_string(e['metadata_path'])}")
        if e.get("sprite"):
            lines.append("  sprite {")
            lines.append(f"    image_path: {_pbtxt_string(e['sprite']['image_path'])}")
            lines.extend(f"    single_image_dim: {d}" for d in e["sprite"]["single_image_dim"])
            lines.append("  }")
        lines.append(f"  tensor_path: {_pbtxt_string(e['tensor_path'])}")
        lines.append("}")
    return "".join(line + "\n" for line in lines)
