# Common wrong answers to the exercises of lesson 07: each `# %% Exercise N: <hint>` cell must make
# exercise N's check print ✗ with <hint> in its message (tests/lessons/test_lessons.py).

# %% Exercise 1: you flipped the kernel
def conv2d(x, weight, bias=None, stride=1, padding=0):
    N, C_in, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    H_out = (H + 2 * padding - kH) // stride + 1
    W_out = (W + 2 * padding - kW) // stride + 1
    cols = F.unfold(x, (kH, kW), stride=stride, padding=padding)
    out = (weight.flip((2, 3)).reshape(C_out, -1) @ cols).reshape(N, C_out, H_out, W_out)
    if bias is not None:
        out = out + bias.reshape(1, C_out, 1, 1)
    return out

# %% Exercise 2: ignore the dilation
def out_size(size, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    return (size + 2 * padding - kernel) // stride + 1

# %% Exercise 3: ignore groups
def conv_params(c_in, c_out, k, groups=1, bias=True):
    return c_out * c_in * k * k + (c_out if bias else 0)

# %% Exercise 4: mixes pixels from different windows
def max_pool(x, k):
    N, C, H, W = x.shape
    x = x[:, :, :H // k * k, :W // k * k]
    return x.reshape(N, C, H // k, W // k, k, k).amax(dim=(4, 5))
