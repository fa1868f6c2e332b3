"""The dimension filters as parameters, generated from service.taxonomy once: the API's query
parameters (service.api.deps) and the MCP tools' arguments (service.mcp.server) are built
here from taxonomy.DIMENSIONS, so that a new dimension reaches every surface, in one order.

FastAPI and the MCP SDK both read a function's parameters from `inspect.signature`, which
takes a `__signature__` when there is one: `taking_filters` gives a function the generated
parameters in place of one `Filters` parameter, and hands it the values given.
"""

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from service.reads.common import Filters
from service.taxonomy import CODES

F = TypeVar("F", bound=Callable[..., Any])

#: The default of a function's `Filters` parameter, which `taking_filters` replaces: never
#: used (the function is always handed the filters given), never changed.
NO_FILTERS: Filters = {}


def parameters(
    names: Iterable[str], annotation: Callable[[str], Any], default: Any = None
) -> list[inspect.Parameter]:
    """One parameter for each dimension in `names`, in that order, typed `annotation(name)`;
    a parameter left at `default` filters nothing."""
    return [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=default,
            annotation=annotation(name),
        )
        for name in names
    ]


def is_coded(name: str) -> bool:
    """A dimension that takes codes (service.taxonomy.CODES); the one other is the year."""
    return name in CODES


def given(values: Mapping[str, Any], default: Any = None) -> Filters:
    """The filters given (not left at `default`), codes as plain strings."""
    return {
        k: (v.value if isinstance(v, StrEnum) else v) for k, v in values.items() if v != default
    }


def taking_filters(name: str, generated: list[inspect.Parameter]) -> Callable[[F], F]:
    """Give a function the `generated` parameters in place of its parameter `name`, in its
    place: FastAPI and the MCP SDK see (and document) those, and call the function with
    keyword arguments; it is handed the ones given as one `Filters` value in `name`."""

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        own = list(signature.parameters.values())
        at = [p.name for p in own].index(name)
        replaced = [*own[:at], *generated, *own[at + 1 :]]

        default = generated[0].default

        @functools.wraps(function)
        def with_filters(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = given({p.name: kwargs.pop(p.name, default) for p in generated}, default)
            return function(*args, **kwargs)

        # What FastAPI, the MCP SDK and pydantic's validate_call read the parameters from.
        with_filters.__signature__ = signature.replace(parameters=replaced)  # type: ignore[attr-defined]
        returns = {k: v for k, v in function.__annotations__.items() if k == "return"}
        with_filters.__annotations__ = {
            **{p.name: p.annotation for p in replaced if p.annotation is not p.empty},
            **returns,
        }
        return with_filters  # type: ignore[return-value]

    return decorate
