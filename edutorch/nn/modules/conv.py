__all__: list = []  # being written
