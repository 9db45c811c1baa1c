"""Variable-length sequences for the recurrent layers: padding and packing (``torch.nn.utils.rnn``).

A batch of sequences of different lengths can be stored two ways:

    padded  (T, B, *) or (B, T, *): every sequence filled up to the longest length T with a padding value;
    packed  ``PackedSequence``: only the real steps, time step by time step. With the sequences sorted
            longest first, step t holds the first batch_sizes[t] sequences, so ``data`` is
            (sum of the lengths, *) and ``batch_sizes[t]`` = how many sequences are longer than t.

For lengths [3, 1, 2] (sequences a, b, c) the packed order is a0 c0 b0 | a1 c1 | a2, sorted_indices [0, 2, 1]
(which original sequence is i-th longest), batch_sizes [3, 2, 1]. A recurrent layer given a PackedSequence
runs each sequence only for its own length, and its final state is the state at that length.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops.creation import full, tensor
from ...ops.recurrent import PackedToPadded, PaddedToPacked
from ...ops.shape import cat, stack

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """The steps of a batch of sequences, packed time step by time step (see the module docstring).

    Attributes:
        data: (sum of lengths, *) the real steps, step 0 of every sequence first
        batch_sizes: int64 (T,): how many sequences are still running at each step
        sorted_indices: int64 (B,) or None: sequence i of the packed order is sequence sorted_indices[i] of
            the batch as given
        unsorted_indices: int64 (B,) or None: the inverse permutation, to restore the given order

    Build one with ``pack_padded_sequence`` or ``pack_sequence``, not by hand.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), sorted_indices=...)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                         self.unsorted_indices)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype=_dtype.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_dtype.float32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation: out[permutation[i]] = i."""
    if permutation is None:
        return None
    perm = permutation.numpy()
    out = np.empty_like(perm)
    out[perm] = np.arange(len(perm), dtype=perm.dtype)
    return tensor(out)


def _lengths_array(lengths) -> np.ndarray:
    return np.asarray(lengths.numpy() if isinstance(lengths, Tensor) else lengths, dtype=np.int64).reshape(-1)


def _batch_sizes(sorted_lengths: np.ndarray) -> np.ndarray:
    """batch_sizes[t] = how many sequences are longer than t (the lengths sorted longest first)."""
    steps = np.arange(int(sorted_lengths[0]))
    return (sorted_lengths[None, :] > steps[:, None]).sum(1).astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences of the given lengths.

    With ``enforce_sorted=True`` the lengths must already decrease; otherwise the batch is sorted first
    (stably, longest first) and the permutation is kept in ``sorted_indices``.
    """
    lengths = _lengths_array(lengths)
    batch = input.shape[0 if batch_first else 1] if input.dim() >= 2 else 0
    if lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
                           f"(batch_size={batch})")
    if (lengths <= 0).any():
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    time_len = input.shape[1 if batch_first else 0]
    if lengths.max() > time_len:
        raise RuntimeError(f"a length in `lengths` ({int(lengths.max())}) is larger than the padded input's "
                           f"time dimension ({time_len}); the lengths count real steps of each sequence")
    sorted_indices = None
    if enforce_sorted:
        if (np.diff(lengths) > 0).any():
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                               "to sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = tensor(order)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    batch_sizes = _batch_sizes(lengths)
    data = PaddedToPacked.apply(input, batch_sizes)
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of ``pack_padded_sequence``: returns (padded batch, lengths), in the batch's given order.

    ``total_length`` pads the time dimension further (to undo the packing of a longer padded batch)."""
    batch_sizes = sequence.batch_sizes.numpy()
    if total_length is not None and total_length < len(batch_sizes):
        raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                         f"got total_length={total_length} and max sequence length being {len(batch_sizes)}")
    padded = PackedToPadded.apply(sequence.data, batch_sizes, total_length, padding_value)
    lengths = (batch_sizes[None, :] > np.arange(int(batch_sizes[0]))[:, None]).sum(1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.numpy()]
    return padded, tensor(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (T, B, *) (or (B, T, *)), T = the longest L_i, filling the
    rest with ``padding_value`` after each sequence (``padding_side='right'``) or before it ('left')."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    try:
        sequences = tuple(sequences)
    except TypeError:
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}") from None
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        fill = full((longest - s.shape[0],) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
        padded.append(cat([s, fill] if padding_side == "right" else [fill, s]))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list[Tensor]:
    """The inverse of ``pad_sequence``: a list of the sequences, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *): ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of ``pack_sequence``: the list of sequences in their given order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
