import numpy as np
import pytest
from sink_doubles import MemoryS3
from sink_envelopes import DETECTOR, pedestal_envelope, raw_envelope, topic_of
from test_sink_config import MINIMAL

import compression
import recon
from sink import cli, layout
from sink.handlers import Stores
from sink.processor import ItemProcessor

needs_codec = pytest.mark.skipif(not hasattr(compression, "encode_frame"),
                                 reason="compression.encode_frame has not landed yet")


@pytest.fixture
def s3(monkeypatch):
    memory = MemoryS3()
    monkeypatch.setattr(cli, "_s3", lambda config, retry_s: memory)
    return memory


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "sink.toml"
    path.write_text(MINIMAL)
    return str(path)


def get_frame(config, tmp_path, frame=3):
    out = tmp_path / "frame.npy"
    argv = ["get-frame", "--config", config, "--detector", DETECTOR, "--run", "12",
            "--frame", str(frame), "--out", str(out)]
    return cli.main(argv), out


def store(s3, envelope):
    ItemProcessor(Stores(s3, None)).process(topic_of(envelope), envelope.to_bytes())


def small_pedestal(shape=(16, 24)):
    rng = np.random.default_rng(1)
    return recon.Pedestal(100 + rng.normal(0, 1, shape).astype(np.float32),
                          np.full(shape, 2.0, np.float32), n_frames=50)


def test_missing_frame_is_one_line_error_exit_3(s3, config, tmp_path, capsys):
    code, out = get_frame(config, tmp_path)
    err = capsys.readouterr().err
    assert code == 3 and not out.exists()
    assert err.count("\n") == 1 and "raw/lime/run00012/frame000003.cyf" in err
    assert "Traceback" not in err


def test_frame_with_broken_metadata_is_one_line_error_exit_4(s3, config, tmp_path, capsys):
    s3.put(layout.raw_key(DETECTOR, 12, 3), b"blob", {"run": "12"})
    code, _ = get_frame(config, tmp_path)
    err = capsys.readouterr().err
    assert code == 4 and err.count("\n") == 1 and "lacks metadata field" in err


def test_bad_config_is_one_line_error_exit_2(tmp_path, capsys):
    code, _ = get_frame(str(tmp_path / "missing.toml"), tmp_path)
    assert code == 2 and capsys.readouterr().err.startswith("cygno-sink: error: cannot read config")


@needs_codec
def test_frame_comes_back_bit_exact(s3, config, tmp_path):
    pedestal = small_pedestal()
    pixels = np.random.default_rng(2).integers(90, 4000, (16, 24)).astype(np.uint16)
    store(s3, pedestal_envelope(11, pedestal.to_bytes(), pedestal_id=pedestal.id))
    blob = compression.encode_frame(pixels, pedestal)
    store(s3, raw_envelope(12, 3, body=blob, pixels=pixels, pedestal_id=pedestal.id))
    code, out = get_frame(config, tmp_path)
    assert code == 0
    saved = np.load(out)
    assert saved.dtype == np.uint16 and np.array_equal(saved, pixels)


def store_then_damage(s3, damage):
    """A frame stored intact (the sink refuses damaged blobs at ingest), then damaged at rest."""
    pixels = np.arange(12, dtype=np.uint16).reshape(3, 4)
    store(s3, raw_envelope(12, 3, pixels=pixels, pedestal_id=None))
    key = layout.raw_key(DETECTOR, 12, 3)
    body, metadata = s3.objects[key]
    s3.objects[key] = damage(bytearray(body), dict(metadata))


def flip_middle_byte(body, metadata):
    body[len(body) // 2] ^= 0xFF
    return bytes(body), metadata


@needs_codec
def test_blob_corrupted_at_rest_is_one_line_error_exit_4(s3, config, tmp_path, capsys):
    store_then_damage(s3, flip_middle_byte)
    code, out = get_frame(config, tmp_path)
    err = capsys.readouterr().err
    assert code == 4 and err.count("\n") == 1 and "cannot decode" in err
    assert not out.exists()


@needs_codec
def test_checksum_mismatch_is_one_line_error_exit_4(s3, config, tmp_path, capsys):
    store_then_damage(s3, lambda body, metadata: (bytes(body), {**metadata, "checksum": "0" * 16}))
    code, _ = get_frame(config, tmp_path)
    err = capsys.readouterr().err
    assert code == 4 and err.count("\n") == 1 and "expected 0000000000000000" in err


@needs_codec
def test_missing_pedestal_is_one_line_error_exit_3(s3, config, tmp_path, capsys):
    pedestal = small_pedestal()
    pixels = np.full((16, 24), 120, np.uint16)
    blob = compression.encode_frame(pixels, pedestal)
    store(s3, raw_envelope(12, 3, body=blob, pixels=pixels, pedestal_id=pedestal.id))
    code, _ = get_frame(config, tmp_path)
    err = capsys.readouterr().err
    assert code == 3 and f"no pedestal with id {pedestal.id}" in err


@needs_codec
def test_lossy_frame_comes_back_unverified_as_float(s3, config, tmp_path, capsys):
    pedestal = small_pedestal()
    pixels = np.full((16, 24), 130, np.uint16)
    store(s3, pedestal_envelope(11, pedestal.to_bytes(), pedestal_id=pedestal.id))
    blob = compression.encode_frame(pixels, pedestal, lossy_q=2)
    store(s3, raw_envelope(12, 3, body=blob, pixels=pixels, pedestal_id=pedestal.id))
    code, out = get_frame(config, tmp_path)
    assert code == 0 and "LOSSY" in capsys.readouterr().out
    assert np.load(out).dtype == np.float32
