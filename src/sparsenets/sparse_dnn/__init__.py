"""Sparse deep networks: partial-derivative estimation and nonlinear variable selection."""
