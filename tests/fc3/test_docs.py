"""docs/fc3.md's example runs as written (against mock_fc), so the page stays true."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "fc3.md"


def test_the_fc3_page_example_runs() -> None:
    block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert block is not None
    exec(compile(block.group(1), str(DOC), "exec"), {})
