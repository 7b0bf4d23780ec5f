"""Plugin hooks of Écluse (pluggy project name ``ecluse``).

A plugin is a module (or object) with functions decorated by ``ecluse.hookimpl`` whose names
match the specs below. Built-in connectors and third-party packages are loaded the same way,
from the ``ecluse`` entry-point group::

    [project.entry-points.ecluse]
    my_source = "my_package.ecluse_plugin"

Built-in plugins load first, then third-party ones in entry-point name order: a package can
never replace a built-in connector. A function decorated with ``hookimpl`` whose name is not a
hook below (a typo) makes the plugin "failed", with the hook it probably meant.

Set ``ECLUSE_LOAD_PLUGINS=demo,harvest`` to load only these entry points (empty: none).
"""
from __future__ import annotations

from typing import Any, Callable

import pluggy

hookspec = pluggy.HookspecMarker("ecluse")
hookimpl = pluggy.HookimplMarker("ecluse")


@hookspec
def register_connectors(register: Callable[[type], None]) -> None:
    """Register source connectors.

    Call ``register(ConnectorClass)`` once per connector; the class subclasses
    ``ecluse.connectors.Connector`` and declares ``id``, ``title``, ``kinds`` and ``settings``
    (optionally ``translations`` of its title, description and each setting's label and help
    for the console's other languages, e.g. ``{"fr": {"label": ..., "help": ...}}``). Two plugins
    registering the same ``id`` is an error reported on the Plugins page; the first one loaded
    (a built-in before any third party) keeps it.
    """


@hookspec
def register_texts(register: Callable[[str, dict[str, str]], None]) -> None:
    """Add the templates the console says a plugin's sentences with, in its reader's language.

    Call ``register(key, {"fr": "...", "en": "..."})`` once per template. The keys a plugin may
    add are those the console looks up for what a connector gives it:

    - ``said.<code>``: a ``Said(code, params)`` (``CheckResult.says``, ``Problem.said``,
      ``ConnectorError(said=...)``), its params by name: ``{"fr": "{n} {n|fiche lue|fiches
      lues}.", "en": "{n} {n|record|records} read"}``;
    - ``finding.<code>.detail`` (or ``.<variant>``, the params' ``variant``): a ``Finding`` of
      the plugin's own code with ``params``; ``finding.<code>``: its short title; and
      ``finding.gone_from_source.<variant>`` for a ``Gone`` whose params give that variant.

    A template is a ``str.format`` text per language (``{name|singular|plural}`` agrees a word
    with a count), "en" at least, each naming the same values; a language without one is said
    in English. A key that does not start with ``said.`` or ``finding.`` (the console's own
    texts cannot be changed), that the core or another plugin already has, or whose template
    breaks these rules is refused and reported on the Plugins page and by ``ecluse plugins``
    (the plugin is then "failed"); the plugin's other templates and connectors still load.
    Prefix codes with the connector's id (``said.acme.export_read``) to stay clear of others.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``ecluse`` command line.

    ``cli`` is the top-level ``click.Group``; decorate new commands with ``@cli.command()``.
    Commands should call the services in ``ecluse.services`` rather than the database.
    """
