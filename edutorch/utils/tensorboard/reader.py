"""Read TensorBoard event files back: runs -> tags -> series of (step, wall time, value).

Reads files written by edutorch, PyTorch's ``torch.utils.tensorboard``, TensorBoard's own writers and
TensorFlow 2 (whose scalars, images and histograms are ``TensorProto``s tagged by a plugin name that
is only given with the first value of each tag). Checksums are verified; a truncated last record
(a writer still writing) is skipped with a warning and read on the next ``reload()``; a corrupt record
is skipped with a warning. Nothing here raises on a damaged file.

Examples::

    from edutorch.utils.tensorboard import read_events
    runs = read_events("runs")                 # {run name: Run}
    loss = runs["exp1"]["loss"]                # a Series
    loss.steps, loss.values                    # NumPy arrays
    runs["exp1"].tags("images")                # tags of one kind

    reader = EventReader("runs")               # for a dashboard that polls
    changed = reader.reload()                  # [(run, tag), ...] that got new points
"""
from __future__ import annotations

import io
import math
import os
import struct
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from . import _proto
from ._events import iter_records

__all__ = ["read_events", "EventReader", "Run", "Series", "Image", "Histogram", "Audio", "Graph", "GraphNode",
           "KINDS"]

#: The kinds of series, named after TensorBoard's dashboards.
KINDS = ("scalars", "images", "histograms", "text", "audio", "pr_curves", "tensors")


@dataclass
class Image:
    """An encoded image (PNG, JPEG or GIF bytes) and its size. ``to_array()`` decodes it with Pillow."""

    width: int
    height: int
    colorspace: int
    encoded: bytes = field(repr=False)

    def to_array(self) -> np.ndarray:
        """(H, W, C) uint8 pixels."""
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(self.encoded)) as img:
            if img.mode not in ("L", "RGB", "RGBA"):  # palette, grey+alpha, 16-bit ...
                img = img.convert("RGBA" if "A" in img.mode or "transparency" in img.info else "RGB")
            return np.asarray(img)


@dataclass
class Histogram:
    """A histogram as TensorBoard stores it: bucket ``i`` counts values in
    (bucket_limits[i-1], bucket_limits[i]]; the first bucket's left edge is ``min``."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limits: np.ndarray
    bucket_counts: np.ndarray


@dataclass
class Audio:
    sample_rate: float
    num_channels: int
    length_frames: int
    content_type: str
    encoded: bytes = field(repr=False)


@dataclass
class GraphNode:
    """One node of a GraphDef: ``inputs`` are node names ("name" or "name:k" for output k)."""

    name: str
    op: str
    inputs: list
    output_shapes: list  # one tuple per output; None where unknown
    attr: dict  # other string attributes, decoded


@dataclass
class Graph:
    nodes: list

    def node(self, name: str) -> GraphNode:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)


class Series:
    """The points of one tag in one run, in file order: ``steps`` (int64 array), ``wall_times``
    (float64 array, seconds since 1970) and ``values``: a float64 array for scalars, a list otherwise
    (``Image``, ``Histogram``, ``str`` for text, ``np.ndarray`` for pr_curves/tensors, ``Audio``)."""

    def __init__(self, tag: str, kind: str):
        self.tag, self.kind = tag, kind
        self._steps: list = []
        self._wall_times: list = []
        self._values: list = []
        self._cache = None

    def _append(self, step: int, wall_time: float, value) -> None:
        self._steps.append(step)
        self._wall_times.append(wall_time)
        self._values.append(value)
        self._cache = None

    def _purge(self, step: int) -> int:
        """Drop the points with step >= ``step`` (a restart from a checkpoint); returns how many."""
        keep = [i for i, s in enumerate(self._steps) if s < step]
        dropped = len(self._steps) - len(keep)
        if dropped:
            self._steps = [self._steps[i] for i in keep]
            self._wall_times = [self._wall_times[i] for i in keep]
            self._values = [self._values[i] for i in keep]
            self._cache = None
        return dropped

    def _arrays(self):
        if self._cache is None:
            values = np.array(self._values, dtype=np.float64) if self.kind == "scalars" else list(self._values)
            self._cache = (np.array(self._steps, dtype=np.int64), np.array(self._wall_times, dtype=np.float64), values)
        return self._cache

    @property
    def steps(self) -> np.ndarray:
        return self._arrays()[0]

    @property
    def wall_times(self) -> np.ndarray:
        return self._arrays()[1]

    @property
    def values(self):
        return self._arrays()[2]

    def __len__(self) -> int:
        return len(self._steps)

    def last(self):
        """``(step, wall_time, value)`` of the last point, or None when empty."""
        if not self._steps:
            return None
        return self._steps[-1], self._wall_times[-1], self._values[-1]

    def __repr__(self) -> str:
        span = f", steps {self._steps[0]}..{self._steps[-1]}" if self._steps else ""
        return f"Series({self.tag!r}, kind={self.kind!r}, {len(self)} points{span})"


class Run(Mapping):
    """One run (a directory with event files): a mapping tag -> ``Series``, plus run-level data:
    ``graph`` (a ``Graph`` or None), ``hparams`` ({name: value} or None), ``hparams_metrics``
    (metric tags of an hparams experiment), ``files`` (event file paths) and ``path``."""

    def __init__(self, name: str, path: str):
        self.name, self.path = name, path
        self.series: dict[str, Series] = {}
        self.graph: Graph | None = None
        self.hparams: dict | None = None
        self.hparams_metrics: list = []
        self.files: list[str] = []
        self._plugins: dict[str, str] = {}  # tag -> plugin name given with its first value

    def __getitem__(self, tag: str) -> Series:
        return self.series[tag]

    def __iter__(self):
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)

    def tags(self, kind: str | None = None) -> list:
        """Tags, sorted, optionally only those of one kind (see ``KINDS``)."""
        return sorted(t for t, s in self.series.items() if kind is None or s.kind == kind)

    def _series(self, tag: str, kind: str) -> Series:
        s = self.series.get(tag)
        if s is None:
            s = self.series[tag] = Series(tag, kind)
        return s

    def __repr__(self) -> str:
        kinds = {}
        for s in self.series.values():
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        extra = ", graph" if self.graph is not None else ""
        return f"Run({self.name!r}, {dict(sorted(kinds.items()))}{extra})"


# ---------------------------------------------------------------------------------------------------
# Decoding one event
# ---------------------------------------------------------------------------------------------------

_NUMPY_DTYPES = {1: "<f4", 2: "<f8", 3: "<i4", 4: "u1", 5: "<i2", 6: "i1", 9: "<i8", 10: "?", 19: "<f2",
                 22: "<u4", 23: "<u8", 17: "<u2"}
_VALUE_FIELDS = {1: "float_val", 2: "double_val", 3: "int_val", 4: "int_val", 5: "int_val", 6: "int_val",
                 9: "int64_val", 10: "bool_val", 17: "int_val", 22: "uint32_val", 23: "uint64_val"}


def tensor_to_numpy(tensor: dict) -> np.ndarray:
    """A decoded TensorProto as a NumPy array (strings as a bytes object array)."""
    dtype = tensor.get("dtype", 0)
    shape = tuple(d.get("size", 0) for d in tensor.get("tensor_shape", {}).get("dim", []))
    size = int(np.prod(shape)) if shape else 1
    if dtype == 7:  # DT_STRING
        values = np.array(tensor.get("string_val", []), dtype=object)
    elif tensor.get("tensor_content"):
        values = np.frombuffer(tensor["tensor_content"], dtype=_NUMPY_DTYPES.get(dtype, "<f4"))
    elif dtype == 19:  # DT_HALF: stored as the bits in half_val
        values = np.array(tensor.get("half_val", []), dtype=np.uint16).view(np.float16)
    else:
        values = np.asarray(tensor.get(_VALUE_FIELDS.get(dtype, "float_val"), []))
        if dtype in _NUMPY_DTYPES:
            values = values.astype(_NUMPY_DTYPES[dtype])
    if values.size == 1 and size > 1:  # TensorFlow stores a constant tensor as one value
        values = np.full(size, values[0], dtype=values.dtype)
    if values.size != size:
        return values
    return values.reshape(shape)


def _histogram_from_tensor(array: np.ndarray) -> Histogram:
    """TF2 histograms: a (k, 3) tensor of [left edge, right edge, count] per bucket."""
    array = np.asarray(array, dtype=np.float64).reshape(-1, 3)
    if array.size == 0:
        return Histogram(0.0, 0.0, 0.0, 0.0, 0.0, np.zeros(0), np.zeros(0))
    left, right, counts = array.T
    centers = (left + right) / 2  # TF2 keeps no exact sums: estimate from the bucket centres
    return Histogram(float(left[0]), float(right[-1]), float(counts.sum()), float((centers * counts).sum()),
                     float((centers ** 2 * counts).sum()), right.copy(), counts.copy())


def _graph_from_bytes(data: bytes) -> Graph:
    graph = _proto.decode(_proto.GRAPH_DEF, data)
    nodes = []
    for n in graph.get("node", []):
        attrs = n.get("attr", {})
        shapes = []
        for s in attrs.get("_output_shapes", {}).get("list", {}).get("shape", []):
            shapes.append(None if s.get("unknown_rank") else tuple(d.get("size", 0) for d in s.get("dim", [])))
        other = {}
        for k, v in attrs.items():
            if k != "_output_shapes" and "s" in v:
                other[k] = v["s"].decode("utf-8", errors="replace")
        nodes.append(GraphNode(n.get("name", ""), n.get("op", ""), list(n.get("input", [])), shapes, other))
    return Graph(nodes)


def _value_py(v: dict):
    """google.protobuf.Value -> a Python value."""
    for key in ("number_value", "string_value", "bool_value"):
        if key in v:
            return v[key]
    if "list_value" in v:
        return [_value_py(x) for x in v["list_value"].get("values", [])]
    return None


def _add_summary_value(run: Run, value: dict, step: int, wall_time: float, changed: set) -> None:
    tag = value.get("tag", "")
    metadata = value.get("metadata", {})
    plugin_data = metadata.get("plugin_data", {})
    plugin = plugin_data.get("plugin_name")
    if plugin:
        run._plugins.setdefault(tag, plugin)
    else:
        plugin = run._plugins.get(tag, "")

    def add(kind: str, item, name: str = tag) -> None:
        run._series(name, kind)._append(step, wall_time, item)
        changed.add((run.name, name))

    if plugin == "hparams":
        data = _proto.decode(_proto.HPARAMS_PLUGIN_DATA, plugin_data.get("content", b""))
        if "session_start_info" in data:
            hp = data["session_start_info"].get("hparams", {})
            run.hparams = {k: _value_py(v) for k, v in hp.items()}
        if "experiment" in data:
            run.hparams_metrics = [m.get("name", {}).get("tag", "") for m in data["experiment"].get("metric_infos", [])]
        changed.add((run.name, tag))
        return
    if "simple_value" in value:
        add("scalars", value["simple_value"])
    elif "image" in value:
        im = value["image"]
        add("images", Image(im.get("width", 0), im.get("height", 0), im.get("colorspace", 0),
                            im.get("encoded_image_string", b"")))
    elif "histo" in value:
        h = value["histo"]
        add("histograms", Histogram(h.get("min", 0.0), h.get("max", 0.0), h.get("num", 0.0), h.get("sum", 0.0),
                                    h.get("sum_squares", 0.0), h.get("bucket_limit", np.zeros(0)),
                                    h.get("bucket", np.zeros(0))))
    elif "audio" in value:
        a = value["audio"]
        add("audio", Audio(a.get("sample_rate", 0.0), a.get("num_channels", 0), a.get("length_frames", 0),
                           a.get("content_type", ""), a.get("encoded_audio_string", b"")))
    elif "tensor" in value:
        array = tensor_to_numpy(value["tensor"])
        if plugin == "scalars":
            add("scalars", float(np.asarray(array, dtype=np.float64).reshape(-1)[0]) if array.size else math.nan)
        elif plugin == "text":
            strings = [s.decode("utf-8", errors="replace") for s in np.asarray(array).reshape(-1)]
            add("text", strings[0] if len(strings) == 1 else "\n".join(strings))
        elif plugin == "images":  # TF2: [width, height, image 1, image 2, ...] as strings
            items = list(np.asarray(array).reshape(-1))
            if len(items) >= 3:
                w, h = int(items[0]), int(items[1])
                for k, encoded in enumerate(items[2:]):
                    add("images", Image(w, h, 0, bytes(encoded)), tag if k == 0 else f"{tag}/image/{k}")
        elif plugin == "histograms":
            add("histograms", _histogram_from_tensor(array))
        elif plugin == "pr_curves":
            add("pr_curves", np.asarray(array, dtype=np.float64))
        elif plugin == "custom_scalars":
            changed.add((run.name, tag))
        else:
            add("tensors", array)


def _apply_event(run: Run, event: dict, changed: set) -> None:
    step = event.get("step", 0)
    wall_time = event.get("wall_time", 0.0)
    if "summary" in event:
        for value in event["summary"].get("value", []):
            _add_summary_value(run, value, step, wall_time, changed)
    elif "graph_def" in event:
        run.graph = _graph_from_bytes(event["graph_def"])
        changed.add((run.name, "__graph__"))
    elif event.get("session_log", {}).get("status") == 1:  # START: a restart at `step`; hide later steps
        for tag, series in run.series.items():
            if series._purge(step):
                changed.add((run.name, tag))


# ---------------------------------------------------------------------------------------------------
# Files and directories
# ---------------------------------------------------------------------------------------------------

def _is_event_file(name: str) -> bool:
    return "tfevents" in name


class EventReader:
    """Reads every event file under ``logdir`` and keeps reading where it stopped.

    ``reload()`` reads what was appended since the last call (new files too) and returns the sorted
    ``(run, tag)`` pairs that changed (``(run, "__graph__")`` for a new graph). ``runs`` maps run name
    (the directory relative to ``logdir``, "." for ``logdir`` itself) to ``Run``.

    Args:
        logdir: a directory (searched recursively) or one event file.
        verify_crc: check each record's checksums (skip those that fail).
        warn: warn about truncated (once per file position) and corrupt records.
    """

    def __init__(self, logdir, verify_crc: bool = True, warn: bool = True):
        self.logdir = os.fspath(logdir)
        self.verify_crc = verify_crc
        self.warn = warn
        self.runs: dict[str, Run] = {}
        self._offsets: dict[str, int] = {}  # file path -> position after its last whole record
        self._warned: set = set()
        self.problems: list = []  # (path, RecordProblem) met so far

    def _event_files(self) -> list[tuple[str, str]]:
        """(run name, path) of every event file, runs and files in sorted order."""
        if os.path.isfile(self.logdir):
            return [(".", self.logdir)]
        found = []
        for dirpath, dirnames, filenames in os.walk(self.logdir):
            dirnames.sort()
            run = os.path.relpath(dirpath, self.logdir).replace(os.sep, "/")
            found.extend((run, os.path.join(dirpath, f)) for f in sorted(filenames) if _is_event_file(f))
        return found

    def reload(self) -> list:
        changed: set = set()
        for run_name, path in self._event_files():
            run = self.runs.get(run_name)
            if run is None:
                run_path = self.logdir if run_name == "." else os.path.join(self.logdir, run_name)
                run = self.runs[run_name] = Run(run_name, run_path)
            if path not in run.files:
                run.files.append(path)
            self._read_file(run, path, changed)
        return sorted(changed)

    def _read_file(self, run: Run, path: str, changed: set) -> None:
        offset = self._offsets.get(path, 0)
        try:
            if os.path.getsize(path) <= offset:
                return
            problems: list = []
            with open(path, "rb") as f:
                for offset, data in iter_records(f, offset, self.verify_crc, problems):
                    try:
                        event = _proto.decode(_proto.EVENT, data)
                        _apply_event(run, event, changed)
                    except (ValueError, KeyError, IndexError, TypeError, struct.error) as exc:
                        self._report(path, "corrupt", offset, f"undecodable event skipped ({exc})")
            self._offsets[path] = offset
        except OSError as exc:  # removed or unreadable while we looked
            self._report(path, "unreadable", offset, str(exc))
            return
        for p in problems:
            self._report(path, p.kind, p.offset, p.message)

    def _report(self, path: str, kind: str, offset: int, message: str) -> None:
        key = (path, kind, offset)
        if key in self._warned:
            return
        self._warned.add(key)
        self.problems.append((path, kind, offset, message))
        if self.warn:
            what = {"truncated": "the last record is incomplete (a writer may still be writing it); it is "
                                 "skipped for now"}.get(kind, message)
            warnings.warn(f"{path}: {what} [{kind} at byte {offset}: {message}]", RuntimeWarning, stacklevel=4)


def read_events(logdir, verify_crc: bool = True, warn: bool = True) -> dict:
    """Read all event files under ``logdir`` once: ``{run name: Run}``, sorted by run name.

    ``runs[run][tag]`` is a ``Series`` with ``steps``, ``wall_times``, ``values`` and ``kind``;
    ``runs[run].graph``, ``.hparams`` hold run-level data. See ``EventReader`` to poll for new data."""
    reader = EventReader(logdir, verify_crc=verify_crc, warn=warn)
    reader.reload()
    return dict(sorted(reader.runs.items()))
