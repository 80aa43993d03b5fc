"""CachedTokenVerifier: each valid token verified once, kept no longer than it is valid."""

import time

import jwt
import pytest

from adapters.jwt.cache import CachedTokenVerifier
from adapters.jwt.verifier import PyJwtTokenVerifier
from application.common.errors import AuthenticationFailed
from domain.principal import Principal

SECRET = "a-secret-of-at-least-thirty-two-bytes!!"


class Counting(PyJwtTokenVerifier):
    """The real verifier, counting how often it really verifies."""

    calls = 0

    def verify_until(self, token: str) -> tuple[Principal, float]:
        self.calls += 1
        return super().verify_until(token)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def token(sub: str = "alice", lifetime: int = 60) -> str:
    claims = {"sub": sub, "exp": int(time.time()) + lifetime, "scope": "reports:generate"}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def verifier(clock: Clock, max_tokens: int = 100) -> tuple[CachedTokenVerifier, Counting]:
    inner = Counting(SECRET, ["HS256"], leeway_seconds=0)
    return CachedTokenVerifier(inner, max_tokens=max_tokens, now=clock), inner


def test_a_valid_token_is_verified_once_and_its_principal_served_after() -> None:
    cached, inner = verifier(Clock())
    alice = token()

    principals = [cached.verify(alice) for _ in range(5)]

    assert principals[0] == Principal("alice", scopes=frozenset({"reports:generate"}))
    assert set(principals) == {principals[0]}
    assert inner.calls == 1


def test_a_kept_token_is_verified_again_once_it_expired() -> None:
    clock = Clock()
    cached, inner = verifier(clock)
    alice = token(lifetime=30)
    cached.verify(alice)

    clock.now += 29
    cached.verify(alice)
    assert inner.calls == 1
    clock.now += 2  # past its exp: the cache no longer vouches for it, PyJWT decides again
    cached.verify(alice)
    assert inner.calls == 2


def test_a_bad_token_is_never_kept() -> None:
    cached, inner = verifier(Clock())
    forged = jwt.encode({"sub": "mallory", "exp": int(time.time()) + 60}, "x" * 40)

    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            cached.verify(forged)
    assert inner.calls == 3


def test_at_most_max_tokens_are_kept_the_least_recently_used_go_first() -> None:
    cached, inner = verifier(Clock(), max_tokens=2)
    alice, bob, carol = token("alice"), token("bob"), token("carol")
    for each in (alice, bob, alice, carol):  # bob is the least recently used when carol comes
        cached.verify(each)
    assert inner.calls == 3

    cached.verify(alice)
    assert inner.calls == 3
    cached.verify(bob)
    assert inner.calls == 4
