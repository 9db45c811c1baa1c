"""``save`` and ``load``: checkpoints in PyTorch's own file format, written and read without PyTorch.

What is inside ``torch.save(model.state_dict(), "model.pt")``
-------------------------------------------------------------
A zip archive whose members are *stored* (not compressed), all in one folder named after the file::

    model/data.pkl                the object, pickled (see below)
    model/.format_version         "1"
    model/.storage_alignment      "64": every member's bytes start at a multiple of 64, so a reader
                                  can memory-map the tensors straight out of the file
    model/byteorder               "little" (the byte order of the numbers below)
    model/data/0, model/data/1..  the raw bytes of each *storage*, once however many tensors view it
    model/version                 "3"
    model/.data/serialization_id  40 random digits identifying this file

In ``data.pkl`` every tensor is replaced by a call PyTorch will make when loading::

    torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, OrderedDict())

where ``storage`` is a pickle *persistent id*, ``('storage', torch.FloatStorage, '0', 'cpu', numel)``:
"the float32 numbers in member data/0". Two tensors viewing one storage (``w`` and ``w.t()``, a
parameter and a slice of it) name the same key, so they come back sharing memory. A Parameter is
``torch._utils._rebuild_parameter(<that tensor>, requires_grad, OrderedDict())``.

edutorch writes exactly these names, so real ``torch.load(path, weights_only=True)`` opens our files,
and reads them back into edutorch tensors, so ``edutorch.load`` opens files written by ``torch.save``.

Why loading is safe by default
------------------------------
Unpickling can call *any* function the file names: a pickle saying "call os.system('rm -rf ~')" runs
it. ``load(..., weights_only=True)`` (the default) only resolves names on a short allow-list (the
rebuild functions above, OrderedDict, torch.Size, dtypes, ...) and refuses everything else before it
can run. A whole pickled ``nn.Module`` needs its class, i.e. arbitrary code: ``weights_only=False``,
for files you trust.
"""
from __future__ import annotations

import _compat_pickle
import codecs
import collections
import io
import os
import pickle
import secrets
import struct
import sys
import warnings
import zipfile
import zlib
from typing import IO, Any, Callable, Union

import numpy as np

from . import _dtype
from ._device import device as _device
from ._size import Size
from ._tensor import Tensor
from .nn.parameter import Parameter

FileLike = Union[str, os.PathLike, IO[bytes]]

DEFAULT_PROTOCOL = 2  # what torch.save uses: readable by every Python 3 and PyTorch version
_ALIGNMENT = 64  # members' data start at multiples of this (PyTorch's storage_alignment)

# The legacy storage classes name a storage's element type; checkpoints still refer to them by name.
_STORAGE_CLASS_OF_DTYPE = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage", "int8": "CharStorage",
    "uint8": "ByteStorage", "bool": "BoolStorage", "bfloat16": "BFloat16Storage",
}


# ====================================================================================================
# Writing, part 1: the pickle (data.pkl)
# ====================================================================================================
class _TorchName:
    """A name in PyTorch's namespace (``torch._utils._rebuild_tensor_v2``), pickled as that global.

    The pickle only stores the text "torch._utils" + "_rebuild_tensor_v2"; torch is never imported.
    """

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle accepts only callables as the function of a reduce tuple
        raise TypeError(f"{self!r} only names PyTorch's function in a pickle; it cannot run")

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


_REBUILD_TENSOR_V2 = _TorchName("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchName("torch._utils", "_rebuild_parameter")
_TORCH_SIZE = _TorchName("torch", "Size")
_TORCH_DEVICE = _TorchName("torch", "device")
_STORAGE_CLASSES = {name: _TorchName("torch", cls) for name, cls in _STORAGE_CLASS_OF_DTYPE.items()}


class _SavedStorage:
    """One storage to write as ``data/<key>``: a block of memory seen as ``numel`` elements of ``dtype``."""

    def __init__(self, key: str, block: np.ndarray, dtype: _dtype.dtype):
        self.key = key
        self.block = block  # 1-D uint8 view of the memory (kept alive so ids stay unique)
        self.dtype = dtype
        self.numel = block.nbytes // dtype.itemsize


class _StorageTable:
    """Finds the storage under each tensor, giving every distinct block of memory one key.

    A NumPy view keeps the array it views in ``.base``; following ``.base`` to the array that owns the
    memory finds the storage. A tensor is then (storage, offset, size, stride), offset and stride in
    elements, exactly PyTorch's description of a view.
    """

    def __init__(self):
        self.storages: dict[int, _SavedStorage] = {}  # id(owner array) -> storage, in key order

    def locate(self, tensor: Tensor):
        """(storage, storage_offset, size, stride) describing ``tensor`` in PyTorch's terms."""
        array, dtype = tensor._data, tensor.dtype
        itemsize = dtype.itemsize
        if array.size == 0:  # nothing to share: an empty storage of its own, PyTorch's strides
            storage = self._storage_for(np.empty(0, np.uint8), dtype)
            return storage, 0, array.shape, _contiguous_strides(array.shape)
        owner = _memory_owner(array)
        if owner is not None:
            byte_offset = _address(array) - _address(owner)
            if (byte_offset % itemsize or owner.nbytes % itemsize
                    or any(s < 0 or s % itemsize for s in array.strides)):
                owner = None  # negative or odd strides: PyTorch cannot describe this view
        if owner is None:
            # A private contiguous copy for views PyTorch cannot express (NumPy's negative strides).
            array = np.ascontiguousarray(array)
            owner, byte_offset = array, 0
        storage = self._storage_for(owner, dtype)
        stride = tuple(s // itemsize for s in array.strides)
        return storage, byte_offset // itemsize, tuple(array.shape), stride

    def _storage_for(self, owner: np.ndarray, dtype: _dtype.dtype) -> _SavedStorage:
        storage = self.storages.get(id(owner))
        if storage is None:
            block = owner.ravel(order="K").view(np.uint8)  # the owner's memory, in memory order
            storage = _SavedStorage(str(len(self.storages)), block, dtype)
            self.storages[id(owner)] = storage
        elif storage.dtype is not dtype:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different types")
        return storage


def _contiguous_strides(shape: tuple) -> tuple:
    """Row-major strides in elements, as PyTorch gives them (a size-0 dimension counts as 1)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _memory_owner(array: np.ndarray) -> np.ndarray | None:
    """The array at the root of ``array``'s ``.base`` chain, if its memory is one contiguous block."""
    owner = array
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    return owner if (owner.flags.c_contiguous or owner.flags.f_contiguous) else None


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


class _TorchPickler(pickle._Pickler):
    """A pickler that writes edutorch tensors, dtypes, sizes and devices under PyTorch's names.

    It builds on the pure-Python pickler because only that one lets us write a global by name
    (``GLOBAL 'torch FloatStorage'``) without importing the module the name lives in.
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol: int, storages: _StorageTable):
        super().__init__(file, protocol)
        self.storages = storages

    def persistent_id(self, obj):
        # A storage goes to its own zip member; the pickle holds only this reference to it.
        if isinstance(obj, _SavedStorage):
            return ("storage", _STORAGE_CLASSES[obj.dtype._name], obj.key, "cpu", obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Parameter):
            # The data tensor is pickled with requires_grad=False, as Parameter.data is in PyTorch.
            data = Tensor._make(obj._data)
            return (_REBUILD_PARAMETER, (data, obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Tensor):  # .grad and the graph are not saved, as in PyTorch
            storage, offset, size, stride = self.storages.locate(obj)
            return (_REBUILD_TENSOR_V2,
                    (storage, offset, size, stride, obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Size):
            return (_TORCH_SIZE, (tuple(obj),))
        if isinstance(obj, _device):
            return (_TORCH_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented  # everything else pickles as usual

    def _write_global(self, module: str, name: str, obj) -> None:
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode("utf-8"))
        self.memoize(obj)  # later references to obj cost a memo lookup

    def save_torch_name(self, obj: _TorchName) -> None:
        self._write_global(obj.module, obj.name, obj)

    def save_dtype(self, obj: _dtype.dtype) -> None:
        self._write_global("torch", obj._name, obj)  # torch.float32 pickles as the global torch.float32


_TorchPickler.dispatch[_TorchName] = _TorchPickler.save_torch_name
_TorchPickler.dispatch[_dtype.dtype] = _TorchPickler.save_dtype


# ====================================================================================================
# Writing, part 2: the zip archive, laid out as PyTorch's writer (miniz) lays it out
# ====================================================================================================
_ZIP64_LIMIT = 0xFFFFFFFF  # sizes and offsets at least this large need zip64 fields...
_ZIP64_MARKER = 0xFFFFFFFF  # ...and this in their 32-bit field says "see the zip64 extra field"
_UTF8 = 0x0800  # general-purpose flag bit 11: names are UTF-8
_DESCRIPTOR = 0x0008  # general-purpose flag bit 3: CRC and sizes follow the data (not for empty records)


class _ZipWriter:
    """Writes a zip archive one record at a time, byte for byte as ``torch.save`` does.

    Each record is a 30-byte local header (CRC and sizes left 0), the name, an "FB" extra field of
    'Z' bytes padding the data to the next multiple of 64, the data (stored as is), then a data
    descriptor with the CRC-32 and sizes (empty records have none). ``close`` writes the central
    directory (one entry per record, with its offset), then the zip64 end records and the end record.
    """

    def __init__(self, file: IO[bytes], archive_name: str):
        self.file = file
        self.prefix = archive_name + "/"
        self.offset = 0  # bytes written so far: we never need file.tell()
        self.entries: list[tuple[bytes, int, int, int, int]] = []  # (name, flags, crc, size, offset)

    def _write(self, data) -> None:
        self.file.write(data)
        self.offset += memoryview(data).nbytes

    def write_record(self, name: str, data) -> None:
        data = memoryview(data.encode("utf-8") if isinstance(data, str) else data).cast("B")
        name_bytes = (self.prefix + name).encode("utf-8")
        size, header_offset = data.nbytes, self.offset
        big_size, big_offset = size >= _ZIP64_LIMIT, header_offset >= _ZIP64_LIMIT
        zip64 = _zip64_extra(size if big_size else None, header_offset if big_offset else None)
        unpadded_start = header_offset + 30 + len(name_bytes) + len(zip64) + 4
        padding = -unpadded_start % _ALIGNMENT
        extra = zip64 + b"FB" + struct.pack("<H", padding) + b"Z" * padding
        flags = _UTF8 | (_DESCRIPTOR if size else 0)
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0,
                                len(name_bytes), len(extra)) + name_bytes + extra)
        self._write(data)
        crc = zlib.crc32(data)
        if size and (big_size or big_offset):
            self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        elif size:
            self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
        self.entries.append((name_bytes, flags, crc, size, header_offset))

    def close(self) -> None:
        directory_offset = self.offset
        for name, flags, crc, size, header_offset in self.entries:
            big_size, big_offset = size >= _ZIP64_LIMIT, header_offset >= _ZIP64_LIMIT
            zip64 = _zip64_extra(size if big_size else None, header_offset if big_offset else None)
            size32 = _ZIP64_MARKER if big_size else size
            offset32 = _ZIP64_MARKER if big_offset else header_offset
            self._write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0,
                                    crc, size32, size32, len(name), len(zip64), 0, 0, 0, 0, offset32)
                        + name + zip64)
        count, directory_size = len(self.entries), self.offset - directory_offset
        zip64_end_offset = self.offset
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0, count, count,
                                directory_size, directory_offset))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, zip64_end_offset, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                                min(directory_size, _ZIP64_MARKER), min(directory_offset, _ZIP64_MARKER), 0))


def _zip64_extra(size: int | None, offset: int | None) -> bytes:
    """The zip64 extra field (id 1) holding the sizes and/or offset too large for 32 bits."""
    values = ([size, size] if size is not None else []) + ([offset] if offset is not None else [])
    if not values:
        return b""
    return struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values)


def _archive_name(path: str | None) -> str:
    """The folder inside the zip: the file's name without its extension, as PyTorch names it."""
    if path is None:
        return "archive"
    base = os.path.basename(path)
    stem = base[: base.rfind(".")] if "." in base else base
    if not stem or not path.isascii():
        return "archive"  # PyTorch falls back to this name for non-ASCII paths and buffers
    return stem


def _write_checkpoint(obj: Any, file: IO[bytes], archive_name: str, protocol: int) -> None:
    storages = _StorageTable()
    pickled = io.BytesIO()
    _TorchPickler(pickled, protocol, storages).dump(obj)

    zip_writer = _ZipWriter(file, archive_name)
    zip_writer.write_record("data.pkl", pickled.getvalue())
    zip_writer.write_record(".format_version", "1")
    zip_writer.write_record(".storage_alignment", str(_ALIGNMENT))
    zip_writer.write_record("byteorder", sys.byteorder)
    for storage in storages.storages.values():
        zip_writer.write_record(f"data/{storage.key}", storage.block)
    zip_writer.write_record("version", "3\n")
    zip_writer.write_record(".data/serialization_id", f"{secrets.randbelow(10 ** 40):040d}")
    zip_writer.close()


def save(obj: Any, f: FileLike, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (tensors, state_dicts, nested containers, whole modules) to a file in PyTorch's format.

    Args:
        obj: what to save. Tensors sharing memory are stored once and stay shared after ``load``.
        f: a path (``str`` / ``os.PathLike``) or a binary file object (``io.BytesIO``, ``open(p, 'wb')``).
        pickle_protocol: the pickle protocol of ``data.pkl``. Keep PyTorch's 2: the weights-only
            unpickler of ``torch.load`` rejects the opcodes of protocols 3+ (frames, binary bytes).

    A path is written to a temporary file in the same folder, then renamed over ``f``: a crash halfway
    through leaves any previous checkpoint at ``f`` untouched.

    Examples::

        >>> torch.save(model.state_dict(), "model.pt")      # the recommended way
        >>> torch.save({"epoch": 5, "model": model.state_dict(),
        ...             "optimizer": optimizer.state_dict()}, "checkpoint.pt")
    """
    if pickle_module is not pickle:
        raise ValueError("edutorch.save writes PyTorch's format with Python's standard pickle module only")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "edutorch.save writes only the zip format (PyTorch's default since 1.6); "
            "the legacy format (_use_new_zipfile_serialization=False) is not supported")
    if not isinstance(f, (str, os.PathLike)):
        if not callable(getattr(f, "write", None)):
            raise AttributeError(f"Buffer of {str(type(f)).strip('<>')} has no callable attribute 'write'")
        _write_checkpoint(obj, f, "archive", pickle_protocol)
        f.flush()
        return

    path = os.fspath(f)
    target = os.path.realpath(path)  # through a symlink to the file it names, as open() would
    folder, base = os.path.split(target)
    temporary = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
    file = open(temporary, "xb")  # "x": a new file, created with the usual permissions
    try:
        with file:
            _write_checkpoint(obj, file, _archive_name(path), pickle_protocol)
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it the checkpoint
        os.replace(temporary, target)  # atomic: readers see the old file or the new one, never half
    except BaseException:
        os.remove(temporary)
        raise


# ====================================================================================================
# Reading, part 1: turning PyTorch's rebuild calls back into edutorch tensors
# ====================================================================================================
class _StorageType:
    """What a checkpoint's ``torch.FloatStorage`` (etc.) stands for: the NumPy type of the raw bytes."""

    def __init__(self, name: str, numpy_dtype):
        self.name = name
        self.numpy_dtype = np.dtype(numpy_dtype)

    def __repr__(self) -> str:
        return f"torch.{self.name}"


_STORAGE_TYPES = {cls: _StorageType(cls, _dtype._BY_NAME[name].to_numpy())
                  for name, cls in _STORAGE_CLASS_OF_DTYPE.items()}
_STORAGE_TYPES["UntypedStorage"] = _StorageType("UntypedStorage", np.uint8)


class _LoadedStorage:
    """A storage read from the archive: a 1-D array that every tensor viewing it is a view of."""

    def __init__(self, array: np.ndarray):
        self.array = array


def _view_of(storage: _LoadedStorage, storage_offset, size, stride, dtype=None) -> np.ndarray:
    """The array PyTorch's ``tensor.set_(storage, storage_offset, size, stride)`` describes.

    The numbers come from the file, so they are checked before NumPy sees them: a view reaching past
    the end of the storage would read memory that is not ours.
    """
    array = storage.array if dtype is None or storage.array.dtype == dtype else storage.array.view(dtype)
    size, stride = tuple(size), tuple(stride)
    ints = (storage_offset, *size, *stride)
    if (len(size) != len(stride) or not all(isinstance(v, int) and not isinstance(v, bool) for v in ints)
            or min(ints) < 0):
        raise RuntimeError(f"invalid tensor view in checkpoint: offset {storage_offset!r}, size {size!r}, "
                           f"stride {stride!r}")
    needed = storage_offset + (1 + sum((n - 1) * s for n, s in zip(size, stride)) if 0 not in size else 0)
    if needed > array.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {storage_offset} need "
            f"{needed} elements, but the storage holds only {array.size}: the file is corrupted")
    itemsize = array.itemsize
    # A view whose .base is the storage array, so saving it again finds (and shares) the same storage.
    return np.ndarray(size, dtype=array.dtype, buffer=array, offset=storage_offset * itemsize,
                      strides=tuple(s * itemsize for s in stride))


def _rebuild_tensor(storage, storage_offset, size, stride) -> Tensor:
    return Tensor._make(_view_of(storage, storage_offset, size, stride))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None) -> Tensor:
    """``torch._utils._rebuild_tensor_v2``: the tensor viewing ``storage`` (hooks are never restored)."""
    tensor = _rebuild_tensor(storage, storage_offset, size, stride)
    tensor.requires_grad = bool(requires_grad)
    return tensor


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None) -> Tensor:
    """``torch._utils._rebuild_tensor_v3``: as v2, with the dtype given apart from an untyped storage."""
    tensor = Tensor._make(_view_of(storage, storage_offset, size, stride, dtype.to_numpy()))
    tensor.requires_grad = bool(requires_grad)
    return tensor


def _rebuild_parameter(data: Tensor, requires_grad, backward_hooks):
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data: Tensor, requires_grad, backward_hooks, state):
    return _set_attributes(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2``: a tensor of a subclass, or carrying Python attributes."""
    if func not in _REBUILD_FUNCTIONS.values():
        raise pickle.UnpicklingError(f"_rebuild_from_type_v2 expects a tensor rebuild function, got {func!r}")
    result = func(*args)
    if new_type is Parameter and not isinstance(result, Parameter):
        result = Parameter(result, result.requires_grad)
    elif new_type not in (Tensor, Parameter):
        raise pickle.UnpicklingError(f"edutorch cannot rebuild a tensor of type {new_type!r}")
    return _set_attributes(result, state)


def _set_attributes(tensor: Tensor, state) -> Tensor:
    """Restore Python attributes saved with a tensor (``t.name = 'w'``), never replacing built-in ones."""
    dict_state = state[0] if isinstance(state, tuple) else state
    for name, value in (dict_state or {}).items():
        if not isinstance(name, str) or name.startswith("__") or hasattr(type(tensor), name):
            raise pickle.UnpicklingError(f"refusing to set attribute {name!r} on a loaded tensor")
        setattr(tensor, name, value)
    return tensor


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """``_codecs.encode``, the way protocol-2 pickles spell a ``bytes`` value; only for latin-1 text."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"_codecs.encode is only allowed on str with 'latin1', not {encoding!r}")
    return codecs.encode(text, "latin1")


_REBUILD_FUNCTIONS = {
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
}

# PyTorch features edutorch has no counterpart for: name them clearly instead of "not allowed".
_UNSUPPORTED = {
    "torch._utils._rebuild_sparse_tensor": "a sparse tensor",
    "torch._utils._rebuild_qtensor": "a quantized tensor",
    "torch._utils._rebuild_nested_tensor": "a nested tensor",
    "torch._utils._rebuild_meta_tensor_no_storage": "a tensor on the meta device",
    "torch._utils._rebuild_wrapper_subclass": "a tensor subclass",
    "torch._utils._rebuild_device_tensor_from_numpy": "a tensor saved from an accelerator",
    "torch._utils._rebuild_device_tensor_from_cpu_tensor": "a tensor saved from an accelerator",
    "torch.serialization._get_layout": "a sparse tensor",
}


def _safe_globals() -> dict[str, Any]:
    """The names a weights-only file may use, each mapped to edutorch's counterpart. Nothing else loads."""
    allowed: dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.bytearray": bytearray,
        "builtins.complex": complex,
        "_codecs.encode": _latin1_encode,  # how protocol 2 writes bytes
        "torch.Size": Size,
        "torch.device": _device,
        "torch.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
    }
    allowed.update(_REBUILD_FUNCTIONS)
    for name, storage_type in _STORAGE_TYPES.items():
        allowed[f"torch.{name}"] = storage_type
    allowed["torch.storage.UntypedStorage"] = _STORAGE_TYPES["UntypedStorage"]
    for dtype in _dtype._ALL:
        allowed[f"torch.{dtype._name}"] = dtype
    return allowed


def _python3_name(module: str, name: str) -> tuple[str, str]:
    """Protocol-2 pickles use Python 2 names (``__builtin__.set``); map them as Python's unpickler does."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    if module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    if module == "torch.tensor":  # renamed to torch._tensor in PyTorch 1.8
        module = "torch._tensor"
    return module, name


# ====================================================================================================
# Reading, part 2: the unpicklers
# ====================================================================================================
class _CheckpointError(RuntimeError):
    """A problem with the file that our message already explains (and names the file)."""


class _ForbiddenGlobal(pickle.UnpicklingError):
    """A weights-only load met a name outside the allow-list."""


class _CheckpointUnpickler(pickle.Unpickler):
    """Reads ``data.pkl``: storages come from the archive through ``persistent_load``.

    With ``weights_only`` it resolves only allow-listed names, so the file cannot make it call anything
    else. Without, PyTorch's names map to edutorch and every other name is imported as usual.
    """

    def __init__(self, file, *, filename: str, weights_only: bool, load_storage: Callable | None,
                 **pickle_load_args):
        super().__init__(file, **pickle_load_args)
        self.filename = filename
        self.weights_only = weights_only
        self.load_storage = load_storage
        self.loaded_storages: dict[str, _LoadedStorage] = {}
        self.allowed = _safe_globals()

    def find_class(self, module: str, name: str):
        module, name = _python3_name(module, name)
        full_name = f"{module}.{name}"
        if full_name in self.allowed:
            return self.allowed[full_name]
        if full_name in _UNSUPPORTED or (module == "torch" and name.endswith("Storage")):
            what = _UNSUPPORTED.get(full_name, f"a storage of type {full_name}")
            raise _CheckpointError(
                f"'{self.filename}' holds {what} ({full_name}), which edutorch does not support")
        if module == "torch" and name in _UNSUPPORTED_DTYPES:
            raise _CheckpointError(
                f"'{self.filename}' holds a value of dtype torch.{name}, which edutorch does not have "
                "(it has float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 and bool)")
        if self.weights_only:
            raise _ForbiddenGlobal(_forbidden_message(self.filename, full_name))
        if module == "torch" or module.startswith("torch."):
            return _edutorch_counterpart(self.filename, module, name)
        return super().find_class(module, name)

    def persistent_load(self, saved_id):
        if not (isinstance(saved_id, tuple) and len(saved_id) == 5
                and saved_id[0] in ("storage", b"storage")):
            raise pickle.UnpicklingError(f"'{self.filename}': unknown persistent id {saved_id!r}")
        _, storage_type, key, location, numel = saved_id
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"'{self.filename}': {storage_type!r} is not a storage type")
        if self.load_storage is None:
            raise _CheckpointError(f"'{self.filename}' refers to tensor data but is not a zip checkpoint")
        key = key.decode("ascii") if isinstance(key, bytes) else str(key)
        location = location.decode("ascii") if isinstance(location, bytes) else str(location)
        if key not in self.loaded_storages:
            self.loaded_storages[key] = self.load_storage(storage_type, key, location, numel)
        return self.loaded_storages[key]


_UNSUPPORTED_DTYPES = {"complex32", "complex64", "complex128", "cfloat", "cdouble", "uint16", "uint32",
                       "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
                       "qint8", "quint8", "qint32", "quint4x2", "quint2x4", "bits8", "bits16"}


def _forbidden_message(filename: str, full_name: str) -> str:
    return (
        f"Weights only load failed for '{filename}'. Unsupported global: GLOBAL {full_name} is not on "
        "the allow-list of plain data (tensors, containers, numbers, strings), so it was not loaded: "
        "unpickling it could run code from the file on your machine. If (and only if) you trust where "
        "this file comes from, load it with weights_only=False, which executes whatever the file asks for."
    )


def _edutorch_counterpart(filename: str, module: str, name: str):
    """``torch.nn.modules.linear.Linear`` -> ``edutorch.nn.modules.linear.Linear`` (weights_only=False)."""
    import importlib

    try:
        return getattr(importlib.import_module("edutorch" + module[len("torch"):]), name)
    except (ImportError, AttributeError):
        raise _CheckpointError(f"'{filename}' needs {module}.{name}, which edutorch does not have") from None


# ====================================================================================================
# Reading, part 3: the archive and map_location
# ====================================================================================================
_CUDA_ERROR = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are "
    "running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map "
    "your storages to the CPU. (edutorch runs on the CPU only.)"
)


def _check_cpu(location: str) -> None:
    if str(location).split(":")[0] != "cpu":
        raise RuntimeError(_CUDA_ERROR if str(location).startswith("cuda") else
                           f"edutorch cannot put a storage on device '{location}': it runs on the CPU only. "
                           "Pass map_location='cpu'.")


def _restore_location(map_location) -> Callable[[np.ndarray, str], np.ndarray]:
    """PyTorch's map_location forms (None, 'cpu', a device, a dict, a callable) as one function."""
    if map_location is None:
        def restore(array, location):
            _check_cpu(location)
            return array
    elif isinstance(map_location, dict):
        def restore(array, location):
            _check_cpu(str(map_location.get(location, location)))
            return array
    elif callable(map_location):
        def restore(array, location):
            result = map_location(array, location)
            if result is None:  # PyTorch: None means "restore as usual"
                _check_cpu(location)
                return array
            return np.asarray(result)
    else:  # 'cpu', edutorch.device('cpu') or torch.device('cpu'): all print as the device name
        _check_cpu(str(map_location))

        def restore(array, location):
            return array
    return restore


def _storage_loader(zf: zipfile.ZipFile, prefix: str, restore: Callable, mmap_path: str | None):
    """The function reading ``data/<key>`` into a 1-D array, as ``persistent_load`` asks for it."""
    byteorder = "little"  # what PyTorch assumes for files written before it recorded the byte order
    if f"{prefix}byteorder" in zf.namelist():
        byteorder = zf.read(f"{prefix}byteorder").decode("ascii")
    if byteorder not in ("little", "big"):
        raise RuntimeError(f"Unknown endianness type: {byteorder!r}")

    def load_storage(storage_type: _StorageType, key: str, location: str, numel) -> _LoadedStorage:
        info = zf.getinfo(f"{prefix}data/{key}")
        dtype = storage_type.numpy_dtype
        if not isinstance(numel, int) or numel < 0 or info.file_size != numel * dtype.itemsize:
            raise RuntimeError(
                f"storage data/{key} holds {info.file_size} bytes, not {numel} elements of {dtype}")
        if mmap_path is not None and numel > 0:
            # Copy-on-write, as PyTorch maps files (MAP_PRIVATE): writes never reach the file.
            array = np.memmap(mmap_path, dtype=dtype, mode="c", offset=_data_offset(zf, info), shape=(numel,))
        else:
            array = np.empty(numel, dtype=dtype)
            with zf.open(info) as member:  # reading to the end checks the CRC-32
                _read_exactly(member, array.view(np.uint8))
        if byteorder != sys.byteorder:
            array = array.byteswap()
        return _LoadedStorage(restore(array, location))

    return load_storage


def _read_exactly(member: IO[bytes], out: np.ndarray) -> None:
    view, filled = memoryview(out), 0
    while filled < out.nbytes:
        n = member.readinto(view[filled:])
        if not n:
            raise RuntimeError(f"member ended after {filled} of {out.nbytes} bytes")
        filled += n
    if member.read(1):
        raise RuntimeError("member is longer than its storage")


def _data_offset(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Where a member's bytes start in the file: after its local header, name and extra field."""
    zf.fp.seek(info.header_offset)
    header = zf.fp.read(30)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_length + extra_length


def _archive_prefix(zf: zipfile.ZipFile, filename: str) -> str:
    """The archive's folder ("model/"): every member of a PyTorch checkpoint lives in it."""
    names = zf.namelist()
    prefix = names[0].split("/")[0] + "/" if names else ""
    if f"{prefix}data.pkl" not in names:
        hint = (" It looks like a TorchScript archive: open it with torch.jit.load in PyTorch."
                if f"{prefix}constants.pkl" in names else "")
        raise _CheckpointError(f"'{filename}' is a zip file but not a PyTorch checkpoint: it has no "
                               f"<archive>/data.pkl.{hint}")
    return prefix


def _describe(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return getattr(f, "name", None) or f"<{type(f).__name__} file object>"


def _diagnose_non_zip(file: IO[bytes], start: int, filename: str) -> None:
    """Explain a file that is not a zip archive, reading it only with the safe unpickler."""
    file.seek(start)
    head = file.read(2)
    # The exception types follow PyTorch's for the same files: an empty file is an EOFError, a damaged
    # zip a RuntimeError, and anything else is read as a legacy pickle and fails as an UnpicklingError.
    if not head:
        raise EOFError(f"'{filename}' is empty: nothing was saved in it (or the save was interrupted)")
    if head == b"PK":
        raise _CheckpointError(f"'{filename}' is a damaged zip archive (truncated or corrupted): "
                               "failed finding its central directory")
    if head[:1] != b"\x80":
        raise pickle.UnpicklingError(f"'{filename}' is not a PyTorch checkpoint: it is neither a zip archive "
                                     "nor a pickle (the file may be truncated or corrupted)")
    file.seek(start)
    try:
        first = _CheckpointUnpickler(file, filename=filename, weights_only=True, load_storage=None).load()
    except (_ForbiddenGlobal, _CheckpointError):
        raise
    except Exception as error:
        raise _CheckpointError(f"'{filename}' is not a readable PyTorch checkpoint ({error})") from None
    if first == 0x1950A86A20F9469CFC6C:  # PyTorch's magic number for its pre-1.6 format
        raise _CheckpointError(
            f"'{filename}' uses PyTorch's legacy (pre-1.6) format, which edutorch cannot read. "
            "Load it in PyTorch and save it again with torch.save (the zip format).")
    raise _CheckpointError(f"'{filename}' is a plain pickle, not a PyTorch checkpoint (no zip archive)")


def load(f: FileLike, map_location=None, pickle_module: Any = None, *, weights_only: bool | None = True,
         mmap: bool | None = None, **pickle_load_args) -> Any:
    """Load an object saved with ``edutorch.save`` or ``torch.save``.

    Args:
        f: a path or a binary file object.
        map_location: where storages go: None, ``'cpu'``, a device, a dict ``{'cuda:0': 'cpu'}`` or a
            function ``(storage, location) -> storage``. edutorch has only the CPU.
        weights_only: True (default) unpickles plain data only (tensors, containers, numbers, strings)
            and refuses anything that could run code. False unpickles anything, e.g. a whole module:
            only for files you trust.
        mmap: memory-map the tensors from the file instead of reading them (``f`` must be a path).

    Examples::

        >>> model.load_state_dict(torch.load("model.pt"))
        >>> checkpoint = torch.load("checkpoint.pt", map_location="cpu")
    """
    filename = _describe(f)
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if not weights_only:
        warnings.warn(
            f"edutorch.load('{filename}', weights_only=False) unpickles the file without restrictions: a "
            "malicious file can execute arbitrary code on your machine. Only do this for files you "
            "created or trust.", UserWarning, stacklevel=2)
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("edutorch.load reads checkpoints with Python's standard pickle module only")
    restore = _restore_location(map_location)
    is_path = isinstance(f, (str, os.PathLike))
    if mmap and not is_path:
        raise ValueError("f must be a file path in order to use the mmap argument")

    file = open(f, "rb") if is_path else f
    try:
        return _load_checkpoint(file, filename, restore, weights_only, os.fspath(f) if mmap else None,
                                pickle_load_args)
    except _ForbiddenGlobal as error:  # shown to the user as the plain pickle error PyTorch raises
        raise pickle.UnpicklingError(str(error)) from None
    except _CheckpointError as error:
        raise RuntimeError(str(error)) from error.__cause__
    finally:
        if is_path:
            file.close()


def _load_checkpoint(file: IO[bytes], filename: str, restore: Callable, weights_only: bool,
                     mmap_path: str | None, pickle_load_args: dict) -> Any:
    if not (hasattr(file, "seekable") and file.seekable()):
        file = io.BytesIO(file.read())  # a zip is read from its end, so we need to seek
    start = file.tell()
    if not zipfile.is_zipfile(file):
        _diagnose_non_zip(file, start, filename)
    file.seek(start)
    try:
        with zipfile.ZipFile(file) as zf:
            prefix = _archive_prefix(zf, filename)
            load_storage = _storage_loader(zf, prefix, restore, mmap_path)
            with zf.open(f"{prefix}data.pkl") as pickled:
                unpickler = _CheckpointUnpickler(io.BytesIO(pickled.read()), filename=filename,
                                                 weights_only=weights_only, load_storage=load_storage,
                                                 **pickle_load_args)
            return unpickler.load()
    except (_CheckpointError, _ForbiddenGlobal, Warning):
        raise  # our own messages already name the file; warnings turned into errors stay themselves
    except RuntimeError as error:
        raise _CheckpointError(f"'{filename}': {error}") from error
    except _FORMAT_ERRORS if not weights_only else Exception as error:
        # With weights_only nothing but our rebuild code runs, so any other failure means bad bytes.
        raise _CheckpointError(f"'{filename}' is corrupted or truncated and cannot be loaded "
                               f"({type(error).__name__}: {error})") from error


# Errors meaning the bytes are not a valid archive or pickle (with weights_only=False, code from the file
# may raise anything, and those errors are passed on unchanged).
_FORMAT_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, struct.error, pickle.UnpicklingError)


__all__ = ["save", "load", "DEFAULT_PROTOCOL"]
