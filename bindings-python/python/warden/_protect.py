"""``@guard.protect(tool=None, effect=None)`` (SEMANTICS-engine §12.4): sugar over ``Guard.admit``
(the core's check where an enforced denial always raises, whatever ``block_on_deny``) and
``Guard.report`` for sync and async functions. The decision itself is the core's; this module only
times the call and passes the exception's class name on.
"""

from __future__ import annotations

import functools
import inspect
import time
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ._native import resolve_effect

if TYPE_CHECKING:
    from ._native import Guard

F = TypeVar("F", bound=Callable[..., Any])


def _elapsed_ms(t0: int) -> int:
    return (time.perf_counter_ns() - t0) // 1_000_000


def protect(guard: Guard, tool: str | None = None, effect: str | None = None) -> Callable[[F], F]:
    """The decorator behind ``Guard.protect``: ``tool`` defaults to the function's ``__name__``
    and is validated (with ``effect``) when the function is wrapped."""

    def decorate(fn: F) -> F:
        name = tool if tool is not None else getattr(fn, "__name__", "")
        resolve_effect(name, effect)  # VALIDATION_ERROR now, not at the first call

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                guard.admit(name, effect)
                t0 = time.perf_counter_ns()
                try:
                    result = await fn(*args, **kwargs)
                except BaseException as e:
                    guard.report(name, False, _elapsed_ms(t0), type(e).__name__)
                    raise
                guard.report(name, True, _elapsed_ms(t0))
                return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            guard.admit(name, effect)
            t0 = time.perf_counter_ns()
            try:
                result = fn(*args, **kwargs)
            except BaseException as e:
                guard.report(name, False, _elapsed_ms(t0), type(e).__name__)
                raise
            guard.report(name, True, _elapsed_ms(t0))
            return result

        return wrapper  # type: ignore[return-value]

    return decorate
