"""Event files: TFRecord framing with masked CRC32C checksums.

An event file is a sequence of records, each one ``Event`` message (see ``_proto.py``)::

    uint64  length          little-endian, the number of bytes of data
    uint32  masked_crc32c(length bytes)
    bytes   data            the serialized Event
    uint32  masked_crc32c(data)

**CRC32C** (Castagnoli) is the CRC with the reflected polynomial 0x82F63B78: start from 0xFFFFFFFF,
for each byte ``crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)``, finish with ``crc ^ 0xFFFFFFFF``;
``crc32c(b"123456789") == 0xE3069283``. TFRecord stores it **masked**::

    masked = (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF

(rotate right by 15 bits and add a constant) because a CRC over data that itself contains CRCs is
weak; the mask makes the stored checksum look unlike the data it protects.

Writing: a record is built whole in memory and handed to the OS in one ``write`` call on an
unbuffered file, so once ``flush()`` returns every record is complete in the OS's page cache: a
process killed with SIGKILL afterwards loses nothing that was flushed. A reader may still meet a
*partial* last record while a writer is between two writes; ``iter_records`` reports it and stops.
"""
from __future__ import annotations

import functools
import os
import socket
import struct
import threading
import time
import weakref

import numpy as np

_POLY = 0x82F63B78  # CRC32C, bit-reflected


def _make_table() -> np.ndarray:
    """TABLE[b] = the CRC register after shifting byte b through 8 steps of polynomial division."""
    crc = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        crc = np.where(crc & 1, (crc >> 1) ^ np.uint32(_POLY), crc >> 1).astype(np.uint32)
    return crc


CRC_TABLE = _make_table()
_TABLE_LIST = CRC_TABLE.tolist()  # a Python list is faster than NumPy for one byte at a time


def _crc_update_small(crc: int, data: bytes) -> int:
    """The byte-at-a-time loop (fine for the ~60-byte records of scalars)."""
    table = _TABLE_LIST
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


# --- Large inputs: many chunks in parallel with NumPy, then combined -------------------------------
#
# The register update is linear over GF(2): one byte b turns register c into shift_1(c) ^ TABLE[b],
# where shift_n(c) = update(c, n zero bytes) is a 32x32 bit matrix. Hence
#     update(c, A + B) = shift_len(B)(update(c, A)) ^ update(0, B).
# We cut the data into k chunks of L bytes, run the table loop on all k chunks at once (one NumPy op
# per position inside a chunk, 4 bytes at a time with "slicing-by-4" tables), then merge neighbouring
# chunks pairwise with shift matrices of doubling lengths. Leading zero bytes leave update(0, .)
# unchanged, so the data is padded at the front to k * L bytes.


def _slicing_tables() -> np.ndarray:
    """SLICE[j][b]: the register after byte b followed by j zero bytes (slicing-by-4)."""
    tables = [CRC_TABLE]
    for _ in range(3):
        prev = tables[-1]
        tables.append(CRC_TABLE[prev & 0xFF] ^ (prev >> np.uint32(8)))
    return np.stack(tables)


SLICE_TABLES = _slicing_tables()


def _apply_bits(columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Multiply 32-bit GF(2) vectors by a matrix given as its 32 columns (images of bits 0..31)."""
    bits = (values[..., None] >> np.arange(32, dtype=np.uint32)) & np.uint32(1)
    return np.bitwise_xor.reduce(bits * columns, axis=-1).astype(np.uint32)


@functools.lru_cache(maxsize=None)
def _shift_tables(log2_bytes: int) -> np.ndarray:
    """shift_{2**log2_bytes} as four 256-entry tables, one per byte of the register:
    shift(c) = T[0][c & 255] ^ T[1][c >> 8 & 255] ^ T[2][c >> 16 & 255] ^ T[3][c >> 24]."""
    if log2_bytes == 0:
        basis = np.uint32(1) << np.arange(32, dtype=np.uint32)
        columns = CRC_TABLE[basis & np.uint32(0xFF)] ^ (basis >> np.uint32(8))
    else:
        half = _shift_tables(log2_bytes - 1)
        columns = _apply_shift(half, _apply_shift(half, np.uint32(1) << np.arange(32, dtype=np.uint32)))
    inputs = np.arange(256, dtype=np.uint32)[None, :] << (np.arange(4, dtype=np.uint32)[:, None] * np.uint32(8))
    return _apply_bits(columns, inputs)


def _apply_shift(tables: np.ndarray, c: np.ndarray) -> np.ndarray:
    return (tables[0][c & 0xFF] ^ tables[1][(c >> np.uint32(8)) & 0xFF]
            ^ tables[2][(c >> np.uint32(16)) & 0xFF] ^ tables[3][c >> np.uint32(24)])


def _crc_update_zero_init_large(data: bytes, log2_chunk: int) -> int:
    """update(0, data), vectorised over 2**k chunks of 2**log2_chunk bytes (see the comment above)."""
    n, chunk = len(data), 1 << log2_chunk
    count = 1 << max(0, (-(-n // chunk) - 1).bit_length())  # a power of two, for the pairwise merge
    padded = np.zeros(count * chunk, dtype=np.uint8)
    padded[count * chunk - n:] = np.frombuffer(data, dtype=np.uint8)
    words = padded.view("<u4").reshape(count, chunk // 4).T.copy()  # row j = word j of every chunk
    t0, t1, t2, t3 = SLICE_TABLES
    crc = np.zeros(count, dtype=np.uint32)
    for word in words:  # slicing-by-4: the 4 bytes of (crc ^ word) through 4 tables at once
        x = crc ^ word
        crc = t3[x & 0xFF] ^ t2[(x >> np.uint32(8)) & 0xFF] ^ t1[(x >> np.uint32(16)) & 0xFF] ^ t0[x >> np.uint32(24)]
    level = log2_chunk
    while crc.size > 1:  # merge (left, right) -> shift_len(right)(left) ^ right
        crc = _apply_shift(_shift_tables(level), crc[0::2]) ^ crc[1::2]
        level += 1
    return int(crc[0])


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli) of ``data``: ``crc32c(b"123456789") == 0xE3069283``."""
    data = bytes(data)
    n = len(data)
    if n < 1024:
        return _crc_update_small(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    # Starting from 0xFFFFFFFF is the same as starting from 0 with the first 4 bytes inverted (the
    # register is XORed into the incoming bytes), so the vectorised path only needs update(0, .).
    head = (int.from_bytes(data[:4], "little") ^ 0xFFFFFFFF).to_bytes(4, "little")
    log2_chunk = 5 if n < 1 << 20 else 7
    return _crc_update_zero_init_large(head + data[4:], log2_chunk) ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked checksum: rotate the CRC right by 15 bits and add 0xA282EAD8 (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One whole TFRecord: length, masked CRC of the length, data, masked CRC of the data."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


# ---------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------

class RecordProblem:
    """Why reading stopped early or skipped a record: ``kind`` is "truncated" (the file ends inside a
    record: a writer may still be writing it) or "corrupt" (a checksum does not match)."""

    __slots__ = ("kind", "offset", "message")

    def __init__(self, kind: str, offset: int, message: str):
        self.kind, self.offset, self.message = kind, offset, message

    def __repr__(self) -> str:
        return f"RecordProblem({self.kind!r}, offset={self.offset}, {self.message!r})"


def iter_records(file, offset: int = 0, verify: bool = True, problems: list | None = None):
    """Yield ``(offset_after, data)`` for each whole record from ``offset`` on in the open binary file.

    Never raises on bad data: a truncated final record ends the iteration (the caller keeps the last
    good offset and may retry later); a record whose data CRC is wrong is skipped; a length whose CRC
    is wrong ends the iteration (nothing after it can be trusted). Each such case is appended to
    ``problems`` as a ``RecordProblem`` when a list is given."""
    file.seek(offset)
    while True:
        header = file.read(12)
        if not header:
            return
        if len(header) < 12:
            if problems is not None:
                problems.append(RecordProblem("truncated", offset, f"{len(header)} of 12 header bytes"))
            return
        length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
        if verify and masked_crc32c(length_bytes) != length_crc:
            if problems is not None:
                problems.append(RecordProblem("corrupt", offset, "length checksum mismatch; rest of file skipped"))
            return
        (length,) = struct.unpack("<Q", length_bytes)
        body = file.read(length + 4)
        if len(body) < length + 4:
            if problems is not None:
                problems.append(RecordProblem("truncated", offset,
                                              f"record of {length} bytes cut after {max(0, len(body))} bytes"))
            return
        data, data_crc = body[:length], struct.unpack("<I", body[length:])[0]
        offset += 12 + length + 4
        if verify and masked_crc32c(data) != data_crc:
            if problems is not None:
                problems.append(RecordProblem("corrupt", offset - length - 16,
                                              "data checksum mismatch; record skipped"))
            continue
        yield offset, data


# ---------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------

_file_counter = iter(range(1 << 62))  # the 4th part of the file name, unique within a process
_counter_lock = threading.Lock()


def event_file_name(filename_suffix: str = "") -> str:
    """``events.out.tfevents.<10-digit time>.<hostname>.<pid>.<counter><suffix>``, as TensorBoard names it."""
    with _counter_lock:
        uid = next(_file_counter)
    return "events.out.tfevents.%010d.%s.%s.%s%s" % (time.time(), socket.gethostname(), os.getpid(), uid,
                                                      filename_suffix)


class _RecordFile:
    """The state behind an ``EventFileWriter``: the open file, the queue of framed records, a lock.

    Kept apart from the writer object so that the exit-time finalizer and the flush thread can close
    and flush it without keeping the writer alive."""

    def __init__(self, path: str):
        # Unbuffered: each os-level write receives whole records, nothing waits in a Python buffer.
        self.file = open(path, "ab", buffering=0)
        self.pending: list[bytes] = []
        self.lock = threading.Lock()
        self.pid = os.getpid()  # a forked child (DataLoader worker) must not write our queue again
        self.closed = False
        self.wake = threading.Event()

    def flush(self) -> None:
        with self.lock:
            if self.closed or os.getpid() != self.pid or not self.pending:
                return
            records, self.pending = self.pending, []
            for record in records:
                view = memoryview(record)
                while view:  # one call per whole record; a regular file takes it all at once, but
                    view = view[self.file.write(view):]  # a raw write may legally take less

    def close(self) -> None:
        self.flush()
        with self.lock:
            if not self.closed and os.getpid() == self.pid:
                self.file.close()
            self.closed = True
            self.wake.set()


def _flush_loop(record_file: _RecordFile, flush_secs: float) -> None:
    """Background thread: flush every ``flush_secs`` until the file is closed."""
    while not record_file.wake.wait(flush_secs):
        record_file.flush()


class EventFileWriter:
    """Writes ``Event`` records (already serialized) to a new event file in ``log_dir``.

    Records wait in memory until ``max_queue`` are pending, or ``flush_secs`` have passed (a daemon
    thread flushes), or ``flush()`` / ``close()`` is called, or the interpreter exits."""

    def __init__(self, log_dir: str, max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = ""):
        self.log_dir = str(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        self.path = os.path.join(self.log_dir, event_file_name(filename_suffix))
        self.max_queue = max(1, int(max_queue))
        self._file = _RecordFile(self.path)
        self._finalizer = weakref.finalize(self, _RecordFile.close, self._file)  # also runs at exit
        if flush_secs and flush_secs > 0:
            threading.Thread(target=_flush_loop, args=(self._file, float(flush_secs)),
                             name="edutorch-tensorboard-flush", daemon=True).start()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def add_record(self, data: bytes) -> None:
        """Queue one serialized Event; flush when the queue is full."""
        if self._file.closed:
            raise RuntimeError(f"the event file {self.path} is closed")
        record = frame_record(data)
        with self._file.lock:
            self._file.pending.append(record)
            full = len(self._file.pending) >= self.max_queue
        if full:
            self._file.flush()

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._finalizer()  # runs _RecordFile.close once, and not again at exit
