# Solutions to the exercises of lesson 04 (transforms).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def to_tensor(image):
    pixels = np.asarray(image)          # (H, W, C) uint8, or (H, W) for a grey image
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]     # grey: one channel
    chw = torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1)))   # HWC -> CHW, still uint8
    return chw.float() / 255            # float32 in [0, 1]

# %% Exercise 2
class AddGaussianNoise:
    def __init__(self, std):
        self.std = std

    def __call__(self, x):
        return x + self.std * torch.randn_like(x)      # a new tensor; x is unchanged

    def __repr__(self):
        return f"{type(self).__name__}(std={self.std})"

# %% Exercise 3
def channel_stats(dataset):
    images = torch.stack([image for image, _ in dataset])          # (N, 3, H, W)
    return images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3))   # over images, rows and columns together

# %% Exercise 4
def make_pipelines(mean, std, size=48):
    train_transform = transforms.Compose([
        transforms.RandomResizedCrop(size, scale=(0.5, 1.0)),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(mean, std),
    ])
    eval_transform = transforms.Compose([
        transforms.Resize(size * 8 // 7),
        transforms.CenterCrop(size),
        transforms.ToTensor(),
        transforms.Normalize(mean, std),
    ])
    return train_transform, eval_transform

# %% Exercise 5
def five_crop_predict(model, image, size):
    crops = torch.stack(transforms.FiveCrop(size)(image))          # (5, 3, size, size)
    probabilities = torch.softmax(model(crops), dim=1)             # one row per crop
    return probabilities.mean(dim=0)
