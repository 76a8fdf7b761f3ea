from sink import layout


def test_raw_key_pads_run_and_frame():
    assert layout.raw_key("lime", 12, 34) == "raw/lime/run00012/frame000034.cyf"


def test_manifest_sits_with_the_runs_raw_frames():
    assert layout.manifest_key("lime", 12) == "raw/lime/run00012/manifest.json"
    assert layout.manifest_key("lime", 12).startswith(layout.raw_prefix("lime", 12))


def test_zs_reco_and_root_keys():
    assert layout.zs_key("lime", 1, 2) == "zs/lime/run00001/frame000002.cys"
    assert layout.reco_key("lime", 1, 2) == "reco/lime/run00001/frame000002.cyr"
    assert layout.root_key("lime", 1) == "reco/lime/reco_run00001.root"
    assert layout.replay_root_key("lime", 1) == "reco/lime/replay/reco_run00001.root"


def test_root_file_is_not_under_the_per_frame_reco_prefix():
    assert not layout.root_key("lime", 1).startswith(layout.reco_prefix("lime", 1))


def test_pedestal_keys():
    assert layout.pedestal_key("lime", 11) == "pedestal/lime/run00011.cyp"
    assert layout.pedestal_index_key("lime", "ab12") == "pedestal/lime/by-id/ab12.json"


def test_frame_of_key_reads_frame_keys_only():
    assert layout.frame_of_key(layout.raw_key("lime", 12, 34)) == 34
    assert layout.frame_of_key(layout.reco_key("lime", 12, 1234567)) == 1234567
    assert layout.frame_of_key(layout.manifest_key("lime", 12)) is None
    assert layout.frame_of_key(layout.raw_daq_metadata_key("lime", 12, 34)) is None


def test_quarantine_keys_depend_on_digest_only():
    body, reason = layout.quarantine_keys("lime", "raw", "deadbeef")
    assert body == "quarantine/lime/raw/deadbeef.bin"
    assert reason == "quarantine/lime/raw/deadbeef.json"
