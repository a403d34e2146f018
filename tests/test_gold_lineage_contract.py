"""Every lineage gold file keeps the annotation contract (tests/gold/README.md).

The benches and the floors in test_align.py / test_changes_gold.py score
driftlab against these files; a file that links a unit twice, forgets one,
gives a split two old units or quotes words its statement does not hold
would score driftlab against something no annotator wrote. Files arrive from
helpers in batches: this is the check each batch must pass before it lands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SHARED_CORPUS

GOLD = Path(__file__).resolve().parent / "gold" / "lineage"
SEED = SHARED_CORPUS.parent / "seed" / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt"

KEYS = {"name", "old", "new", "split", "annotator", "read_in_full", "annotator_note", "units", "links",
        "sentence_links", "changes", "negatives"}
TOPICS = {"taiwan", "dprk_nuclear", "dprk_russia", "ukraine", "maritime", "china", "middle_east",
          "economic_security", "technology", "human_rights", "cyber", "energy_climate", "institutions",
          "people_to_people", "defence"}
KINDS = {"intensity", "actor", "modality", "negation", "number", "topic", "passage", "wording"}
#: Link type → (old units, new units) allowed: (exactly n) or (at least n) as ("=", n) / (">=", n).
SHAPES = {
    "unchanged": (("=", 1), ("=", 1)), "edited": (("=", 1), ("=", 1)), "rewritten": (("=", 1), ("=", 1)),
    "moved": (("=", 1), ("=", 1)), "moved_edited": (("=", 1), ("=", 1)),
    "split": (("=", 1), (">=", 2)), "merged": ((">=", 2), ("=", 1)), "group": ((">=", 2), (">=", 2)),
    "added": (("=", 0), ("=", 1)), "dropped": (("=", 1), ("=", 0)),
}


def _files() -> list[Path]:
    return sorted(GOLD.glob("*.json"))


def _norm(s: str) -> str:
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def _fits(rule: tuple[str, int], n: int) -> bool:
    op, k = rule
    return n == k if op == "=" else n >= k


def contract_errors(g: dict, stem: str) -> list[str]:
    """What in one gold file breaks the contract (no statement text needed)."""
    errs = [f"missing key {k}" for k in sorted(KEYS - set(g))]
    if errs:
        return errs
    if g["name"] != stem:
        errs.append("name is not the file's stem")
    if g["split"] not in ("tuning", "test") or not isinstance(g.get("batch", 1), int):
        errs.append("split or batch")
    if g["read_in_full"] is not True:
        errs.append("not read in full")
    for side in ("old", "new"):
        n = len(g["units"][side])
        count = [0] * n
        for li, lk in enumerate(g["links"]):
            for i in lk[side]:
                if not 0 <= i < n:
                    errs.append(f"link {li}: {side} unit {i} does not exist")
                else:
                    count[i] += 1
        errs += [f"{side} unit {i} is in {c} links" for i, c in enumerate(count) if c != 1]
    for li, lk in enumerate(g["links"]):
        shape = SHAPES.get(lk["type"])
        if shape is None:
            errs.append(f"link {li}: type {lk['type']!r}")
        elif not (_fits(shape[0], len(lk["old"])) and _fits(shape[1], len(lk["new"]))):
            errs.append(f"link {li}: a {lk['type']} link of {len(lk['old'])} old and {len(lk['new'])} new units")
        if lk.get("confidence") not in ("certain", "probable") or not lk.get("why"):
            errs.append(f"link {li}: confidence or why")
    if not 6 <= len(g["changes"]) <= 10:
        errs.append(f"{len(g['changes'])} changes")
    for ci, c in enumerate(g["changes"]):
        if c.get("side") not in ("old", "new") or c.get("kind") not in KINDS or not c.get("note"):
            errs.append(f"change {ci}: side, kind or note")
        # No topic at all is allowed: a change on a subject no watched topic
        # covers (support for Cuba dropped) is still a change.
        if not isinstance(c.get("topics"), list) or set(c["topics"]) - TOPICS:
            errs.append(f"change {ci}: topics {c.get('topics')}")
        if not 3 <= len(c.get("quote", "").split()) <= 12:
            errs.append(f"change {ci}: quote length")
    if not 2 <= len(g["negatives"]) <= 3:
        errs.append(f"{len(g['negatives'])} negatives")
    return errs


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_gold_file_keeps_the_contract(path):
    assert contract_errors(json.loads(path.read_text(encoding="utf-8")), path.stem) == []


def test_the_contract_check_catches_what_it_names():
    g = json.loads((GOLD / "seed_vs_lima.json").read_text(encoding="utf-8"))
    assert contract_errors(g, "seed_vs_lima") == []
    bad = json.loads(json.dumps(g))
    bad["links"][0]["new"] = bad["links"][0]["new"] + bad["links"][1]["new"][:1]  # a new unit linked twice
    assert any("links" in e for e in contract_errors(bad, "seed_vs_lima"))
    bad = json.loads(json.dumps(g))
    lk = next(lk for lk in bad["links"] if lk["old"] and lk["new"])
    lk["type"] = "added"  # an added link with an old unit
    assert any("a added link" in e for e in contract_errors(bad, "seed_vs_lima"))
    bad = json.loads(json.dumps(g))
    bad["changes"][0]["topics"] = ["weather"]
    assert contract_errors(bad, "seed_vs_lima") == ["change 0: topics ['weather']"]
    assert contract_errors(g, "other_name") == ["name is not the file's stem"]


@pytest.mark.shared
@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_gold_quotes_and_units_sit_in_their_statements(path):
    g = json.loads(path.read_text(encoding="utf-8"))
    texts = {}
    for side in ("old", "new"):
        p = SEED if g[side] == "seed" else SHARED_CORPUS / g[side]
        if not p.exists():
            pytest.skip(f"real statement not available: {p} (../shared is absent)")
        raw = p.read_text(encoding="utf-8")
        texts[side] = _norm(raw)
        spans = g["units"][side]
        # Spans: ascending, not overlapping, inside the file.
        assert all(0 <= s < e <= len(raw) for s, e in spans), side
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), side
    for c in g["changes"]:
        assert _norm(c["quote"]) in texts[c["side"]], c["quote"]
    for n in g["negatives"]:
        assert _norm(n["text"]) in texts["old"] and _norm(n["text"]) in texts["new"], n["text"]
