# Solutions to the exercises of lesson 00 (welcome).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
y = (t ** 2).sum()
y.backward()                 # t.grad is now 2 * t

# %% Exercise 2
def derivative(f, values):
    x = torch.tensor(values, dtype=torch.float32, requires_grad=True)
    f(x).sum().backward()    # y_i depends on x_i only: the gradient of the sum is f'(x_i) elementwise
    return x.grad

# %% Exercise 3
def gradients(x, functions):
    result = []
    for f in functions:
        x.grad = None        # a clean start: backward() adds into x.grad
        f(x).sum().backward()
        result.append(x.grad)
    return result
