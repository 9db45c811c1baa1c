"""Recurrent layers: RNN, LSTM, GRU (whole sequences, stacked, bidirectional) and their one-step cells.

Each layer and direction of a sequence runs as one Function (``edutorch/ops/recurrent.py``): the forward
walks time and keeps the gates, the backward is backpropagation through time written out. This file does
the bookkeeping around it, as PyTorch's ``RNNBase`` does: parameters named ``weight_ih_l{k}{_reverse}``,
batch_first / unbatched / packed inputs, initial states, stacking layers, dropout between layers.
"""
from __future__ import annotations

import math
import numbers
import warnings

from ..._tensor import Tensor
from ...ops.creation import empty, zeros
from ...ops.recurrent import (
    GRULayer,
    LSTMLayer,
    PackedToPadded,
    PaddedToPacked,
    RNNLayer,
)
from ...ops.shape import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, the argument checks, and running the stack of layers.

    Parameters of layer k (``_reverse`` for the backward direction), G = gates * hidden_size:
        weight_ih_l{k}: (G, input_size) for k = 0, else (G, num_directions * H_out)
        weight_hh_l{k}: (G, H_out),  bias_ih_l{k}, bias_hh_l{k}: (G,)
        weight_hr_l{k}: (proj_size, hidden_size), LSTM with proj_size > 0 only
    where H_out = proj_size or hidden_size. All start from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        num_directions = 2 if bidirectional else 1
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
            for direction in range(num_directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input_size), "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, dtype=dtype, device=device)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op, as in PyTorch on the CPU (on a GPU it packs the weights into one buffer for cuDNN)."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction: [[weight_ih_l0, weight_hh_l0, ...], ...]."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ------------------------------------------------------------------ argument checks (PyTorch's messages)
    def check_input(self, input: Tensor, batch_sizes) -> None:
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _expected_state_size(self, input: Tensor, batch_sizes, size: int) -> tuple:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    def get_expected_hidden_size(self, input: Tensor, batch_sizes) -> tuple:
        return self._expected_state_size(input, batch_sizes, self.proj_size or self.hidden_size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Tensor, permutation: Tensor | None):
        return hx if permutation is None else hx.index_select(1, permutation)

    # ------------------------------------------------------------------ running the layers
    def _layer(self, x: Tensor, states: list, layer: int, suffix: str, batch_sizes) -> tuple:
        """Run one layer in one direction: returns (output (T, B, H_out), final state(s)...)."""
        raise NotImplementedError

    def _weights(self, layer: int, suffix: str) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh) of a layer and direction; the biases are None with bias=False."""
        w_ih, w_hh = getattr(self, f"weight_ih_l{layer}{suffix}"), getattr(self, f"weight_hh_l{layer}{suffix}")
        if not self.bias:
            return w_ih, w_hh, None, None
        return w_ih, w_hh, getattr(self, f"bias_ih_l{layer}{suffix}"), getattr(self, f"bias_hh_l{layer}{suffix}")

    def _run_layers(self, x: Tensor, states: tuple, batch_sizes) -> tuple:
        """x (T, B, I) time-major, states: each (num_layers * num_directions, B, size).

        Layer k's input is layer k-1's output (both directions concatenated on the features), with dropout
        in between in training. Returns (last layer's output, final states stacked like ``states``)."""
        num_directions = 2 if self.bidirectional else 1
        per_layer = [s.unbind(0) for s in states]
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                out, *last = self._layer(x, [s[index] for s in per_layer], layer,
                                         "_reverse" if direction else "", batch_sizes)
                outputs.append(out)
                for kept, state in zip(finals, last):
                    kept.append(state)
            x = outputs[0] if num_directions == 1 else cat(outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, tuple(stack(kept, 0) for kept in finals)

    def _forward(self, input, hx, state_sizes: tuple, name: str):
        """The shared forward: unpack / unbatch / transpose the input, check, run, and undo it all.

        ``hx`` is a tuple of states (one for RNN/GRU: h; two for LSTM: h, c) or None."""
        packed = isinstance(input, PackedSequence)
        num_states = len(state_sizes)
        batch_sizes = sorted_indices = unsorted_indices = None
        is_batched = True
        if packed:
            data, batch_sizes_t, sorted_indices, unsorted_indices = input
            batch_sizes = batch_sizes_t.numpy()
            batch = int(batch_sizes[0])
            checked = data
            if hx is not None:
                hx = tuple(self.permute_hidden(h, sorted_indices) for h in hx)
        else:
            if input.dim() not in (2, 3):
                tail = " tensor instead" if name == "RNN" else " instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            if hx is not None:
                dims = 3 if is_batched else 2
                if any(h.dim() != dims for h in hx):
                    kind = "batched 3-D" if is_batched else "unbatched 2-D"
                    if num_states == 1:
                        raise RuntimeError(f"For {kind} input, hx should also be {dims}-D but got "
                                           f"{hx[0].dim()}-D tensor")
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {dims}-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                if not is_batched:
                    hx = tuple(h.unsqueeze(1) for h in hx)
            batch = input.shape[batch_dim]
            checked = input
        if hx is None:
            hx = tuple(zeros(self.num_layers * (2 if self.bidirectional else 1), batch, size, dtype=checked.dtype)
                       for size in state_sizes)
        self.check_input(checked, batch_sizes)
        messages = ["Expected hidden size {}, got {}"] if num_states == 1 else \
            ["Expected hidden[0] size {}, got {}", "Expected hidden[1] size {}, got {}"]
        for h, size, msg in zip(hx, state_sizes, messages):
            self.check_hidden_size(h, self._expected_state_size(checked, batch_sizes, size), msg)

        if packed:
            x = PackedToPadded.apply(data, batch_sizes)
        else:
            x = input.transpose(0, 1) if self.batch_first else input
        out, finals = self._run_layers(x, hx, batch_sizes)
        if packed:
            output = PackedSequence(PaddedToPacked.apply(out, batch_sizes), batch_sizes_t, sorted_indices,
                                    unsorted_indices)
            return output, tuple(self.permute_hidden(h, unsorted_indices) for h in finals)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not is_batched:
            out = out.squeeze(0 if self.batch_first else 1)
            finals = tuple(h.squeeze(1) for h in finals)
        return out, finals


class RNN(RNNBase):
    r"""A multi-layer Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    Args:
        input_size: features of each step of the input x
        hidden_size: features of the hidden state h
        num_layers: recurrent layers stacked, each reading the previous one's outputs. Default: 1
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        bias: if ``False``, no b_ih and b_hh. Default: ``True``
        batch_first: if ``True``, input and output are (batch, seq, feature). Default: ``False``
        dropout: if non-zero, dropout with this probability on the outputs of every layer but the last
            (in training only). Default: 0
        bidirectional: if ``True``, every layer also runs backwards in time, and the two directions' outputs
            are concatenated. Default: ``False``

    Inputs: input, hx
        - input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a PackedSequence
        - hx: (D * num_layers, N, H_out) or (D * num_layers, H_out) unbatched; zeros if not given
    Outputs: output, h_n
        - output: (L, N, D * H_out) (batch_first: (N, L, D * H_out)): the last layer's h_t for every t
        - h_n: (D * num_layers, N, H_out): each layer's and direction's final state
    with D = 2 if bidirectional else 1.

    Examples::
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def _layer(self, x, states, layer, suffix, batch_sizes):
        return RNNLayer.apply(x, states[0], *self._weights(layer, suffix), self.nonlinearity, bool(suffix),
                              batch_sizes)

    def forward(self, input, hx: Tensor | None = None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), (self.hidden_size,), "RNN")
        return output, h_n


class LSTM(RNNBase):
    r"""A multi-layer long short-term memory (LSTM) RNN. For each step, each layer computes

        i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      f = sigmoid(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)         o = sigmoid(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g                              h' = o * tanh(c')

    (the gates stacked in the weights in that order: i, f, g, o). With ``proj_size > 0``, h' = W_hr (o * tanh(c')),
    a smaller state of proj_size features.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional: as in ``nn.RNN``
        proj_size: if > 0, project h to this size. Default: 0

    Inputs: input, (h_0, c_0)
        - input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a PackedSequence
        - h_0: (D * num_layers, N, H_out), c_0: (D * num_layers, N, H_cell); zeros if not given
    Outputs: output, (h_n, c_n)
        - output: (L, N, D * H_out), h_n: (D * num_layers, N, H_out), c_n: (D * num_layers, N, H_cell)
    with H_cell = hidden_size, H_out = proj_size or hidden_size, D = 2 if bidirectional else 1.

    Examples::
        >>> lstm = nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(torch.randn(5, 3, 10))
        >>> output.shape, hn.shape, cn.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes) -> tuple:
        return self._expected_state_size(input, batch_sizes, self.hidden_size)

    def _layer(self, x, states, layer, suffix, batch_sizes):
        w_hr = getattr(self, f"weight_hr_l{layer}{suffix}") if self.proj_size > 0 else None
        w_ih, w_hh, b_ih, b_hh = self._weights(layer, suffix)
        return LSTMLayer.apply(x, states[0], states[1], w_ih, w_hh, b_ih, b_hh, w_hr, bool(suffix), batch_sizes)

    def forward(self, input, hx: tuple[Tensor, Tensor] | None = None):
        output, (h_n, c_n) = self._forward(input, None if hx is None else tuple(hx),
                                           (self.proj_size or self.hidden_size, self.hidden_size), "LSTM")
        return output, (h_n, c_n)


class GRU(RNNBase):
    r"""A multi-layer gated recurrent unit (GRU) RNN. For each step, each layer computes

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h

    (gates stacked in the weights in the order r, z, n).

    Args / Inputs / Outputs: as ``nn.RNN`` (no nonlinearity argument).

    Examples::
        >>> gru = nn.GRU(10, 20, 2)
        >>> output, hn = gru(torch.randn(5, 3, 10))
        >>> output.shape, hn.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def _layer(self, x, states, layer, suffix, batch_sizes):
        return GRULayer.apply(x, states[0], *self._weights(layer, suffix), bool(suffix), batch_sizes)

    def forward(self, input, hx: Tensor | None = None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), (self.hidden_size,), "GRU")
        return output, h_n


# ====================================================================== cells: one step
class RNNCellBase(Module):
    """What the cells share: weight_ih (G, input_size), weight_hh (G, hidden_size), bias_ih, bias_hh (G,),
    G = gates * hidden_size, all from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    A cell is one step of the layer: it runs the layer's Function on a sequence of length 1."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype, device=device))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check_step(self, input: Tensor, states: tuple) -> None:
        """PyTorch's checks of the cell functions: sizes and batch of the input and every state."""
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected "
                               f"{self.input_size}")
        for k, h in enumerate(states):
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size "
                                   f"{h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected "
                                   f"{self.hidden_size}")

    def _prepare(self, input: Tensor, hx, name: str, n_states: int):
        """Checks and unbatched handling shared by the cells: returns (input (N, I), states, is_batched)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = None if hx is None else ((hx,) if n_states == 1 else tuple(hx))
        if states is not None:
            for k, h in enumerate(states):
                if h.dim() not in (1, 2):
                    which = "hidden" if n_states == 1 else f"hx[{k}]"
                    raise ValueError(f"{name}: Expected {which} to be 1D or 2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if states is None:
            states = (zeros(input.shape[0], self.hidden_size, dtype=input.dtype),) * n_states
        elif not is_batched:
            states = tuple(h.unsqueeze(0) for h in states)
        self._check_step(input, states)
        return input, states, is_batched


class RNNCell(RNNCellBase):
    r"""One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Args:
        input_size, hidden_size: features of x and of h
        bias: if ``False``, no b_ih and b_hh. Default: ``True``
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``

    Shape: input (N, H_in) or (H_in); hidden (N, H_out) or (H_out), zeros if not given; output like hidden.

    Examples::
        >>> cell = nn.RNNCell(10, 20)
        >>> h = torch.zeros(3, 20)
        >>> for x in torch.randn(6, 3, 10):
        ...     h = cell(x, h)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), is_batched = self._prepare(input, hx, "RNNCell", 1)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        _, h = RNNLayer.apply(input.unsqueeze(0), h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                              self.nonlinearity)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    r"""One step of an LSTM (gates i, f, g, o as in ``nn.LSTM``): returns (h', c').

    Args:
        input_size, hidden_size: features of x and of h (and c)
        bias: if ``False``, no b_ih and b_hh. Default: ``True``

    Shape: input (N, H_in) or (H_in); h_0, c_0 (N, H) or (H), zeros if not given; h_1, c_1 like them.

    Examples::
        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = torch.zeros(3, 20), torch.zeros(3, 20)
        >>> for x in torch.randn(6, 3, 10):
        ...     h, c = cell(x, (h, c))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        input, (h, c), is_batched = self._prepare(input, hx, "LSTMCell", 2)
        _, h, c = LSTMLayer.apply(input.unsqueeze(0), h, c, self.weight_ih, self.weight_hh, self.bias_ih,
                                  self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    r"""One step of a GRU (gates r, z, n as in ``nn.GRU``).

    Args:
        input_size, hidden_size: features of x and of h
        bias: if ``False``, no b_ih and b_hh. Default: ``True``

    Shape: input (N, H_in) or (H_in); hidden (N, H) or (H), zeros if not given; output like hidden.

    Examples::
        >>> cell = nn.GRUCell(10, 20)
        >>> h = torch.zeros(3, 20)
        >>> for x in torch.randn(6, 3, 10):
        ...     h = cell(x, h)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), is_batched = self._prepare(input, hx, "GRUCell", 1)
        _, h = GRULayer.apply(input.unsqueeze(0), h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if is_batched else h.squeeze(0)
