"""torch.ao.quantization (and its old name torch.quantization): int8 models. Not in edutorch, whose
tensors are plain float/int NumPy arrays with no quantized dtypes; every name raises the out-of-scope
error (see edutorch/_out_of_scope.py)."""
from ..._out_of_scope import module_getattr

__getattr__ = module_getattr("torch.ao.quantization", "edutorch has no quantized tensors or quantized modules.")
