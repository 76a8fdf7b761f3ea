"""The DAQ contract: valid messages decode, each kind of bad message is rejected clearly."""

import json

import numpy as np
import pytest

from edge.daq_protocol import (Image, RunEnd, RunStart, decode_message, encode_image,
                               encode_run_end, encode_run_start)
from edge.errors import DaqMessageError


def _image_parts(**overrides):
    header = {"htype": "image", "run": 3, "frame": 0, "timestamp": 1.5, "shape": [2, 3],
              "dtype": "uint16", "exposure_s": 0.3}
    header.update(overrides)
    return [json.dumps(header).encode(), np.arange(6, dtype="<u2").tobytes()]


def test_image_round_trip_keeps_pixels_and_extra_metadata():
    pixels = np.arange(12, dtype=np.uint16).reshape(3, 4)
    message = decode_message([bytes(p) for p in encode_image(7, 2, pixels, 10.0, 0.3, camera="fusion")])
    assert isinstance(message, Image)
    np.testing.assert_array_equal(message.pixels, pixels)
    assert (message.run, message.frame, message.metadata) == (7, 2, {"camera": "fusion"})


def test_non_square_frame_keeps_its_shape():
    pixels = np.zeros((4, 9), dtype=np.uint16)
    message = decode_message([bytes(p) for p in encode_image(1, 0, pixels, 0.0, 0.3)])
    assert message.pixels.shape == (4, 9)


def test_run_start_and_run_end_decode():
    start = decode_message(encode_run_start(5, pedestal=True, operator="shift"))
    end = decode_message(encode_run_end(5, frames=400))
    assert isinstance(start, RunStart) and start.pedestal and start.metadata == {"operator": "shift"}
    assert isinstance(end, RunEnd) and end.frames == 400


def test_wrong_number_of_parts_is_rejected():
    with pytest.raises(DaqMessageError, match="2 part"):
        decode_message(_image_parts()[:1])
    with pytest.raises(DaqMessageError, match="1 part"):
        decode_message(encode_run_end(1, 1) + [b"extra"])


def test_invalid_json_is_rejected():
    with pytest.raises(DaqMessageError, match="not UTF-8 JSON"):
        decode_message([b"{not json", b""])


def test_header_that_is_not_an_object_is_rejected():
    with pytest.raises(DaqMessageError, match="JSON object"):
        decode_message([b"[1, 2]"])


def test_unknown_htype_is_rejected():
    with pytest.raises(DaqMessageError, match="unknown htype 'calibration'"):
        decode_message([json.dumps({"htype": "calibration"}).encode()])


def test_missing_field_is_rejected():
    parts = _image_parts()
    header = json.loads(parts[0])
    del header["timestamp"]
    with pytest.raises(DaqMessageError, match="missing field 'timestamp'"):
        decode_message([json.dumps(header).encode(), parts[1]])


@pytest.mark.parametrize("field,value", [("run", "3"), ("frame", 1.5), ("run", True),
                                         ("exposure_s", None), ("frame", -1)])
def test_ill_typed_field_is_rejected_and_echoed(field, value):
    with pytest.raises(DaqMessageError, match=field):
        decode_message(_image_parts(**{field: value}))


def test_buffer_size_mismatch_is_rejected():
    parts = _image_parts(shape=[3, 3])
    with pytest.raises(DaqMessageError, match="12 bytes.*needs 18"):
        decode_message(parts)


def test_unsupported_dtype_is_rejected():
    with pytest.raises(DaqMessageError, match="unsupported value 'float32'"):
        decode_message(_image_parts(dtype="float32"))


@pytest.mark.parametrize("shape", [[6], [0, 6], [2, "3"], [2, 3, 1]])
def test_bad_shape_is_rejected(shape):
    with pytest.raises(DaqMessageError, match="shape"):
        decode_message(_image_parts(shape=shape))
