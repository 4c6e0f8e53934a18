"""`validate()` and `parse()`: the Rust verdict for a request, with JSON pointers."""

from typing import Any, List, NamedTuple, Sequence, Union

from pydantic import ValidationError

from kaleyra_wa._generated.send_request import SendRequest


class Problem(NamedTuple):
    """One reason a request is rejected."""

    pointer: str
    """Where (RFC 6901 JSON pointer): the member, or the object a required member is missing from."""
    message: str
    """What is wrong (pydantic's message)."""


def validate(payload: Any) -> List[Problem]:
    """Every problem of a parsed request payload (`json.loads` output); `[]` means valid."""
    try:
        SendRequest.model_validate(payload)
    except ValidationError as error:
        return [_problem(payload, e["loc"], e["type"], e["msg"]) for e in error.errors()]
    return []


def parse(data: Union[str, bytes]) -> SendRequest:
    """A request from JSON text (UTF-8 bytes or `str`), parsed by pydantic's own JSON parser,
    which rejects lone surrogate escapes as the Rust parser does. Raises pydantic's
    `ValidationError` (a `ValueError`) with every problem."""
    return SendRequest.model_validate_json(data)


def _problem(payload: Any, loc: Sequence[Union[str, int]], kind: str, message: str) -> Problem:
    """The JSON pointer of pydantic's `loc`, without the names it adds for union branches.

    A missing member is reported at its object, as the Rust validator does.
    """
    parts = []
    value = payload
    for segment in loc:
        if isinstance(value, dict) and isinstance(segment, str):
            value = value.get(segment)
        elif isinstance(value, list) and isinstance(segment, int):
            value = value[segment] if -len(value) <= segment < len(value) else None
        else:
            break
        parts.append(str(segment).replace("~", "~0").replace("/", "~1"))
    if kind == "missing" and parts:
        message = f"missing required member {parts.pop()!r}"
    elif kind == "extra_forbidden" and parts:
        message = f"unknown member {loc[-1]!r}"
    return Problem("".join("/" + part for part in parts), message)
