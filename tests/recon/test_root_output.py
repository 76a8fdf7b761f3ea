"""The ROOT file: tree and branch names as the collaboration's, values equal to reconstruct()'s."""

import numpy as np
import pytest
import uproot

from edge.sim import FrameSimulator, SensorModel
from recon import (Pedestal, ReconError, fill_missing_branches, reconstruct, root_bytes, root_file_name,
                   write_root)
from recon.reconstruct import EVENT_BRANCHES, TIMING_BRANCHES
from recon.variables import CLUSTER_BRANCHES

SHAPE = (192, 256)
#: Branch names required by issue 5 (collaboration's names, detector-facts.md).
REQUIRED = ("run", "event", "pedestal_run", "nSc", "cmos_integral", "cmos_mean", "cmos_rms", "sc_integral",
            "sc_nhits", "sc_size", "sc_xmean", "sc_ymean", "sc_xmin", "sc_xmax", "sc_ymin", "sc_ymax",
            "sc_length", "sc_width", "sc_theta", "sc_rms", "sc_longrms", "sc_latrms")


@pytest.fixture(scope="module")
def events():
    sim = FrameSimulator(SensorModel(SHAPE, seed=8), seed=9, mix={"fe55": 2, "er": 1, "muon": 0.5})
    pedestal = Pedestal.from_frames((sim.pedestal_frame(i) for i in range(20)), run=41)
    return [reconstruct(sim.data_frame(i)[0], pedestal, run=42, event=i) for i in range(6)]


@pytest.fixture(scope="module")
def tree(events, tmp_path_factory):
    path = tmp_path_factory.mktemp("root") / root_file_name(42)
    write_root(events, path)
    return uproot.open(path)["Events"]


def test_file_name_follows_the_collaboration():
    assert root_file_name(42) == "reco_run00042.root"


def test_tree_has_the_required_branches(tree):
    assert set(REQUIRED) <= set(tree.keys())


def test_pedestal_run_is_the_run_of_the_pedestal(tree):
    assert set(tree["pedestal_run"].array(library="np")) == {41}


def test_tree_has_exactly_the_result_branches(tree, events):
    assert set(tree.keys()) == set(events[0])
    assert set(CLUSTER_BRANCHES) | set(EVENT_BRANCHES) | set(TIMING_BRANCHES) <= set(tree.keys())


def test_one_entry_per_frame(tree, events):
    assert tree.num_entries == len(events)


def test_cluster_branches_are_counted_by_nSc(tree):
    for name in CLUSTER_BRANCHES:
        assert tree[name].count_branch.name == "nSc"


def test_values_equal_reconstruct(tree, events):
    assert sum(int(event["nSc"]) for event in events) > 0
    arrays = tree.arrays(library="np")
    for i, event in enumerate(events):
        for name, value in event.items():
            np.testing.assert_array_equal(arrays[name][i], value, err_msg=name)


def test_bytes_variant_holds_the_same_tree(events, tmp_path):
    path = tmp_path / "copy.root"
    path.write_bytes(root_bytes(events))
    assert uproot.open(path)["Events"].num_entries == len(events)


def test_empty_list_is_refused(tmp_path):
    with pytest.raises(ReconError, match="events must be a non-empty list of result dicts"):
        write_root([], tmp_path / "x.root")


def test_inconsistent_branches_are_refused(events, tmp_path):
    broken = [events[0], {k: v for k, v in events[1].items() if k != "sc_theta"}]
    with pytest.raises(ReconError, match=r"events\[1\] branches .* differ from events\[0\]'s"):
        write_root(broken, tmp_path / "x.root")


def test_cluster_array_of_wrong_length_is_refused(events, tmp_path):
    broken = dict(events[0], sc_theta=np.zeros(int(events[0]["nSc"]) + 1, np.float32))
    with pytest.raises(ReconError, match=r"events\[0\]\['sc_theta'\] has shape"):
        write_root([broken], tmp_path / "x.root")


def test_bad_run_number_is_refused():
    with pytest.raises(ReconError, match="run must be an integer >= 0, got -1"):
        root_file_name(-1)


def test_missing_branches_are_filled_with_nan_of_the_right_length(events):
    older = {k: v for k, v in events[1].items() if k not in ("sc_theta", "frame_level")}
    aligned, filled = fill_missing_branches([events[0], older])
    assert filled == {"sc_theta": 1, "frame_level": 1}
    assert set(aligned[1]) == set(events[0])
    assert np.isnan(aligned[1]["frame_level"])
    assert aligned[1]["sc_theta"].shape == (int(events[1]["nSc"]),)
    assert np.isnan(aligned[1]["sc_theta"]).all()


def test_filling_keeps_present_values_and_leaves_the_input_alone(events):
    older = {k: v for k, v in events[1].items() if k != "sc_theta"}
    aligned, _ = fill_missing_branches([older, events[0]])
    assert aligned[1] is not events[0] and aligned[1]["sc_theta"] is events[0]["sc_theta"]
    assert "sc_theta" not in older


def test_results_with_one_branch_set_need_no_filling(events):
    assert fill_missing_branches(events)[1] == {}


@pytest.fixture(scope="module")
def events_with_pixels():
    sim = FrameSimulator(SensorModel(SHAPE, seed=8), seed=9, mix={"fe55": 2, "er": 1})
    pedestal = Pedestal.from_frames((sim.pedestal_frame(i) for i in range(20)), run=41)
    return [reconstruct(sim.data_frame(i)[0], pedestal, run=42, event=i, pixel_lists=True) for i in range(3)]


def test_pixel_lists_are_counted_by_nRedpix(events_with_pixels, tmp_path):
    write_root(events_with_pixels, tmp_path / "x.root")
    tree = uproot.open(tmp_path / "x.root")["Events"]
    assert tree["nRedpix"].array(library="np").tolist() == [int(e["nRedpix"]) for e in events_with_pixels]
    for entry, event in zip(tree["redpix_iz"].array(library="np"), events_with_pixels):
        np.testing.assert_array_equal(entry, event["redpix_iz"])
    for entry, event in zip(tree["sc_redpixIdx"].array(library="np"), events_with_pixels):
        np.testing.assert_array_equal(entry, event["sc_redpixIdx"])


def test_events_without_pixel_lists_get_empty_ones(events, events_with_pixels, tmp_path):
    aligned, filled = fill_missing_branches([events[0], events_with_pixels[1]])
    assert int(aligned[0]["nRedpix"]) == 0 and aligned[0]["redpix_ix"].size == 0
    assert aligned[0]["sc_redpixIdx"].shape == (int(events[0]["nSc"]),)
    write_root(aligned, tmp_path / "x.root")
    tree = uproot.open(tmp_path / "x.root")["Events"]
    assert tree["nRedpix"].array(library="np").tolist() == [0, int(events_with_pixels[1]["nRedpix"])]
