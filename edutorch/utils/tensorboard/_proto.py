"""The few protocol-buffer messages of a TensorBoard event file, encoded and decoded by hand.

A protobuf message is a flat list of *fields*. Each field starts with a **key** varint,
``(field_number << 3) | wire_type``, followed by the value in one of four wire types:

====  ================  ==============================================================
wire  name              value bytes
====  ================  ==============================================================
0     varint            7 bits per byte, low bits first; the top bit says "more bytes follow"
                        (int32/int64/uint32/bool/enum; a negative int is 10 bytes, two's complement)
1     fixed64           8 little-endian bytes (double)
2     length-delimited  a varint length, then that many bytes (string, bytes, a nested message,
                        or a *packed* repeated number field: the numbers back to back)
5     fixed32           4 little-endian bytes (float)
====  ================  ==============================================================

So ``Event(wall_time=1.5, step=3)`` is ``09 00 00 00 00 00 00 f8 3f 10 03``: key ``09`` = field 1,
wire 1 (a double) followed by 1.5 as 8 bytes; key ``10`` = field 2, wire 0, then the varint 3.

Each message below is a ``Message`` whose table maps field numbers to ``Field(name, kind)``; the same
table drives ``encode(message, dict)`` and ``decode(message, bytes)``. The numbers are those of
TensorBoard's ``.proto`` files (tensorboard/compat/proto/*.proto and the plugins' protos), which is
what makes our files readable by TensorBoard. Rules we follow, as proto3 does:

- a scalar field equal to its default (0, 0.0, "", b"", False) is not written, unless it belongs to a
  ``oneof`` (``Summary.Value.simple_value`` = 0.0 must be written, or the value would vanish);
- a nested message is written whenever it is given, even empty;
- repeated numbers are *packed* (one length-delimited field); the decoder accepts both forms;
- fields are written in field-number order (what the official encoder does, so bytes compare equal).
"""
from __future__ import annotations

import struct

import numpy as np

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5

# kind -> (wire type, NumPy dtype of a packed array or None)
_SCALAR_KINDS = {
    "double": (FIXED64, "<f8"), "float": (FIXED32, "<f4"),
    "int64": (VARINT, None), "int32": (VARINT, None), "uint32": (VARINT, None), "uint64": (VARINT, None),
    "enum": (VARINT, None), "bool": (VARINT, None),
    "string": (LENGTH_DELIMITED, None), "bytes": (LENGTH_DELIMITED, None),
}


# ---------------------------------------------------------------------------------------------------
# The wire format
# ---------------------------------------------------------------------------------------------------

def encode_varint(value: int) -> bytes:
    """7 bits per byte, least significant first; negative numbers as 64-bit two's complement."""
    value = int(value)
    if value < 0:
        value += 1 << 64
    if value < 0x80:  # most keys, lengths and steps: one byte
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read a varint at ``pos``: returns ``(value, position after it)``. Raises ValueError if cut."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")


def _key(number: int, wire_type: int) -> bytes:
    return encode_varint((number << 3) | wire_type)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _key(number, LENGTH_DELIMITED) + encode_varint(len(payload)) + payload


def iter_fields(data: bytes):
    """Yield ``(field_number, wire_type, value)``: an int for varints, bytes for the other wire types."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = decode_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            value, pos = decode_varint(data, pos)
        elif wire == FIXED64:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == FIXED32:
            value, pos = data[pos:pos + 4], pos + 4
        elif wire == LENGTH_DELIMITED:
            length, pos = decode_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        else:
            raise ValueError(f"unsupported wire type {wire} (field {number})")
        if pos > end:
            raise ValueError(f"field {number} runs past the end of the message")
        yield number, wire, value


# ---------------------------------------------------------------------------------------------------
# Messages as tables
# ---------------------------------------------------------------------------------------------------

class Field:
    """One field: its name, its kind (a scalar kind above, a ``Message``, or ``("map", key, value)``),
    whether it is repeated and whether it belongs to a ``oneof`` (then it is written even when 0)."""

    __slots__ = ("name", "kind", "repeated", "oneof")

    def __init__(self, name: str, kind, repeated: bool = False, oneof: bool = False):
        self.name, self.kind, self.repeated, self.oneof = name, kind, repeated, oneof


class Message:
    """A message type: a name and a table ``{field_number: Field}`` (filled in after creation for the
    two recursive messages, google.protobuf.Value and ListValue)."""

    def __init__(self, name: str, fields: dict | None = None):
        self.name = name
        self.fields: dict[int, Field] = {}
        self.by_name: dict[str, tuple[int, Field]] = {}
        if fields:
            self.set_fields(fields)

    def set_fields(self, fields: dict) -> None:
        self.fields = dict(sorted(fields.items()))
        self.by_name = {f.name: (n, f) for n, f in self.fields.items()}

    def __repr__(self) -> str:
        return f"Message({self.name})"


def _encode_scalar(number: int, kind: str, value) -> bytes:
    if kind == "double":
        return _key(number, FIXED64) + struct.pack("<d", value)
    if kind == "float":
        return _key(number, FIXED32) + struct.pack("<f", value)
    if kind == "string":
        return _length_delimited(number, value.encode("utf-8") if isinstance(value, str) else bytes(value))
    if kind == "bytes":
        return _length_delimited(number, bytes(value))
    return _key(number, VARINT) + encode_varint(int(value))  # ints, enums, bools


def _encode_packed(number: int, kind: str, values) -> bytes:
    wire, dtype = _SCALAR_KINDS[kind]
    if dtype is not None:  # doubles / floats: one NumPy call for the whole array
        payload = np.asarray(values, dtype=dtype).tobytes()
    else:
        payload = b"".join(encode_varint(int(v)) for v in values)
    return _length_delimited(number, payload)


def encode(message: Message, values: dict) -> bytes:
    """Serialize ``values`` (a dict keyed by field name) as ``message``. Unknown names raise KeyError."""
    unknown = set(values) - set(message.by_name)
    if unknown:
        raise KeyError(f"{message.name} has no field(s) {sorted(unknown)}")
    out = []
    for number, field in message.fields.items():
        value = values.get(field.name)
        if value is None:
            continue
        kind = field.kind
        if isinstance(kind, tuple):  # map<key, value>: repeated entries {1: key, 2: value}
            _, key_kind, value_kind = kind
            for k, v in value.items():
                entry = _encode_scalar(1, key_kind, k) + (
                    _length_delimited(2, encode(value_kind, v)) if isinstance(value_kind, Message)
                    else _encode_scalar(2, value_kind, v))
                out.append(_length_delimited(number, entry))
        elif isinstance(kind, Message):
            for item in (value if field.repeated else (value,)):
                out.append(_length_delimited(number, encode(kind, item)))
        elif field.repeated:
            if len(value) == 0:
                continue
            if kind in ("string", "bytes"):  # never packed
                out.extend(_encode_scalar(number, kind, v) for v in value)
            else:
                out.append(_encode_packed(number, kind, value))
        else:
            if not field.oneof and not value and not (isinstance(value, float) and np.signbit(value)):
                continue  # proto3: defaults are not written
            out.append(_encode_scalar(number, kind, value))
    return b"".join(out)


def _decode_scalar(kind: str, wire: int, raw):
    if kind == "double":
        return struct.unpack("<d", raw)[0]
    if kind == "float":
        return struct.unpack("<f", raw)[0]
    if kind == "string":
        return bytes(raw).decode("utf-8", errors="replace")
    if kind == "bytes":
        return bytes(raw)
    if kind == "bool":
        return bool(raw)
    if kind in ("int64", "int32") and raw >= 1 << 63:
        return raw - (1 << 64)
    return raw


def _decode_repeated_numbers(kind: str, wire: int, raw) -> list:
    """A packed run (wire 2) or one unpacked element of a repeated number field, as a list of pieces."""
    dtype = _SCALAR_KINDS[kind][1]
    if wire != LENGTH_DELIMITED:
        return [_decode_scalar(kind, wire, raw)]
    if dtype is not None:  # packed doubles/floats: one NumPy view, joined into one array by decode()
        return [np.frombuffer(raw, dtype=dtype)]
    values, pos = [], 0
    while pos < len(raw):
        v, pos = decode_varint(raw, pos)
        values.append(_decode_scalar(kind, VARINT, v))
    return values


def decode(message: Message, data: bytes) -> dict:
    """Parse ``data`` as ``message`` into a dict keyed by field name. Unknown fields are skipped.

    Repeated doubles/floats come back as a NumPy float64 array (histogram buckets can be long);
    other repeated fields as lists; absent fields are absent from the dict (use ``.get``)."""
    out: dict = {}
    for number, wire, raw in iter_fields(data):
        field = message.fields.get(number)
        if field is None:
            continue
        kind = field.kind
        if isinstance(kind, tuple):
            _, key_kind, value_kind = kind
            entry = {n: (w, r) for n, w, r in iter_fields(raw)}
            key = _decode_scalar(key_kind, *entry[1]) if 1 in entry else _default(key_kind)
            if isinstance(value_kind, Message):
                value = decode(value_kind, entry[2][1]) if 2 in entry else {}
            else:
                value = _decode_scalar(value_kind, *entry[2]) if 2 in entry else _default(value_kind)
            out.setdefault(field.name, {})[key] = value
        elif isinstance(kind, Message):
            value = decode(kind, raw)
            if field.repeated:
                out.setdefault(field.name, []).append(value)
            else:
                out[field.name] = value
        elif field.repeated:
            if kind in ("string", "bytes"):
                out.setdefault(field.name, []).append(_decode_scalar(kind, wire, raw))
            else:
                out.setdefault(field.name, []).extend(_decode_repeated_numbers(kind, wire, raw))
        else:
            out[field.name] = _decode_scalar(kind, wire, raw)
    # Repeated doubles/floats: one array (the packed runs may have arrived in pieces).
    for number, field in message.fields.items():
        if field.repeated and field.kind in ("double", "float") and field.name in out:
            parts = out[field.name]
            out[field.name] = (np.concatenate([np.atleast_1d(np.asarray(p, dtype=np.float64)) for p in parts])
                               if parts else np.zeros(0))
    return out


def _default(kind: str):
    return {"string": "", "bytes": b"", "bool": False, "double": 0.0, "float": 0.0}.get(kind, 0)


# ---------------------------------------------------------------------------------------------------
# The messages (field numbers from TensorBoard's .proto files)
# ---------------------------------------------------------------------------------------------------

#: tensor_shape.proto — TensorShapeProto.Dim: 1 size (int64), 2 name (string)
DIM = Message("tensorboard.TensorShapeProto.Dim", {1: Field("size", "int64"), 2: Field("name", "string")})
#: TensorShapeProto: 2 dim (repeated Dim), 3 unknown_rank (bool). A scalar has no dims.
TENSOR_SHAPE = Message("tensorboard.TensorShapeProto", {
    2: Field("dim", DIM, repeated=True), 3: Field("unknown_rank", "bool")})

#: tensor.proto — TensorProto: 1 dtype (enum DataType: 1 DT_FLOAT, 2 DT_DOUBLE, 3 DT_INT32, 4 DT_UINT8,
#: 7 DT_STRING, 9 DT_INT64, 10 DT_BOOL), 2 tensor_shape, 4 tensor_content (raw little-endian bytes),
#: 5 float_val, 6 double_val, 7 int_val, 8 string_val, 10 int64_val, 11 bool_val (all repeated, packed).
#: TF2 writers put scalars in tensor_content or float_val; text goes in string_val.
TENSOR = Message("tensorboard.TensorProto", {
    1: Field("dtype", "enum"), 2: Field("tensor_shape", TENSOR_SHAPE), 3: Field("version_number", "int32"),
    4: Field("tensor_content", "bytes"), 5: Field("float_val", "float", repeated=True),
    6: Field("double_val", "double", repeated=True), 7: Field("int_val", "int32", repeated=True),
    8: Field("string_val", "bytes", repeated=True), 10: Field("int64_val", "int64", repeated=True),
    11: Field("bool_val", "bool", repeated=True), 13: Field("half_val", "int32", repeated=True),
    16: Field("uint32_val", "uint32", repeated=True), 17: Field("uint64_val", "uint64", repeated=True)})

#: summary.proto — HistogramProto: 1 min, 2 max, 3 num, 4 sum, 5 sum_squares (doubles),
#: 6 bucket_limit (packed doubles: the right edge of each bucket), 7 bucket (packed doubles: counts).
HISTOGRAM = Message("tensorboard.HistogramProto", {
    1: Field("min", "double"), 2: Field("max", "double"), 3: Field("num", "double"), 4: Field("sum", "double"),
    5: Field("sum_squares", "double"), 6: Field("bucket_limit", "double", repeated=True),
    7: Field("bucket", "double", repeated=True)})

#: Summary.Image: 1 height, 2 width, 3 colorspace (1 grey, 3 RGB, 4 RGBA) (int32), 4 encoded_image_string (PNG)
IMAGE = Message("tensorboard.Summary.Image", {
    1: Field("height", "int32"), 2: Field("width", "int32"), 3: Field("colorspace", "int32"),
    4: Field("encoded_image_string", "bytes")})

#: Summary.Audio: 1 sample_rate (float), 2 num_channels, 3 length_frames (int64), 4 encoded_audio_string,
#: 5 content_type (string)
AUDIO = Message("tensorboard.Summary.Audio", {
    1: Field("sample_rate", "float"), 2: Field("num_channels", "int64"), 3: Field("length_frames", "int64"),
    4: Field("encoded_audio_string", "bytes"), 5: Field("content_type", "string")})

#: SummaryMetadata.PluginData: 1 plugin_name (string: "scalars", "text", "hparams", ...), 2 content (bytes,
#: the plugin's own serialized message)
PLUGIN_DATA = Message("tensorboard.SummaryMetadata.PluginData", {
    1: Field("plugin_name", "string"), 2: Field("content", "bytes")})
#: SummaryMetadata: 1 plugin_data, 2 display_name, 3 summary_description (strings), 4 data_class (enum)
SUMMARY_METADATA = Message("tensorboard.SummaryMetadata", {
    1: Field("plugin_data", PLUGIN_DATA), 2: Field("display_name", "string"),
    3: Field("summary_description", "string"), 4: Field("data_class", "enum")})

#: Summary.Value: 1 tag (string), 7 node_name, 9 metadata, and one of: 2 simple_value (float: the classic
#: scalar), 4 image, 5 histo, 6 audio, 8 tensor.
SUMMARY_VALUE = Message("tensorboard.Summary.Value", {
    1: Field("tag", "string"), 2: Field("simple_value", "float", oneof=True), 4: Field("image", IMAGE),
    5: Field("histo", HISTOGRAM), 6: Field("audio", AUDIO), 7: Field("node_name", "string"),
    8: Field("tensor", TENSOR), 9: Field("metadata", SUMMARY_METADATA)})
#: Summary: 1 value (repeated Summary.Value)
SUMMARY = Message("tensorboard.Summary", {1: Field("value", SUMMARY_VALUE, repeated=True)})

#: event.proto — SessionLog: 1 status (enum: 1 START, 2 STOP, 3 CHECKPOINT), 2 checkpoint_path, 3 msg.
#: A START at step s tells readers to drop what was logged at steps >= s (that is how purge_step works).
SESSION_LOG = Message("tensorboard.SessionLog", {
    1: Field("status", "enum"), 2: Field("checkpoint_path", "string"), 3: Field("msg", "string")})
#: TaggedRunMetadata: 1 tag (string), 2 run_metadata (bytes: a serialized RunMetadata)
TAGGED_RUN_METADATA = Message("tensorboard.TaggedRunMetadata", {
    1: Field("tag", "string"), 2: Field("run_metadata", "bytes")})
#: SourceMetadata: 1 writer (string, the program that wrote the file)
SOURCE_METADATA = Message("tensorboard.SourceMetadata", {1: Field("writer", "string")})
#: Event — one record of the file: 1 wall_time (double, seconds since 1970), 2 step (int64), and one of
#: 3 file_version (string, "brain.Event:2" in the first record), 4 graph_def (bytes: a serialized GraphDef),
#: 5 summary, 7 session_log, 8 tagged_run_metadata; 10 source_metadata.
EVENT = Message("tensorboard.Event", {
    1: Field("wall_time", "double"), 2: Field("step", "int64"), 3: Field("file_version", "string", oneof=True),
    4: Field("graph_def", "bytes", oneof=True), 5: Field("summary", SUMMARY), 7: Field("session_log", SESSION_LOG),
    8: Field("tagged_run_metadata", TAGGED_RUN_METADATA), 10: Field("source_metadata", SOURCE_METADATA)})

#: attr_value.proto — AttrValue.ListValue: 2 s (repeated bytes), 3 i (int64), 7 shape (repeated TensorShapeProto)
ATTR_LIST = Message("tensorboard.AttrValue.ListValue", {
    2: Field("s", "bytes", repeated=True), 3: Field("i", "int64", repeated=True),
    7: Field("shape", TENSOR_SHAPE, repeated=True)})
#: AttrValue — one of: 1 list, 2 s (bytes), 3 i (int64), 4 f (float), 5 b (bool), 7 shape
ATTR_VALUE = Message("tensorboard.AttrValue", {
    1: Field("list", ATTR_LIST), 2: Field("s", "bytes", oneof=True), 3: Field("i", "int64", oneof=True),
    4: Field("f", "float", oneof=True), 5: Field("b", "bool", oneof=True), 7: Field("shape", TENSOR_SHAPE)})
#: node_def.proto — NodeDef: 1 name, 2 op (strings), 3 input (repeated string: "node" or "node:k" for
#: output k), 4 device, 5 attr (map<string, AttrValue>; TensorBoard reads "_output_shapes")
NODE_DEF = Message("tensorboard.NodeDef", {
    1: Field("name", "string"), 2: Field("op", "string"), 3: Field("input", "string", repeated=True),
    4: Field("device", "string"), 5: Field("attr", ("map", "string", ATTR_VALUE))})
#: versions.proto — VersionDef: 1 producer, 2 min_consumer (int32)
VERSION_DEF = Message("tensorboard.VersionDef", {1: Field("producer", "int32"), 2: Field("min_consumer", "int32")})
#: graph.proto — GraphDef: 1 node (repeated NodeDef), 4 versions
GRAPH_DEF = Message("tensorboard.GraphDef", {1: Field("node", NODE_DEF, repeated=True),
                                             4: Field("versions", VERSION_DEF)})
#: step_stats.proto — DeviceStepStats: 1 device (string); StepStats: 1 dev_stats; config.proto — RunMetadata:
#: 1 step_stats. PyTorch writes one such record (tag "step1") after its graph.
DEVICE_STEP_STATS = Message("tensorboard.DeviceStepStats", {1: Field("device", "string")})
STEP_STATS = Message("tensorboard.StepStats", {1: Field("dev_stats", DEVICE_STEP_STATS, repeated=True)})
RUN_METADATA = Message("tensorboard.RunMetadata", {1: Field("step_stats", STEP_STATS)})

#: google/protobuf/struct.proto — Value, one of: 1 null_value (enum), 2 number_value (double),
#: 3 string_value, 4 bool_value, 6 list_value (ListValue: 1 values, repeated Value)
PROTO_VALUE = Message("google.protobuf.Value")
LIST_VALUE = Message("google.protobuf.ListValue", {1: Field("values", PROTO_VALUE, repeated=True)})
PROTO_VALUE.set_fields({
    1: Field("null_value", "enum", oneof=True), 2: Field("number_value", "double", oneof=True),
    3: Field("string_value", "string", oneof=True), 4: Field("bool_value", "bool", oneof=True),
    6: Field("list_value", LIST_VALUE)})

#: plugins/hparams/api.proto — HParamInfo: 1 name, 2 display_name, 3 description, 4 type (enum DataType:
#: 1 STRING, 2 BOOL, 3 FLOAT64), 5 domain_discrete (ListValue)
HPARAM_INFO = Message("tensorboard.hparams.HParamInfo", {
    1: Field("name", "string"), 2: Field("display_name", "string"), 3: Field("description", "string"),
    4: Field("type", "enum"), 5: Field("domain_discrete", LIST_VALUE)})
#: MetricName: 1 group, 2 tag; MetricInfo: 1 name, 3 display_name, 4 description, 5 dataset_type (enum)
METRIC_NAME = Message("tensorboard.hparams.MetricName", {1: Field("group", "string"), 2: Field("tag", "string")})
METRIC_INFO = Message("tensorboard.hparams.MetricInfo", {
    1: Field("name", METRIC_NAME), 3: Field("display_name", "string"), 4: Field("description", "string"),
    5: Field("dataset_type", "enum")})
#: Experiment: 1 description, 2 user, 3 time_created_secs (double), 4 hparam_infos, 5 metric_infos, 6 name
EXPERIMENT = Message("tensorboard.hparams.Experiment", {
    1: Field("description", "string"), 2: Field("user", "string"), 3: Field("time_created_secs", "double"),
    4: Field("hparam_infos", HPARAM_INFO, repeated=True), 5: Field("metric_infos", METRIC_INFO, repeated=True),
    6: Field("name", "string")})
#: plugins/hparams/plugin_data.proto — SessionStartInfo: 1 hparams (map<string, Value>), 2 model_uri,
#: 3 monitor_url, 4 group_name, 5 start_time_secs; SessionEndInfo: 1 status (enum: 1 SUCCESS), 2 end_time_secs
SESSION_START_INFO = Message("tensorboard.hparams.SessionStartInfo", {
    1: Field("hparams", ("map", "string", PROTO_VALUE)), 2: Field("model_uri", "string"),
    3: Field("monitor_url", "string"), 4: Field("group_name", "string"), 5: Field("start_time_secs", "double")})
SESSION_END_INFO = Message("tensorboard.hparams.SessionEndInfo", {
    1: Field("status", "enum"), 2: Field("end_time_secs", "double")})
#: HParamsPluginData: 1 version (int32, 0), and one of 2 experiment, 3 session_start_info, 4 session_end_info
HPARAMS_PLUGIN_DATA = Message("tensorboard.hparams.HParamsPluginData", {
    1: Field("version", "int32"), 2: Field("experiment", EXPERIMENT),
    3: Field("session_start_info", SESSION_START_INFO), 4: Field("session_end_info", SESSION_END_INFO)})

#: plugins/pr_curve/plugin_data.proto — PrCurvePluginData: 1 version (int32), 2 num_thresholds (uint32)
PR_CURVE_PLUGIN_DATA = Message("tensorboard.PrCurvePluginData", {
    1: Field("version", "int32"), 2: Field("num_thresholds", "uint32")})

#: plugins/custom_scalar/layout.proto — MultilineChartContent: 1 tag (repeated string);
#: MarginChartContent.Series: 1 value, 2 lower, 3 upper; MarginChartContent: 1 series;
#: Chart: 1 title, 2 multiline, 3 margin; Category: 1 title, 2 chart, 3 closed; Layout: 1 version, 2 category
MULTILINE_CHART = Message("tensorboard.MultilineChartContent", {1: Field("tag", "string", repeated=True)})
MARGIN_SERIES = Message("tensorboard.MarginChartContent.Series", {
    1: Field("value", "string"), 2: Field("lower", "string"), 3: Field("upper", "string")})
MARGIN_CHART = Message("tensorboard.MarginChartContent", {1: Field("series", MARGIN_SERIES, repeated=True)})
CHART = Message("tensorboard.Chart", {
    1: Field("title", "string"), 2: Field("multiline", MULTILINE_CHART), 3: Field("margin", MARGIN_CHART)})
CATEGORY = Message("tensorboard.Category", {
    1: Field("title", "string"), 2: Field("chart", CHART, repeated=True), 3: Field("closed", "bool")})
LAYOUT = Message("tensorboard.Layout", {1: Field("version", "int32"), 2: Field("category", CATEGORY, repeated=True)})
