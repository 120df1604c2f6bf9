"""rtl/snn_engine_pkg.svh is generated from golden/backends/rtl/constants.py: the checked-in file must be up to date."""
from golden.backends.rtl import constants as rtl_constants


def test_engine_pkg_is_up_to_date():
    assert rtl_constants.PKG_SVH.read_text() == rtl_constants.render_pkg_svh(), (
        f"{rtl_constants.PKG_SVH} differs from golden/backends/rtl/constants.py; regenerate it with "
        f"`{rtl_constants.REGENERATE}` (from the repository root) and commit it")


def test_engine_pkg_table():
    # the layout the RTL decodes: consecutive field indices, shift fields fit SH_W, kind codes fit KIND_W
    assert list(rtl_constants.FIELD_INDEX.values()) == list(range(rtl_constants.DESC_N))
    assert set(rtl_constants.SHIFT_FIELDS) <= set(rtl_constants.FIELD_INDEX)
    assert max(rtl_constants.KIND_CODE.values()) < 1 << rtl_constants.KIND_W
    assert rtl_constants.EVENT_VAL_W == 8   # a pixel byte (contract §5)
