"""Builders the container calls where an adapter needs a decision from the settings."""

from adapters.jwt.dev_secret import load_or_create_secret
from adapters.jwt.issuer import PyJwtTokenIssuer
from adapters.jwt.verifier import PyJwtTokenVerifier
from entrypoints.settings import Settings, SettingsError


def hs256_secret(settings: Settings) -> str:
    """The configured HS256 secret, or the one generated into the data dir on first use."""
    return settings.jwt_secret or load_or_create_secret(settings.dev_secret_file)


def build_token_verifier(settings: Settings) -> PyJwtTokenVerifier:
    """RS256/ES256 with the configured public key, else HS256 with the secret."""
    if settings.jwt_public_key_file is not None:
        try:
            pem = settings.jwt_public_key_file.read_bytes()
            return PyJwtTokenVerifier.for_public_key_pem(
                pem, issuer=settings.jwt_issuer, audience=settings.jwt_audience
            )
        except (OSError, ValueError) as exc:
            raise SettingsError(f"REPORTGEN_JWT_PUBLIC_KEY_FILE: {exc}") from exc
    return PyJwtTokenVerifier.for_secret(
        hs256_secret(settings), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )


def build_token_issuer(settings: Settings) -> PyJwtTokenIssuer:
    """Signs HS256 development tokens with the same key ``serve`` verifies."""
    if settings.jwt_public_key_file is not None:
        raise SettingsError(
            "REPORTGEN_JWT_PUBLIC_KEY_FILE is set: tokens come from your identity provider, "
            "`reportgen token` signs HS256 tokens only."
        )
    return PyJwtTokenIssuer(
        hs256_secret(settings), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
