# Solutions to the exercises of lesson 18 (generative adversarial networks).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def d_step(D, G, opt_D, real, z):
    bce = nn.BCEWithLogitsLoss()
    fake = G(z).detach()                       # the graph stops here: no gradients for G
    logits_real, logits_fake = D(real), D(fake)
    loss = bce(logits_real, torch.ones_like(logits_real)) + bce(logits_fake, torch.zeros_like(logits_fake))
    opt_D.zero_grad()                          # drop what the generator step left in D's .grad
    loss.backward()
    opt_D.step()
    return loss

# %% Exercise 2
def g_step(D, G, opt_G, z):
    bce = nn.BCEWithLogitsLoss()
    logits = D(G(z))                           # no detach: the gradient must reach G through D
    loss = bce(logits, torch.ones_like(logits))   # non-saturating: -log D(G(z))
    opt_G.zero_grad()
    loss.backward()
    opt_G.step()                               # opt_G holds G's parameters only: D is not changed
    return loss

# %% Exercise 3
class Generator(nn.Module):
    def __init__(self, noise):
        super().__init__()
        self.project = nn.Linear(noise, 32 * 2 * 2)
        self.net = nn.Sequential(
            nn.BatchNorm2d(32), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),   # 2 -> 4
            nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1), nn.Tanh())                       # 4 -> 8

    def forward(self, z):
        return self.net(self.project(z).view(-1, 32, 2, 2))

# %% Exercise 4
def optimal_discriminator(x, mean_d, std_d, mean_g, std_g):
    def density(mean, std):
        return torch.exp(-(x - mean) ** 2 / (2 * std ** 2)) / (std * math.sqrt(2 * math.pi))
    p_data, p_g = density(mean_d, std_d), density(mean_g, std_g)
    return p_data / (p_data + p_g)

# %% Exercise 5
def nearest_labels(samples, images, labels):
    a = samples.reshape(len(samples), -1)
    b = images.reshape(len(images), -1)
    squared = (a ** 2).sum(1, keepdim=True) + (b ** 2).sum(1) - 2 * a @ b.T   # (N, M): all ‖a - b‖²
    return labels[squared.argmin(dim=1)]
