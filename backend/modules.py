"""Optional per-app modules (``<app>/demo.py``, ``<app>/privacy.py``…), in INSTALLED_APPS order."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    for config in apps.get_app_configs():
        module_name = f"{config.name}.{name}"
        if find_spec(module_name) is not None:
            yield config, import_module(module_name)
