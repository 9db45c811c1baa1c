"""Turn Python values into ``Summary`` messages (as dicts for ``_proto.encode``), the way PyTorch's
``torch/utils/tensorboard/summary.py`` does, so TensorBoard shows the same thing for both writers.
"""
from __future__ import annotations

import io
import math
import numbers
import warnings

import numpy as np

from . import _proto

DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7

# TensorFlow's default histogram buckets (PyTorch's bins="tensorflow"): 0 and +-1e-12 * 1.1**k up to
# 1e20, i.e. exponentially wider buckets away from zero (about 1500 edges).
_positive = []
_v = 1e-12
while _v < 1e20:
    _positive.append(_v)
    _v *= 1.1
DEFAULT_BINS = [-v for v in reversed(_positive)] + [0] + _positive
del _positive, _v


def make_np(x, name: str = "value") -> np.ndarray:
    """An edutorch/PyTorch tensor, NumPy array or Python number as a NumPy array (numbers -> shape (1,),
    as PyTorch's make_np)."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (numbers.Number, np.generic)):
        return np.array([x])
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # edutorch.Tensor or torch.Tensor
        return np.asarray(x.detach().numpy())
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    raise TypeError(f"{name}: expected an edutorch Tensor, a NumPy array or a number, got {type(x).__name__}")


def check_tag(tag, what: str = "tag") -> str:
    if not isinstance(tag, str):
        raise TypeError(f"{what} must be a str, got {type(tag).__name__}: {tag!r}. "
                        f"Pass a name such as 'loss/train' (use str(...) or an f-string).")
    return tag


def _plugin_metadata(plugin_name: str, content: bytes = b"") -> dict:
    return {"plugin_data": {"plugin_name": plugin_name, "content": content}}


# --- scalars ---------------------------------------------------------------------------------------

def scalar(tag: str, value, new_style: bool = False, double_precision: bool = False) -> dict:
    """A ``Summary`` with one scalar: ``simple_value`` (float32), or with ``new_style`` a TensorProto
    tagged with the "scalars" plugin (float32 or, with ``double_precision``, float64)."""
    array = make_np(value, f"add_scalar('{tag}')").squeeze()
    if array.ndim != 0:
        raise ValueError(f"add_scalar('{tag}'): expected one number, got an array of shape "
                         f"{tuple(make_np(value).shape)} ({array.size} elements). Log one element "
                         f"(e.g. loss.item()) or use add_histogram / add_scalars.")
    number = float(array)
    if not math.isfinite(number):
        warnings.warn(f"add_scalar: tag '{tag}' got {number}; it is written as is (TensorBoard plots "
                      f"NaN/inf points as markers and leaves them out of the axis range).", RuntimeWarning,
                      stacklevel=3)
    if not new_style:
        return {"value": [{"tag": tag, "simple_value": number}]}
    tensor = {"double_val": [number], "dtype": DT_DOUBLE} if double_precision else \
        {"float_val": [number], "dtype": DT_FLOAT}
    return {"value": [{"tag": tag, "tensor": tensor, "metadata": _plugin_metadata("scalars")}]}


def tensor_summary(tag: str, tensor) -> dict:
    """``add_tensor``: the whole array in a TensorProto, plugin "tensor"."""
    array = make_np(tensor, f"add_tensor('{tag}')")
    shape = {"dim": [{"size": int(d)} for d in array.shape]}
    kinds = {np.float32: (1, "float_val"), np.float64: (2, "double_val"), np.int32: (3, "int_val"),
             np.uint8: (4, "int_val"), np.int16: (5, "int_val"), np.int8: (6, "int_val"),
             np.int64: (9, "int64_val"), np.bool_: (10, "bool_val")}
    if array.dtype.type not in kinds:
        raise ValueError(f"{tag} has unsupported tensor dtype {array.dtype}")
    dtype, field = kinds[array.dtype.type]
    tensor_proto = {"dtype": dtype, "tensor_shape": shape, field: array.reshape(-1).tolist()}
    return {"value": [{"tag": tag, "metadata": _plugin_metadata("tensor"), "tensor": tensor_proto}]}


# --- histograms ------------------------------------------------------------------------------------

def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts) -> dict:  # noqa: A002
    histo = {"min": float(min), "max": float(max), "num": float(num), "sum": float(sum),
             "sum_squares": float(sum_squares),
             "bucket_limit": make_np(bucket_limits).astype(np.float64).reshape(-1),
             "bucket": make_np(bucket_counts).astype(np.float64).reshape(-1)}
    return {"value": [{"tag": tag, "histo": histo}]}


def histogram(tag: str, values, bins, max_bins=None) -> dict:
    """Bucket ``values`` with ``np.histogram(values, bins)`` (bins: edges, a count or a NumPy rule such
    as "auto"/"fd"), merge to at most ``max_bins`` buckets, keep the non-empty range plus one empty bucket
    on the left, and record min/max/num/sum/sum of squares (PyTorch's make_histogram)."""
    values = make_np(values, f"add_histogram('{tag}')").astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError(f"add_histogram('{tag}'): the input has no element.")
    finite = np.isfinite(values)
    if not finite.all():
        raise ValueError(f"add_histogram('{tag}'): {int((~finite).sum())} of {values.size} values are NaN or "
                         f"infinite; a histogram needs finite values (check for a diverging loss, or pass "
                         f"values[np.isfinite(values)]).")
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        remainder = num_bins % subsampling
        if remainder != 0:
            counts = np.pad(counts, [[0, subsampling - remainder]])
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty(counts.size + 1, limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    # The support: from the first to the last non-empty bucket.
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    # TensorBoard stores right edges only: keep one empty bucket on the left so the left edge shows.
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    histo = {"min": float(values.min()), "max": float(values.max()), "num": float(len(values)),
             "sum": float(values.sum()), "sum_squares": float(values.dot(values)),
             "bucket_limit": np.asarray(limits, dtype=np.float64), "bucket": np.asarray(counts, dtype=np.float64)}
    return {"value": [{"tag": tag, "histo": histo}]}


# --- images ----------------------------------------------------------------------------------------

def _suggest_format(shape: tuple) -> str:
    if len(shape) == 2:
        return "HW"
    if len(shape) == 3:
        return "HWC" if shape[-1] in (1, 3, 4) and shape[0] not in (1, 3, 4) else "CHW"
    if len(shape) == 4:
        return "NHWC" if shape[-1] in (1, 3, 4) and shape[1] not in (1, 3, 4) else "NCHW"
    return "?"


def _format_error(tag: str, shape: tuple, dataformats: str, why: str) -> ValueError:
    hint = _suggest_format(shape)
    fix = (f"pass dataformats='{hint}'" if hint != "?" else "pass an array with 2 to 4 dimensions")
    if len(shape) == 4 and len(dataformats) == 3:
        fix += " to add_images (add_image takes one image; add_images a batch)"
    return ValueError(f"image '{tag}': an array of shape {shape} does not match dataformats='{dataformats}': "
                      f"{why}. For this shape, {fix}.")


def make_grid(images: np.ndarray, ncols: int = 8) -> np.ndarray:
    """(N, C, H, W) with C in {1, 3} -> one (3, rows*H, ncols*W) canvas, images left to right, top down."""
    if images.shape[1] == 1:
        images = np.concatenate([images] * 3, 1)
    n, c, h, w = images.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(n / ncols))
    padded = np.zeros((nrows * ncols, c, h, w), dtype=images.dtype)
    padded[:n] = images
    # (rows, cols, C, H, W) -> (C, rows, H, cols, W): each row of images becomes rows of pixels.
    return padded.reshape(nrows, ncols, c, h, w).transpose(2, 0, 3, 1, 4).reshape(c, nrows * h, ncols * w)


def convert_to_HWC(tag: str, array: np.ndarray, dataformats: str) -> np.ndarray:  # noqa: N802 - PyTorch's name
    """Any of CHW, HWC, HW, WH, NCHW, NHWC... -> an (H, W, C) array with C in {3, 4} (grey repeated)."""
    shape = tuple(array.shape)
    if not isinstance(dataformats, str):
        raise TypeError(f"image '{tag}': dataformats must be a str such as 'CHW', got {dataformats!r}")
    fmt = dataformats.upper()
    if len(set(fmt)) != len(fmt) or not set(fmt) <= set("NCHW") or not {"H", "W"} <= set(fmt):
        raise ValueError(f"image '{tag}': dataformats='{dataformats}' is not a valid layout; use the letters N, C, H, "
                         f"W once each and include H and W (e.g. 'CHW', 'HWC', 'HW', 'NCHW').")
    if len(shape) != len(fmt):
        raise _format_error(tag, shape, dataformats, f"{len(fmt)} dimensions expected, got {len(shape)}")
    if "C" in fmt and shape[fmt.index("C")] not in (1, 3, 4):
        raise _format_error(tag, shape, dataformats,
                            f"C = {shape[fmt.index('C')]} channels, but an image has 1, 3 or 4")
    if len(fmt) == 4:
        if "N" not in fmt or "C" not in fmt:
            raise _format_error(tag, shape, dataformats, "a batch needs N and C")
        nchw = array.transpose([fmt.index(c) for c in "NCHW"])
        if nchw.shape[1] == 4:
            raise _format_error(tag, shape, dataformats, "a grid of RGBA images is not supported (use 1 or 3 channels)")
        return make_grid(nchw).transpose(1, 2, 0)
    if len(fmt) == 3:
        if "C" not in fmt:
            raise _format_error(tag, shape, dataformats, "three dimensions need a C")
        hwc = array.transpose([fmt.index(c) for c in "HWC"])
        return np.concatenate([hwc] * 3, 2) if hwc.shape[2] == 1 else hwc
    hw = array.transpose([fmt.index(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def encode_png(hwc_uint8: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(hwc_uint8).save(buffer, format="PNG")
    return buffer.getvalue()


def image(tag: str, tensor, dataformats: str = "NCHW") -> dict:
    """Floats are taken to be in [0, 1] and scaled by 255, uint8 used as is; then clipped to [0, 255],
    encoded as PNG (Pillow), stored in ``Summary.Image``."""
    array = make_np(tensor, f"add_image('{tag}')")
    array = convert_to_HWC(tag, array, dataformats)
    scale = 1 if array.dtype == np.uint8 else 255
    array = (array.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    height, width, channels = array.shape
    png = encode_png(np.ascontiguousarray(array))
    return {"value": [{"tag": tag, "image": {"height": height, "width": width, "colorspace": channels,
                                             "encoded_image_string": png}}]}


def figure_to_image(figures, close: bool = True) -> np.ndarray:
    """Render matplotlib figure(s) with the Agg canvas to a (3, H, W) uint8 array (or (N, 3, H, W))."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure) -> np.ndarray:
        if close:  # first: a new canvas below detaches the figure from pyplot, which could not close it
            plt.close(figure)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        w, h = canvas.get_width_height()
        return np.moveaxis(data.reshape(h, w, 4)[:, :, :3], 2, 0)

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


def audio(tag: str, tensor, sample_rate: int = 44100) -> dict:
    import wave

    array = make_np(tensor, f"add_audio('{tag}')").squeeze()
    if np.abs(array).max() > 1:
        warnings.warn(f"add_audio('{tag}'): amplitude out of [-1, 1], clipped.", stacklevel=3)
        array = array.clip(-1, 1)
    if array.ndim != 1:
        raise ValueError(f"add_audio('{tag}'): expected a (1, L) or (L,) signal, got shape {make_np(tensor).shape}")
    samples = (array * np.iinfo(np.int16).max).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())
    return {"value": [{"tag": tag, "audio": {"sample_rate": float(sample_rate), "num_channels": 1,
                                             "length_frames": int(samples.shape[-1]),
                                             "encoded_audio_string": buffer.getvalue(),
                                             "content_type": "audio/wav"}}]}


# --- text, pr curves, custom scalars ---------------------------------------------------------------

def text(tag: str, text_string: str) -> dict:
    """Markdown text: a DT_STRING tensor of shape [1] tagged "<tag>/text_summary", plugin "text"."""
    if not isinstance(text_string, str):
        raise TypeError(f"add_text('{tag}'): text_string must be a str, got {type(text_string).__name__}")
    tensor = {"dtype": DT_STRING, "string_val": [text_string.encode("utf-8")],
              "tensor_shape": {"dim": [{"size": 1}]}}
    # TextPluginData(version=0) serializes to no bytes at all.
    return {"value": [{"tag": tag + "/text_summary", "metadata": _plugin_metadata("text"), "tensor": tensor}]}


def compute_curve(labels, predictions, num_thresholds: int, weights=None) -> np.ndarray:
    """(6, num_thresholds): TP, FP, TN, FN, precision, recall at thresholds i / (num_thresholds - 1)."""
    minimum_count = 1e-7
    weights = 1.0 if weights is None else weights
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]  # predictions >= threshold, counted from the top
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def pr_curve_from_data(tag: str, data: np.ndarray, num_thresholds: int) -> dict:
    content = _proto.encode(_proto.PR_CURVE_PLUGIN_DATA, {"version": 0, "num_thresholds": num_thresholds})
    tensor = {"dtype": DT_FLOAT, "float_val": np.asarray(data, dtype=np.float64).reshape(-1),
              "tensor_shape": {"dim": [{"size": int(data.shape[0])}, {"size": int(data.shape[1])}]}}
    return {"value": [{"tag": tag, "metadata": _plugin_metadata("pr_curves", content), "tensor": tensor}]}


def custom_scalars(layout: dict) -> dict:
    categories = []
    for title, charts in layout.items():
        chart_list = []
        for chart_name, (kind, tags) in charts.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise ValueError(f"custom scalars '{chart_name}': a Margin chart needs 3 tags "
                                     f"(value, lower, upper), got {len(tags)}")
                chart_list.append({"title": chart_name,
                                   "margin": {"series": [{"value": tags[0], "lower": tags[1], "upper": tags[2]}]}})
            else:
                chart_list.append({"title": chart_name, "multiline": {"tag": list(tags)}})
        categories.append({"title": title, "chart": chart_list})
    tensor = {"dtype": DT_STRING, "string_val": [_proto.encode(_proto.LAYOUT, {"category": categories})],
              "tensor_shape": {}}
    return {"value": [{"tag": "custom_scalars__config__", "tensor": tensor,
                       "metadata": _plugin_metadata("custom_scalars")}]}


# --- hparams ---------------------------------------------------------------------------------------

HPARAMS_PLUGIN = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
_FLOAT64, _STRING, _BOOL = 3, 1, 2  # hparams DataType
_STATUS_SUCCESS = 1


def _hparams_summary(tag: str, plugin_data: dict) -> dict:
    content = _proto.encode(_proto.HPARAMS_PLUGIN_DATA, {"version": 0, **plugin_data})
    return {"value": [{"tag": tag, "metadata": _plugin_metadata(HPARAMS_PLUGIN, content)}]}


def hparams(hparam_dict: dict, metric_dict: dict, hparam_domain_discrete: dict | None = None):
    """The three summaries of the hparams plugin: Experiment (names and types of the hyperparameters
    and metrics), SessionStartInfo (this run's values) and SessionEndInfo (status SUCCESS).

    As in PyTorch, numbers (and bools, which are ints in Python) are stored as FLOAT64, strings as
    STRING; None values are skipped."""
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                            f"hparam_dict[{k}].")
    infos, values = [], {}
    for k, v in hparam_dict.items():
        check_tag(k, "hparam_dict key")
        if v is None:
            continue
        if hasattr(v, "detach") and hasattr(v, "numpy"):  # a tensor: its first number
            v = float(make_np(v).reshape(-1)[0])
            values[k] = {"number_value": v}
            infos.append({"name": k, "type": _FLOAT64})
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            kind, field = _FLOAT64, "number_value"
            v = float(v)
        elif isinstance(v, str):
            kind, field = _STRING, "string_value"
        else:
            raise ValueError(f"hparam '{k}': value should be one of int, float, str, bool, or a tensor; "
                             f"got {type(v).__name__}")
        values[k] = {field: v}
        info = {"name": k, "type": kind}
        if k in hparam_domain_discrete:
            info["domain_discrete"] = {"values": [{field: float(d) if field == "number_value" else d}
                                                  for d in hparam_domain_discrete[k]]}
        infos.append(info)
    metrics = [{"name": {"tag": check_tag(k, "metric_dict key")}} for k in metric_dict]
    experiment = _hparams_summary(EXPERIMENT_TAG, {"experiment": {"hparam_infos": infos, "metric_infos": metrics}})
    start = _hparams_summary(SESSION_START_INFO_TAG, {"session_start_info": {"hparams": values}})
    end = _hparams_summary(SESSION_END_INFO_TAG, {"session_end_info": {"status": _STATUS_SUCCESS}})
    return experiment, start, end
