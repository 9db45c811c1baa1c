#!/usr/bin/env bash
# The PyTorch twin's environment for the lessons that use torchvision: torchvision cannot be
# installed beside the torch==2.13.0 of the parity tests, so it gets a venv of its own
# (.venv-twin: torch 2.14.1 + torchvision 0.29.1) and a Jupyter kernel "edutorch-twin" registered in
# the current environment. Then: EDUTORCH_TWIN_KERNEL=edutorch-twin pytest tests/lessons
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-twin
.venv-twin/bin/python -m pip install -q --upgrade pip
.venv-twin/bin/python -m pip install -q torch==2.14.1 torchvision==0.29.1 ipykernel matplotlib pillow tensorboard tqdm ipywidgets
.venv-twin/bin/python -m ipykernel install --name edutorch-twin --display-name "PyTorch twin (torch + torchvision)" \
    --prefix "$(python -c 'import sys; print(sys.prefix)')"
