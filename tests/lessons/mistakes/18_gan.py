# Common wrong answers to the exercises of lesson 18: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: G's parameters got gradients
def d_step(D, G, opt_D, real, z):
    bce = nn.BCEWithLogitsLoss()
    fake = G(z)                                # forgot detach()
    loss = bce(D(real), torch.ones(len(real), 1)) + bce(D(fake), torch.zeros(len(fake), 1))
    opt_D.zero_grad()
    loss.backward()
    opt_D.step()
    return loss

# %% Exercise 2: that is the saturating (minimax) loss
def g_step(D, G, opt_G, z):
    fake_prob = torch.sigmoid(D(G(z)))
    loss = torch.log(1 - fake_prob).mean()     # minimise log(1 - D(G(z)))
    opt_G.zero_grad()
    loss.backward()
    opt_G.step()
    return loss

# %% Exercise 3: are not registered
class Generator(nn.Module):
    def __init__(self, noise):
        super().__init__()
        self.layers = [nn.Linear(noise, 32 * 2 * 2), nn.BatchNorm2d(32), nn.ReLU(),
                       nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                       nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1), nn.Tanh()]

    def forward(self, z):
        x = self.layers[0](z).view(-1, 32, 2, 2)
        for layer in self.layers[1:]:
            x = layer(x)
        return x

# %% Exercise 4: the probability of *fake*
def optimal_discriminator(x, mean_d, std_d, mean_g, std_g):
    def density(mean, std):
        return torch.exp(-(x - mean) ** 2 / (2 * std ** 2)) / (std * math.sqrt(2 * math.pi))
    return density(mean_g, std_g) / (density(mean_d, std_d) + density(mean_g, std_g))

# %% Exercise 5: favours bright images
def nearest_labels(samples, images, labels):
    a = samples.reshape(len(samples), -1)
    b = images.reshape(len(images), -1)
    return labels[(a @ b.T).argmax(dim=1)]
