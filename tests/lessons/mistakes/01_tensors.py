# Common wrong answers to the exercises of lesson 01: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: just *below* the diagonal
def bidiagonal(n):
    m = torch.eye(n)
    idx = torch.arange(n - 1)
    m[idx + 1, idx] = 2
    return m

# %% Exercise 2: without keepdim=True
def standardize_rows(x):
    return (x - x.mean(dim=1)) / x.std(dim=1)

# %% Exercise 3: a 0-d tensor of the same category (integer) never widens
dtypes = [torch.int64, torch.int64, torch.int64, torch.float64, torch.float32, torch.float32]

# %% Exercise 4: picks whole *columns*
def true_class_scores(scores, labels):
    return scores[:, labels]

# %% Exercise 5: you updated a before computing the gradient of b
def fit_quadratic(x, y, steps, lr):
    a, b, c = torch.tensor(0.0), torch.tensor(0.0), torch.tensor(0.0)
    for _ in range(steps):
        a = a - lr * 2 * ((a * x ** 2 + b * x + c - y) * x ** 2).mean()
        b = b - lr * 2 * ((a * x ** 2 + b * x + c - y) * x).mean()
        c = c - lr * 2 * (a * x ** 2 + b * x + c - y).mean()
    return a, b, c
