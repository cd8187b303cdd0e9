"""``hub`` sub-commands by area; every module here has ``register(cli)`` and is found on start.

An area adds its commands by adding a module, so the ``hub`` group never needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


def register_all(cli: click.Group) -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}").register(cli)
