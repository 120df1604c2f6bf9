"""Host-side checks of the packing in rtl_tb/snnbench.py (no simulator): the image frame for cocotbext-axi's
AxiStreamSource (channel c of a pixel in byte lane c, §5; the network exports the benches run have one input
channel, so several channels are checked here), the m_axis beats an AxiStreamSink frame of bytes holds (byte lane
i at [8i+7:8i], any number of byte lanes), and the signed lane split of packed words."""
import numpy as np

from rtl_tb.snnbench import AxiStreamFrame, frame_beats, image_frame, lanes_of


def test_image_frame_puts_channel_c_in_byte_lane_c():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    frame = image_frame(image)
    beats = frame_beats(frame, 3)
    assert len(beats) == 4 * 5
    for y in range(4):
        for x in range(5):
            assert beats[y * 5 + x] == sum(int(image[c, y, x]) << (8 * c) for c in range(3))


def test_frame_beats_round_trip_wide_lanes():
    rng = np.random.default_rng(2)
    for byte_lanes in (1, 2, 6, 16):
        words = [int.from_bytes(rng.bytes(byte_lanes), "little") for _ in range(7)]
        data = b"".join(w.to_bytes(byte_lanes, "little") for w in words)
        assert frame_beats(AxiStreamFrame(data), byte_lanes) == words


def test_lanes_of_sign_extends():
    width, lanes = 16, 3
    values = [[-1, 5, -32768], [32767, 0, -2]]
    words = [sum((v & 0xFFFF) << (width * j) for j, v in enumerate(row)) for row in values]
    assert lanes_of(words, lanes, width, signed=True).tolist() == values
    assert lanes_of(words, lanes, width, signed=False)[0].tolist() == [0xFFFF, 5, 0x8000]
