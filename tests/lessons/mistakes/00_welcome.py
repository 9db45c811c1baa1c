# Common wrong answers to the exercises of lesson 00: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: t.grad is None
t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
y = (t ** 2).sum()

# %% Exercise 2: it needs one number to start from
def derivative(f, values):
    x = torch.tensor(values, dtype=torch.float32, requires_grad=True)
    f(x).backward()
    return x.grad

# %% Exercise 3: backward() adds into x.grad
def gradients(x, functions):
    result = []
    for f in functions:
        f(x).sum().backward()
        result.append(x.grad.clone())
    return result
