"""One definition, two twins: a blocking method and its ``_async`` coroutine.

A network operation is written once, as a method that returns the native call it makes
(a ``_native._Pending``). ``@twins`` turns it into the blocking method, which runs the call
with ``wait()`` (GIL released, Ctrl-C honoured, no event loop started), and gives it a
``.coroutine``: the ``_async`` twin, a real coroutine function that ``await``s the same call
on the shared runtime. The twins share one signature and one docstring, so they cannot drift
apart::

    class RoeClient:
        @twins
        def query(self, sql: str, **options: Unpack[RoeCallOptions]) -> Pending[QueryResult]:
            \"\"\"Runs `sql` ...\"\"\"
            return self._core.query(sql, options)

        query_async = query.coroutine

A method whose last parameter is ``**options: Unpack[SomeOptions]`` (a TypedDict documented
with ``_options.document``) shows each option as a keyword in ``help()`` and
``inspect.signature``, and lists them in its docstring; an unknown keyword is a TypeError,
as for any Python function.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from sqlquarry import _options

if TYPE_CHECKING:
    from typing import Concatenate

    from typing_extensions import ParamSpec

    from sqlquarry._native import _Pending

    P = ParamSpec("P")
else:
    P = TypeVar("P")

S = TypeVar("S", contravariant=True)
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")


class Method(Protocol[S, P, R_co]):  # type: ignore[misc]
    """A function that becomes a method taking `P` and answering `R_co`."""

    def __get__(self, obj: S, owner: type | None = None) -> Callable[P, R_co]: ...


class Twin(Method[S, P, R], Protocol[S, P, R]):  # type: ignore[misc]
    coroutine: Method[S, P, Coroutine[Any, Any, R]]


@overload
def twins(call: Callable[Concatenate[S, P], _Pending[T]]) -> Twin[S, P, T]: ...
@overload
def twins(
    *, then: Callable[[Any, T], R]
) -> Callable[[Callable[Concatenate[S, P], _Pending[T]]], Twin[S, P, R]]: ...
def twins(
    call: Callable[..., Any] | None = None,
    *,
    then: Callable[[Any, Any], Any] | None = None,
) -> Any:
    """The blocking method for `call` (see the module docstring). `then(self, answer)`
    converts the call's answer (a dict into a model, say) in both twins."""

    def make(call: Callable[..., Any]) -> Callable[..., Any]:
        signature = _public_signature(call, then)
        convert = then if then is not None else _same

        check = checker(call.__qualname__, signature)

        @functools.wraps(call)
        def blocking(self: Any, *args: Any, **kwargs: Any) -> Any:
            check(self, *args, **kwargs)
            return convert(self, call(self, *args, **kwargs).wait())

        @functools.wraps(call)
        async def coroutine(self: Any, *args: Any, **kwargs: Any) -> Any:
            check(self, *args, **kwargs)
            return convert(self, await call(self, *args, **kwargs))

        doc = _with_options(call, signature)
        blocking.__doc__ = doc
        coroutine.__doc__ = (
            f"The coroutine twin of ``{call.__name__}()``: the same call, awaited.\n\n{doc}"
        )
        coroutine.__name__ = f"{call.__name__}_async"
        coroutine.__qualname__ = f"{call.__qualname__}_async"
        blocking.__signature__ = coroutine.__signature__ = signature  # type: ignore[attr-defined]
        blocking.coroutine = coroutine  # type: ignore[attr-defined]
        return blocking

    return make if call is None else make(call)


F = TypeVar("F", bound=Callable[..., Any])


def spelled_out(fn: F) -> F:
    """`fn` (a constructor, say) with its ``**options: Unpack[X]`` shown as X's keywords in
    its signature and docstring, and an unknown keyword refused as a TypeError."""
    signature = _public_signature(fn)
    check = checker(fn.__qualname__.removesuffix(".__init__"), signature)

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return fn(*args, **kwargs)

    checked.__signature__ = signature  # type: ignore[attr-defined]
    checked.__doc__ = _with_options(fn, signature)
    return checked  # type: ignore[return-value]


def checker(name: str, signature: inspect.Signature) -> Callable[..., None]:
    """A check of a call's arguments against `signature`: an unknown keyword, or a value
    of the wrong type for an annotated parameter, is a TypeError that names the parameter,
    what it accepts and what it got."""
    accepts = {
        p.name: _accepted(p.annotation)
        for p in signature.parameters.values()
        if isinstance(p.annotation, str)
    }

    def check(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs)
        for param, value in bound.arguments.items():
            kinds = accepts.get(param)
            if kinds is None or any(k(value) for k, _ in kinds):
                continue
            labels = [label for _, label in kinds]
            wanted = " or ".join(
                [", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels
            )
            got = f"{type(value).__name__} {value!r}"
            raise TypeError(f"{name}(): {param} must be {wanted}; got {got[:80]}")

    return check


# What an annotation's names accept at run time; names not listed are not checked.
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "None": (lambda v: v is None, "None"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "bool": (lambda v: isinstance(v, bool), "a bool (True or False)"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an int"),
    "float": (
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "a number",
    ),
    "datetime.timedelta": (lambda v: hasattr(v, "total_seconds"), "a timedelta"),
    "Mapping": (lambda v: isinstance(v, Mapping), "a mapping (dict)"),
    "Callable": (callable, "a callable"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "dict": (lambda v: isinstance(v, dict), "a dict"),
}


def _accepted(annotation: str) -> list[tuple[Callable[[Any], bool], str]] | None:
    """The checks of each alternative of `annotation` (``str | None``), or None when any
    alternative is one this module does not check (``Any``, a class)."""
    kinds = []
    for alternative in _top_level_alternatives(annotation):
        kind = _KINDS.get(alternative.split("[", 1)[0].strip())
        if kind is None:
            return None
        kinds.append(kind)
    return kinds


def _top_level_alternatives(annotation: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(annotation):
        depth += (c == "[") - (c == "]")
        if c == "|" and depth == 0:
            parts.append(annotation[start:i])
            start = i + 1
    return [*parts, annotation[start:]]


def _same(_self: Any, answer: Any) -> Any:
    return answer


def options_of(call: Callable[..., Any]) -> type | None:
    """The TypedDict of `call`'s ``**options: Unpack[...]``, if it has one."""
    for p in inspect.signature(call).parameters.values():
        if p.kind is p.VAR_KEYWORD and isinstance(p.annotation, str):
            m = re.fullmatch(r"Unpack\[(\w+)\]", p.annotation)
            if m:
                return call.__globals__[m.group(1)]
    return None


def _public_signature(
    call: Callable[..., Any], then: Callable[..., Any] | None = None
) -> inspect.Signature:
    """`call`'s signature as users call it: ``**options: Unpack[X]`` spelled out as X's
    keywords, and what the twins return rather than the native call."""
    sig = inspect.signature(call)
    returns = sig.return_annotation
    if then is not None:
        returns = inspect.signature(then).return_annotation
    elif isinstance(returns, str):
        returns = re.sub(r"^_Pending\[(.*)\]$", r"\1", returns)
    sig = sig.replace(return_annotation=returns)
    options = options_of(call)
    if options is None:
        return sig
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    for key, annotation in options.__annotations__.items():
        params.append(
            inspect.Parameter(
                key,
                inspect.Parameter.KEYWORD_ONLY,
                default=_options.default(options, key),
                annotation=getattr(annotation, "__forward_arg__", annotation),
            )
        )
    return sig.replace(parameters=params)


def _with_options(call: Callable[..., Any], signature: inspect.Signature) -> str:
    """`call`'s docstring, followed by the doc of each of its shared options."""
    doc = inspect.cleandoc(call.__doc__ or "")
    options = options_of(call)
    if options is None:
        return doc
    lines = [
        textwrap.fill(f"- ``{key}``: {text}", width=88, subsequent_indent="  ")
        for key, text in _options.docs(options).items()
    ]
    return doc + "\n\nKeyword options:\n\n" + "\n".join(lines)
