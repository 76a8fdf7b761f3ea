"""Reconstruction result to and from bytes (the MQTT reco body)."""

import numpy as np
import pytest

from recon import ReconError, result_from_bytes, result_to_bytes


def _result():
    return {"run": np.int64(7), "event": np.int64(3), "nSc": np.int32(2), "cmos_integral": np.float64(5.5),
            "sc_integral": np.array([1.5, 2.5], np.float32), "sc_nhits": np.array([3, 4], np.float32),
            "t_reco": np.float64(0.004)}


def test_round_trip_keeps_values_and_dtypes():
    back = result_from_bytes(result_to_bytes(_result()))
    assert set(back) == set(_result())
    for name, value in _result().items():
        assert np.asarray(back[name]).dtype == np.asarray(value).dtype
        np.testing.assert_array_equal(back[name], value)


def test_event_values_come_back_as_scalars():
    back = result_from_bytes(result_to_bytes(_result()))
    assert np.ndim(back["nSc"]) == 0 and int(back["nSc"]) == 2


def test_garbage_bytes_are_refused():
    with pytest.raises(ReconError, match="blob is not a reconstruction result"):
        result_from_bytes(b"not a result at all")


def test_non_bytes_are_refused():
    with pytest.raises(ReconError, match="blob must be bytes, got str"):
        result_from_bytes("text")


def test_foreign_npz_is_refused():
    import io
    buffer = io.BytesIO()
    np.savez(buffer, a=np.arange(3))
    with pytest.raises(ReconError, match="result format is 'missing'"):
        result_from_bytes(buffer.getvalue())


def test_non_numeric_value_is_refused():
    with pytest.raises(ReconError, match=r"result\['label'\] must be a numeric scalar or 1-D array"):
        result_to_bytes({"label": "muon"})


def test_non_dict_is_refused():
    with pytest.raises(ReconError, match="result must be a dict of arrays, got list"):
        result_to_bytes([1, 2])
