"""Codec lookup by id: the config stored in a blob rebuilds its decoder."""

from .codec_column import ColumnPairCodec
from .codec_dither import DitherQuantizeCodec
from .codec_pedestal import PedestalPairCodec
from .codec_planes import ResidualPlanesCodec
from .codec_sparse import SparsePixelCodec
from .errors import CodecError

__all__ = ["CODECS", "get_codec"]

#: codec_id -> codec class, for every codec this build can decode.
CODECS = {cls.codec_id: cls for cls in
          (PedestalPairCodec, ColumnPairCodec, ResidualPlanesCodec, DitherQuantizeCodec, SparsePixelCodec)}


def get_codec(config: dict):
    """The codec a ``get_config()`` dict describes (CodecError for an unknown id or parameter)."""
    if not isinstance(config, dict):
        raise CodecError(f"codec config must be a dict, got {type(config).__name__}")
    codec_class = CODECS.get(config.get("id"))
    if codec_class is None:
        raise CodecError(f"codec config id must be one of {sorted(CODECS)}, got {config.get('id')!r}")
    return codec_class.from_config(config)
