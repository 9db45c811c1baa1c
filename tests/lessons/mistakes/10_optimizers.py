# Common wrong answers to the exercises of lesson 10: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: you damped the gradient
class MomentumSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "buf" not in state:
                    state["buf"] = torch.zeros_like(p)
                buf = state["buf"]
                buf.mul_(group["momentum"]).add_((1 - group["momentum"]) * p.grad)
                p.sub_(group["lr"] * buf)

# %% Exercise 2: one epoch early
def step_lr(epoch, lr, step_size, gamma):
    return lr * gamma ** ((epoch + 1) // step_size)

# %% Exercise 3: LambdaLR multiplies the optimizer's initial lr
def warmup_factor(epoch):
    if epoch < 5:
        return 0.1 * (epoch + 1) / 5
    return 0.1 * 0.5 ** ((epoch - 5) // 10)

# %% Exercise 4: a parameter is in two groups
def make_optimizer(net):
    return torch.optim.SGD([
        {"params": net.parameters()},
        {"params": net.classifier.parameters(), "lr": 1e-2},
    ], lr=1e-3, momentum=0.9)
