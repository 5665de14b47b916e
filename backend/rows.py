"""Model instances from rows read with plain SQL, on the few paths that run on every request.

:func:`partial` builds an instance from some of its fields only: the check-in's answer, say,
five instances per scan. ``Model(**fields)`` would work out every other field's default
(a new pass code, the time now) for nothing, and leave a wrong value behind where a field
was forgotten; a partial instance leaves the others deferred, read from the database if
ever asked for.

``Model.from_db`` expects values as the ORM hands them over, after the database's
converters (SQLite gives naive datetimes, for one): :func:`instance` and :func:`value`
apply the same converters, worked out once per field.

Both build the instance as ``Model.from_db`` would, without running ``Model.__init__``,
whose pass over every field of the model cost more than the rest of a check-in's answer
(a third of a million instructions per scan for five partial instances). They write the
values where ``__init__`` would, in the instance's ``__dict__``, and take the slow path
for a model where that would differ: one whose fields set their values through a
descriptor of their own, or that has ``pre_init``/``post_init`` receivers.
"""

from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute


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


def select(model: type[Model], alias: str, omit: frozenset[str] = frozenset()) -> str:
    """The model's columns but those of the fields named in ``omit``, as ``alias.column, …``,
    in the order :func:`instance` reads them."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"
                     for name in _attnames(model, omit))


@functools.cache
def _attnames(model: type[Model], omit: frozenset[str] = frozenset()) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields if field.name not in omit)


@functools.cache
def _shape(model: type[Model]) -> tuple[frozenset[str], frozenset[str], bool]:
    """The model's attribute names (``holder_id``), its foreign keys' names (``holder``), and
    whether ``Model.__init__`` would only store each value in the instance's ``__dict__``."""
    attnames = _attnames(model)
    # A foreign key's id attribute sets itself, and only drops a cached related instance,
    # which a new instance does not have.
    plain = (not signals.pre_init.has_listeners(model) and not signals.post_init.has_listeners(model)
             and all(type(model.__dict__.get(name)) in (DeferredAttribute, ForeignKeyDeferredAttribute)
                     for name in attnames))
    relations = frozenset(field.name for field in model._meta.concrete_fields if field.many_to_one)
    return frozenset(attnames), relations, plain


def _built(model: type[Model], values: dict, plain: bool) -> Model:
    """The instance as read from the default database, with ``values`` by attribute name."""
    if not plain:
        names = list(values)
        return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])
    built = model.__new__(model)
    state = built._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    built.__dict__.update(values)
    return built


def instance(model: type[Model], row: tuple, omit: frozenset[str] = frozenset()) -> Model:
    """The instance from the first columns of ``row``, selected by :func:`select` with the
    same ``omit``; the omitted fields are deferred."""
    using = connections[DEFAULT_DB_ALIAS]  # once, not once per field
    return _built(model, {name: value(model, name, raw, using=using)
                          for name, raw in zip(_attnames(model, omit), row, strict=False)},
                  _shape(model)[2])


def partial(model: type[Model], **values) -> Model:
    """The instance of a row with ``values`` (attribute names: ``holder_id``, not ``holder``)
    as read; its other fields are deferred.

    A foreign key given by name (``holder=person``) is the related instance already at
    hand, as ``select_related`` would have left it: its id is not set unless given too.
    """
    attnames, relations, plain = _shape(model)
    related = {name: values.pop(name) for name in relations.intersection(values)}
    if not attnames.issuperset(values):
        raise TypeError(f"not fields of {model.__name__}: {sorted(values.keys() - attnames)}")
    built = _built(model, values, plain)
    for name, other in related.items():
        built._state.fields_cache[name] = other
    return built
