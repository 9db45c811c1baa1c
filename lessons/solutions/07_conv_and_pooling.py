# Solutions to the exercises of lesson 07 (convolution and pooling).
# Each `# %% Exercise N` cell is a complete answer to the cell of the lesson that starts with
# `# Exercise N`: paste it there (or compare with yours), run it, then run the check.

# %% Exercise 1
def conv2d(x, weight, bias=None, stride=1, padding=0):
    N, C_in, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    H_out = (H + 2 * padding - kH) // stride + 1
    W_out = (W + 2 * padding - kW) // stride + 1
    cols = F.unfold(x, (kH, kW), stride=stride, padding=padding)       # (N, C_in*kH*kW, H_out*W_out)
    out = (weight.reshape(C_out, -1) @ cols).reshape(N, C_out, H_out, W_out)
    if bias is not None:
        out = out + bias.reshape(1, C_out, 1, 1)                       # one bias per output channel
    return out

# Or with a loop over the kernel offsets (kH * kW steps, never over pixels):
#
#     xp = F.pad(x, (padding, padding, padding, padding))
#     out = 0
#     for u in range(kH):
#         for v in range(kW):
#             patch = xp[:, :, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride]
#             out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, u, v])

# %% Exercise 2
def out_size(size, kernel, stride=1, padding=0, dilation=1, ceil_mode=False):
    span = dilation * (kernel - 1) + 1                     # the pixels one window covers
    room = size + 2 * padding - span                       # how far the window can move
    if not ceil_mode:
        return room // stride + 1
    out = -(-room // stride) + 1                           # round up: keep a last, partial window...
    if (out - 1) * stride >= size + padding:               # ...unless it would start beyond the input
        out -= 1
    return out

# %% Exercise 3
def conv_params(c_in, c_out, k, groups=1, bias=True):
    weights = c_out * (c_in // groups) * k * k             # weight shape (c_out, c_in // groups, k, k)
    return weights + (c_out if bias else 0)

# %% Exercise 4
def max_pool(x, k):
    N, C, H, W = x.shape
    x = x[:, :, :H // k * k, :W // k * k]                  # drop what does not fill a window
    windows = x.reshape(N, C, H // k, k, W // k, k)         # axes 3 and 5 run inside a window
    return windows.amax(dim=(3, 5))
