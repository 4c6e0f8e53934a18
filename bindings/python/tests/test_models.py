"""What the generated models promise beyond verdicts: types, constants, output."""

import json
import typing

import pytest
from pydantic import ValidationError

from conftest import FIXTURES, corpus
from kaleyra_wa import (
    Action,
    ErrorResponse,
    Interactive,
    MessagingProduct,
    SendRequest,
    SuccessResponse,
    WaSource,
    validate,
)

SAMPLE = json.loads((FIXTURES / "valid" / "documented-sample.json").read_text(encoding="utf-8"))


def with_member(path, value):
    payload = json.loads(json.dumps(SAMPLE))
    target = payload
    for member in path[:-1]:
        target = target[member]
    target[path[-1]] = value
    return payload


def test_constants_are_literals():
    assert typing.get_args(MessagingProduct.__value__) == ("whatsapp",)
    assert typing.get_origin(MessagingProduct.__value__) is typing.Literal


def test_wa_source_lists_the_documented_values_and_accepts_any_string():
    known, anything = typing.get_args(WaSource.__value__)
    assert "shopify" in typing.get_args(known) and len(typing.get_args(known)) == 13
    assert anything is str
    request = SendRequest.model_validate(with_member(["extra_info", "wa_source"], "my-crm"))
    assert request.extra_info.wa_source == "my-crm"


def test_null_is_rejected_where_the_member_is_optional():
    problems = validate(with_member(["messaging_object", "interactive", "footer"], None))
    assert [p.pointer for p in problems] == ["/messaging_object/interactive/footer"]
    with pytest.raises(ValidationError):
        Interactive(type="product", action=Action(catalog_id="1", product_retailer_id="2"), footer=None)


def test_header_and_typos_are_unknown_members():
    header = with_member(["messaging_object", "interactive", "header"], {"type": "text", "text": "Hi"})
    assert [p.pointer for p in validate(header)] == ["/messaging_object/interactive/header"]
    typo = with_member(["messaging_object", "interactive", "action", "catalogue_id"], "1")
    assert validate(typo) == [
        ("/messaging_object/interactive/action/catalogue_id", "unknown member 'catalogue_id'")
    ]
    assert "header" not in Interactive.model_fields


def test_lengths_are_code_points():
    body = ["messaging_object", "interactive", "body", "text"]
    assert validate(with_member(body, "👍🏽" * 512)) == []  # 1024 code points, 2048 UTF-16 units
    assert validate(with_member(body, "😀" * 1025))[0].pointer == "/messaging_object/interactive/body/text"


def test_to_rejects_a_final_newline():
    assert validate(with_member(["messaging_object", "to"], "919876543210\n"))[0].pointer == "/messaging_object/to"


def test_a_missing_member_is_reported_at_its_object_by_name():
    payload = json.loads(json.dumps(SAMPLE))
    del payload["messaging_object"]["to"]
    [problem] = validate(payload)
    assert problem.pointer == "/messaging_object" and "'to'" in problem.message


@pytest.mark.parametrize(("name", "data"), [(n, d) for n, d, v in corpus() if v == "accept"])
def test_a_valid_payload_round_trips_unchanged(name, data):
    payload = json.loads(data)
    assert json.loads(SendRequest.model_validate(payload).model_dump_json()) == payload


def test_a_built_request_dumps_without_absent_members():
    request = SendRequest.model_validate({"messaging_object": SAMPLE["messaging_object"]})
    assert "extra_info" not in json.loads(request.model_dump_json())
    assert "null" not in request.model_dump_json()


def test_the_response_samples_parse():
    responses = FIXTURES / "responses"
    success = SuccessResponse.model_validate_json((responses / "wa202-success.json").read_bytes())
    assert success.code == "WA202" and success.data.message_id
    for name in ["e110.json", "rbc001.json", "wa-401-account.json", "wa-401-version.json", "wa400.json"]:
        error = ErrorResponse.model_validate_json((responses / name).read_bytes())
        assert error.code and error.message
