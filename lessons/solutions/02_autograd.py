# Solutions to the exercises of lesson 02 (autograd).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def gradients(a, b):
    grad_a = b + 1     # a appears twice: b from a * b, plus 1 from + a
    grad_b = a         # only a * b involves b
    return grad_a, grad_b

# %% Exercise 2
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)   # d/dx exp(x) = exp(x): the output is all backward needs
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result

# %% Exercise 3
def clip_hook(grad):
    return grad.clamp(-1, 1)   # the returned tensor replaces the gradient

# %% Exercise 4
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    # y_i depends on x_i only, so the gradient of the sum is each element's own derivative
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    return d2y

# %% Exercise 5
def train(X, y, steps, lr):
    w = torch.zeros(2, requires_grad=True)
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()           # backward() adds into .grad: start each step from zero
    return w
