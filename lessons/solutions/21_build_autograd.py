# Solutions to the exercises of lesson 21 (build it yourself 1/2: autograd from scratch).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class Value:
    """A scalar that remembers how it was computed, so it can send gradients back."""

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None   # adds this node's gradient into its inputs' .grad
        self._prev = tuple(children)
        self._op = op

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):                 # depth-first: a node goes in after all its inputs
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):     # outputs before inputs: every share arrives first
            node._backward()

    __radd__ = __add__
    __rmul__ = __mul__

# %% Exercise 2
class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * b, grad_output * a


class MatMul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A, B)
        return A @ B

    @staticmethod
    def backward(ctx, grad_output):
        A, B = ctx.saved_tensors
        return grad_output @ B.T, A.T @ grad_output

# %% Exercise 3
def unbroadcast(grad, shape):
    """Sum grad down to `shape` (the shape of the input before broadcasting)."""
    lead = grad.dim() - len(shape)
    if lead > 0:                                   # axes the input did not have
        grad = grad.sum(dim=tuple(range(lead)))
    for axis, size in enumerate(shape):            # axes where the input had size 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(dim=axis, keepdim=True)
    return grad


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad_output):
        return unbroadcast(grad_output, ctx.a_shape), unbroadcast(grad_output, ctx.b_shape)

# %% Exercise 4
def fit(X, y, steps, lr):
    W = torch.zeros(X.shape[1], y.shape[1], requires_grad=True)
    b = torch.zeros(y.shape[1], requires_grad=True)
    for _ in range(steps):
        pred = Add.apply(MatMul.apply(X, W), b)
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    return W, b
