"""SystemClock: the machine's time, always aware and in UTC."""

from datetime import UTC, datetime, timedelta

from adapters.clock import SystemClock


def test_now_is_the_current_time_in_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)

    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after
