"""MultiheadAttention (PyTorch keeps it in ``nn/modules/activation.py``; ``activation.py`` imports it from here)."""
from __future__ import annotations

from ..._tensor import Tensor
from ...ops.attention import multi_head_attention_forward
from ...ops.creation import empty
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """A plain Linear under PyTorch's name for MultiheadAttention's ``out_proj`` (so the reprs agree)."""


class MultiheadAttention(Module):
    r"""Attention with several heads: MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O, where
    head_i = softmax(Q W_Q,i (K W_K,i)^T / sqrt(d) + mask) V W_V,i and d = embed_dim / num_heads.

    Args:
        embed_dim: features of the query (and of the output)
        num_heads: heads; embed_dim must be divisible by it (each head sees embed_dim / num_heads features)
        dropout: dropout on the attention weights (in training). Default: 0.0
        bias: biases on the input and output projections. Default: ``True``
        add_bias_kv: append a learned key and value (bias_k, bias_v) to the sequence. Default: ``False``
        add_zero_attn: append an all-zero key and value. Default: ``False``
        kdim, vdim: features of key and value. Default: embed_dim
        batch_first: inputs and output are (N, L, E) instead of (L, N, E). Default: ``False``

    Parameters: in_proj_weight (3E, E) with the rows of W_Q, W_K, W_V stacked, or q_proj_weight (E, E),
    k_proj_weight (E, kdim), v_proj_weight (E, vdim) when kdim or vdim differs from embed_dim; in_proj_bias (3E);
    out_proj (a Linear E -> E); bias_k, bias_v (1, 1, E) with add_bias_kv.

    Inputs: query (L, N, E), key (S, N, kdim), value (S, N, vdim) (unbatched: no N; batch_first: N first);
        key_padding_mask (N, S): True (or -inf) = ignore this key; attn_mask (L, S) or (N*num_heads, L, S):
        True = may not attend (a float mask is added to the scores); need_weights: also return the weights;
        average_attn_weights: average the weights over heads; is_causal: a hint that attn_mask is causal.
    Outputs: attn_output (L, N, E); attn_output_weights (N, L, S), or (N, num_heads, L, S) without averaging,
        or None when need_weights=False.

    Examples::
        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = torch.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 5, 5]))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        kw = {"dtype": dtype, "device": device}
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        # PyTorch's choice: Xavier-uniform projections, zero biases, Xavier-normal bias_k / bias_v.
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        is_batched = query.dim() == 3
        if self.batch_first and is_batched:  # the functional form is time-major
            if query is key and key is value:  # keep self-attention recognisable (one packed projection)
                query = key = value = query.transpose(0, 1)
            else:
                query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and is_batched:
            out = out.transpose(0, 1)
        return out, weights
