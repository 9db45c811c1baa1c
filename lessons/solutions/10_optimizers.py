# Solutions to the exercises of lesson 10 (optimizers and learning-rate schedules).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
class MomentumSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()                      # the update itself must not be recorded by autograd
    def step(self):
        for group in self.param_groups:   # each group has its own lr and momentum
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]     # kept between steps, one dict per parameter
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = p.grad.clone()                      # b_1 = g_1
                else:
                    state["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)  # b = μ b + g
                p.sub_(group["lr"] * state["momentum_buffer"])                     # w -= γ b

# %% Exercise 2
def step_lr(epoch, lr, step_size, gamma):
    return lr * gamma ** (epoch // step_size)     # one factor gamma per completed step_size epochs

# %% Exercise 3
def warmup_factor(epoch):
    if epoch < 5:
        return (epoch + 1) / 5                    # 1/5, 2/5, ..., 5/5: never 0
    return 0.5 ** ((epoch - 5) // 10)             # halve at epochs 15, 25, ...

# %% Exercise 4
def make_optimizer(net):
    return torch.optim.SGD([
        {"params": net.features.parameters()},                 # the default lr below
        {"params": net.classifier.parameters(), "lr": 1e-2},   # its own lr
    ], lr=1e-3, momentum=0.9)
