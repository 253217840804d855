from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"

sys.path.insert(0, str(TESTS))


@pytest.fixture
def repo() -> Path:
    return REPO
