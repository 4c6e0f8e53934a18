"""Thousands of generated payloads (`cargo xtask agreement-cases`): the Rust verdict on each."""

import json

from conftest import agreement_cases
from kaleyra_wa import parse, validate


def test_every_generated_case_gets_the_rust_verdict():
    cases = agreement_cases()
    assert len(cases) >= 3000
    differences = []
    for case in cases:
        payload, rust = case["payload"], case["valid"]
        by_validate = not validate(payload)
        try:
            parse(json.dumps(payload))
            by_parse = True
        except ValueError:
            by_parse = False
        if by_validate != rust or by_parse != rust:
            differences.append(f"{case['kind']}: rust {rust}, validate {by_validate}, parse {by_parse}: {json.dumps(payload)[:300]}")
    assert not differences, f"{len(differences)} differences, first ones:\n" + "\n".join(differences[:10])
    assert {True, False} == {case["valid"] for case in cases}
