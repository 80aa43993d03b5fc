"""MessagePack (msgspec) serialization for arq jobs and results, instead of pickle.

Pickle would let whoever can write to Redis run code in every worker; MessagePack
only ever yields plain data. Given to arq as ``job_serializer`` and
``job_deserializer`` on both the enqueuing pool and the worker.
"""

from typing import Any

import msgspec


def _encode_unknown(obj: Any) -> str:
    """Turn what MessagePack cannot carry into text, so arq can always store a result.

    A job that fails leaves its exception as the result; it is stored as
    ``"<ClassName>: message"``. Anything else unknown is stored as ``str(obj)``.
    """
    if isinstance(obj, BaseException):
        return f"{type(obj).__name__}: {obj}"
    return str(obj)


_encoder = msgspec.msgpack.Encoder(enc_hook=_encode_unknown)
_decoder = msgspec.msgpack.Decoder()


def serialize(obj: Any) -> bytes:
    """Encode a job or a job result as MessagePack.

    Timezone-aware datetimes travel as MessagePack timestamps; tuples become lists.
    """
    return _encoder.encode(obj)


def deserialize(data: bytes) -> Any:
    """Decode MessagePack written by :func:`serialize`; raise ``msgspec.DecodeError`` otherwise."""
    return _decoder.decode(data)
