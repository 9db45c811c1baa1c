"""Attention: ``scaled_dot_product_attention`` (one Function) and ``multi_head_attention_forward``.

Scaled dot-product attention. Each query (a row of Q, (L, E)) scores every key (a row of K, (S, E)) by a dot
product; a softmax over the keys turns the scores into weights; the output is the weighted mean of the values
(rows of V, (S, Ev)):

    S = scale * Q K^T + M        (L, S)     M: 0 where allowed, -inf where masked (or any float bias)
    P = softmax(S)   (per row)
    O = P V                      (L, Ev)    scale = 1 / sqrt(E) by default, so the scores do not grow with E

Backward (D = dropout's keep mask scaled by 1 / (1 - p), used as O = (P * D) V; D = 1 without dropout):

    dV = (P * D)^T dO
    dP = (dO V^T) * D
    dS = P * (dP - rowsum(dP * P))          the softmax Jacobian: dS_ij = P_ij (dP_ij - sum_k dP_ik P_ik)
    dQ = scale * dS K,   dK = scale * dS^T Q,   dM = dS

A row whose keys are all masked has no softmax; as PyTorch's scaled_dot_product_attention does, its weights
(and output) are 0. (MultiheadAttention with need_weights=True computes a plain softmax there, as PyTorch's
does, and gets nan.)
Leading dims (batch, heads) broadcast like matmul. Grouped-query attention (``enable_gqa``): K and V have
fewer heads than Q, each shared by Hq / Hk query heads; the forward repeats them, the backward sums the
repeated heads' gradients back.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .. import random as _random
from .creation import zeros
from .linalg import Addmm
from .shape import cat

__all__ = ["Attention", "multi_head_attention_forward", "scaled_dot_product_attention"]


class Attention(NumpyFunction):
    """(O, P * D) = attention(Q, K, V, M): see the module docstring for the forward and backward math.

    q (..., L, E), k (..., S, E), v (..., S, Ev), mask broadcastable to (..., L, S) or None, keep (dropout's
    scaled keep mask, (..., L, S)) or None. Returns the output (..., L, Ev) and the weights P * D (..., L, S)
    (``multi_head_attention_forward`` returns those; ``scaled_dot_product_attention`` only the output).
    """

    node_name = "ScaledDotProductAttentionBackward0"

    @staticmethod
    def forward(ctx, q, k, v, mask=None, keep=None, scale=1.0, groups=1, masked_rows_zero=True):
        if groups > 1:  # grouped-query attention: each key/value head serves `groups` query heads
            k, v = np.repeat(k, groups, axis=-3), np.repeat(v, groups, axis=-3)
        s = (q @ k.swapaxes(-1, -2)) * q.dtype.type(scale)
        if mask is not None:
            s = s + mask
        row_max = s.max(-1, keepdims=True)
        if masked_rows_zero:  # an all-masked row: exp(-inf) = 0 everywhere instead of nan
            row_max[np.isneginf(row_max)] = 0
        p = np.exp(s - row_max)
        total = p.sum(-1, keepdims=True)
        p /= np.where(total == 0, 1, total)
        weights = p if keep is None else p * keep
        # weights is an output: saved through save_for_backward, an in-place change of it is caught
        ctx.save_for_backward(q, k, v, weights)
        ctx.conf = (None if keep is None else p, keep, scale, groups)
        return weights @ v, weights

    @staticmethod
    def backward(ctx, grad_out, grad_weights):
        q, k, v, weights = ctx.saved_tensors
        p, keep, scale, groups = ctx.conf
        if p is None:  # no dropout: the weights are the softmax itself
            p = weights
        dweights = grad_out @ v.swapaxes(-1, -2) + grad_weights
        dv = weights.swapaxes(-1, -2) @ grad_out
        dp = dweights if keep is None else dweights * keep
        ds = p * (dp - (dp * p).sum(-1, keepdims=True))
        dq = (ds @ k) * scale
        dk = (ds.swapaxes(-1, -2) @ q) * scale
        if groups > 1:  # the repeated heads' gradients add up in the head they were copied from
            dk = dk.reshape(dk.shape[:-3] + (-1, groups) + dk.shape[-2:]).sum(-3)
            dv = dv.reshape(dv.shape[:-3] + (-1, groups) + dv.shape[-2:]).sum(-3)
        return dq, dk, dv, ds, None, None, None, None


def _keep_mask(shape: tuple, p: float, dtype) -> np.ndarray:
    """Dropout's mask: 1 / (1 - p) with probability 1 - p, else 0 (from the global generator, drawn as
    PyTorch's ``dropout`` of the attention weights draws it: ``bernoulli_(1 - p)``, then ``/ (1 - p)``)."""
    if p == 1:
        return np.zeros(shape, dtype)
    keep = _random._sample_bernoulli_scalar(_random._gen(None), int(np.prod(shape)), 1.0 - p).reshape(shape)
    return keep.astype(dtype) / dtype.type(1.0 - p)


def _float_mask(mask: Tensor | None, dtype, allowed_when_true: bool, name: str = "attn_mask") -> Tensor | None:
    """A bool mask becomes an additive float one: 0 where attention is allowed, -inf where it is not.

    SDPA's bool masks say True = *take part*; MultiheadAttention's say True = *masked out*."""
    if mask is None:
        return mask
    if mask.dtype.is_floating_point:
        if mask.dtype.to_numpy() != dtype:  # NumPy would silently promote the scores: PyTorch refuses
            raise RuntimeError(f"Expected {name} dtype to be bool or float or to match query dtype, but got "
                               f"{name}.dtype: {mask.dtype} and query.dtype: {np.dtype(dtype).name} instead: "
                               f"convert it with {name}.to(query.dtype)")
        return mask
    if mask.dtype is not _dtype.bool_:
        if allowed_when_true:
            raise RuntimeError(f"Expected {name} dtype to be bool or float or to match query dtype, but got "
                               f"{name}.dtype: {mask.dtype}")
        raise AssertionError(f"only bool and floating types of {name} are supported")
    blocked = ~mask.numpy() if allowed_when_true else mask.numpy()
    return Tensor._make(np.where(blocked, -np.inf, 0).astype(dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two dims (see the module docstring).

    Args:
        query (..., L, E), key (..., S, E), value (..., S, Ev)
        attn_mask: broadcastable to (..., L, S); bool (True = may attend) or float (added to the scores)
        dropout_p: dropout on the attention weights (applied whenever > 0, as in PyTorch)
        is_causal: query i attends to keys 0..i only (an L x S lower-triangular mask); not with attn_mask
        scale: defaults to 1 / sqrt(E)
        enable_gqa: key/value may have fewer heads (dim -3) than query, a divisor of its head count
    Returns: (..., L, Ev)
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: query {list(query.shape)}, key {list(key.shape)} and "
                           f"value {list(value.shape)} do not fit: query and key need the same last dim (E), key "
                           "and value the same sequence length (dim -2)")
    groups = 1
    if enable_gqa and query.dim() >= 3 and key.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        if query.shape[-3] % key.shape[-3] or key.shape[-3] != value.shape[-3]:
            raise RuntimeError(f"scaled_dot_product_attention with enable_gqa=True: the number of query heads "
                               f"({query.shape[-3]}) must be a multiple of the number of key/value heads "
                               f"({key.shape[-3]}, {value.shape[-3]})")
        groups = query.shape[-3] // key.shape[-3]
    try:
        batch = np.broadcast_shapes(tuple(query.shape[:-2]),
                                    tuple(key.shape[:-3]) + ((key.shape[-3] * groups,) if key.dim() >= 3 else ()))
    except ValueError:
        raise RuntimeError(f"scaled_dot_product_attention: the batch dims of query {list(query.shape[:-2])} and "
                           f"key {list(key.shape[:-2])} cannot be broadcast; for fewer key/value heads than query "
                           "heads pass enable_gqa=True") from None
    dtype = query.dtype.to_numpy()
    length, source = query.shape[-2], key.shape[-2]
    if is_causal:
        attn_mask = Tensor._make(np.where(np.tri(length, source, dtype=bool), 0, -np.inf).astype(dtype))
    mask = _float_mask(attn_mask, dtype, allowed_when_true=True)
    keep = _keep_mask(tuple(batch) + (length, source), dropout_p, dtype) if dropout_p > 0 else None
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    out, _ = Attention.apply(query, key, value, mask, keep, scale, groups)
    return out


def _project(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """x W^T + b on the last dim, as one (rows, in) @ (in, out) product (a Linear layer)."""
    rows = x.reshape(-1, x.shape[-1])
    out = rows.matmul(weight.t()) if bias is None else Addmm.apply(bias, rows, weight.t())
    return out.reshape(*x.shape[:-1], weight.shape[0])


def _pad_column(mask: Tensor | None) -> Tensor | None:
    """Append one 0 (= allowed) column to an additive mask, for an extra key (bias_k or the zero key)."""
    if mask is None:
        return None
    return cat([mask, zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype)], -1)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """PyTorch's checks of the input dims; True if the input is batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float, out_proj_weight,
                                 out_proj_bias, training: bool = True, key_padding_mask=None, need_weights: bool = True,
                                 attn_mask=None, use_separate_proj_weight: bool = False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights: bool = True, is_causal: bool = False):
    """Multi-head attention on time-major inputs: query (L, N, E), key (S, N, kdim), value (S, N, vdim), or
    unbatched (L, E)... Returns (output (L, N, E), weights (N, L, S) averaged over heads, (N, H, L, S), or None).

    1. project: q = query W_q^T + b_q, k = key W_k^T + b_k, v = value W_v^T + b_v (W_q, W_k, W_v are the three
       row blocks of in_proj_weight, or q/k/v_proj_weight);
    2. optionally append a learned key/value (bias_k, bias_v) and an all-zero key/value (add_zero_attn);
    3. split E into num_heads heads of E / num_heads features and attend in each head separately
       (masks: attn_mask (L, S) or (N*H, L, S), key_padding_mask (N, S); bool True = masked out);
    4. concatenate the heads and project: out = concat W_o^T + b_o.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    dtype = query.dtype.to_numpy()
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if key_padding_mask is not None and attn_mask is not None and key_padding_mask.dtype is not attn_mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for "
                      "both instead.", stacklevel=3)
    key_padding_mask = _float_mask(key_padding_mask, dtype, allowed_when_true=False, name="key_padding_mask")
    attn_mask = _float_mask(attn_mask, dtype, allowed_when_true=False)
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
    if not use_separate_proj_weight and query is key and key is value:  # self-attention: one product
        q, k, v = _project(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    else:
        q, k, v = _project(query, w_q, b_q), _project(key, w_k, b_k), _project(value, w_v, b_v)

    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)

    # (T, N, E) -> (N*H, T, head_dim): each (batch item, head) pair is one attention problem
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = static_k if static_k is not None else k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = static_v if static_v is not None else v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        k = cat([k, zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)], 1)
        v = cat([v, zeros((bsz * num_heads, 1, head_dim), dtype=v.dtype)], 1)
        attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise RuntimeError(f"Expected key_padded_mask.shape equal to {(bsz, src_len)}, but got "
                               f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    p = dropout_p if training else 0.0
    keep = _keep_mask((bsz * num_heads, tgt_len, src_len), p, dtype) if p > 0 else None
    # need_weights: PyTorch computes a plain softmax (nan for a row with every key masked); otherwise it
    # calls scaled_dot_product_attention (0 there). We follow both.
    out, weights = Attention.apply(q, k, v, attn_mask, keep, 1.0 / math.sqrt(head_dim), 1, not need_weights)
    out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = _project(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not need_weights:
        return (out if is_batched else out.squeeze(1)), None
    weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(1)
    if not is_batched:
        out, weights = out.squeeze(1), weights.squeeze(0)
    return out, weights
