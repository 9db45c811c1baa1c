# Solutions to the exercises of lesson 01 (tensors).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def bidiagonal(n):
    m = torch.eye(n)
    idx = torch.arange(n - 1)      # rows 0 .. n-2
    m[idx, idx + 1] = 2            # one index array per dimension: the elements (i, i + 1)
    return m

# %% Exercise 2
def standardize_rows(x):
    mean = x.mean(dim=1, keepdim=True)   # shape (N, 1): broadcasts along each row
    std = x.std(dim=1, keepdim=True)
    return (x - mean) / std

# %% Exercise 3
dtypes = [
    torch.int64,     # 0-d int8, same category: the dimensioned int64 tensor wins
    torch.int64,     # two dimensioned tensors: the wider integer type
    torch.int8,      # 0-d int64, same category: int8 stays
    torch.float64,   # 0-d float64, higher category: its own dtype
    torch.float32,   # 0-d float64, same category: float32 stays
    torch.float32,   # true division gives the default float dtype
]

# %% Exercise 4
def true_class_scores(scores, labels):
    return scores.gather(1, labels.unsqueeze(1)).squeeze(1)
    # or: scores[torch.arange(len(labels)), labels]

# %% Exercise 5
def fit_quadratic(x, y, steps, lr):
    a, b, c = torch.tensor(0.0), torch.tensor(0.0), torch.tensor(0.0)
    for _ in range(steps):
        error = a * x ** 2 + b * x + c - y          # shape (n,)
        grad_a = 2 * (error * x ** 2).mean()         # all three from the same error...
        grad_b = 2 * (error * x).mean()
        grad_c = 2 * error.mean()
        a = a - lr * grad_a                          # ...then the updates
        b = b - lr * grad_b
        c = c - lr * grad_c
    return a, b, c
