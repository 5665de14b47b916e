"""Model instances from rows read with plain SQL, on the few paths that run on every request.

``Model.from_db`` expects values as the ORM hands them over, after the database's
converters (SQLite gives naive datetimes, for one): :func:`instance` and :func:`value`
apply the same converters, worked out once per model.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Model


@functools.cache
def _columns(model: type[Model], vendor: str) -> tuple[str, list[str], list[tuple]]:
    fields = model._meta.concrete_fields
    columns = ", ".join(f"{{alias}}.{connection.ops.quote_name(field.column)}" for field in fields)
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append((column, [*connection.ops.get_db_converters(column),
                                    *field.get_db_converters(connection)]))
    return columns, [field.attname for field in fields], converters


def select(model: type[Model], alias: str) -> str:
    """The model's columns, as ``alias.column, …``, in the order :func:`instance` reads them."""
    return _columns(model, connection.vendor)[0].format(alias=alias)


def instance(model: type[Model], row: tuple) -> Model:
    """The instance from the first columns of ``row``, selected by :func:`select`."""
    _, attnames, converters = _columns(model, connection.vendor)
    values = []
    for value, (column, functions) in zip(row, converters, strict=False):
        for convert in functions:
            value = convert(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, attnames, values)


def value(model: type[Model], name: str, raw):
    """``raw``, read from the column of field ``name``, as the ORM would hand it over."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    for convert in [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]:
        raw = convert(raw, column, connection)
    return raw
