"""torch.ao: architecture optimisation (quantization, pruning tools). Only the module shell exists in
edutorch; ``torch.ao.quantization`` raises the out-of-scope error (see edutorch/_out_of_scope.py)."""
from . import quantization
from .._out_of_scope import module_getattr

__all__ = ["quantization"]
__getattr__ = module_getattr("torch.ao", "edutorch has no quantization or model-compression tools.")
