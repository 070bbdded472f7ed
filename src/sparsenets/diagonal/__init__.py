"""Depth-N diagonal linear networks: implicit sparse regularisation and early stopping."""
