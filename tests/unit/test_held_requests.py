"""Requests a caller holds open, counted per caller."""

import pytest

from entrypoints.http.holds import HeldRequests, TooManyHeldRequests


def test_a_caller_may_hold_its_most_and_no_more_while_others_are_unaffected() -> None:
    holds = HeldRequests(2)
    with holds.hold("alice"), holds.hold("alice"):
        assert not holds.may_hold("alice")
        with pytest.raises(TooManyHeldRequests, match="at most 2"):
            holds.refuse_if_full("alice")
        with holds.hold("bob"):
            assert holds.may_hold("bob")
    assert holds.may_hold("alice")


def test_a_hold_is_released_when_its_block_fails() -> None:
    holds = HeldRequests(1)
    with pytest.raises(RuntimeError), holds.hold("alice"):
        raise RuntimeError
    with holds.hold("alice"):
        pass
