"""``hub`` sub-commands by area; every module here has ``register(cli)`` and is found on start.

An area adds its commands by adding a module here, so the ``hub`` group (``hub/cli.py``: the
group, the one-line error handling and the app context helpers) never needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


def register_all(cli: click.Group) -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}").register(cli)
