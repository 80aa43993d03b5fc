"""What a PostgreSQL data source's login may do beyond reading: the service refuses a
superuser or a login that reads or writes the server's files or runs its programs, and
warns about one that may write to tables."""

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from application.common.errors import UnsafeDataSource

logger = logging.getLogger(__name__)

#: Roles that reach the server's files and programs (``COPY ... PROGRAM``, ``pg_read_file``).
SERVER_FILE_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")

_PRIVILEGES = sa.text(
    """
    SELECT r.rolsuper AS superuser,
           ARRAY(SELECT name FROM unnest(CAST(:file_roles AS text[])) AS name
                 WHERE pg_has_role(current_user, name, 'MEMBER')) AS file_roles,
           r.rolcreaterole OR r.rolcreatedb OR EXISTS (
               SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                 AND n.nspname NOT LIKE 'pg_toast%'
                 AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
           ) AS writes
    FROM pg_roles AS r WHERE r.rolname = current_user
    """
)


@dataclass(frozen=True, slots=True)
class LoginPrivileges:
    """What the login may do beyond reading."""

    superuser: bool
    file_roles: tuple[str, ...]
    writes: bool


async def login_privileges(connection: AsyncConnection) -> LoginPrivileges:
    """The privileges of the login of ``connection`` (PostgreSQL)."""
    row = (await connection.execute(_PRIVILEGES, {"file_roles": list(SERVER_FILE_ROLES)})).one()
    return LoginPrivileges(bool(row.superuser), tuple(row.file_roles), bool(row.writes))


def judge(data_source: str, privileges: LoginPrivileges) -> None:
    """``UnsafeDataSource`` for a superuser or a holder of a server file role; a warning
    in the log for a login that may write to tables (its queries run read-only, but a
    function it may call could write)."""
    if privileges.superuser:
        raise UnsafeDataSource(
            data_source, "logs in as a superuser; give it a role that may only read"
        )
    if privileges.file_roles:
        roles = ", ".join(privileges.file_roles)
        raise UnsafeDataSource(data_source, f"holds {roles}; give it a role that may only read")
    if privileges.writes:
        logger.warning(
            "The data source '%s' logs in with a role that may write to tables;"
            " reports run read-only, but give it a role that may only read.",
            data_source,
        )
