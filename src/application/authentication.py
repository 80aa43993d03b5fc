"""Who is calling, for every use case that serves a client."""

from application.errors import AuthenticationFailed
from application.ports import TokenVerifier
from domain.errors import PermissionDenied
from domain.principal import ADMIN_SCOPE, GENERATE_SCOPE, Principal


def authenticate(verifier: TokenVerifier, token: str | None) -> Principal:
    """The principal of a bearer token; ``AuthenticationFailed`` without one or for a bad one."""
    if not token:
        raise AuthenticationFailed("A bearer token is required.", credentials_present=False)
    return verifier.verify(token)


def authenticate_job_reader(verifier: TokenVerifier, token: str | None) -> Principal:
    """A caller who may read jobs: ``reports:generate`` (their own) or ``reports:admin`` (all)."""
    principal = authenticate(verifier, token)
    if not (principal.has_scope(GENERATE_SCOPE) or principal.has_scope(ADMIN_SCOPE)):
        raise PermissionDenied(f"The token lacks the '{GENERATE_SCOPE}' scope.")
    return principal
