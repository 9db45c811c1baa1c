"""The differentiable ops, one family per file; each op is a NumpyFunction with forward and backward side by side."""
