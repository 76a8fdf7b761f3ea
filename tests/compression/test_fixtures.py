"""Format version 1 is frozen: the committed blobs decode to the committed arrays forever."""

import types
from pathlib import Path

import numpy as np
import pytest

import compression

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def expected():
    with np.load(FIXTURES / "expected_v1.npz") as data:
        return dict(data)


def _blob(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _pedestal(expected, prefix="pedestal"):
    return types.SimpleNamespace(mean=expected[f"{prefix}_mean"], sigma=expected[f"{prefix}_sigma"])


@pytest.mark.parametrize("name", ["frame_pedestal_v1.bin", "frame_pedestal_classes4_v1.bin",
                                  "frame_pedestal_noisy2_v1.bin", "frame_pedestal_mirror_noisy2_v1.bin",
                                  "frame_pedestal_mirror_offset_v1.bin"])
def test_pedestal_fixtures_decode(expected, name):
    decoded = compression.decode_frame(_blob(name), _pedestal(expected))
    assert np.array_equal(decoded, expected["frame"])


@pytest.mark.parametrize("name", ["frame_pedestal_noisy2_v1.bin", "frame_pedestal_mirror_noisy2_v1.bin"])
def test_noisy_fixtures_code_noisy_pixels_coarse(name):
    header = compression.read_header(_blob(name))
    assert header["codec"]["noisy_factor"] == 2.0 and header["sections"][-1][1] > 0  # fine bits
    assert header["codec"].get("mirror", False) == ("mirror" in name)


def test_offset_fixture_predicts_three_adu_below_the_pedestal():
    assert compression.read_header(_blob("frame_pedestal_mirror_offset_v1.bin"))["dark_offset"] == -3


def test_column_fixture_decodes(expected):
    assert np.array_equal(compression.decode_frame(_blob("frame_column_v1.bin")), expected["frame"])


def test_column_low_bits_fixture_decodes(expected):
    blob = _blob("frame_column_low_bits_v1.bin")
    assert compression.read_header(blob)["codec"]["low_bit_plane"] is True
    assert np.array_equal(compression.decode_frame(blob), expected["frame"])


@pytest.mark.parametrize("name, with_pedestal", [("frame_planes_v1.bin", True),
                                                 ("frame_planes_column_v1.bin", False)])
def test_planes_fixtures_decode(expected, name, with_pedestal):
    blob = _blob(name)
    assert compression.read_header(blob)["codec"]["id"] == "cygno_residual_planes"
    decoded = compression.decode_frame(blob, _pedestal(expected) if with_pedestal else None)
    assert np.array_equal(decoded, expected["frame"])


@pytest.mark.parametrize("name", ["frame_lossy_q2_v1", "frame_lossy_q2_offset_v1"])
def test_lossy_fixtures_decode(expected, name):
    decoded = compression.decode_frame(_blob(f"{name}.bin"), _pedestal(expected))
    assert np.allclose(decoded, np.load(FIXTURES / f"{name}.npy"), atol=1e-3)
    half_step = np.maximum(expected["pedestal_sigma"], 0.5) / 2 / 2  # q = 2
    assert np.all(np.abs(decoded - expected["frame"]) <= half_step + 1e-3)


@pytest.mark.parametrize("name, prefix", [("sparse_v1.bin", None),
                                          ("sparse_pedestal_v1.bin", "sparse_pedestal")])
def test_sparse_fixtures_decode(expected, name, prefix):
    pedestal = _pedestal(expected, prefix) if prefix else None
    decoded = compression.decode_sparse(_blob(name), pedestal)
    assert np.array_equal(decoded.rows, expected["sparse_rows"])
    assert np.array_equal(decoded.cols, expected["sparse_cols"])
    assert np.array_equal(decoded.values, expected["sparse_values"])


def test_fixtures_are_format_version_1():
    for path in FIXTURES.glob("*.bin"):
        assert compression.read_header(path.read_bytes())["format_version"] == 1, path.name
