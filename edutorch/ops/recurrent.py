"""Recurrent layers: one Function per layer and direction over the whole sequence (explicit BPTT).

A recurrent layer applies the same cell at every time step, h_t = cell(x_t, h_{t-1}). Autograd could record
every step's matmuls and sigmoids as separate nodes (hundreds per sequence); here the whole layer is *one*
node, and its backward is backpropagation through time written out:

    forward:   walk t = 0, 1, ..., T-1, keep what each step's derivative needs (the gate activations);
    backward:  walk t = T-1, ..., 0 carrying dL/dh_t (and dL/dc_t for an LSTM): at each step add the gradient
               that arrives from the output at t, push it through the cell to get the gradient of the
               gate pre-activations, and from those the gradient of h_{t-1}.

Everything that does not depend on the recurrence is done once for the whole sequence, as one GEMM:

    the input projections   X W_ih^T + b_ih                  (T*B, I) @ (I, G)     before the loop
    the weight gradients    dW_ih = dA^T X,  dW_hh = dA^T H_prev,  db = sum of dA   after the loop

where dA holds the gradients of the gate pre-activations of every step, (T*B, G). Only h_{t-1} @ W_hh^T and
the elementwise gate math run inside the time loop, vectorised over the batch and the gates.

The loop's matrix products are small (B x H times H x G), and OpenBLAS hands each one to its thread pool:
the hand-off then costs more than the multiply, many times more on a busy machine. So a layer's forward and
backward run with NumPy's BLAS limited to one thread (``_one_blas_thread``; the previous limit comes back
after). Measured for one LSTM layer (batch 32, 50 steps, 64 -> 128) on our 2-core machine while other jobs
kept it loaded (load average 7-9): forward + backward of the whole module 150-690 ms with two BLAS threads
everywhere; with one thread in the time loops only, the layer's forward 71 ms and backward 93-116 ms; with one
thread for the whole layer (the big GEMMs too), 36-43 ms and 44-55 ms. On a quiet machine the big GEMMs
would gain from a second thread, but they are a small part of the work.

Shapes: x (T, B, I) time-major; h0 (B, H) (an LSTM with projections: h0 (B, P), c0 (B, H)); the weights as
PyTorch stores them, w_ih (G, I), w_hh (G, H), b_ih, b_hh (G,), G = gates * H.

Packed sequences (``batch_sizes``). Sequences are sorted longest first, so at step t only the first
batch_sizes[t] rows are still running. Each step updates just those rows; the others keep their state (so
the final state of a short sequence is its state at its own last step) and output zeros. Running the
reverse direction from t = T-1 down, a row joins when its sequence starts, still holding h0: exactly a
per-sequence reversal. The backward walks the same prefixes the other way.
"""
from __future__ import annotations


import numpy as np

from .._threads import one_blas_thread as _one_blas_thread
from ..autograd.function import NumpyFunction

__all__ = ["GRULayer", "LSTMLayer", "PackedToPadded", "PaddedToPacked", "RNNLayer"]




def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))  # exp overflows to inf for very negative a: 1 / inf = 0, the right limit


def _gates(a: np.ndarray, count: int) -> list:
    """The gate blocks of a (rows, count * H) array, as views (np.split does the same, slower)."""
    size = a.shape[1] // count
    return [a[:, k * size:(k + 1) * size] for k in range(count)]


def _steps(length: int, reverse: bool) -> range:
    return range(length - 1, -1, -1) if reverse else range(length)


def _active(batch_sizes, t: int, batch: int) -> int:
    """How many rows (sequences) are still running at step t: all of them unless the input was packed."""
    return batch if batch_sizes is None else int(batch_sizes[t])


def _input_projection(x: np.ndarray, w_ih: np.ndarray, bias) -> np.ndarray:
    """X W_ih^T + bias for every step at once: one (T*B, I) @ (I, G) GEMM -> (T, B, G)."""
    t, b, i = x.shape
    out = (x.reshape(t * b, i) @ w_ih.T).reshape(t, b, -1)
    if bias is not None:
        out += bias
    return out


def _weight_grads(needs, x, h_prev, d_in, d_hid, w_ih, w_hh, has_bias):
    """The gradients that need no time loop: dx, dW_ih, dW_hh, db_ih, db_hh from the stacked gate gradients.

    d_in (T, B, G) is the gradient of the input-side pre-activations (X W_ih^T + b_ih), d_hid that of the
    hidden-side ones (H_prev W_hh^T + b_hh); they are the same array except in a GRU.
    """
    t, b, _ = x.shape
    g = d_in.shape[-1]
    din2, dhid2 = d_in.reshape(t * b, g), d_hid.reshape(t * b, g)
    dx = (din2 @ w_ih).reshape(x.shape) if needs[0] else None
    dw_ih = din2.T @ x.reshape(t * b, -1) if needs[1] else None
    dw_hh = dhid2.T @ h_prev.reshape(t * b, -1) if needs[2] else None
    db_ih = din2.sum(0) if has_bias and needs[3] else None
    db_hh = dhid2.sum(0) if has_bias and needs[4] else None
    return dx, dw_ih, dw_hh, db_ih, db_hh


class RNNLayer(NumpyFunction):
    """One layer, one direction of an Elman RNN over a whole sequence.

        a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh,      h_t = act(a_t),   act = tanh or relu

    BPTT: with dh_t = dL/dh_t (from the output at t plus from step t+1),
        da_t = dh_t * act'(a_t)          tanh' = 1 - h_t^2,   relu' = [h_t > 0]
        dh_{t-1} = da_t W_hh
    and after the loop dx_t = da_t W_ih, dW_ih = sum_t da_t^T x_t, dW_hh = sum_t da_t^T h_{t-1},
    db_ih = db_hh = sum_t da_t.

    Returns (output (T, B, H), h_n (B, H)).
    """

    node_name = "RnnLayerBackward0"

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh", reverse=False, batch_sizes=None):
        with _one_blas_thread():  # see the module docstring
            length, batch, _ = x.shape
            bias = None if b_ih is None else b_ih + b_hh  # the two biases only ever appear summed
            xw = _input_projection(x, w_ih, bias)
            w_hh_t = np.ascontiguousarray(w_hh.T)
            h = h0.copy()
            out = np.zeros((length, batch, h0.shape[1]), dtype=x.dtype)
            h_prev = np.zeros_like(out)
            for t in _steps(length, reverse):
                n = _active(batch_sizes, t, batch)
                h_prev[t, :n] = h[:n]
                a = xw[t, :n] + h[:n] @ w_hh_t
                h[:n] = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
                out[t, :n] = h[:n]
            ctx.save_for_backward(x, w_ih, w_hh, out)  # out is an output: an in-place change of it is caught
            ctx.conf = (h_prev, nonlinearity, reverse, batch_sizes, b_ih is not None)
            return out, h

    @staticmethod
    def backward(ctx, grad_out, grad_hn):
        with _one_blas_thread():  # see the module docstring
            x, w_ih, w_hh, out = ctx.saved_tensors
            h_prev, nonlinearity, reverse, batch_sizes, has_bias = ctx.conf
            length, batch, _ = x.shape
            dh = grad_hn.copy()
            da = np.zeros_like(out)
            for t in reversed(_steps(length, reverse)):
                n = _active(batch_sizes, t, batch)
                dht = dh[:n] + grad_out[t, :n]
                h = out[t, :n]
                da[t, :n] = dht * (1 - h * h) if nonlinearity == "tanh" else dht * (h > 0)
                dh[:n] = da[t, :n] @ w_hh
            needs = ctx.needs_input_grad
            dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads((needs[0],) + needs[2:6], x, h_prev, da, da, w_ih, w_hh,
                                                           has_bias)
            return dx, dh, dw_ih, dw_hh, db_ih, db_hh, None, None, None


class LSTMLayer(NumpyFunction):
    """One layer, one direction of an LSTM over a whole sequence (gates in PyTorch's order i, f, g, o).

        [a_i, a_f, a_g, a_o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
        c_t = f * c_{t-1} + i * g
        m_t = o * tanh(c_t)
        h_t = m_t,   or h_t = W_hr m_t with a projection (proj_size > 0)

    BPTT, carrying dh and dc backwards (each also receives the gradient of the final states):
        dm = dh_t                      (projection: dm = dh_t W_hr,  dW_hr += dh_t^T m_t)
        do = dm * tanh(c_t)
        dc = dc_t + dm * o * (1 - tanh(c_t)^2)
        di = dc * g     df = dc * c_{t-1}     dg = dc * i     dc_{t-1} = dc * f
        da = [di * i(1-i), df * f(1-f), dg * (1-g^2), do * o(1-o)]      (sigmoid' = s(1-s), tanh' = 1-t^2)
        dh_{t-1} = da W_hh
    Forward saves the four activated gates, tanh(c_t), c_{t-1} and h_{t-1} of every step.

    Returns (output (T, B, P or H), h_n (B, P or H), c_n (B, H)).
    """

    node_name = "LstmLayerBackward0"

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr=None, reverse=False, batch_sizes=None):
        with _one_blas_thread():  # see the module docstring
            length, batch, _ = x.shape
            hidden = c0.shape[1]
            # One tanh call activates all four gates: sigmoid(a) = (1 + tanh(a / 2)) / 2. So the i, f, o rows of
            # the pre-activations are halved once, up front (in the input projection and in W_hh), and after
            # the tanh those three blocks are mapped t -> t / 2 + 1/2 (g keeps tanh(a) as it is).
            half = np.full(4 * hidden, 0.5, dtype=x.dtype)
            half[2 * hidden:3 * hidden] = 1
            offset = np.where(half == 1, 0, 0.5).astype(x.dtype)
            bias = None if b_ih is None else b_ih + b_hh
            xw = _input_projection(x, w_ih, bias)
            xw *= half
            w_hh_t = np.ascontiguousarray(w_hh.T * half)
            w_hr_t = None if w_hr is None else np.ascontiguousarray(w_hr.T)
            h, c = h0.copy(), c0.copy()
            out = np.zeros((length, batch, h0.shape[1]), dtype=x.dtype)
            h_prev = np.zeros_like(out)
            gates = np.zeros((length, batch, 4 * hidden), dtype=x.dtype)
            c_prev = np.zeros((length, batch, hidden), dtype=x.dtype)
            tanh_c = np.zeros_like(c_prev)
            for t in _steps(length, reverse):
                n = _active(batch_sizes, t, batch)
                h_prev[t, :n], c_prev[t, :n] = h[:n], c[:n]
                act = gates[t, :n]  # this step's activations, computed in place in the saved array
                np.matmul(h[:n], w_hh_t, out=act)
                act += xw[t, :n]
                np.tanh(act, out=act)
                act *= half
                act += offset
                i, f, g, o = _gates(act, 4)
                c[:n] *= f
                c[:n] += i * g  # c_t = f * c_{t-1} + i * g
                np.tanh(c[:n], out=tanh_c[t, :n])
                if w_hr is None:
                    np.multiply(o, tanh_c[t, :n], out=out[t, :n])
                else:
                    np.matmul(o * tanh_c[t, :n], w_hr_t, out=out[t, :n])
                h[:n] = out[t, :n]
            ctx.save_for_backward(x, w_ih, w_hh, w_hr)
            ctx.conf = (gates, tanh_c, c_prev, h_prev, reverse, batch_sizes, b_ih is not None)
            return out, h, c

    @staticmethod
    def backward(ctx, grad_out, grad_hn, grad_cn):
        with _one_blas_thread():  # see the module docstring
            x, w_ih, w_hh, w_hr = ctx.saved_tensors
            gates, tanh_c, c_prev, h_prev, reverse, batch_sizes, has_bias = ctx.conf
            length, batch, _ = x.shape
            hidden = tanh_c.shape[-1]
            dh, dc = grad_hn.copy(), grad_cn.copy()
            da = np.zeros_like(gates)
            dh_steps = np.zeros_like(h_prev) if w_hr is not None else None  # for dW_hr, one GEMM after the loop
            for t in reversed(_steps(length, reverse)):
                n = _active(batch_sizes, t, batch)
                dht = dh[:n] + grad_out[t, :n]
                if w_hr is None:
                    dm = dht
                else:
                    dh_steps[t, :n] = dht
                    dm = dht @ w_hr
                act = gates[t, :n]
                i, f, g, o = _gates(act, 4)
                tc = tanh_c[t, :n]
                dct = dc[:n] + dm * o * (1 - tc * tc)
                # the gradient of each gate's output, then times its derivative: s(1-s) for i, f, o, 1-g^2 for g
                da_t = da[t, :n]
                da_i, da_f, da_g, da_o = _gates(da_t, 4)  # views: written in place
                np.multiply(dct, g, out=da_i)
                np.multiply(dct, c_prev[t, :n], out=da_f)
                np.multiply(dct, i, out=da_g)
                np.multiply(dm, tc, out=da_o)
                derivative = act * (1 - act)
                derivative[:, 2 * hidden:3 * hidden] = 1 - g * g
                da_t *= derivative
                dc[:n] = dct * f
                np.matmul(da_t, w_hh, out=dh[:n])
            needs = ctx.needs_input_grad
            dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads((needs[0],) + needs[3:7], x, h_prev, da, da, w_ih, w_hh,
                                                           has_bias)
            dw_hr = None
            if w_hr is not None and needs[7]:
                m = (gates[..., 3 * hidden:] * tanh_c).reshape(-1, hidden)  # m_t = o * tanh(c_t)
                dw_hr = dh_steps.reshape(-1, w_hr.shape[0]).T @ m
            return dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh, dw_hr, None, None


class GRULayer(NumpyFunction):
    """One layer, one direction of a GRU over a whole sequence (gates in PyTorch's order r, z, n).

        [x_r, x_z, x_n] = W_ih x_t + b_ih          [h_r, h_z, h_n] = W_hh h_{t-1} + b_hh
        r = sigmoid(x_r + h_r)    z = sigmoid(x_z + h_z)
        n = tanh(x_n + r * h_n)                    (r gates the *projected* state, bias b_hn included)
        h_t = (1 - z) * n + z * h_{t-1}

    BPTT: with dh = dh_t,
        dn = dh * (1 - z)        dz = dh * (h_{t-1} - n)
        dn_pre = dn * (1 - n^2)  dr = dn_pre * h_n
        gradient of the input side  [x_r, x_z, x_n]:  [dr * r(1-r), dz * z(1-z), dn_pre]
        gradient of the hidden side [h_r, h_z, h_n]:  [dr * r(1-r), dz * z(1-z), dn_pre * r]
        dh_{t-1} = dh * z + (hidden-side gradient) W_hh
    The two sides differ only in the n block, so they are kept apart (b_ih and b_hh get different gradients).

    Returns (output (T, B, H), h_n (B, H)).
    """

    node_name = "GruLayerBackward0"

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse=False, batch_sizes=None):
        with _one_blas_thread():  # see the module docstring
            length, batch, _ = x.shape
            hidden = h0.shape[1]
            xw = _input_projection(x, w_ih, b_ih)
            w_hh_t = np.ascontiguousarray(w_hh.T)
            h = h0.copy()
            out = np.zeros((length, batch, hidden), dtype=x.dtype)
            h_prev = np.zeros_like(out)
            gates = np.zeros((length, batch, 3 * hidden), dtype=x.dtype)  # r, z, n
            hn = np.zeros_like(out)  # W_hn h_{t-1} + b_hn, needed by dr
            for t in _steps(length, reverse):
                k = _active(batch_sizes, t, batch)
                h_prev[t, :k] = h[:k]
                hw = h[:k] @ w_hh_t
                if b_hh is not None:
                    hw += b_hh
                rz = _sigmoid(xw[t, :k, :2 * hidden] + hw[:, :2 * hidden])
                r, z = rz[:, :hidden], rz[:, hidden:]
                n = np.tanh(xw[t, :k, 2 * hidden:] + r * hw[:, 2 * hidden:])
                h[:k] = n + z * (h[:k] - n)
                gates[t, :k, :2 * hidden], gates[t, :k, 2 * hidden:] = rz, n
                hn[t, :k] = hw[:, 2 * hidden:]
                out[t, :k] = h[:k]
            ctx.save_for_backward(x, w_ih, w_hh)
            ctx.conf = (gates, hn, h_prev, reverse, batch_sizes, b_ih is not None)
            return out, h

    @staticmethod
    def backward(ctx, grad_out, grad_hn):
        with _one_blas_thread():  # see the module docstring
            x, w_ih, w_hh = ctx.saved_tensors
            gates, hn, h_prev, reverse, batch_sizes, has_bias = ctx.conf
            length, batch, _ = x.shape
            hidden = hn.shape[-1]
            dh = grad_hn.copy()
            d_in = np.zeros_like(gates)
            d_hid = np.zeros_like(gates)
            for t in reversed(_steps(length, reverse)):
                k = _active(batch_sizes, t, batch)
                dht = dh[:k] + grad_out[t, :k]
                r, z, n = _gates(gates[t, :k], 3)
                dn_pre = dht * (1 - z) * (1 - n * n)
                dz_pre = dht * (h_prev[t, :k] - n) * z * (1 - z)
                dr_pre = dn_pre * hn[t, :k] * r * (1 - r)
                d_in[t, :k, :hidden], d_in[t, :k, hidden:2 * hidden], d_in[t, :k, 2 * hidden:] = dr_pre, dz_pre, dn_pre
                d_hid[t, :k, :2 * hidden] = d_in[t, :k, :2 * hidden]
                d_hid[t, :k, 2 * hidden:] = dn_pre * r
                dh[:k] = dht * z + d_hid[t, :k] @ w_hh
            needs = ctx.needs_input_grad
            dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads((needs[0],) + needs[2:6], x, h_prev, d_in, d_hid, w_ih,
                                                           w_hh, has_bias)
            return dx, dh, dw_ih, dw_hh, db_ih, db_hh, None, None


# ====================================================================== packed <-> padded
def _packed_rows(batch_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(time, batch) of every row of a packed ``data``: step 0's batch_sizes[0] rows first, then step 1's..."""
    time = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    starts = np.cumsum(batch_sizes) - batch_sizes
    return time, np.arange(len(time)) - starts[time]


class PackedToPadded(NumpyFunction):
    """Packed ``data`` (N, *) -> time-major padded (T, B, *): row k goes to (time[k], batch[k]).

    The gradient gathers it back: grad_data[k] = grad[time[k], batch[k]] (padding gets no gradient)."""

    node_name = "PackedToPaddedBackward0"

    @staticmethod
    def forward(ctx, data, batch_sizes, total_length=None, padding_value=0.0):
        time, batch = _packed_rows(batch_sizes)
        length = max(len(batch_sizes), total_length or 0)
        out = np.full((length, int(batch_sizes[0])) + data.shape[1:], padding_value, dtype=data.dtype)
        out[time, batch] = data
        ctx.rows = (time, batch)
        return out

    @staticmethod
    def backward(ctx, grad):
        time, batch = ctx.rows
        return grad[time, batch], None, None, None


class PaddedToPacked(NumpyFunction):
    """Time-major padded (T, B, *) with sequences sorted longest first -> packed ``data`` (N, *).

    Forward gathers the rows that are real steps; the gradient scatters them back (zeros on padding)."""

    node_name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, padded, batch_sizes):
        time, batch = _packed_rows(batch_sizes)
        ctx.rows = (time, batch, padded.shape)
        return padded[time, batch]

    @staticmethod
    def backward(ctx, grad):
        time, batch, shape = ctx.rows
        out = np.zeros(shape, dtype=grad.dtype)
        out[time, batch] = grad
        return out, None
