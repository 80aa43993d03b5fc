"""Who is calling, and what the caller may do: each permission rule once."""

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

    @classmethod
    def operator(cls, name: str) -> "Principal":
        """The operator at the machine (the command line): an administrator.

        Whoever can run the commands against the service's settings already
        holds its keys and database; the audit trail names them ``operator:<name>``.
        """
        return cls(f"operator:{name}", scopes=frozenset({ADMIN_SCOPE}))

    @property
    def is_admin(self) -> bool:
        """Administrators manage report configurations and read every job."""
        return ADMIN_SCOPE in self.scopes

    @property
    def may_generate(self) -> bool:
        """Generating reports (and reading one's own jobs) needs ``reports:generate``."""
        return GENERATE_SCOPE in self.scopes

    def holds_any_role(self, roles: frozenset[str]) -> bool:
        """True when ``roles`` is empty (no restriction) or shares a role with the caller."""
        return not roles or bool(roles & self.roles)

    def ensure_may_generate(self) -> None:
        """``PermissionDenied`` unless the caller may generate reports."""
        if not self.may_generate:
            raise PermissionDenied(f"The token lacks the '{GENERATE_SCOPE}' scope.")

    def ensure_may_read_jobs(self) -> None:
        """``PermissionDenied`` unless the caller may read jobs: generators (their own)
        and administrators (all)."""
        if not (self.may_generate or self.is_admin):
            raise PermissionDenied(f"The token lacks the '{GENERATE_SCOPE}' scope.")

    def ensure_admin(self) -> None:
        """``PermissionDenied`` unless the caller manages report configurations."""
        if not self.is_admin:
            raise PermissionDenied(f"The token lacks the '{ADMIN_SCOPE}' scope.")
