"""The fixture corpus: every file gets the Rust verdict, the documented exceptions aside."""

import json

import pytest

from conftest import corpus, manifest
from kaleyra_wa import parse, validate

# The one documented difference (README.md): duplicate keys. Python's and pydantic's JSON
# parsers keep the last one; the Rust parser rejects the file. Lone surrogate escapes, which
# generic JSON Schema validators accept (expected.json), are rejected here as in Rust: pydantic
# refuses a string holding one, whichever parser read it.
DUPLICATE_KEYS = {"invalid/duplicate-catalog-id.json", "invalid/duplicate-to.json"}
LONE_SURROGATES = {"invalid/syntax-lone-surrogate.json"}

CORPUS = corpus()


def test_the_exceptions_are_exactly_the_manifests():
    accepted = {name for name, entry in manifest().items() if entry.get("schema_verdict") == "accept"}
    assert accepted == DUPLICATE_KEYS | LONE_SURROGATES
    invalid = {name for name, _, verdict in CORPUS if verdict == "reject"}
    assert invalid <= set(manifest()), "every invalid fixture is in expected.json"
    assert len(CORPUS) > 70


@pytest.mark.parametrize(("name", "data", "rust"), CORPUS, ids=[c[0] for c in CORPUS])
def test_validate_after_json_loads_gives_the_rust_verdict(name, data, rust):
    expected = "accept" if name in DUPLICATE_KEYS else rust
    try:
        payload = json.loads(data.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError
        verdict = "reject"
    else:
        verdict = "reject" if validate(payload) else "accept"
    assert verdict == expected


@pytest.mark.parametrize(("name", "data", "rust"), CORPUS, ids=[c[0] for c in CORPUS])
def test_parse_gives_the_rust_verdict(name, data, rust):
    expected = "accept" if name in DUPLICATE_KEYS else rust
    try:
        parse(data)
        verdict = "accept"
    except ValueError:
        verdict = "reject"
    assert verdict == expected


# Rejections after parsing (syntax errors have no member to point at).
STRUCTURAL = [
    (name, data)
    for name, data, rust in CORPUS
    if rust == "reject" and not name.startswith("invalid/syntax-") and name not in DUPLICATE_KEYS
]


@pytest.mark.parametrize(("name", "data"), STRUCTURAL, ids=[c[0] for c in STRUCTURAL])
def test_a_rejection_names_the_rust_pointer(name, data):
    pointers = [problem.pointer for problem in validate(json.loads(data))]
    assert manifest()[name]["pointer"] in pointers
