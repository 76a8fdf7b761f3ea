"""Frozen outputs: the simulator must not change silently under the benchmarks that use it.

If you change the camera or physics model on purpose, update these values in the same
commit and say so in its message (benchmark numbers in BENCHMARKS.md may move).
"""

from edge.sim import FrameSimulator, SensorModel

FROZEN_PEDESTAL = "758cc302be02e78e"
FROZEN_DATA = "02db19e199f3dba0"
FROZEN_KINDS = ["fe55", "muon", "er", "er", "nr", "nr", "alpha"]


def frozen_simulator():
    return FrameSimulator(SensorModel((64, 96), seed=11), seed=5)


def test_pedestal_frame_is_unchanged():
    from compression.checksum import pixel_checksum

    assert pixel_checksum(frozen_simulator().pedestal_frame(3)) == FROZEN_PEDESTAL


def test_data_frame_is_unchanged():
    _, truth = frozen_simulator().data_frame(3, mix={"fe55": 2, "muon": 1, "er": 1, "nr": 1,
                                                     "alpha": 1})
    assert [d.kind for d in truth.deposits] == FROZEN_KINDS
    assert truth.checksum == FROZEN_DATA
