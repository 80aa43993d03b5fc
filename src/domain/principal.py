"""Who is calling: the identity a verified token vouches for."""

from dataclasses import dataclass, field

from domain.errors import PermissionDenied

GENERATE_SCOPE = "reports:generate"
ADMIN_SCOPE = "reports:admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: its subject, roles and OAuth 2 scopes."""

    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    def has_scope(self, scope: str) -> bool:
        """True when the token granted ``scope``."""
        return scope in self.scopes

    @property
    def is_admin(self) -> bool:
        """Administrators manage report configurations and read every job."""
        return ADMIN_SCOPE in self.scopes

    def require_scope(self, scope: str) -> None:
        """Raise ``PermissionDenied`` unless the token granted ``scope``."""
        if not self.has_scope(scope):
            raise PermissionDenied(f"The token lacks the '{scope}' scope.")
