"""Coverage: which weights a stimulus exercises, per tap and channel (golden/kinds `exercised`)."""
import numpy as np

from golden import kinds
from golden.ir.coverage import Coverage, line
from golden.export.load import load_network, load_vectors


def test_exercised_taps_of_a_3x3_conv_and_an_upconv():
    x = np.zeros((2, 4, 5), dtype=bool)
    x[1, 0, 0] = True  # one nonzero input in the top-left corner, channel 1
    conv = kinds.get("spiking_conv").exercised(x, 3)
    # output (y, x) reads input (y + ky - 1, x + kx - 1): input (0, 0) reaches an output only for ky, kx in {0, 1}
    want = np.zeros((3, 3, 2), dtype=bool)
    want[:2, :2, 1] = True
    assert np.array_equal(conv, want)
    up = kinds.get("upconv").exercised(x, 3)
    # upconv: input 0 scatters to output 2*0 + k - 1, inside for k in {1, 2}
    want_up = np.zeros((3, 3, 2), dtype=bool)
    want_up[1:, 1:, 1] = True
    assert np.array_equal(up, want_up)
    x[1, 3, 4] = True  # the opposite corner (H = 4, W = 5) reaches outputs through ky, kx in {1, 2}
    conv = kinds.get("spiking_conv").exercised(x, 3)
    want[1:, 1:, 1] = True
    assert np.array_equal(conv, want)
    assert np.array_equal(kinds.get("output").exercised(x, 1), x.any(axis=(1, 2))[None, None])


def test_full_and_empty_stimulus(small_export):
    export, _ = small_export
    net = load_network(export)
    full, empty = Coverage(net), Coverage(net)
    for l in net.layers:
        shape = (net.in_channels if l.spec.reads_image else l.in_channels, l.in_height, l.in_width)
        full.add_layer_run(l.name, [np.ones(shape, dtype=np.int64)])
        empty.add_layer_run(l.name, [np.zeros(shape, dtype=np.int64)])
    f, e = full.summary(), empty.summary()
    assert f["weights"] == f["nonzero_weights"] > 0 and f["biases"] == f["nonzero_biases"]
    assert e["weights"] == 0 and line(f).startswith("COVERAGE weights=1.000 biases=1.000 (")
    image = Coverage(net)
    image.add_network_run(load_vectors(export))
    assert 0 < image.summary()["weights"] <= f["weights"]
