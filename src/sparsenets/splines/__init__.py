"""Weight decay, path norm and sparse splines: what ReLU networks learn (Parhi & Nowak 2022)."""
