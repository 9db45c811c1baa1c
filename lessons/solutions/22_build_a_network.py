# Solutions to the exercises of lesson 22 (build it yourself 2/2: the pieces of a network).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target):
        shifted = logits - logits.max(dim=1, keepdim=True).values      # every exponent <= 0
        log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
        ctx.save_for_backward(log_probs.exp(), target)                  # softmax, for backward
        n = logits.shape[0]
        return -log_probs[torch.arange(n), target].mean()

    @staticmethod
    def backward(ctx, grad_output):
        probs, target = ctx.saved_tensors
        n = probs.shape[0]
        onehot = torch.zeros_like(probs)
        onehot[torch.arange(n), target] = 1.0
        return grad_output * (probs - onehot) / n, None


def cross_entropy(logits, target):
    return CrossEntropy.apply(logits, target)

# %% Exercise 2
class Conv2dFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, padding):
        n, c, h, w = x.shape
        o, _, k, _ = weight.shape
        cols = F.unfold(x, k, padding=padding)                  # (N, C*k*k, L)
        out = weight.reshape(o, -1) @ cols + bias[:, None]      # (N, O, L)
        ctx.save_for_backward(cols, weight)
        ctx.geometry = (h, w, k, padding)
        return out.reshape(n, o, h + 2 * padding - k + 1, w + 2 * padding - k + 1)

    @staticmethod
    def backward(ctx, grad_output):
        cols, weight = ctx.saved_tensors
        h, w, k, padding = ctx.geometry
        n, o = grad_output.shape[:2]
        g = grad_output.reshape(n, o, -1)                        # (N, O, L)
        grad_weight = (g @ cols.transpose(1, 2)).sum(0).reshape(weight.shape)
        grad_cols = weight.reshape(o, -1).T @ g                  # (N, C*k*k, L)
        grad_x = F.fold(grad_cols, (h, w), k, padding=padding)   # adds overlapping windows
        return grad_x, grad_weight, g.sum((0, 2)), None


class MyConv2d(nn.Module):
    """A Conv2d (stride 1) on your Conv2dFunction, initialised as nn.Conv2d is."""

    def __init__(self, in_channels, out_channels, kernel_size, padding=0):
        super().__init__()
        self.padding = padding
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(out_channels))
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return Conv2dFunction.apply(x, self.weight, self.bias, self.padding)

# %% Exercise 3
class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        mean = x.mean((0, 2, 3), keepdim=True)
        var = x.var((0, 2, 3), unbiased=False, keepdim=True)
        invstd = 1 / torch.sqrt(var + eps)
        x_hat = (x - mean) * invstd
        ctx.save_for_backward(x_hat, invstd, gamma)
        return gamma[:, None, None] * x_hat + beta[:, None, None]

    @staticmethod
    def backward(ctx, grad_output):
        x_hat, invstd, gamma = ctx.saved_tensors
        axes = (0, 2, 3)
        m = grad_output.numel() // grad_output.shape[1]
        g = grad_output * gamma[:, None, None]
        grad_x = invstd / m * (m * g - g.sum(axes, keepdim=True) - x_hat * (g * x_hat).sum(axes, keepdim=True))
        return grad_x, (grad_output * x_hat).sum(axes), grad_output.sum(axes), None


class MyBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            with torch.no_grad():
                m = x.numel() // x.shape[1]
                mean = x.mean((0, 2, 3))
                var = x.var((0, 2, 3), unbiased=False) * m / (m - 1)     # unbiased, for the estimate
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
            return BatchNormFunction.apply(x, self.weight, self.bias, self.eps)
        x_hat = (x - self.running_mean[:, None, None]) / torch.sqrt(self.running_var[:, None, None] + self.eps)
        return self.weight[:, None, None] * x_hat + self.bias[:, None, None]

# %% Exercise 4
class MySGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                step = p.grad
                if group["momentum"]:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = p.grad.clone()
                    else:
                        state["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)
                    step = state["momentum_buffer"]
                p.add_(step, alpha=-group["lr"])


class MyAdam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                state["exp_avg"].mul_(beta1).add_(p.grad, alpha=1 - beta1)
                state["exp_avg_sq"].mul_(beta2).add_(p.grad * p.grad, alpha=1 - beta2)
                m_hat = state["exp_avg"] / (1 - beta1 ** t)
                v_hat = state["exp_avg_sq"] / (1 - beta2 ** t)
                p.sub_(group["lr"] * m_hat / (v_hat.sqrt() + group["eps"]))

# %% Exercise 5
class MyDataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None):
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.drop_last, self.generator = drop_last, generator

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = torch.randperm(n, generator=self.generator).tolist() if self.shuffle else list(range(n))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            samples = [self.dataset[i] for i in order[start:start + self.batch_size]]
            yield tuple(torch.stack(field) for field in zip(*samples))   # collate field by field

# %% Exercise 6
class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = MyConv2d(1, 16, 3, padding=1)
        self.bn = MyBatchNorm2d(16)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1))


def train_digits(model, dataset, epochs):
    loader = MyDataLoader(dataset, batch_size=64, shuffle=True)
    optimizer = MyAdam(model.parameters(), lr=0.01)
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
