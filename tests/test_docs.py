"""The repository stands alone: every link in its documents resolves inside it, and nothing in it reads
the folder beside the checkout (users clone this repository alone)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = ["README.md", "bench/README.md", *(str(p.relative_to(REPO)) for p in REPO.glob("docs/*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")  # [text](target) and ![alt](target)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_link_resolves_inside_the_repository(document: str) -> None:
    path = REPO / document
    broken = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):  # web pages and anchors
            continue
        resolved = (path.parent / target.split("#")[0]).resolve()
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            broken.append(target)
    assert broken == [], f"{document} links outside the repository or to nothing: {broken}"


def test_no_tracked_file_reaches_outside_the_checkout() -> None:
    sibling = "/".join(("..", "shared"))
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    offenders = [
        name
        for name in filter(None, tracked)
        if (REPO / name).is_file()
        and not name.endswith(".png")
        and sibling in (REPO / name).read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []
