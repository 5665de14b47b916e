"""Statements prepared once per database connection, for the few run on every request of a
hot path: the token's person (every authenticated API call), the kiosk's token (every kiosk
scan) and the check-in function (every scan at a desk or a kiosk).

Django's PostgreSQL cursors bind parameters on the client, so PostgreSQL parses and plans
each statement again on every call. For the token's join, that planning is half of the
statement's time (pgbench, one client: 0.110 ms a call as sent, 0.036 ms prepared).

The first call on a connection sends ``PREPARE name AS …; EXECUTE name(…)`` in one round
trip; the later calls send ``EXECUTE name(…)``. So a query count stays the same whether the
statement was prepared yet or not. A new connection (Django replaces a broken or old one)
starts with nothing prepared. Other engines run the statement as it is.

``PREPARE`` is not undone by a rollback, nor by the failure of the ``EXECUTE`` sent with it.
After a failed first call the statement may or may not exist, so the next attempt prepares it
under a new name (``name_1``, ``name_2``…) rather than collide with it.

:func:`row` also stands in for Django's connection health check on the statements that open
a request (the token's person, the kiosk, a desk's scan): see there.
"""

from __future__ import annotations

from django.db import Error, connection

PREPARED = "essaim_prepared"  # attribute of the driver's connection: {name: what is prepared}
FAILED = "essaim_prepare_failed"  # {name: first calls that failed}


def execute(cursor, name: str, sql: str, params: list) -> None:
    """Run ``sql`` (``%s`` placeholders) on Django's ``cursor`` as the prepared statement
    ``name``; read the answer from ``cursor`` as usual."""
    if cursor.db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    state = cursor.db.connection.__dict__
    prepared, failed = state.setdefault(PREPARED, {}), state.setdefault(FAILED, {})
    placeholders = ", ".join(["%s"] * len(params))
    if name in prepared:
        cursor.execute(f"EXECUTE {prepared[name]}({placeholders})", params)
        return
    statement = f"{name}_{failed[name]}" if name in failed else name
    body = sql % tuple(f"${n}" for n in range(1, len(params) + 1))
    try:
        cursor.execute(f"PREPARE {statement} AS {body.replace('%', '%%')}; "
                       f"EXECUTE {statement}({placeholders})", params)
    except Exception:
        failed[name] = failed.get(name, 0) + 1
        raise
    prepared[name] = statement
    cursor.nextset()  # past PREPARE's empty answer, to EXECUTE's


def row(name: str, sql: str, params: list) -> tuple | None:
    """The first row that ``sql`` answers, prepared as ``name``; ``sql`` must be safe to
    send twice: a read, or a desk's scan (scanned twice, a pass is checked in once).

    Sent as a request's first query on a kept connection, it is also the connection's
    health check. Django checks a kept connection (``CONN_HEALTH_CHECKS``) with a
    ``SELECT 1`` round trip before the request's first query, so that a connection broken
    since the last request (PostgreSQL restarted, say) is replaced rather than failing the
    request. Here the statement goes out at once, and if it fails because the connection is
    broken, the connection is closed and the statement sent again on a new one. Same
    guarantee, one round trip less on every authenticated API call.
    """
    stands_in = (connection.connection is not None and connection.health_check_enabled
                 and not connection.health_check_done and not connection.in_atomic_block)
    if stands_in:
        connection.health_check_done = True
        try:
            return _row(name, sql, params)
        except Error:
            if connection.is_usable():
                raise
            connection.close()
    return _row(name, sql, params)


def _row(name: str, sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        execute(cursor, name, sql, params)
        return cursor.fetchone()
