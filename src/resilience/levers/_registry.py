"""The lever registry: built-in levers, and levers of other packages through the ``resilience.levers``
entry-point group.

An outside package makes its lever usable from scenario YAML by declaring, in its ``pyproject.toml``::

    [project.entry-points."resilience.levers"]
    ferry_subsidy = "my_package.levers:FerrySubsidy"

where ``FerrySubsidy`` subclasses :class:`resilience.levers.Lever`. In a notebook, :func:`register_lever`
does the same for a class defined on the spot.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from resilience.levers._base import Lever

__all__ = ["ENTRY_POINT_GROUP", "LeverRegistryError", "get_lever", "lever_names", "register_lever"]

ENTRY_POINT_GROUP = "resilience.levers"

_REGISTRY: dict[str, type[Lever]] = {}
_entry_points_loaded = False


class LeverRegistryError(LookupError):
    """An unknown lever name, or a class that cannot be registered."""


def register_lever[L: type[Lever]](cls: L) -> L:
    """Register a lever class under ``cls.name`` (usable as a decorator); replaces a lever of the same name.

    >>> from resilience.levers import Lever, register_lever
    >>> @register_lever
    ... class Nothing(Lever):
    ...     name = "nothing_at_all"
    >>> "nothing_at_all" in lever_names()
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, Lever)):
        raise LeverRegistryError(f"{cls!r} is not a subclass of resilience.levers.Lever")
    if not cls.name or not cls.name.isidentifier():
        raise LeverRegistryError(f"lever class {cls.__name__} needs a `name` that is an identifier, got {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    # Sorted by name, so the registry does not depend on the order packages were installed in.
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        try:
            cls = entry_point.load()
        except Exception as error:
            raise LeverRegistryError(
                f"lever plug-in {entry_point.name!r} ({entry_point.value}) failed to load: {error}"
            ) from error
        if getattr(cls, "name", None) != entry_point.name:
            raise LeverRegistryError(
                f"lever plug-in {entry_point.name!r} ({entry_point.value}) has name {getattr(cls, 'name', None)!r}; "
                "the entry-point name and the class's `name` must be the same"
            )
        register_lever(cls)


def lever_names() -> list[str]:
    """Names of every registered lever (built-in and plug-ins), sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)


def get_lever(name: str) -> type[Lever]:
    """The lever class registered as ``name``; raises :class:`LeverRegistryError`."""
    _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LeverRegistryError(f"unknown lever {name!r}; known levers: {', '.join(sorted(_REGISTRY))}") from None
