# %% [markdown]
# # 14 · Initialisation and regularisation
#
# *Runs in about 10 s on a 2-core CPU (measured with `python tools/lessons.py time`).*
#
# Two things decide whether a deep network trains well before you have even chosen an optimizer:
# the **initial weights** (初始化) and how you keep it from **overfitting** (过拟合) a small
# training set. This lesson measures both.
#
# **Goals.** After this lesson you can
#
# - explain, with one line of variance arithmetic, why the scale of random initial weights makes
#   activations and gradients **vanish** (消失) or **explode** (爆炸) in a deep network;
# - watch it happen layer by layer, and fix it with **Xavier** (for tanh) and **Kaiming** (for ReLU)
#   initialisation applied with `model.apply(init_fn)`;
# - say what **weight decay** (权重衰减, L2 regularisation) does to the weights, and why `AdamW`
#   differs from `Adam(weight_decay=...)`;
# - use **dropout** against overfitting on a small noisy data set, reading train and test curves;
# - constrain weights with **parametrizations** (weight norm, spectral norm, orthogonal) and say what
#   the module's parameters become.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import edutorch as torch                    # <- change `edutorch` to `torch` in these
import edutorch.nn as nn                    #    three lines to run this lesson
import edutorch.nn.functional as F          #    on PyTorch
EDUTORCH = torch.__name__ == "edutorch"
if EDUTORCH:  # edutorch-only helper: print the source code behind an op or a graph node
    from edutorch.notebook import show_source

torch.manual_seed(0)
plt.rcParams["figure.dpi"] = 80

# %% [markdown]
# ## 1. One layer: how the variance grows
#
# A unit of a linear layer computes $y = \sum_{i=1}^{n} w_i x_i$. If the inputs and the weights are
# independent with mean 0, the variances multiply and add up:
#
# $$\operatorname{Var}(y) = n \cdot \operatorname{Var}(w) \cdot \operatorname{Var}(x).$$
#
# So with $n = 512$ inputs, weights of standard deviation 1 make the output $\sqrt{512} \approx 22.6$
# times larger than the input, and the output keeps the input's scale only when
# $\operatorname{std}(w) = 1/\sqrt{n}$.

# %%
torch.manual_seed(0)
n = 512
x = torch.randn(1000, n)                       # inputs with std 1
for w_std in [1.0, 0.01, 1 / math.sqrt(n)]:
    W = torch.randn(n, n) * w_std
    y = x @ W.T
    predicted = math.sqrt(n) * w_std
    print(f"std(w) = {w_std:.4f}:  predicted std(y) = {predicted:6.3f}   measured / predicted = {y.std().item() / predicted:.1f}")


# %% [markdown]
# ## 2. A deep network: vanishing and exploding activations
#
# Stack ten such layers, each followed by an activation, and the factor is applied ten times. To
# watch it we build an MLP (多层感知机) of 10 layers of width 256 and record, with forward hooks
# (lesson 06), the standard deviation of each activation layer's output; after a backward pass we
# also record the standard deviation of each weight's gradient.

# %%
def deep_mlp(act, depth=10, width=256):
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), act()]
    return nn.Sequential(*layers)

def layer_stats(model, x):
    # Per layer: std of the activation outputs, fraction of them saturated (|h| > 0.99),
    # and std of the weight gradients after a backward pass.
    acts, saturated = [], []
    def record(module, inputs, output):
        acts.append(output.std().item())
        saturated.append((output.abs() > 0.99).float().mean().item())
    hooks = [m.register_forward_hook(record) for m in model if not isinstance(m, nn.Linear)]
    model(x).sum().backward()
    for h in hooks:
        h.remove()
    grads = [m.weight.grad.std().item() for m in model if isinstance(m, nn.Linear)]
    return acts, saturated, grads

print(deep_mlp(nn.Tanh, depth=2, width=4))


# %% [markdown]
# ### Initialising with `model.apply(init_fn)`
#
# `model.apply(fn)` calls `fn(module)` on every sub-module (children first, then the model itself).
# An **init function** checks the module's type and fills its parameters in place with the
# functions of `nn.init`, which run without recording gradients:

# %%
def normal_init(std):
    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=std)
            nn.init.zeros_(m.bias)
    return init

def xavier_init(m):          # for tanh (and sigmoid, with gain 1)
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.zeros_(m.bias)

def kaiming_init(m):         # for ReLU
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)

small = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2)))
small.apply(lambda m: print("visiting", type(m).__name__))
small.apply(normal_init(0.5))
print("biases are zero:", all(torch.all(m.bias == 0).item() for m in small.modules() if isinstance(m, nn.Linear)))

# %% [markdown]
# Now the experiment: a tanh network and a ReLU network, each with weights from $N(0, 0.01^2)$
# (too small), $N(0, 1)$ (too large), the matched initialisation, and PyTorch's default (what
# `nn.Linear` does by itself, lesson 08). Every run starts from the same seed and the same input batch.

# %%
experiments = {
    "Tanh": (nn.Tanh, {"N(0, 0.01²)": normal_init(0.01), "N(0, 1)": normal_init(1.0),
                       "xavier": xavier_init, "default": None}),
    "ReLU": (nn.ReLU, {"N(0, 0.01²)": normal_init(0.01), "N(0, 1)": normal_init(1.0),
                       "kaiming": kaiming_init, "default": None}),
}
stats = {}
for net_name, (act, inits) in experiments.items():
    for init_name, init_fn in inits.items():
        torch.manual_seed(0)
        model = deep_mlp(act)
        if init_fn is not None:
            model.apply(init_fn)
        stats[net_name, init_name] = layer_stats(model, torch.randn(512, 256))

fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex=True)
for row, net_name in enumerate(experiments):
    for init_name in experiments[net_name][1]:
        acts, _, grads = stats[net_name, init_name]
        style = ":" if init_name == "default" else "-"
        axes[row, 0].semilogy(range(1, 11), acts, style, marker="o", ms=3, label=init_name)
        axes[row, 1].semilogy(range(1, 11), grads, style, marker="o", ms=3, label=init_name)
    axes[row, 0].set_title(f"{net_name} net: std of activations", fontsize=9)
    axes[row, 1].set_title(f"{net_name} net: std of weight gradients", fontsize=9)
    axes[row, 0].legend(fontsize=7)
for ax in axes[1]:
    ax.set_xlabel("layer")
plt.tight_layout()
plt.show()
plt.close(fig)


# %% [markdown]
# Read the left column first:
#
# - **Too small** ($N(0, 0.01^2)$): each layer multiplies the scale by about
#   $\sqrt{256}\cdot 0.01 = 0.16$ (tanh) or $0.16/\sqrt 2$ (ReLU, which zeroes half its inputs).
#   After ten layers the signal has **vanished**, and the gradients with it.
# - **Too large** ($N(0, 1)$): the ReLU network's activations grow by $\sqrt{256/2} \approx 11$
#   per layer and **explode**. The tanh network cannot explode, since tanh is bounded, but its units
#   **saturate** (饱和) at $\pm 1$, where tanh's derivative is almost 0 (lesson 08); and its weight
#   gradients grow by orders of magnitude towards the input (exploding gradients).
# - **Xavier / Kaiming**: the scale stays put, layer after layer, forward and backward. (Every
#   layer here maps 256 features to 256, so $n_\text{in} = n_\text{out}$; section 3 shows why that
#   matters for Xavier.)
#
# The numbers behind the picture, as verdicts that do not depend on the random draws:

# %%
def verdict(acts, saturated):
    if acts[-1] < 1e-3 * acts[0]:
        return "vanished"
    if acts[-1] > 1e3 * acts[0]:
        return "exploded"
    if saturated[-1] > 0.5:
        return "saturated"
    return "healthy" if 0.3 < acts[-1] / acts[0] < 3 else "shrinking"

for (net_name, init_name), (acts, saturated, grads) in stats.items():
    print(f"{net_name} {init_name:12s} {verdict(acts, saturated)}")

# %% [markdown]
# PyTorch's **default** `nn.Linear` initialisation, $U(-1/\sqrt{n}, 1/\sqrt{n})$, has standard
# deviation $1/\sqrt{3n}$: each layer scales the signal by about $1/\sqrt 3$ (tanh) or $1/\sqrt 6$
# (ReLU). It shrinks for a few layers and is then held up only by the random biases. Fine for
# shallow networks, not what you want for a deep one without normalisation layers.
#
# ## 3. Xavier and Kaiming
#
# Section 1 looked at the forward pass: $\operatorname{Var}(y) = n_\text{in}\operatorname{Var}(w)
# \operatorname{Var}(x)$, so the activations keep their variance when $\operatorname{Var}(w) =
# 1/n_\text{in}$. The backward pass runs through the same weights the other way: each input's
# gradient is a sum over the $n_\text{out}$ outputs, $\partial L/\partial x_i = \sum_j w_{ji}\,
# \partial L/\partial y_j$, so the **gradients** keep their variance when $\operatorname{Var}(w) =
# 1/n_\text{out}$. A layer with $n_\text{in} \ne n_\text{out}$ cannot have both.
#
# - **Xavier** (Glorot) takes the compromise $\operatorname{Var}(w) = 2/(n_\text{in} + n_\text{out})$,
#   the inverse of the *average* fan: both directions change a little, neither by the full ratio
#   $n_\text{in}/n_\text{out}$. Only when $n_\text{in} = n_\text{out}$ does it preserve both exactly.
# - **Kaiming** (He) picks one direction: `mode="fan_in"` (the default) preserves the forward
#   variance, `mode="fan_out"` the backward one.
#
# Both multiply the standard deviation by a **gain** (增益) that makes up for what the activation
# does to the variance:
#
# | | std of $w$ | made for |
# |---|---|---|
# | `xavier_normal_` (Glorot) | $\text{gain}\cdot\sqrt{2 / (n_\text{in} + n_\text{out})}$ | tanh, sigmoid: a compromise between forward and backward |
# | `kaiming_normal_` (He) | $\text{gain} / \sqrt{n_\text{in}}$ (or $n_\text{out}$), gain $= \sqrt 2$ for ReLU | ReLU family: ReLU halves the variance |
#
# Measured on a layer from 512 to 128 features without activation (gain 1): the ratio of output to
# input variance in the forward pass, and of input-gradient to output-gradient variance in the
# backward pass, next to what the formulas predict ($n_\text{in}\operatorname{Var}(w)$ and
# $n_\text{out}\operatorname{Var}(w)$):

# %%
torch.manual_seed(0)
n_in, n_out = 512, 128
x = torch.randn(2000, n_in, requires_grad=True)
grad_y = torch.randn(2000, n_out)                   # a gradient arriving from above, variance 1
inits = {"xavier_normal_": (nn.init.xavier_normal_, 2 / (n_in + n_out)),
         "kaiming, fan_in": (lambda w: nn.init.kaiming_normal_(w, nonlinearity="linear"), 1 / n_in),
         "kaiming, fan_out": (lambda w: nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="linear"), 1 / n_out)}
for name, (init, var_w) in inits.items():
    w = torch.empty(n_out, n_in)
    init(w)
    y = x @ w.T
    (grad_x,) = torch.autograd.grad(y, x, grad_y)
    forward, backward = y.var().item() / x.var().item(), grad_x.var().item() / grad_y.var().item()
    print(f"{name:17s} forward ×{n_in * var_w:4.2f} (measured / predicted {forward / (n_in * var_w):.1f})   "
          f"backward ×{n_out * var_w:4.2f} (measured / predicted {backward / (n_out * var_w):.1f})")

# %% [markdown]
# The formulas predict the measurements. Xavier lets the forward variance grow by 1.6 and the
# backward variance shrink to 0.4: neither is 1, neither is far from it. Kaiming keeps one direction
# at exactly 1 and lets the other change by the full factor 4 (or 1/4). In a deep network these
# factors multiply, layer after layer.
#
# `xavier_uniform_` and `kaiming_uniform_` draw from a uniform distribution $U(-a, a)$ with the same
# standard deviation, $a = \sqrt 3\,\operatorname{std}$ (exercise 1). `nn.init.calculate_gain` knows
# the recommended gains:

# %%
for name in ["linear", "sigmoid", "tanh", "relu", "selu"]:
    print(f"{name:8s} {nn.init.calculate_gain(name):.4f}")
print(f"{'leaky_relu(0.2)':8s} {nn.init.calculate_gain('leaky_relu', 0.2):.4f}")

# %%
torch.manual_seed(0)
w = torch.empty(256, 512)                       # (fan_out, fan_in), as in nn.Linear(512, 256)
nn.init.kaiming_normal_(w, nonlinearity="relu")
print("kaiming_normal_: std / sqrt(2/512)       =", round(w.std().item() / math.sqrt(2 / 512), 1))
nn.init.xavier_normal_(w)
print("xavier_normal_:  std / sqrt(2/(512+256)) =", round(w.std().item() / math.sqrt(2 / (512 + 256)), 1))
nn.init.xavier_uniform_(w)
print("xavier_uniform_: max |w| <= sqrt(6/(512+256)):", w.abs().max().item() <= math.sqrt(6 / (512 + 256)))

# %% [markdown]
# ## 4. Weight decay
#
# **Weight decay** adds $\frac{\lambda}{2}\lVert w\rVert^2$ to the loss. Its gradient is
# $\lambda w$, so a plain SGD step becomes
#
# $$w \leftarrow w - \text{lr}\,(g + \lambda w) = (1 - \text{lr}\,\lambda)\,w - \text{lr}\,g :$$
#
# before each gradient step the weights shrink by a constant factor, pulling them towards 0 unless
# the data keeps them large. `torch.optim.SGD(..., weight_decay=λ)` does exactly this; check it
# against the penalty written into the loss by hand:

# %%
torch.manual_seed(0)
a = nn.Linear(3, 1)
b = nn.Linear(3, 1)
b.load_state_dict(a.state_dict())                 # two identical layers
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
y = torch.tensor([[1.0], [0.0]])
lam = 0.1

opt_a = torch.optim.SGD(a.parameters(), lr=0.1, weight_decay=lam)
opt_b = torch.optim.SGD(b.parameters(), lr=0.1)
for _ in range(5):
    opt_a.zero_grad()
    F.mse_loss(a(x), y).backward()
    opt_a.step()
    opt_b.zero_grad()
    penalty = lam / 2 * sum((p ** 2).sum() for p in b.parameters())
    (F.mse_loss(b(x), y) + penalty).backward()
    opt_b.step()
print(all(torch.allclose(pa, pb, atol=1e-6) for pa, pb in zip(a.parameters(), b.parameters())))

# %% [markdown]
# With a zero gradient only the decay acts, and the difference between optimizers shows. Three steps
# with `lr=0.1`, `weight_decay=0.5` on $w = (1, -2)$ and a loss that does not depend on $w$:
#
# - **SGD**: $w \leftarrow 0.95\,w$ each step: $0.95^3 = 0.857$.
# - **Adam** adds $\lambda w$ to the gradient *and then* divides by its running size: every weight
#   moves by about `lr` per step, big or small (1 → 0.70, −2 → −1.70). The decay is no longer
#   proportional to the weight.
# - **AdamW** ("decoupled weight decay") shrinks $w$ by $(1 - \text{lr}\,\lambda)$ directly, like
#   SGD, outside Adam's normalisation. This is why AdamW is the usual choice with weight decay.

# %%
for opt_class in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW]:
    w = nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = opt_class([w], lr=0.1, weight_decay=0.5)
    for _ in range(3):
        opt.zero_grad()
        (0 * w).sum().backward()                 # gradient 0: only weight decay acts
        opt.step()
    print(f"{opt_class.__name__:6s}", [round(v, 4) for v in w.tolist()])

# %% [markdown]
# ## 5. A small data set to overfit
#
# Twenty noisy samples of $\sin(2x)$ on $[-2, 2]$ (noise std 0.5), and a network far bigger than
# they need: two hidden layers of 128 units, about 17 000 parameters for 20 numbers. The test set
# is the noise-free curve. `fit` trains a fresh network for 400 full-batch AdamW steps and records,
# every 5 steps, the train and test losses (in evaluation mode) and the norm of the weights.
# `torch.manual_seed(0)` inside `fit` gives every run the same initial weights, so the runs differ
# only in the regularisation.
#
# One more number to compare with: the loss of the **true curve** $\sin(2x)$ on the 20 training
# points. It is the size of the noise in *this* draw (about $0.5^2 = 0.25$ on average, but 20
# points are few). A model whose train loss is far below it is fitting the noise; one whose train
# loss is above it does not even capture the signal.

# %%
torch.manual_seed(6)
x_train = torch.rand(20, 1) * 4 - 2
y_train = torch.sin(2 * x_train) + 0.5 * torch.randn(20, 1)
x_test = torch.linspace(-2, 2, 200).unsqueeze(1)
y_test = torch.sin(2 * x_test)

def net(p=0.0):
    return nn.Sequential(nn.Linear(1, 128), nn.ReLU(), nn.Dropout(p),
                         nn.Linear(128, 128), nn.ReLU(), nn.Dropout(p),
                         nn.Linear(128, 1))

def weight_norm(model):
    return math.sqrt(sum((p ** 2).sum().item() for name, p in model.named_parameters() if name.endswith("weight")))

def fit(p=0.0, weight_decay=0.0, steps=400, every=5):
    torch.manual_seed(0)                          # the same initial weights for every run
    model = net(p)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=weight_decay)
    history = {"step": [], "train": [], "test": [], "norm": []}
    for step in range(1, steps + 1):
        model.train()
        loss = F.mse_loss(model(x_train), y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % every == 0:
            model.eval()
            with torch.no_grad():
                history["step"].append(step)
                history["train"].append(F.mse_loss(model(x_train), y_train).item())
                history["test"].append(F.mse_loss(model(x_test), y_test).item())
                history["norm"].append(weight_norm(model))
    return model, history

def final(values):                                # the average over the last 50 steps: less jumpy
    return float(np.mean(values[-10:]))

def jitter(values):                               # how much it jumps over those 50 steps
    return float(np.std(values[-10:]))

true_loss = F.mse_loss(torch.sin(2 * x_train), y_train).item()
print(sum(p.numel() for p in net().parameters()), "parameters")

# %% [markdown]
# ### Weight decay: too weak, about right, too strong
#
# Four runs with `weight_decay` 0, 0.1, 1 and 30. With `lr=0.01`, AdamW shrinks the weights by
# `lr·λ` = 0 %, 0.1 %, 1 % and 30 % per step, before the gradient step pulls them back:

# %%
DECAYS = [0.0, 0.1, 1.0, 30.0]
runs = {wd: fit(weight_decay=wd) for wd in DECAYS}

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
for wd, (model, history) in runs.items():
    ax1.plot(history["step"], history["norm"], label=f"weight_decay={wd}")
    with torch.no_grad():
        ax2.plot(x_test.squeeze().numpy(), model(x_test).squeeze().numpy(), label=f"weight_decay={wd}")
ax2.plot(x_test.squeeze().numpy(), y_test.squeeze().numpy(), "k:", label="sin(2x)")
ax2.scatter(x_train.squeeze().numpy(), y_train.squeeze().numpy(), s=12, c="k", zorder=3)
ax1.set_xlabel("step")
ax1.set_title("norm of the weights", fontsize=9)
ax2.set_title("fitted functions", fontsize=9)
ax1.legend(fontsize=7)
ax2.legend(fontsize=7)
plt.tight_layout()
plt.show()
plt.close(fig)

# %%
# NBVAL_IGNORE_OUTPUT
# the data and the initial weights come from the engine's random generator
print(f"loss of the true curve on the training points: {true_loss:.3f}")
for wd, (model, history) in runs.items():
    print(f"weight_decay={wd:4}:  weight norm {history['norm'][-1]:5.1f}   train loss {final(history['train']):.3f}"
          f"   test loss {final(history['test']):.3f} ± {jitter(history['test']):.3f}")

# %% [markdown]
# Stronger decay, smaller weights, a smoother function and a higher train loss, every time. The
# test loss does not simply fall, though; read it row by row (the ± is the jitter of the test loss,
# its standard deviation over the last 50 steps):
#
# - **0.1 is too weak.** The weights end a bit smaller, but the fitted function is almost the one
#   without decay (blue and orange on the right), the train loss hardly moves, and it stays far below
#   the true curve's: the network still fits the noise. Its test loss even comes out a little
#   *worse* here, by less than its jitter: that is the noise of a network that fits noise, not
#   weight decay hurting. (With other random numbers — on PyTorch, for instance — 0.1 does lower
#   the test loss: the effect of a weak decay depends on the draw.)
# - **1 is about right.** The train loss rises towards the true curve's, the function is smoother,
#   and the test loss is clearly lower.
# - **30 is too strong.** Shrinking the weights by 30 % per step overwhelms the gradient: the
#   network **underfits** (欠拟合) — its train loss is *above* the true curve's, the fitted function
#   is nearly flat — and the test loss rises again.
#
# Like every regularisation strength, `weight_decay` is a hyperparameter, chosen on validation data
# (lesson 11). The facts that hold whatever the random draws, checked:

# %%
norms = [runs[wd][1]["norm"][-1] for wd in DECAYS]
train = {wd: final(runs[wd][1]["train"]) for wd in DECAYS}
test = {wd: final(runs[wd][1]["test"]) for wd in DECAYS}
assert norms[0] > norms[1] > norms[2] > norms[3]              # stronger decay, smaller weights
assert train[0.0] < true_loss and train[0.1] < true_loss      # too weak: still fits the noise
assert train[30.0] > true_loss                                # too strong: underfits
assert test[1.0] < test[0.0] and test[1.0] < test[30.0]       # in between: the best test loss
print("weight decay: smaller weights; too weak fits noise, too strong underfits, in between generalises")

# %% [markdown]
# ## 6. Dropout against overfitting
#
# Now the same network with `nn.Dropout(0.5)` after each hidden layer, no weight decay. The train
# loss plotted is measured in evaluation mode (dropout off), like the test loss, so the two curves
# are comparable.

# %%
plain_model, plain = runs[0.0]
dropout_model, dropped = fit(p=0.5)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
for name, history, color in [("no dropout", plain, "C0"), ("dropout 0.5", dropped, "C1")]:
    ax1.semilogy(history["step"], history["train"], color=color, lw=1, label=f"{name}: train")
    ax1.semilogy(history["step"], history["test"], color=color, ls="--", lw=1, label=f"{name}: test")
ax1.set_xlabel("step")
ax1.set_title("MSE loss", fontsize=9)
ax1.legend(fontsize=7)
with torch.no_grad():
    for name, model in [("no dropout", plain_model), ("dropout 0.5", dropout_model)]:
        ax2.plot(x_test.squeeze().numpy(), model(x_test).squeeze().numpy(), label=name)
ax2.plot(x_test.squeeze().numpy(), y_test.squeeze().numpy(), "k:", label="sin(2x)")
ax2.scatter(x_train.squeeze().numpy(), y_train.squeeze().numpy(), s=12, c="k", zorder=3)
ax2.set_title("fitted functions", fontsize=9)
ax2.legend(fontsize=7)
plt.tight_layout()
plt.show()
plt.close(fig)

# %%
# NBVAL_IGNORE_OUTPUT
# the data and the initial weights come from the engine's random generator
for name, history in [("no dropout ", plain), ("dropout 0.5", dropped)]:
    print(f"{name}:  train loss {final(history['train']):.3f}   test loss {final(history['test']):.3f}"
          f" ± {jitter(history['test']):.3f}")

# %% [markdown]
# Without dropout the network drives its train loss far below the true curve's: it bends to pass
# near noisy points, and the test loss stays high and jumpy. With dropout it cannot rely on any
# single unit, fits the noise less (a higher train loss) and follows the true curve more closely
# (a lower test loss):

# %%
assert final(plain["train"]) < true_loss                   # below the true curve: fits the noise
assert final(dropped["train"]) > final(plain["train"])
assert final(dropped["test"]) < final(plain["test"])
print("dropout: higher train loss, lower test loss")

# %% [markdown]
# On twenty points the size of the effect depends on the draw of the data (try other seeds in the
# first cell of section 5): regularisation is a statistical effect, clearest on average. Dropout
# and weight decay are often combined, and both are tuned on a validation set, never on the test
# set. (Here the "test" curve is known exactly, which is what lets this lesson show the effect.)
#
# ### Check your understanding
#
# 1. A `Linear(1024, 1024)` layer followed by ReLU: which standard deviation keeps the activations'
#    scale? (Kaiming: $\sqrt{2/1024}$.)
# 2. With SGD, `lr=0.5` and `weight_decay=0.2`, a zero gradient: by which factor is a weight
#    multiplied per step?
# 3. Does `model.apply(kaiming_init)` also change layers nested inside an inner `nn.Sequential`?
#
# Predict, then run:

# %%
torch.manual_seed(0)
layer = nn.Linear(1024, 1024)
nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
assert abs(layer.weight.std().item() - math.sqrt(2 / 1024)) < 0.01 * math.sqrt(2 / 1024)

w = nn.Parameter(torch.tensor([2.0]))
opt = torch.optim.SGD([w], lr=0.5, weight_decay=0.2)
(0 * w).sum().backward()
opt.step()
assert torch.allclose(w.detach(), torch.tensor([2.0 * (1 - 0.5 * 0.2)]))

nested = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 4)))
nested.apply(normal_init(0.0))                    # std 0: every weight becomes 0
assert all(torch.all(p == 0).item() for p in nested.parameters())
print("all correct")

# %% [markdown]
# ## 7. Constraining the weights: weight norm and spectral norm as parametrizations
#
# Weight decay *pulls* the weights towards 0 with a penalty. Another way to control them is to
# **compute** each weight from other tensors, so that it can only take the form we want. PyTorch calls
# this a **parametrization** (参数化, `torch.nn.utils.parametrize`): after
# `register_parametrization(layer, "weight", P)`, every read of `layer.weight` computes
# `P(original)`, and the optimizer trains `original`. Two classic ones:
#
# - **weight normalisation** (权重归一化): $w = g\,\dfrac{v}{\lVert v\rVert}$ for each output unit:
#   the length $g$ and the direction $v$ are learned separately, which makes gradient descent better
#   conditioned;
# - **spectral normalisation** (谱归一化): $W / \sigma(W)$ with $\sigma$ the largest singular value
#   (奇异值), so the layer stretches no input by more than a factor 1. It keeps GAN discriminators
#   (lesson 18) from becoming too steep.
#
# What does a module's parameter list become?

# %%
torch.manual_seed(0)
layer = nn.Linear(3, 2)
print("before:", [(name, tuple(p.shape)) for name, p in layer.named_parameters()])
nn.utils.parametrizations.weight_norm(layer)
print("after: ", [(name, tuple(p.shape)) for name, p in layer.named_parameters()])
print(type(layer).__name__, "is still a Linear:", isinstance(layer, nn.Linear))
print(layer)

# %% [markdown]
# `weight` is no longer a parameter: the layer's class became `ParametrizedLinear`, on which `weight`
# is a property that computes $g\,v/\lVert v\rVert$ from `original0` ($g$, one length per output
# unit, shape `(2, 1)`) and `original1` ($v$, the weight's shape). These are the names in the
# `state_dict`, and the ones the optimizer trains: the gradient reaches $g$ and $v$, never `weight`
# itself. At registration $g = \lVert w\rVert$ and $v = w$, so the layer computes what it did before.

# %%
g = layer.parametrizations.weight.original0
v = layer.parametrizations.weight.original1
print(list(layer.state_dict()))
assert torch.allclose(layer.weight.norm(dim=1), g.squeeze(1))      # each row's length is g
layer(torch.ones(4, 3)).sum().backward()
print("gradients for g and v:", tuple(g.grad.shape), tuple(v.grad.shape))
before = layer.weight.detach().clone()
with torch.no_grad():
    g.mul_(2)                                   # twice the lengths: the weight is recomputed on reading
assert torch.allclose(layer.weight, 2 * before)
nn.utils.parametrize.remove_parametrizations(layer, "weight")     # bake the current weight back in
print("removed:", type(layer).__name__, [name for name, _ in layer.named_parameters()])

# %% [markdown]
# Spectral normalisation finds $\sigma(W)$ by **power iteration** (幂迭代): buffers $u$ and $v$ hold
# estimates of the top singular vectors, and every read of `weight` in training mode refines them once
# ($v \leftarrow \text{normalize}(W^\top u)$, $u \leftarrow \text{normalize}(W v)$, then
# $\sigma \approx u^\top W v$). They are buffers, so they are saved in the `state_dict` beside the
# original weight. (The older `nn.utils.weight_norm` and `nn.utils.spectral_norm` do the same with a
# forward hook and names `weight_g`, `weight_v` / `weight_orig`, `weight_u`; PyTorch recommends the
# parametrizations.)

# %%
torch.manual_seed(0)
critic = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 10))
print(list(critic.state_dict()))
for _ in range(5):
    critic(torch.randn(8, 20))                  # each training-mode forward: one power iteration
top = np.linalg.svd(critic.weight.detach().numpy(), compute_uv=False)[0]
print(f"largest singular value of the weight the layer uses: {top:.2f}")
assert abs(top - 1) < 0.01

# %% [markdown]
# A third, `orthogonal`, keeps the weight an orthogonal matrix ($W^\top W = I$: every input keeps its
# length, the ideal of section 1's variance arithmetic) however the optimizer moves `original`:

# %%
rotation = nn.utils.parametrizations.orthogonal(nn.Linear(4, 4))
print(list(rotation.state_dict()))
opt = torch.optim.SGD(rotation.parameters(), lr=0.5)
for _ in range(3):
    opt.zero_grad()
    rotation(torch.ones(2, 4)).pow(2).sum().backward()
    opt.step()
Q = rotation.weight
assert torch.allclose(Q.T @ Q, torch.eye(4), atol=1e-5)
print("still orthogonal after 3 SGD steps:", torch.allclose(Q.T @ Q, torch.eye(4), atol=1e-5))


# %% [markdown]
# ## Summary
#
# - $\operatorname{Var}(y) = n\,\operatorname{Var}(w)\operatorname{Var}(x)$: with the wrong weight
#   scale a deep network's activations and gradients shrink or grow geometrically with depth
#   (vanishing / exploding), or tanh units saturate.
# - The forward pass keeps its variance with $\operatorname{Var}(w) = 1/n_\text{in}$, the backward
#   pass with $1/n_\text{out}$. **Xavier** ($\text{gain}\sqrt{2/(n_\text{in}+n_\text{out})}$, for
#   tanh/sigmoid) is the compromise between the two, exact for both only when
#   $n_\text{in} = n_\text{out}$; **Kaiming** ($\sqrt{2/n_\text{in}}$ for ReLU, or $n_\text{out}$ with
#   `mode="fan_out"`) keeps one direction exactly. Apply them with `model.apply(init_fn)` and the
#   in-place functions of `nn.init`. Gains come from `nn.init.calculate_gain`.
# - **Weight decay** $\lambda$ = an L2 penalty $\frac\lambda2\lVert w\rVert^2$ = shrinking the weights
#   by $(1-\text{lr}\,\lambda)$ each SGD step. With Adam use **AdamW** (decoupled decay).
# - **Dropout** and weight decay trade a higher train loss for a lower test loss when a big network
#   meets little data — at the right strength: too weak changes little, too strong underfits. Watch
#   both curves, and choose the strength on validation data.
# - A **parametrization** computes a weight from other tensors on every read
#   (`nn.utils.parametrize.register_parametrization`): `weight_norm` trains a length $g$ and a direction
#   $v$ (`parametrizations.weight.original0/1`), `spectral_norm` divides by the largest singular value,
#   found by power iteration, `orthogonal` keeps $W^\top W = I$. `remove_parametrizations` turns the
#   weight back into a plain parameter.
#
# ## Exercises
#
# Write the code in each `# Exercise` cell, run it, then run the check below it: the check says
# ✓ when your code is right, or ✗ with a hint that names what is wrong. The checks work on
# edutorch and on real PyTorch alike. Stuck? The solutions are in
# [solutions/14_init_and_regularisation.py](solutions/14_init_and_regularisation.py) (one click;
# try first!).

# %%
from checks.lesson14 import Checks   # the checks of these exercises: lessons/checks/lesson14.py
check = Checks(torch)

# %% [markdown]
# **Exercise 1 — the bounds of `xavier_uniform_` and `kaiming_uniform_`.** Both draw from
# $U(-a, a)$, whose standard deviation is $a/\sqrt 3$. Write two functions that return $a$ for a
# weight of a given shape, as `nn.init` computes it:
#
# - `xavier_bound(shape, gain)`: $\operatorname{std} = \text{gain}\sqrt{2/(n_\text{in}+n_\text{out})}$;
# - `kaiming_bound(shape, gain)`: $\operatorname{std} = \text{gain}/\sqrt{n_\text{in}}$ (mode `fan_in`).
#
# A weight has shape `(out_features, in_features)` for `nn.Linear`, and
# `(out_channels, in_channels, kh, kw)` for `nn.Conv2d`, where every input channel brings
# `kh · kw` inputs: $n_\text{in} = \text{in\_channels}\cdot k_h k_w$ and
# $n_\text{out} = \text{out\_channels}\cdot k_h k_w$. The check compares your bounds with the
# largest values `nn.init` draws, for linear and convolution shapes.

# %%
# Exercise 1: the a of U(-a, a) used by nn.init.xavier_uniform_ and nn.init.kaiming_uniform_
def xavier_bound(shape, gain=1.0):
    raise NotImplementedError("compute fan_in and fan_out from the shape, then the bound")

def kaiming_bound(shape, gain=math.sqrt(2)):
    raise NotImplementedError("compute fan_in from the shape, then the bound")

# %%
check.ex1(xavier_bound, kaiming_bound)

# %% [markdown]
# **Exercise 2 — weight decay as a penalty, weights only.** Weight decay usually skips the biases.
# Write `l2_penalty(model, lam)` that returns $\frac{\lambda}{2}\sum \lVert W\rVert^2$ over the
# parameters with more than one dimension (the weights of `Linear` and `Conv2d` layers, not the
# biases), as a tensor autograd can differentiate. The check trains with plain SGD on
# `loss + l2_penalty(model, lam)` and compares with SGD using two parameter groups: the weights with
# `weight_decay=lam`, the biases with none.

# %%
# Exercise 2: lam / 2 * (sum of the squared weights), biases left out
def l2_penalty(model, lam):
    raise NotImplementedError("sum (p ** 2).sum() over the parameters with p.dim() > 1")

# %%
check.ex2(l2_penalty)

# %% [markdown]
# **Exercise 3 — dropout by hand.** Write a module `MyDropout(p)`: in training mode it sets each
# element to 0 with probability `p` and multiplies the others by $1/(1-p)$ ("inverted dropout", so
# that the expected value of each element is unchanged); in evaluation mode it returns its input
# unchanged. `self.training` tells you the mode; `torch.rand_like(x)` gives uniform random numbers.
# The check measures the fraction of zeros, the surviving values, the mean, the gradient and the
# behaviour after `.eval()`.

# %%
# Exercise 3: inverted dropout: zero with probability p, scale the rest by 1 / (1 - p); identity in eval
class MyDropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        raise NotImplementedError("use self.training, a random mask and the 1 / (1 - p) scale")

# %%
check.ex3(MyDropout)

# %% [markdown]
# **Exercise 4 — AdamW without decay for biases and norms.** Write `make_adamw(model, lr,
# weight_decay)` returning a `torch.optim.AdamW` with two parameter groups: the parameters with more
# than one dimension get `weight_decay`, the one-dimensional ones (biases, and the scale and shift of
# normalisation layers) get `weight_decay=0.0`. Every parameter must be in exactly one group. The
# check takes one step with zero gradients (only the decay acts) on a model with a `BatchNorm1d`.

# %%
# Exercise 4: AdamW with two parameter groups: decay for p.dim() > 1, none for the rest
def make_adamw(model, lr, weight_decay):
    raise NotImplementedError("split model.parameters() into two groups")

# %%
check.ex4(make_adamw)

# %% [markdown]
# ## 中文小结
#
# - 一层线性层的输出方差为 $n\,\operatorname{Var}(w)\operatorname{Var}(x)$。权重初始化的尺度不对，深层网络的
#   激活值和梯度会随层数指数级地缩小或增大（**梯度消失** / **梯度爆炸**），tanh 单元还会饱和。
# - 前向传播保持方差需要 $\operatorname{Var}(w) = 1/n_\text{in}$，反向传播需要 $1/n_\text{out}$。
#   **Xavier 初始化** 取两者的折中 $2/(n_\text{in}+n_\text{out})$，只有 $n_\text{in} = n_\text{out}$
#   时两个方向都保持；**Kaiming 初始化** 用 $2/n_\text{in}$（ReLU 把方差减半）只保持一个方向。
#   均匀分布 $U(-a, a)$ 的标准差是 $a/\sqrt 3$，卷积层的扇入还要乘以卷积核大小（练习 1）。
#   用 `model.apply(init_fn)` 和 `nn.init` 的原地函数初始化整个模型。
# - **权重衰减**等于在损失中加上 L2 惩罚 $\frac{\lambda}{2}\lVert w\rVert^2$，SGD 每步把权重乘以
#   $(1-\text{lr}\,\lambda)$；通常不对偏置衰减，用参数组实现（练习 2、4）。Adam 要用 **AdamW**（解耦的权重衰减）。
# - 衰减太弱几乎不起作用，网络仍然拟合噪声（**过拟合**）；太强则**欠拟合**，训练损失比真实曲线还高；
#   强度适中时测试损失最低。它和暂退法的概率一样是超参数，应在验证集上选择。
# - **暂退法**在训练时以概率 $p$ 把元素置零，并把其余元素乘以 $1/(1-p)$，评估时什么也不做（练习 3）；
#   它让训练损失升高、测试损失降低。
# - **参数化**让权重在每次读取时由其他张量计算出来：`weight_norm` 把权重拆成长度 $g$ 和方向 $v$
#   （`parametrizations.weight.original0/1`）分别训练；`spectral_norm` 用幂迭代估计最大奇异值并除以它，
#   使这一层的放大倍数不超过 1；`orthogonal` 让权重始终是正交矩阵。模块的类变成 `ParametrizedLinear`，
#   `remove_parametrizations` 可以还原。

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | PyTorch |
# | --- | --- | --- |
# | initialization | 初始化 | `torch.nn.init` |
# | variance | 方差 | `torch.Tensor.var` |
# | fan-in / fan-out | 扇入 / 扇出 | `mode="fan_in"`, `mode="fan_out"` |
# | Xavier (Glorot) initialization | Xavier 初始化 | `torch.nn.init.xavier_uniform_`, `xavier_normal_` |
# | Kaiming (He) initialization | Kaiming 初始化 | `torch.nn.init.kaiming_uniform_`, `kaiming_normal_` |
# | gain | 增益 | `torch.nn.init.calculate_gain` |
# | vanishing / exploding gradients | 梯度消失 / 梯度爆炸 | — |
# | saturation | 饱和 | — |
# | multilayer perceptron | 多层感知机 | `torch.nn.Sequential`, `torch.nn.Linear` |
# | regularization | 正则化 | — |
# | weight decay (L2 penalty) | 权重衰减（L2 惩罚） | `weight_decay=` |
# | decoupled weight decay | 解耦的权重衰减 | `torch.optim.AdamW` |
# | parameter group | 参数组 | `optimizer.param_groups`, `AdamW([{'params': ...}, ...])` |
# | overfitting / underfitting | 过拟合 / 欠拟合 | — |
# | dropout | 暂退法 (Dropout) | `torch.nn.Dropout` |
# | training mode / evaluation mode | 训练模式 / 评估模式 | `Module.train()`, `Module.eval()` |
# | hyperparameter | 超参数 | — |
# | parametrization | 参数化 | `torch.nn.utils.parametrize.register_parametrization` |
# | weight normalization | 权重归一化 | `torch.nn.utils.parametrizations.weight_norm` |
# | spectral normalization | 谱归一化 | `torch.nn.utils.parametrizations.spectral_norm` |
# | singular value | 奇异值 | — |
# | power iteration | 幂迭代 | — |
# | orthogonal matrix | 正交矩阵 | `torch.nn.utils.parametrizations.orthogonal` |
