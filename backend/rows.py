"""Model instances from rows read with plain SQL, on the few paths that run on every request.

:func:`partial` builds an instance from some of its fields only: the check-in's answer, say,
five instances per scan. ``Model(**fields)`` would work out every other field's default
(a new pass code, the time now) for nothing, and leave a wrong value behind where a field
was forgotten; a partial instance leaves the others deferred, read from the database if
ever asked for.

``Model.from_db`` expects values as the ORM hands them over, after the database's
converters (SQLite gives naive datetimes, for one): :func:`instance` and :func:`value`
apply the same converters, worked out once per field.
"""

from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model


@functools.cache
def _converters(model: type[Model], name: str, alias: str) -> tuple:
    """The field's column, and what the ORM applies to a value read from it on database
    ``alias``."""
    using = connections[alias]
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    return column, (*using.ops.get_db_converters(column), *field.get_db_converters(using))


def value(model: type[Model], name: str, raw, *, using=None):
    """``raw``, read from the column of field ``name``, as the ORM would hand it over
    (``using``: the connection, when the caller already holds it)."""
    if using is None:
        using = connections[DEFAULT_DB_ALIAS]
    column, functions = _converters(model, name, using.alias)
    for convert in functions:
        raw = convert(raw, column, using)
    return raw


def select(model: type[Model], alias: str) -> str:
    """The model's columns, as ``alias.column, …``, in the order :func:`instance` reads them."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}"
                     for field in model._meta.concrete_fields)


@functools.cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def instance(model: type[Model], row: tuple) -> Model:
    """The instance from the first columns of ``row``, selected by :func:`select`."""
    attnames = _attnames(model)
    using = connections[DEFAULT_DB_ALIAS]  # once, not once per field
    values = [value(model, name, raw, using=using) for name, raw in zip(attnames, row, strict=False)]
    return model.from_db(using.alias, attnames, values)


def partial(model: type[Model], **values) -> Model:
    """The instance of a row with ``values`` (attribute names: ``holder_id``, not ``holder``)
    as read; its other fields are deferred."""
    attnames = _attnames(model)
    names = [name for name in attnames if name in values]
    if len(names) != len(values):
        raise TypeError(f"not fields of {model.__name__}: {sorted(set(values) - set(names))}")
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])
