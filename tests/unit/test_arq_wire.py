"""The arq job serializer: MessagePack both ways, text for what it cannot carry, no pickle."""

import pickle
from datetime import UTC, datetime
from pathlib import PurePosixPath

import msgspec
import pytest

from adapters.arq.wire import deserialize, serialize


class _Opaque:
    def __str__(self) -> str:
        return "an opaque thing"


def test_a_job_survives_the_round_trip() -> None:
    job = {"t": 1, "f": "run_report_job", "a": ("job-1", "2025-03-01T12:30:00+00:00"), "k": {}}

    assert deserialize(serialize(job)) == {**job, "a": ["job-1", "2025-03-01T12:30:00+00:00"]}


def test_an_aware_datetime_comes_back_as_the_same_datetime() -> None:
    moment = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)

    assert deserialize(serialize({"r": moment})) == {"r": moment}


def test_an_exception_is_stored_as_its_class_name_and_message() -> None:
    result = {"s": False, "r": ValueError("the data set is gone")}

    assert deserialize(serialize(result)) == {"s": False, "r": "ValueError: the data set is gone"}


@pytest.mark.parametrize(
    ("value", "text"),
    [(_Opaque(), "an opaque thing"), (PurePosixPath("/srv/reports"), "/srv/reports")],
)
def test_an_unknown_object_is_stored_as_its_text(value: object, text: str) -> None:
    assert deserialize(serialize({"r": value})) == {"r": text}


def test_the_payload_is_messagepack_not_pickle() -> None:
    payload = serialize({"f": "run_report_job"})

    assert not payload.startswith(pickle.PROTO)
    assert msgspec.msgpack.decode(payload) == {"f": "run_report_job"}


def test_a_pickled_payload_is_refused_not_unpickled() -> None:
    with pytest.raises(msgspec.DecodeError):
        deserialize(pickle.dumps({"f": "run_report_job"}))
