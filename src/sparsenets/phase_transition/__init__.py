"""Phase transitions of planted-neuron recovery by weight-decayed two-layer ReLU networks."""
