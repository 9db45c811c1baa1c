# Common wrong answers to the exercises of lesson 02: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_exercises.py).

# %% Exercise 1: gradients of every path add up
def gradients(a, b):
    return b, a

# %% Exercise 2: forgets grad_output
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return result

# %% Exercise 3: must *return* the new gradient
def clip_hook(grad):
    grad.clamp(-1, 1)

# %% Exercise 4: that is the first derivative
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (dy,) = torch.autograd.grad(f(x).sum(), x)
    return dy

# %% Exercise 5: never zeroes w.grad
def train(X, y, steps, lr):
    w = torch.zeros(2, requires_grad=True)
    for _ in range(steps):
        ((X @ w - y) ** 2).mean().backward()
        with torch.no_grad():
            w -= lr * w.grad
    return w
