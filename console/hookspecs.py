"""Plugin hooks of Écluse (pluggy project name ``ecluse``).

A plugin is a module (or object) with functions decorated by ``ecluse.hookimpl`` whose names
match the specs below. Built-in connectors and third-party packages are loaded the same way,
from the ``ecluse`` entry-point group::

    [project.entry-points.ecluse]
    my_source = "my_package.ecluse_plugin"

Built-in plugins load first, then third-party ones in entry-point name order: a package can
never replace a built-in connector. ``hookimpl(specname="register_connectors")`` lets a function
of another name implement a hook. A function decorated with ``hookimpl`` whose name (or
``specname``) is not a hook below (a typo) is never called, and said with the hook it probably
meant: the plugin is "partial" when something else of it is in use (a good hook beside it),
"failed" when nothing is.

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

    A class that breaks the contract is not registered, and the reason is the plugin's error
    (``ecluse plugins``, the Plugins page): an ``id`` other than lower-case letters, digits, ``_``
    and ``-`` starting with a letter; ``kinds`` outside ``ecluse.domain.KINDS``; two settings of
    one name; a setting ``type`` outside ``ecluse.connectors.SETTING_TYPES``; a ``choice`` without
    ``choices``; a ``default`` its own ``Setting.parse`` refuses; no ``fetch()`` of its own. The
    plugin's other connectors still load (it is then "partial"; "failed" when nothing of it is
    in use).
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
    breaks these rules is refused and reported on the Plugins page and by ``ecluse plugins``;
    the plugin's other templates and connectors still load (it is then "partial"; "failed" when
    nothing of it is in use).
    Prefix codes with the connector's id (``said.acme.export_read``) to stay clear of others.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``ecluse`` command line.

    ``cli`` is the top-level ``click.Group``; decorate new commands with ``@cli.command()``.
    Commands should call the services in ``ecluse.services`` rather than the database. A name
    already taken (Écluse's own command, such as ``sync``, or one a plugin loaded before added)
    is not replaced: the existing command stays, and ``ecluse plugins`` says so (the plugin is
    "partial", or "failed" when nothing of it is in use). When the hook raises, what it added is
    taken out.
    """
