"""Golden models of the Spiking-UNet hardware reference: float (torch) and integer (numpy, the contract)."""
