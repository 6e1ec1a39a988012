"""Small building blocks of the guard's chained actions and auth functions."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as toolkit


def allowed(auth_function: str, context: dict, object_id: str) -> bool:
    """Whether the context's user passes `auth_function` for the object: a refusal
    and an unknown object both count as no."""
    try:
        toolkit.check_access(auth_function, {"user": context.get("user")}, {"id": object_id})
        return True
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False


def _chained(decorator: Callable, check: Callable, names: tuple[str, ...]) -> dict[str, Any]:
    def chained(name: str):
        def function(original, context, data_dict):
            return check(original, context, data_dict)
        function.__name__ = name
        return decorator(function)
    return {name: chained(name) for name in names}


def chained_actions(check: Callable, *names: str) -> dict[str, Any]:
    """The same `check(original_action, context, data_dict)` chained in front of
    each named CKAN action."""
    return _chained(toolkit.chained_action, check, names)


def chained_auth_functions(check: Callable, *names: str) -> dict[str, Any]:
    """The same `check(next_auth, context, data_dict)` chained in front of each
    named CKAN auth function."""
    return _chained(toolkit.chained_auth_function, check, names)
