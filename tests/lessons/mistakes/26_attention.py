# Common wrong answers to the exercises of lesson 26: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: without the scale
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.softmax(scores, dim=-1)
    return weights @ v, weights

# %% Exercise 1: the softmax runs over the queries
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.softmax(scores, dim=-2)
    return weights @ v, weights

# %% Exercise 1: divided by d
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.softmax(scores, dim=-1)
    return weights @ v, weights

# %% Exercise 1: still gives them weight e^0 = 1
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, 0.0)
    weights = F.softmax(scores, dim=-1)
    return weights @ v, weights

# %% Exercise 1: the mask is used the wrong way round
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = F.softmax(scores, dim=-1)
    return weights @ v, weights

# %% Exercise 1: return (output, weights) in that order
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.softmax(scores, dim=-1)
    return weights, weights @ v

# %% Exercise 2: the upper triangle
def causal_masks(L):
    allowed = torch.ones(L, L, dtype=torch.bool).triu()
    additive = torch.zeros(L, L).masked_fill(~allowed, float("-inf"))
    return allowed, additive

# %% Exercise 2: a position may attend to itself
def causal_masks(L):
    allowed = torch.ones(L, L, dtype=torch.bool).tril(-1)
    additive = torch.zeros(L, L).masked_fill(~allowed, float("-inf"))
    return allowed, additive

# %% Exercise 2: nn.MultiheadAttention's convention
def causal_masks(L):
    allowed = torch.ones(L, L, dtype=torch.bool).triu(1)
    additive = torch.zeros(L, L).masked_fill(allowed, float("-inf"))
    return allowed, additive

# %% Exercise 2: it must be a boolean
def causal_masks(L):
    allowed = torch.ones(L, L).tril()
    additive = torch.zeros(L, L).masked_fill(allowed == 0, float("-inf"))
    return allowed, additive

# %% Exercise 2: it is ADDED to the scores
def causal_masks(L):
    allowed = torch.ones(L, L, dtype=torch.bool).tril()
    additive = allowed.float()
    return allowed, additive

# %% Exercise 2: -inf goes where attention is NOT allowed
def causal_masks(L):
    allowed = torch.ones(L, L, dtype=torch.bool).tril()
    additive = torch.zeros(L, L).masked_fill(allowed, float("-inf"))
    return allowed, additive

# %% Exercise 3: Reshape to (N, L, H, d), then transpose(1, 2)
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
    heads = F.scaled_dot_product_attention(q.reshape(N, H, L, E // H), k.reshape(N, H, L, E // H),
                                           v.reshape(N, H, L, E // H), attn_mask=attn_mask)
    return mha.out_proj(heads.reshape(N, L, E))

# %% Exercise 3: the output misses mha.out_proj
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

    def split(t):
        return t.reshape(N, L, H, E // H).transpose(1, 2)

    heads = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=attn_mask)
    return heads.transpose(1, 2).reshape(N, L, E)

# %% Exercise 3: its own width, 1/sqrt(E / num_heads)
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

    def split(t):
        return t.reshape(N, L, H, E // H).transpose(1, 2)

    heads = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=attn_mask, scale=1 / math.sqrt(E))
    return mha.out_proj(heads.transpose(1, 2).reshape(N, L, E))

# %% Exercise 3: transpose(1, 2) back to (N, L, H, d) first
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

    def split(t):
        return t.reshape(N, L, H, E // H).transpose(1, 2)

    heads = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=attn_mask)
    return mha.out_proj(heads.reshape(N, L, E))

# %% Exercise 3: the heads are interleaved
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

    def split(t):
        return t.reshape(N, L, E // H, H).permute(0, 3, 1, 2)

    heads = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=attn_mask)
    return mha.out_proj(heads.permute(0, 2, 3, 1).reshape(N, L, E))

# %% Exercise 3: this is one head over all E features
def multi_head_self_attention(x, mha, attn_mask=None):
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
    return mha.out_proj(F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask))

# %% Exercise 3: the mask is used the wrong way round
def multi_head_self_attention(x, mha, attn_mask=None):
    N, L, E = x.shape
    H = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)

    def split(t):
        return t.reshape(N, L, H, E // H).transpose(1, 2)

    mask = None if attn_mask is None else ~attn_mask
    heads = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=mask)
    return mha.out_proj(heads.transpose(1, 2).reshape(N, L, E))

# %% Exercise 4: sine and cosine are swapped
def positional_encoding(num_positions, dim):
    position = torch.arange(num_positions, dtype=torch.float32)[:, None]
    angle = position / 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.cos(angle)
    pe[:, 1::2] = torch.sin(angle)
    return pe

# %% Exercise 4: interleave them
def positional_encoding(num_positions, dim):
    position = torch.arange(num_positions, dtype=torch.float32)[:, None]
    angle = position / 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)

# %% Exercise 4: the exponent is 2i / dim
def positional_encoding(num_positions, dim):
    position = torch.arange(num_positions, dtype=torch.float32)[:, None]
    angle = position / 10000.0 ** (torch.arange(dim // 2, dtype=torch.float32) / dim)
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe

# %% Exercise 4: the positions start at 1
def positional_encoding(num_positions, dim):
    position = torch.arange(1, num_positions + 1, dtype=torch.float32)[:, None]
    angle = position / 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    pe = torch.zeros(num_positions, dim)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe

# %% Exercise 5: divide the logits by the temperature
def sample_next(logits, temperature):
    if temperature == 0:
        return logits.argmax(dim=-1)
    return torch.multinomial(F.softmax(logits, dim=-1), 1).squeeze(-1)

# %% Exercise 5: the logits are multiplied by the temperature
def sample_next(logits, temperature):
    if temperature == 0:
        return logits.argmax(dim=-1)
    return torch.multinomial(F.softmax(logits * temperature, dim=-1), 1).squeeze(-1)

# %% Exercise 5: draw with torch.multinomial
def sample_next(logits, temperature):
    return logits.argmax(dim=-1)

# %% Exercise 5: the softmax ran over the batch
def sample_next(logits, temperature):
    if temperature == 0:
        return logits.argmax(dim=-1)
    return torch.multinomial(F.softmax(logits / temperature, dim=0), 1).squeeze(-1)

# %% Exercise 5: squeeze it
def sample_next(logits, temperature):
    if temperature == 0:
        return logits.argmax(dim=-1)
    return torch.multinomial(F.softmax(logits / temperature, dim=-1), 1)
