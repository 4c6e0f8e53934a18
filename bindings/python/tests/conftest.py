"""Shared test data: the repository's fixture corpus and the generated agreement cases."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"


def corpus():
    """`(name, bytes, rust_verdict)` for every fixture, `rust_verdict` "accept" or "reject"."""
    files = []
    for kind in ("valid", "invalid"):
        for path in sorted((FIXTURES / kind).glob("*.json")):
            verdict = "accept" if kind == "valid" else "reject"
            files.append((f"{kind}/{path.name}", path.read_bytes(), verdict))
    return files


def manifest():
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def agreement_cases():
    """The cases of `cargo xtask agreement-cases`; fails (never skips) when they are missing."""
    path = Path(
        os.environ.get("KALEYRA_WA_AGREEMENT_CASES", ROOT / "target" / "agreement" / "cases.jsonl")
    )
    if not path.exists():
        pytest.fail(f"{path} is missing: run `cargo xtask agreement-cases` (or `cargo xtask test`)")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]
