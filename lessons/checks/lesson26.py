"""Checks for lesson 26 (attention and Transformers)."""
from __future__ import annotations

import math

from . import LessonChecks, exercise


class Checks(LessonChecks):
    # ------------------------------------------------------------------ 1. scaled dot-product attention
    @exercise(1, "scaled dot-product attention")
    def ex1(self, attention):
        torch, F = self.torch, self.torch.nn.functional
        torch.manual_seed(0)
        q = torch.randn(2, 3, 5, 8, dtype=torch.float64, requires_grad=True)
        k = torch.randn(2, 3, 6, 8, dtype=torch.float64, requires_grad=True)
        v = torch.randn(2, 3, 6, 4, dtype=torch.float64, requires_grad=True)
        result = attention(q, k, v)
        self.answered(result)
        self.require(isinstance(result, tuple) and len(result) == 2,
                     "attention(q, k, v) must return a pair: (output, weights).")
        out, weights = result
        self.is_tensor(out, "the output")
        self.is_tensor(weights, "the weights")
        self.require(tuple(weights.shape) == (2, 3, 5, 6),
                     f"the weights have shape {tuple(weights.shape)}, expected (2, 3, 5, 6) = (..., L, S): one "
                     f"row per query, one column per key. Use k.transpose(-2, -1), not k.T (and return (output, "
                     f"weights) in that order).")
        scores = q @ k.transpose(-2, -1)
        ref_w = F.softmax(scores / math.sqrt(8), dim=-1)
        self.close(weights, ref_w, "the weights", mistakes=[
            (F.softmax(scores, dim=-1), "the weights are softmax(q k^T) without the scale: divide the scores by "
                                        "sqrt(d) (d = q.shape[-1]) before the softmax."),
            (F.softmax(scores / 8, dim=-1), "the scores are divided by d: the scale is 1 / sqrt(d)."),
            (F.softmax(scores / math.sqrt(8), dim=-2), "the softmax runs over the queries (dim=-2): each "
                                                       "query's weights must sum to 1 over the keys, dim=-1."),
            (F.softmax(scores * math.sqrt(8), dim=-1), "the scores are multiplied by sqrt(d): divide.")])
        ref = F.scaled_dot_product_attention(q, k, v)
        self.close(out, ref, "the output", mistakes=[
            (ref_w, "the output is the weights: the output is weights @ v.")])
        g = torch.randn(2, 3, 5, 4, dtype=torch.float64)
        mine = torch.autograd.grad(out, (q, k, v), g)
        theirs = torch.autograd.grad(ref, (q, k, v), g)
        for got, expected, name in zip(mine, theirs, "qkv"):
            self.close(got, expected, f"the gradient for {name}")

        # a mask that leaves every query at least one key and removes at least one
        L, S = 5, 6
        mask = (torch.arange(L)[:, None] + torch.arange(S)[None, :]) % 3 != 0
        q2, k2, v2 = q.detach(), k.detach(), v.detach()
        result = attention(q2, k2, v2, mask=mask)
        self.require(isinstance(result, tuple) and len(result) == 2, "with a mask, attention must still return "
                                                                      "(output, weights).")
        out, weights = result
        s = q2 @ k2.transpose(-2, -1) / math.sqrt(8)
        zero_filled = F.softmax(s.masked_fill(~mask, 0.0), dim=-1)
        inverted = F.softmax(s.masked_fill(mask, float("-inf")), dim=-1)
        self.close(weights, F.softmax(s.masked_fill(~mask, float("-inf")), dim=-1), "the weights with a mask",
                   mistakes=[
                       (zero_filled, "the masked scores are set to 0, which still gives them weight e^0 = 1 in the "
                                     "softmax: fill them with float('-inf') so their weight is exactly 0."),
                       (inverted, "the mask is used the wrong way round: here True = may attend (as in "
                                  "F.scaled_dot_product_attention), so fill where ~mask is True."),
                       (F.softmax(s, dim=-1), "the mask is ignored: masked_fill the scores where ~mask before the "
                                              "softmax.")])
        self.close(out, F.scaled_dot_product_attention(q2, k2, v2, attn_mask=mask), "the output with a mask")
        unbatched = attention(q2[0, 0], k2[0, 0], v2[0, 0])
        self.close(unbatched[0], F.scaled_dot_product_attention(q2[0, 0], k2[0, 0], v2[0, 0]),
                   "the output for 2-D inputs (L, d)")
        return "equal to F.scaled_dot_product_attention (values and gradients), with and without a mask."

    # ------------------------------------------------------------------ 2. causal masks
    @exercise(2, "causal masks, boolean and additive")
    def ex2(self, causal_masks):
        torch, F = self.torch, self.torch.nn.functional
        result = causal_masks(5)
        self.answered(result)
        self.require(isinstance(result, tuple) and len(result) == 2, "causal_masks(L) must return a pair "
                                                                      "(allowed, additive).")
        allowed, additive = result
        self.is_tensor(allowed, "allowed")
        self.require(tuple(allowed.shape) == (5, 5), f"allowed has shape {tuple(allowed.shape)}, expected (5, 5).")
        self.require(allowed.dtype == torch.bool, f"allowed has dtype {allowed.dtype}: it must be a boolean "
                                                  f"mask (dtype=torch.bool, or .bool()).")
        ones = torch.ones(5, 5, dtype=torch.bool)
        self.close(allowed.float(), ones.tril().float(), "allowed", mistakes=[
            (ones.triu().float(), "allowed is the upper triangle: that lets every query see the future. Query i "
                                  "may attend to keys j <= i: the lower triangle, tril()."),
            (ones.tril(-1).float(), "allowed leaves out the diagonal: a position may attend to itself "
                                    "(tril(), not tril(-1))."),
            ((~ones.tril()).float(), "allowed is True where attention is forbidden: that is nn.MultiheadAttention's "
                                     "convention. For F.scaled_dot_product_attention True = may attend (tril).")])
        self.is_tensor(additive, "additive")
        self.require(additive.is_floating_point(), f"additive has dtype {additive.dtype}: it is added to the "
                                                   f"scores, so it must be a float tensor (0. and -inf).")
        ref = torch.nn.Transformer.generate_square_subsequent_mask(5)
        self.close(additive, ref, "additive", mistakes=[
            (ones.tril().float(), "additive is 1 where allowed and 0 elsewhere: it is ADDED to the scores, so it "
                                  "must be 0 where allowed and float('-inf') where not."),
            (torch.zeros(5, 5).masked_fill(ones.tril(), float("-inf")),
             "additive has -inf in the lower triangle: -inf goes where attention is NOT allowed (the future), "
             "0 where it is."),
            (torch.zeros(5, 5).masked_fill(~ones.tril(), -1e9),
             "additive uses -1e9: it works in practice, but generate_square_subsequent_mask uses float('-inf') "
             "(exactly zero weight).")])
        torch.manual_seed(1)
        q, k, v = torch.randn(3, 2, 7, 4).unbind(0)
        mine_bool, mine_float = causal_masks(7)
        causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        self.close(F.scaled_dot_product_attention(q, k, v, attn_mask=mine_bool), causal,
                   "attention with your boolean mask for L=7 (against is_causal=True)")
        self.close(F.scaled_dot_product_attention(q, k, v, attn_mask=mine_float), causal,
                   "attention with your additive mask for L=7 (against is_causal=True)")
        return "tril for F.scaled_dot_product_attention, 0/-inf equal to generate_square_subsequent_mask; both " \
               "give is_causal=True's attention."

    # ------------------------------------------------------------------ 3. multi-head attention
    @exercise(3, "multi-head self-attention by hand")
    def ex3(self, multi_head_self_attention):
        torch, nn, F = self.torch, self.torch.nn, self.torch.nn.functional
        for E, H in ((8, 2), (12, 3), (16, 4)):
            torch.manual_seed(E)
            mha = nn.MultiheadAttention(E, H, batch_first=True)
            x = torch.randn(2, 5, E)
            got = multi_head_self_attention(x, mha)
            self.is_tensor(got, "multi_head_self_attention(x, mha)")
            ref = mha(x, x, x, need_weights=False)[0]
            self.require(tuple(got.shape) == tuple(ref.shape), f"for E={E}, {H} heads the output has shape "
                                                               f"{tuple(got.shape)}, expected {tuple(ref.shape)} "
                                                               f"(N, L, E).")
            self.close(got, ref, f"the output for E={E}, {H} heads", mistakes=self._head_mistakes(mha, x))
        # with a causal mask; the gradient reaches the module's weights
        mask = torch.ones(5, 5, dtype=torch.bool).tril()
        got = multi_head_self_attention(x, mha, attn_mask=mask)
        ref = mha(x, x, x, attn_mask=~mask, need_weights=False)[0]
        self.close(got, ref, "the output with a causal attn_mask (True = may attend)", mistakes=[
            (mha(x, x, x, attn_mask=mask, need_weights=False)[0],
             "the mask is used the wrong way round: attn_mask here is True = may attend; pass it as "
             "F.scaled_dot_product_attention's attn_mask (which uses that convention)."),
            (mha(x, x, x, need_weights=False)[0], "attn_mask is ignored: pass it on to the attention.")])
        mha.zero_grad()
        got.sum().backward()
        self.require(mha.in_proj_weight.grad is not None and mha.out_proj.weight.grad is not None,
                     "no gradient reached mha.in_proj_weight / mha.out_proj.weight: compute with the module's "
                     "parameters (not detached copies).")
        return "equal to nn.MultiheadAttention for 2, 3 and 4 heads and with a causal mask; gradients reach its " \
               "weights."

    def _head_mistakes(self, mha, x):
        """Outputs of the usual wrong ways to split and merge heads, with their hints."""
        F = self.torch.nn.functional
        N, L, E = x.shape
        H, d = mha.num_heads, E // mha.num_heads
        q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

        def right(t):
            return t.reshape(N, L, H, d).transpose(1, 2)

        def merge(t):
            return t.transpose(1, 2).reshape(N, L, E)

        no_transpose = F.scaled_dot_product_attention(q.reshape(N, H, L, d), k.reshape(N, H, L, d),
                                                      v.reshape(N, H, L, d)).reshape(N, L, E)
        interleaved = [t.reshape(N, L, d, H).permute(0, 3, 1, 2) for t in (q, k, v)]
        interleaved = F.scaled_dot_product_attention(*interleaved).permute(0, 2, 3, 1).reshape(N, L, E)
        heads = F.scaled_dot_product_attention(right(q), right(k), right(v))
        wrong_scale = F.scaled_dot_product_attention(right(q), right(k), right(v), scale=1 / math.sqrt(E))
        merged_badly = mha.out_proj(heads.reshape(N, L, E))
        one_head = F.scaled_dot_product_attention(q, k, v)
        return [
            (no_transpose, "the heads are cut with reshape(N, H, L, d) directly: that mixes positions into heads. "
                           "Reshape to (N, L, H, d), then transpose(1, 2)."),
            (mha.out_proj(no_transpose), "the heads are cut with reshape(N, H, L, d) directly: that mixes positions "
                                         "into heads. Reshape to (N, L, H, d), then transpose(1, 2)."),
            (mha.out_proj(interleaved), "the heads are interleaved (reshape(N, L, d, H)): head h owns the "
                                        "consecutive features h*d ... h*d + d - 1, so reshape to (N, L, H, d)."),
            (merge(heads), "the output misses mha.out_proj: apply it after merging the heads."),
            (mha.out_proj(merge(wrong_scale)), "each head is scaled by 1/sqrt(E): a head's scores are scaled by "
                                               "its own width, 1/sqrt(E / num_heads)."),
            (merged_badly, "the heads are merged with reshape(N, L, E) straight from (N, H, L, d): transpose(1, 2) "
                           "back to (N, L, H, d) first."),
            (mha.out_proj(one_head), "this is one head over all E features: split q, k and v into num_heads heads "
                                     "of E / num_heads features."),
        ]

    # ------------------------------------------------------------------ 4. positional encoding
    @exercise(4, "sinusoidal positional encoding")
    def ex4(self, positional_encoding):
        torch = self.torch
        for P, D in ((10, 16), (7, 6)):
            pe = positional_encoding(P, D)
            self.is_tensor(pe, f"positional_encoding({P}, {D})")
            self.require(tuple(pe.shape) == (P, D), f"positional_encoding({P}, {D}) has shape {tuple(pe.shape)}, "
                                                    f"expected ({P}, {D}) = (positions, dim).")
            self.require(pe.is_floating_point(), f"the encoding has dtype {pe.dtype}: make it float "
                                                 f"(torch.arange(..., dtype=torch.float32)).")
            p = torch.arange(P, dtype=torch.float64)[:, None]
            two_i = torch.arange(0, D, 2, dtype=torch.float64)
            angle = p / 10000 ** (two_i / D)
            ref = torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(P, D)
            i_only = p / 10000 ** (torch.arange(D // 2, dtype=torch.float64) / D)
            self.close(pe, ref, f"positional_encoding({P}, {D})", mistakes=[
                (torch.stack([angle.cos(), angle.sin()], dim=-1).reshape(P, D),
                 "sine and cosine are swapped: sine goes in the even columns (0, 2, 4, ...), cosine in the odd ones."),
                (torch.cat([angle.sin(), angle.cos()], dim=-1),
                 "the sines fill the first half and the cosines the second: interleave them, pe[:, 0::2] = sin, "
                 "pe[:, 1::2] = cos."),
                (torch.stack([i_only.sin(), i_only.cos()], dim=-1).reshape(P, D),
                 "the frequencies use i / dim: the exponent is 2i / dim (the even column index 0, 2, 4, ... "
                 "divided by dim), i.e. torch.arange(0, dim, 2) / dim."),
                (torch.stack([(angle + 1 / 10000 ** (two_i / D)).sin(), (angle + 1 / 10000 ** (two_i / D)).cos()],
                             dim=-1).reshape(P, D),
                 "the positions start at 1: the first position is p = 0 (its row is 0, 1, 0, 1, ...)."),
                (torch.stack([(p * 10000 ** (two_i / D)).sin(), (p * 10000 ** (two_i / D)).cos()],
                             dim=-1).reshape(P, D),
                 "the positions are multiplied by 10000^(2i/dim): divide (the wavelengths grow along the "
                 "features).")])
        return "sine in the even columns, cosine in the odd ones, wavelengths 10000^(2i/dim): as in " \
               "\"Attention Is All You Need\"."

    # ------------------------------------------------------------------ 5. sampling
    @exercise(5, "greedy and temperature sampling")
    def ex5(self, sample_next):
        torch, F = self.torch, self.torch.nn.functional
        torch.manual_seed(0)
        logits = torch.randn(50, 7) * 2
        greedy = sample_next(logits, 0)
        self.is_tensor(greedy, "sample_next(logits, 0)")
        self.require(tuple(greedy.shape) == (50,), f"sample_next(logits, 0) has shape {tuple(greedy.shape)} for 50 "
                                                   f"rows, expected (50,): one token per row (squeeze the last "
                                                   f"dimension, or use argmax(dim=-1)).")
        self.require(greedy.dtype == torch.int64, f"the tokens have dtype {greedy.dtype}: return int64 indices.")
        self.require(bool((greedy == logits.argmax(dim=-1)).all()),
                     "with temperature 0 the result is not the most likely token of each row: use "
                     "logits.argmax(dim=-1).")
        row = torch.tensor([2.0, 1.0, 0.0, -1.0])
        batch = row.expand(20000, 4).contiguous()
        for temperature in (0.5, 2.0):
            torch.manual_seed(1)
            tokens = sample_next(batch, temperature)
            self.is_tensor(tokens, f"sample_next(logits, {temperature})")
            self.require(tuple(tokens.shape) == (20000,), f"sample_next(logits, {temperature}) has shape "
                                                          f"{tuple(tokens.shape)} for 20000 rows, expected (20000,): "
                                                          f"multinomial(..., 1) gives (N, 1), squeeze it.")
            self.require(tokens.dtype == torch.int64, f"the tokens have dtype {tokens.dtype}: return int64 indices.")
            freq = torch.bincount(tokens, minlength=4).double() / 20000
            expected = F.softmax(row / temperature, dim=-1)
            one_hot = torch.tensor([1.0, 0.0, 0.0, 0.0])
            self.close(freq, expected, f"the frequencies of 20,000 samples at temperature {temperature}", atol=0.02,
                       rtol=0, mistakes=[
                           (F.softmax(row, dim=-1), "the samples follow softmax(logits): divide the logits by the "
                                                    "temperature before the softmax."),
                           (F.softmax(row * temperature, dim=-1), "the logits are multiplied by the temperature: "
                                                                  "divide (a low temperature must sharpen)."),
                           (one_hot, "every row gives the most likely token: with a temperature > 0, draw with "
                                     "torch.multinomial(probabilities, 1) instead of taking the argmax."),
                           (torch.full((4,), 0.25), "the tokens are uniform: the softmax ran over the batch "
                                                    "(dim=0) instead of the vocabulary (dim=-1).")])
        return "argmax at temperature 0; samples follow softmax(logits / T) for T = 0.5 and 2."
