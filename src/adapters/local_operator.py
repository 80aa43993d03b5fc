"""The operator at the machine: the CLI acts as an administrator without a token."""

import getpass

from domain.principal import ADMIN_SCOPE, Principal


class LocalOperatorVerifier:
    """A ``TokenVerifier`` for commands run by the operator (``reportgen demo seed``).

    Whoever can run the CLI against the service's settings already holds its
    keys and database; this names them in the audit trail as ``operator:<user>``.
    """

    def verify(self, token: str) -> Principal:
        """The operator, whatever the token."""
        return Principal(f"operator:{getpass.getuser()}", scopes=frozenset({ADMIN_SCOPE}))
