"""JSON Web Tokens with PyJWT: the ``TokenVerifier`` port, the issuer and the dev secret."""

from adapters.jwt.dev_secret import load_or_create_secret
from adapters.jwt.issuer import PyJwtTokenIssuer
from adapters.jwt.verifier import PyJwtTokenVerifier

__all__ = ["PyJwtTokenIssuer", "PyJwtTokenVerifier", "load_or_create_secret"]
