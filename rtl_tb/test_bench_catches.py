"""The engine bench must fail on a wrong value: flip one golden spike word, one membrane and two accumulations
(A_t of the output layer, one at t = 0 and one at t = T-1, i.e. also A_T at m_axis) of the negative case's export
and expect each of them to be reported, with its position, once per clean frame (the A_T one twice: at the trace
port and at m_axis), and the earliest in (t, layer) order first. The negative case shares its build
with test_engine (rtl_tb/cases.py NEGATIVE_CASE: a frame cut by a reset, then two clean frames)."""
import re

from golden.backends.rtl import simulate as simlib
from golden.export.vectors import write_export_vectors
from rtl_tb.cases import NEGATIVE_CASE
from golden.ir.manifest import load_manifest, load_vectors


def test_engine_reports_flipped_values(tmp_path):
    case = NEGATIVE_CASE
    export = case.export()
    m = load_manifest(export)
    vec = load_vectors(export)
    layers = [l["name"] for l in m["layers"]]
    mid, late, head = layers[len(layers) // 2], layers[-2], layers[-1]
    flips = []
    spike = int(vec[f"{late}.spikes"][1, 0, 2, 3])
    vec[f"{late}.spikes"][1, 0, 2, 3] = spike ^ 1                    # a spike word, later layer at t=1
    flips.append(f"layer={late} t=1 channel=0 y=2 x=3 expected={spike ^ 1} got={spike}")
    vmem = int(vec[f"{mid}.membrane"][1, 1, 0, 1])
    vec[f"{mid}.membrane"][1, 1, 0, 1] = vmem + 7                     # a membrane, earlier layer at t=1
    flips.append(f"layer={mid}.membrane t=1 channel=1 y=0 x=1 expected={vmem + 7} got={vmem}")
    acc = int(vec[f"{head}.accum"][0, 0, 0, 0])
    vec[f"{head}.accum"][0, 0, 0, 0] = acc + 1                        # an accumulation A_0: t=0 comes first
    flips.append(f"layer={head}.accum t=0 channel=0 y=0 x=0 expected={acc + 1} got={acc}")
    t_n, c_n = m["timesteps"], m["layers"][-1]["out_channels"]
    a_t = int(vec[f"{head}.accum"][t_n - 1, c_n - 1, 3, 5])
    vec[f"{head}.accum"][t_n - 1, c_n - 1, 3, 5] = a_t - 3            # A_T: the trace port and m_axis
    flips.append(f"layer={head}.accum t={t_n - 1} channel={c_n - 1} y=3 x=5 expected={a_t - 3} got={a_t}")
    flips.append(f"layer=m_axis A_T t={t_n} channel={c_n - 1} y=3 x=5 expected={a_t - 3} got={a_t}")
    write_export_vectors(tmp_path / "vectors", m, vec)

    _, res = simlib.engine_run(case, vectors=tmp_path / "vectors")
    assert not res.ok, "the bench passed although four expected values were wrong"
    s = res.summary
    # each flipped value fails once per clean frame, A_T twice
    assert s["mismatches"] == len(flips) * case.frames, s
    assert s["first_mismatch"] == flips[2], s["first_mismatch"]
    listed = s["mismatch_list"]
    for frame in range(case.frames):
        suffix = f" frame={frame}" if frame else ""
        for flip in flips:
            assert flip + suffix in listed, (flip + suffix, listed)
    assert s["layers"][late]["mismatches"] == s["layers"][mid]["mismatches"] == case.frames
    assert s["layers"][head]["mismatches"] == 2 * case.frames
    assert all(re.fullmatch(r"layer=[^=]+ t=\d+ channel=\d+ y=\d+ x=\d+ expected=-?\d+ got=-?\d+( frame=\d+)?", l)
               for l in listed)
