"""Kaleyra WhatsApp v2 "Send Single-Product Message": pydantic v2 models of the request and
both responses, generated from the `kaleyra-wa` JSON Schemas, giving the Rust validator's
verdict on every payload (see README.md for the two things no JSON parser lets it see).

>>> from kaleyra_wa import validate
>>> validate({"messaging_object": {"messaging_product": "sms"}})[0].pointer
'/messaging_object'
"""

from kaleyra_wa._generated.error_response import ErrorData, ErrorResponse
from kaleyra_wa._generated.send_request import (
    Action,
    Body,
    Context,
    ExtraInfo,
    Footer,
    Interactive,
    InteractiveType,
    MessageType,
    MessagingObject,
    MessagingProduct,
    RecipientType,
    SendRequest,
    WaSource,
)
from kaleyra_wa._generated.success_response import SuccessData, SuccessResponse
from kaleyra_wa._validate import Problem, parse, validate

__all__ = [
    "Action",
    "Body",
    "Context",
    "ErrorData",
    "ErrorResponse",
    "ExtraInfo",
    "Footer",
    "Interactive",
    "InteractiveType",
    "MessageType",
    "MessagingObject",
    "MessagingProduct",
    "Problem",
    "RecipientType",
    "SendRequest",
    "SuccessData",
    "SuccessResponse",
    "WaSource",
    "parse",
    "validate",
]
