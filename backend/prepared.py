"""Statements prepared once per database connection, for the few run on every request of a
hot path: the token's person (every authenticated API call), the kiosk's token (every kiosk
scan) and the check-in function (every scan at a desk or a kiosk).

Django's PostgreSQL cursors bind parameters on the client, so PostgreSQL parses and plans
each statement again on every call. For the token's join, that planning is half of the
statement's time (pgbench, one client: 0.110 ms a call as sent, 0.036 ms prepared).

The first call on a connection sends ``PREPARE name AS …; EXECUTE name(…)`` in one round
trip; the later calls send ``EXECUTE name(…)``. So a query count stays the same whether the
statement was prepared yet or not. ``PREPARE`` is not undone by a rollback, and a new
connection (Django replaces a broken or old one) starts with nothing prepared.
Other engines run the statement as it is.
"""

from __future__ import annotations

PREPARED = "essaim_prepared"  # attribute of the driver's connection: the names prepared on it


def execute(cursor, name: str, sql: str, params: list) -> None:
    """Run ``sql`` (``%s`` placeholders) on Django's ``cursor`` as the prepared statement
    ``name``; read the answer from ``cursor`` as usual."""
    if cursor.db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    driver = cursor.db.connection
    prepared = driver.__dict__.setdefault(PREPARED, set())
    call = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
    if name in prepared:
        cursor.execute(call, params)
        return
    body = sql % tuple(f"${n}" for n in range(1, len(params) + 1))
    cursor.execute(f"PREPARE {name} AS {body.replace('%', '%%')}; {call}", params)
    prepared.add(name)
    cursor.nextset()  # past PREPARE's empty answer, to EXECUTE's
