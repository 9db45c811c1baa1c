"""Settings for running the lessons under pytest (nbval).

The kernels nbval starts inherit this process's environment: the training lessons read
``EDUTORCH_LESSON_EPOCHS`` and run a short version (their epoch-dependent outputs are not compared).
"""
import os

os.environ.setdefault("EDUTORCH_LESSON_EPOCHS", "3")
