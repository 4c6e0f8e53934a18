"""The base of the request models: a member is present with a value, or absent.

The Rust validator (and the JSON Schema) reject `null` for every member, optional ones
included; the generated models type an optional member `Optional[X] = None`, which pydantic
would accept as `null`. This base rejects an explicit `None` on input and leaves absent
(`None`) members out of the output, so a model always dumps to a payload the API accepts.
"""

from typing import Any

from pydantic import BaseModel, SerializerFunctionWrapHandler, field_validator, model_serializer


class Model(BaseModel):
    """A request object: no member may be `null`; absent members are omitted when dumped."""

    @field_validator("*", mode="before")
    @classmethod
    def _absent_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null: leave the member out instead")
        return value

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data
