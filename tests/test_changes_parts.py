"""A large merged or split group yields a line for each independent strong piece inside it.

Analyst trial 3, cause 3: one headline per aligned group hid the most
important change of a pair (counterstrike capabilities, the naval nuclear
propulsion agreement) inside a long merged group whose one line quoted
something else, and pairs of a few long paragraphs ended with 4–5 lines.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from bs4 import BeautifulSoup

from driftlab import changes as changes_mod
from driftlab import report
from driftlab.changes import _blocks, compute_changes
from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import DiffResult, Link

from .conftest import shared_file
from .test_flags import CONFIG, doc, opcodes

OLD_DPRK = ("We reaffirm our commitment to the complete denuclearization of the Korean Peninsula. "
            "We call on the DPRK to abandon its nuclear weapons.")
OLD_SEA = "We will strengthen cooperation on maritime security in the East China Sea."
TAIWAN = ("We emphasize that our basic positions on Taiwan remain unchanged, and we oppose any unilateral attempt to "
          "change the status quo across the Taiwan Strait by force or coercion.")
UKRAINE = ("Russia's brutal war of aggression against Ukraine must end, and we will impose sanctions on Russia and "
           "provide unwavering support for Ukraine.")
NEW = ("We reaffirm our commitment to the complete denuclearization of the Korean Peninsula. "
       "We urge the DPRK to return to dialogue without preconditions. "
       "We will strengthen cooperation on maritime security in the East China Sea. " + TAIWAN + " " + UKRAINE)


def quotes(headline: str) -> list[str]:
    """The phrases a headline quotes (its topic label set aside)."""
    return re.findall(r"'([^']+)'", headline.split(": ", 1)[-1])


def merged(prefix: tuple[str, ...] = (), lineage: bool = True, type_: str = "merged"):
    """Two old passages (DPRK, the sea) merged into one new passage that
    rewords the DPRK sentence and adds a Taiwan and a Ukraine sentence; the
    sentence lineage as the aligner gives it. ``prefix``: unchanged
    paragraphs before them on both sides."""
    n = len(prefix)
    old, new = doc(*prefix, OLD_DPRK, OLD_SEA), doc(*prefix, NEW)
    sl = ({"old": [[n, 0]], "new": [[n, 0]], "type": "carried", "score": 1.0},
          {"old": [[n, 1]], "new": [[n, 1]], "type": "rewritten", "score": 0.5},
          {"old": [[n + 1, 0]], "new": [[n, 2]], "type": "carried", "score": 1.0},
          {"old": [], "new": [[n, 3]], "type": "added", "score": 0.0},
          {"old": [], "new": [[n, 4]], "type": "added", "score": 0.0})
    links = [Link(old=(i,), new=(i,), type="unchanged", confidence=1.0, opcodes=opcodes(old, (i,), new, (i,)))
             for i in range(n)]
    links.append(Link(old=(n, n + 1), new=(n,), type=type_, confidence=0.9,
                      opcodes=opcodes(old, (n, n + 1), new, (n,)), sentence_links=sl if lineage else ()))
    tags = tag_documents(old, new, CONFIG)
    flags = compute_flags(old, new, links, tags, CONFIG)
    changes, flags = compute_changes(old, new, links, flags, tags, CONFIG)
    return DiffResult(old, new, tuple(links), flags, tags, {}, changes=changes)


def test_a_strong_piece_the_group_headline_does_not_quote_gets_a_line_of_its_own():
    result = merged()
    assert len(result.changes) == 2
    group, part = sorted(result.changes, key=lambda c: "part_of" in c.evidence)
    # The group's line says the Taiwan sentence and the DPRK rewording; the
    # Ukraine sentence, as strong (a topic new to the statement, a new
    # actor), had no line at all.
    assert "Taiwan" in group.headline and "'call on the DPRK' → 'urge'" in group.headline
    assert "Ukraine" not in group.headline
    assert part.headline == ("Russia's war against Ukraine: 'we will impose sanctions on Russia and provide "
                             "unwavering support for Ukraine' added")
    # Both stand for the one link; the part says which sentences it covers.
    link_id = result.links[-1].id
    assert group.links == part.links == (link_id,)
    assert part.evidence["part_of"] == group.id and group.evidence["parts"] == [part.id]
    assert part.evidence["sentences"] == {"old": [], "new": [[0, 4]]}
    assert part.old == () and part.new == (0,)
    # Its own score, by the change formula over its own sentence.
    sc = part.evidence["score"]
    assert part.score == pytest.approx(sc["strongest_rule"] * sc["topic_weight"] * (0.7 + 0.3 * sc["changed_share"])
                                       * (0.6 + 0.4 * sc["novelty"]) * sc["breadth"], abs=1e-3)
    assert part.score >= changes_mod.PART_SHARE * group.score
    assert [c.rank for c in result.changes] == [1, 2]


def test_every_flag_belongs_to_one_change_and_no_two_lines_quote_one_sentence():
    result = merged()
    owners = {f.id: f.change_id for f in result.flags}
    held = [fid for c in result.changes for fid in c.flags]
    assert sorted(held) == sorted(owners) and len(held) == len(set(held))
    assert all(owners[fid] == c.id for c in result.changes for fid in c.flags)
    group, part = sorted(result.changes, key=lambda c: "part_of" in c.evidence)
    # The part holds the rule hits on its sentence, the group the rest.
    flags = {f.id: f for f in result.flags}
    assert {flags[i].rule for i in part.flags} >= {"topic_added", "actor_change"}
    assert all("Ukraine" in flags[i].new_text for i in part.flags)
    assert not any("Ukraine" in flags[i].new_text for i in group.flags)
    sentences = [s.text for s in result.new.paragraphs[0].sentences]
    quoting = {c.id: {k for k, s in enumerate(sentences) if any(
        q in s for q in quotes(c.headline) if len(q.split()) >= 3)} for c in result.changes}
    assert quoting[part.id] == {4} and 4 not in quoting[group.id] and quoting[group.id]


def test_part_ids_are_content_hashes_not_positions():
    plain, shifted = merged(), merged(prefix=("An opening paragraph that did not change at all.",))
    assert {c.id: c.headline for c in plain.changes} == {c.id: c.headline for c in shifted.changes}
    part = next(c for c in shifted.changes if "part_of" in c.evidence)
    assert part.evidence["sentences"] == {"old": [], "new": [[1, 4]]}


def test_small_links_and_long_lists_keep_one_change_per_group(monkeypatch):
    # One old passage → one new passage: exactly one change, as before.
    old, new = doc(OLD_DPRK + " " + OLD_SEA), doc(NEW)
    one = [Link(old=(0,), new=(0,), type="edited", confidence=0.9, opcodes=opcodes(old, (0,), new, (0,)))]
    tags = tag_documents(old, new, CONFIG)
    changes, _ = compute_changes(old, new, one, compute_flags(old, new, one, tags, CONFIG), tags, CONFIG)
    assert len(changes) == 1 and "part_of" not in changes[0].evidence and "parts" not in changes[0].evidence
    # No sentence lineage to cut by: one change.
    assert len(merged(lineage=False).changes) == 1
    # A list already as long as what an analyst reads first is left as it is.
    monkeypatch.setattr(changes_mod, "PART_FILL", 1)
    result = merged()
    assert len(result.changes) == 1 and all(f.change_id == result.changes[0].id for f in result.flags)


def test_blocks_keep_to_one_passage_one_topic_and_one_meaning():
    lk = Link(old=(0, 1), new=(0, 1), type="group", confidence=0.9, sentence_links=(
        {"old": [[0, 0]], "new": [[0, 0]], "type": "edited", "score": 0.8},
        {"old": [], "new": [[0, 1]], "type": "added", "score": 0.0},
        {"old": [], "new": [[0, 2]], "type": "added", "score": 0.0},
        {"old": [], "new": [[0, 3]], "type": "added", "score": 0.0},
        {"old": [[0, 1]], "new": [[0, 3]], "type": "carried", "score": 1.0},
        {"old": [], "new": [[1, 0]], "type": "added", "score": 0.0},
        {"old": [[1, 0]], "new": [], "type": "dropped", "score": 0.0},
        {"old": [[1, 1]], "new": [], "type": "dropped", "score": 0.0}))
    topics = {("new", 0, 0): {"defense"}, ("new", 0, 2): {"defense"}, ("new", 0, 3): {"ukraine"},
              ("new", 1, 0): {"defense"}, ("old", 1, 0): {"dprk"}, ("old", 1, 1): {"dprk"}}
    # Without vectors: a sentence naming no topic (0, 1) continues the one
    # before; a change of topic, of passage or of side starts a block.
    assert _blocks(lk, topics) == [([(0, 0)], [(0, 0), (0, 1), (0, 2)]), ([], [(0, 3)]), ([], [(1, 0)]),
                                   ([(1, 0), (1, 1)], [])]
    # With vectors: on one topic but far apart in meaning, two blocks.
    far = {(0, 0): [1.0, 0.0], (0, 1): [1.0, 0.0], (0, 2): [0.0, 1.0], (0, 3): [0.0, 1.0], (1, 0): [1.0, 0.0]}
    vec = {("new", r): np.array(v) for r, v in far.items()}
    assert _blocks(lk, topics, lambda side, ref: vec.get((side, ref)))[:2] == [
        ([(0, 0)], [(0, 0), (0, 1)]), ([], [(0, 2)])]


def test_one_old_sentence_restated_in_several_new_passages_is_cut_by_passage():
    lk = Link(old=(0,), new=(0, 1), type="split", confidence=0.9, sentence_links=(
        {"old": [[0, 0]], "new": [[0, 0], [1, 0]], "type": "rewritten", "score": 0.5},
        {"old": [], "new": [[0, 1]], "type": "added", "score": 0.0}))
    assert _blocks(lk, {}) == [([(0, 0)], [(0, 0), (0, 1)]), ([], [(1, 0)])]


def test_the_side_by_side_row_shows_the_group_change_with_all_its_topics():
    result = merged(prefix=("An opening paragraph that did not change at all.",))
    group, part = sorted(result.changes, key=lambda c: "part_of" in c.evidence)
    assert part.rank < group.rank  # the part ranks first: the row still shows its group
    soup = BeautifulSoup(report.render_html(result), "html.parser")
    row = soup.select_one(f"tr.link#link-{result.links[-1].id}")
    assert row["data-change"] == str(group.rank)
    assert set(row["data-topics"].split(";")) == set(group.topics) | set(part.topics)
    assert set(row["data-rules"].split(";")) == set(group.evidence["rules"]) | set(part.evidence["rules"])
    # Both lines are in the list, the part linking to its group's row.
    items = soup.select("li.change")
    assert {li["id"] for li in items} == {f"change-{group.id}", f"change-{part.id}"}


@pytest.mark.real_model
@pytest.mark.shared
def test_aukus_2021_to_2024_gets_lines_for_the_pieces_of_its_long_group(real_encoder):
    # Analyst trial 3, pair H: four changes, none on HMAS Stirling or the
    # naval nuclear propulsion agreement, both inside a 2 → 5 group whose
    # line quoted the AUD 30 billion.
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    result = diff_files(shared_file("aukus/2021-09-15_aukus_joint_leaders_statement.txt"),
                        shared_file("aukus/2024-09-17_aukus_joint_leaders_statement_third_anniversary.txt"),
                        Settings(), real_encoder)
    top = result.changes[:10]
    assert any("HMAS Stirling" in c.headline for c in top)
    assert any("agreement for cooperation relating to naval nuclear propulsion" in c.headline
               and "part_of" in c.evidence for c in top)
    assert any("license-free defense trade" in c.headline for c in top)
    held = [fid for c in result.changes for fid in c.flags]
    assert len(held) == len(set(held)) == len(result.flags)
    # No two lines quote one sentence.
    said = [q for c in result.changes for q in quotes(c.headline) if len(q.split()) >= 3]
    assert len(said) == len(set(said))


def test_a_part_must_reach_its_share_of_the_group_score(monkeypatch):
    group, part = sorted(merged().changes, key=lambda c: "part_of" in c.evidence)
    ratio = part.score / group.score
    monkeypatch.setattr(changes_mod, "PART_SHARE", ratio + 0.01)
    weak = merged()
    assert [c.id for c in weak.changes] == [group.id] and "parts" not in weak.changes[0].evidence
    monkeypatch.setattr(changes_mod, "PART_SHARE", ratio - 0.01)
    assert {c.id for c in merged().changes} == {group.id, part.id}


def test_dropped_sentences_keep_to_their_old_passage_topic_and_meaning():
    lk = Link(old=(0, 1), new=(0,), type="merged", confidence=0.9, sentence_links=(
        {"old": [[1, 1]], "new": [], "type": "dropped", "score": 0.0},
        {"old": [[1, 0]], "new": [], "type": "dropped", "score": 0.0},
        {"old": [[0, 0]], "new": [], "type": "dropped", "score": 0.0},
        {"old": [[1, 2]], "new": [], "type": "dropped", "score": 0.0},
        {"old": [[0, 1]], "new": [[0, 0]], "type": "moved", "score": 0.9},  # said in another link
        {"old": [[7, 0]], "new": [[0, 1], [9, 0]], "type": "added", "score": 0.0}))  # refs outside the link
    topics = {("old", 1, 0): {"dprk"}, ("old", 1, 1): {"dprk"}, ("old", 1, 2): {"dprk"}, ("new", 0, 1): {"dprk"}}
    assert _blocks(lk, topics) == [([], [(0, 1)]), ([(0, 0)], []), ([(1, 0), (1, 1), (1, 2)], [])]
    # Exactly JOIN_COSINE apart still joins; below it, a new block; a
    # sentence without a vector is joined on its topic alone.
    c = changes_mod.JOIN_COSINE
    vec = {(1, 0): np.array([1.0, 0.0]), (1, 1): np.array([c, (1 - c * c) ** 0.5]),
           (1, 2): np.array([c - 0.01, -(1 - (c - 0.01) ** 2) ** 0.5])}
    assert _blocks(lk, topics, lambda side, ref: vec.get(ref) if side == "old" else None)[2:] == [
        ([(1, 0), (1, 1)], []), ([(1, 2)], [])]
    del vec[(1, 2)]
    assert _blocks(lk, topics, lambda side, ref: vec.get(ref) if side == "old" else None)[2:] == [
        ([(1, 0), (1, 1), (1, 2)], [])]


def test_a_parts_changed_share_counts_only_its_own_sentences():
    result = merged()
    lk = result.links[-1]
    share = changes_mod._share_in
    assert share(lk, changes_mod._Part([], [(0, 4)]), result.old, result.new) == 1.0  # added whole
    assert share(lk, changes_mod._Part([(0, 0)], [(0, 0)]), result.old, result.new) == 0.0  # carried
    edited = share(lk, changes_mod._Part([(0, 1)], [(0, 1)]), result.old, result.new)
    assert 0.3 < edited < 1.0  # "We call on the DPRK to abandon …" → "We urge the DPRK to return …"
    part = next(c for c in result.changes if "part_of" in c.evidence)
    assert part.evidence["score"]["changed_share"] == 1.0


def test_a_rule_hit_backs_the_phrases_it_quotes_on_their_side():
    from driftlab.changes import _backs
    from driftlab.types import Flag

    def flag(rule, old_text="", new_text=""):
        return Flag(id="f", rule=rule, topics=(), old=(0,), new=(0,), old_text=old_text, new_text=new_text,
                    score=1.0, explanation="")

    added = {"kind": "added", "old": "", "new": "impose sanctions on Russia and support Ukraine"}
    dropped = {"kind": "dropped", "old": "abandon its nuclear weapons programmes", "new": ""}
    assert _backs(flag("new_wording", new_text="we will impose sanctions on Russia and support Ukraine"), added)
    # Three of five words (0.6) back it; two of five do not.
    assert _backs(flag("actor_change", new_text="sanctions on Russia, support"), added)
    assert not _backs(flag("actor_change", new_text="sanctions on Russia"), added)
    # A new-wording hit's old text is what it replaced, not what it says.
    assert not _backs(flag("new_wording", old_text="abandon its nuclear weapons programmes"), dropped)
    assert _backs(flag("actor_change", old_text="abandon its nuclear weapons programmes"), dropped)
    # The piece's own side: a dropped phrase is not backed by new text.
    assert not _backs(flag("actor_change", new_text="abandon its nuclear weapons programmes"), dropped)
    # One content word is too little to say a hit quotes it.
    assert not _backs(flag("actor_change", new_text="Ukraine"), {"kind": "added", "old": "", "new": "for Ukraine"})


def test_the_blocks_a_headline_shows():
    result = merged()
    lk = result.links[-1]
    blocks = _blocks(lk, {})
    loc = changes_mod._Locator(lk, blocks, result.old, result.new)
    at = {ref: b for b, (o, n) in enumerate(blocks) for ref in n}
    shown = changes_mod._shown_blocks

    def said(headline):
        return shown(headline, [], [], loc, CONFIG)

    assert said("Taiwan: 'our basic positions on Taiwan remain unchanged' added") == {at[(0, 3)]}
    # Quotes of two words or fewer, and the topic label, locate nothing.
    assert said("Russia's war against Ukraine: 'Taiwan remain' added") == set()
    assert said("Sanctions on Russia and provide unwavering support: 'x y' added") == set()
    # A quote cut by "…" or a rewording's two sides are found as they are.
    assert said("'We urge the DPRK' → 'return to dialogue without preconditions'") == {at[(0, 1)]}
    assert said("'impose sanctions on Russia … provide unwavering support for Ukraine' added") == {at[(0, 4)]}
    # A piece said in the headline shows its block, whatever its length.
    piece = {"kind": "added", "old": "", "new": "sanctions", "weight": 1.0, "pos": 0}
    assert shown("'sanctions' added", [piece], [], loc, CONFIG) == {at[(0, 4)]}
