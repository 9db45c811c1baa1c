# Solutions to the exercises of lesson 26 (attention and Transformers).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])       # (..., L, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))           # True = may attend: remove the others
    weights = F.softmax(scores, dim=-1)                             # over the keys
    return weights @ v, weights

# %% Exercise 2
def causal_masks(L):
    allowed = torch.ones(L, L, dtype=torch.bool).tril()             # query i sees keys 0..i
    additive = torch.zeros(L, L).masked_fill(~allowed, float("-inf"))
    return allowed, additive

# %% Exercise 3
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    d = E // H
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

    def split(t):                                                   # (N, L, E) -> (N, H, L, d)
        return t.reshape(N, L, H, d).transpose(1, 2)

    heads = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=attn_mask)
    return mha.out_proj(heads.transpose(1, 2).reshape(N, L, E))     # merge the heads, project

# %% Exercise 4
def positional_encoding(num_positions, dim):
    position = torch.arange(num_positions, dtype=torch.float32)[:, None]          # (P, 1)
    angle = position / 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)   # (P, dim/2)
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe

# %% Exercise 5
def sample_next(logits, temperature):
    if temperature == 0:
        return logits.argmax(dim=-1)                                # greedy
    probabilities = F.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probabilities, 1).squeeze(-1)
