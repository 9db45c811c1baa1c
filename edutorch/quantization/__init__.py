"""torch.quantization: the old name of torch.ao.quantization. Not in edutorch (see edutorch/_out_of_scope.py)."""
from .._out_of_scope import module_getattr

__getattr__ = module_getattr("torch.quantization", "edutorch has no quantized tensors or quantized modules.")
