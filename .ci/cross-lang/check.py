#!/usr/bin/env python3
"""Cross-language check (Python): validate the fixture corpus with the `jsonschema` package
against the exported request schemas (2020-12 and draft-07), and compare each verdict with the
Rust validator's, as recorded by tests/fixtures (valid/ accepts; invalid/ rejects, except where
expected.json says "schema_verdict": "accept"). Exits 1 on any difference.

A file is read the way a Python user reads it: `json.loads(data.decode("utf-8"))`; a file that
does not parse is a rejection.
"""

import json
import sys
from importlib.metadata import version
from pathlib import Path

import jsonschema
from jsonschema.validators import validator_for

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ["send-request.schema.json", "send-request.draft-07.schema.json"]
EXPECTED_CLASS = {
    "send-request.schema.json": jsonschema.Draft202012Validator,
    "send-request.draft-07.schema.json": jsonschema.Draft7Validator,
}


def corpus():
    fixtures = ROOT / "tests" / "fixtures"
    manifest = json.loads((fixtures / "expected.json").read_text(encoding="utf-8"))
    files = []
    for kind in ("valid", "invalid"):
        for path in sorted((fixtures / kind).glob("*.json")):
            name = f"{kind}/{path.name}"
            if kind == "valid":
                expected = "accept"
            else:
                if name not in manifest:
                    sys.exit(f"{name} is not in tests/fixtures/expected.json")
                expected = manifest[name].get("schema_verdict", "reject")
            files.append((name, path.read_bytes(), expected))
    return files


def main():
    files = corpus()
    failures = []
    for schema_name in SCHEMAS:
        schema = json.loads((ROOT / "schemas" / schema_name).read_text(encoding="utf-8"))
        cls = validator_for(schema)
        if cls is not EXPECTED_CLASS[schema_name]:
            failures.append(f"{schema_name}: $schema selects {cls.__name__}")
        cls.check_schema(schema)
        validator = cls(schema)
        for example in schema.get("examples", []):
            if not validator.is_valid(example):
                failures.append(f"{schema_name}: its own example is invalid")
        agree = 0
        for name, data, expected in files:
            try:
                instance = json.loads(data.decode("utf-8"))
            except ValueError as error:  # UnicodeDecodeError and JSONDecodeError
                verdict, detail = "reject", f"parse error: {error}"
            else:
                errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
                verdict = "reject" if errors else "accept"
                detail = "; ".join(
                    f"/{'/'.join(map(str, e.path))}: {e.message[:80]}" for e in errors[:3]
                )
            if verdict == expected:
                agree += 1
            else:
                failures.append(f"{schema_name} {name}: python {verdict}s, expected {expected} ({detail})")
        print(f"python jsonschema {version('jsonschema')} {cls.__name__} {schema_name}: "
              f"{agree}/{len(files)} files agree with the Rust verdicts")
    for response in ("success-response.schema.json", "error-response.schema.json"):
        schema = json.loads((ROOT / "schemas" / response).read_text(encoding="utf-8"))
        cls = validator_for(schema)
        cls.check_schema(schema)
        if not all(cls(schema).is_valid(e) for e in schema["examples"]):
            failures.append(f"{response}: its own example is invalid")
    for failure in failures:
        print(f"DIFFERENCE {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
