"""A headline states only what changed: nothing the other statement still
says, nor who speaks, nor a name abbreviated; no rewording across two
subjects; breadth only from the rules that hit."""

from __future__ import annotations

import numpy as np
import pytest

from driftlab.changes import compute_changes
from driftlab.flags import compute_flags
from driftlab.topics import tag_documents

from .conftest import shared_file
from .test_flags import CONFIG, doc, link

KEPT = ("We support the peaceful resolution of disputes over the Mekong river basin in accordance with "
        "international law.")
EXPAND = "We will expand capacity building for fisheries in the Pacific islands."
SAID_AGAIN = ("We support the peaceful resolution of disputes over the Mekong river basin in accordance with "
              "international law, and welcome the new river commission.")
OTHER = "Our ministers will meet again next spring."


def changes_of(old, new, links, vectors=None):
    tags = tag_documents(old, new, CONFIG)
    flags = compute_flags(old, new, links, tags, CONFIG)
    return compute_changes(old, new, links, flags, tags, CONFIG, vectors=vectors)[0]


def by_old(changes, i):
    return next(c for c in changes if i in c.old)


def test_a_sentence_moved_to_another_passage_is_not_called_dropped():
    # The Mekong sentence left the first passage and is said again, nearly
    # word for word, in the second: the word diff of the first link sees it
    # dropped, but the new statement keeps the position.
    old = doc(f"{KEPT} {EXPAND}", OTHER)
    new = doc(EXPAND, SAID_AGAIN)
    links = [link(old, [0], new, [0]), link(old, [1], new, [1])]
    first = by_old(changes_of(old, new, links), 0)
    assert "dropped" not in first.headline, first.headline
    piece = next(p for p in first.evidence["pieces"] if "Mekong" in p["old"])
    assert piece["kind"] == "dropped" and "river commission" in piece["restated"]
    # Word for word in the other passage: said as moved.
    assert first.headline.startswith("'We support the peaceful resolution") and \
        first.headline.endswith("moved to another passage"), first.headline
    assert first.evidence["score"]["novelty"] == 0.0


def test_a_sentence_truly_gone_is_still_dropped():
    old = doc(f"{KEPT} {EXPAND}", OTHER)
    new = doc(EXPAND, "We welcome the new river commission.")
    links = [link(old, [0], new, [0]), link(old, [1], new, [1])]
    first = by_old(changes_of(old, new, links), 0)
    assert "dropped" in first.headline and "Mekong river basin" in first.headline, first.headline
    assert not any(p.get("restated") for p in first.evidence["pieces"])


# Half the words of the dropped sentence, said in other words: only the
# sentence vectors can tell a restatement from a sentence on the same subject.
HALF = "Disputes over the Mekong river basin must be settled peacefully under international law, we agree."


def _vectors(old, new, same: bool):
    """One-hot sentence vectors; with ``same`` the old Mekong sentence and
    the new sentence holding "Mekong" point the same way."""
    n_old = sum(len(p.sentences) for p in old.paragraphs)
    n_new = sum(len(p.sentences) for p in new.paragraphs)
    dim = n_old + n_new
    ov, nv = np.zeros((n_old, dim), np.float32), np.zeros((n_new, dim), np.float32)
    for k in range(n_old):
        ov[k, k] = 1
    for k in range(n_new):
        nv[k, n_old + k] = 1
    if same:
        i = next(k for k, s in enumerate(s for p in old.paragraphs for s in p.sentences) if "Mekong" in s.text)
        j = next(k for k, s in enumerate(s for p in new.paragraphs for s in p.sentences) if "Mekong" in s.text)
        nv[j] = ov[i] * 0.9
        nv[j, n_old + j] = 0.3
    return ov, nv


def test_a_restatement_in_other_words_needs_the_sentence_vectors():
    old = doc(f"{KEPT} {EXPAND}", OTHER)
    new = doc(EXPAND, HALF)
    links = [link(old, [0], new, [0]), link(old, [1], new, [1])]
    # The same wording shared, meanings apart (cosine 0): dropped.
    apart = by_old(changes_of(old, new, links, _vectors(old, new, same=False)), 0)
    assert "dropped" in apart.headline, apart.headline
    # Meanings close (cosine 0.95) and half the words shared: restated.
    close = by_old(changes_of(old, new, links, _vectors(old, new, same=True)), 0)
    assert "dropped" not in close.headline, close.headline
    assert any(p.get("restated") == HALF for p in close.evidence["pieces"])
    # In other words: said as the rewording it is, pointing at the restatement.
    assert "→ 'Disputes over the Mekong river basin must be settled peacefully" in close.headline, close.headline
    # Without vectors only a near-verbatim restatement counts.
    plain = by_old(changes_of(old, new, links), 0)
    assert "dropped" in plain.headline


def test_a_dropped_passage_is_quoted_by_what_the_new_statement_no_longer_says():
    # The passage's weightiest clause is restated in the new text; the
    # headline quotes the clause that really went, and the passage ranks
    # below one whose every word went.
    gone = "We will open a joint research centre for tropical medicine in Lagos."
    old = doc(f"{KEPT} {gone}", EXPAND, "We will fund a desalination plant programme for coastal towns.")
    new = doc(EXPAND, SAID_AGAIN)
    links = [link(old, [0], new, [], "dropped"), link(old, [1], new, [0]), link(old, [2], new, [], "dropped"),
             link(old, [], new, [1], "added")]
    changes = changes_of(old, new, links)
    first = by_old(changes, 0)
    assert "tropical medicine" in first.headline and "Mekong" not in first.headline, first.headline
    assert 0 < first.evidence["score"]["novelty"] < 1
    assert by_old(changes, 2).evidence["score"]["novelty"] == 1.0


def test_a_passage_said_again_elsewhere_says_so():
    old = doc(KEPT, EXPAND)
    new = doc(EXPAND, SAID_AGAIN)
    links = [link(old, [0], new, [], "dropped"), link(old, [1], new, [0], "unchanged"),
             link(old, [], new, [1], "added")]
    first = by_old(changes_of(old, new, links), 0)
    assert first.headline.startswith("passage restated elsewhere: 'We support the peaceful resolution"), first.headline
    assert "→" in first.headline and first.evidence["score"]["novelty"] == 0.0


#: The rest of a readout: eight more sentences opened by its speakers (a
#: statement's voice is read in one of twelve sentences or more).
READOUT = " ".join(f"The Envoys and the Delegates discussed {x}." for x in (
    "ports", "rail links", "customs rules", "student visas", "pandemic stocks", "grain reserves", "tariff lines",
    "air routes"))


def test_the_statements_own_voice_is_not_what_a_sentence_says():
    # A readout opens most sentences with its speakers: their words say who
    # speaks, not what. Counted, they would hide that the flooding concern
    # is still said (three of its six other words are; with them, three of eight).
    voice = "The Envoys and the Delegates"
    old = doc(f"{voice} discussed trade. {voice} expressed concern about flooding along the Mekong river.",
              f"{voice} reviewed fisheries. {voice} welcomed the talks.", READOUT)
    new = doc(f"{voice} discussed trade.",
              f"{voice} reviewed fisheries. {voice} welcomed the talks. We remain worried about flooding along "
              "the Mekong.", READOUT)
    links = [link(old, [0], new, [0]), link(old, [1], new, [1]), link(old, [2], new, [2], "unchanged")]
    vectors = _vectors(old, new, same=True)
    first = by_old(changes_of(old, new, links, vectors), 0)
    assert "dropped" not in first.headline, first.headline
    assert any("flooding" in p.get("restated", "") for p in first.evidence["pieces"])


def test_a_dropped_roll_of_the_speakers_is_no_change():
    voice = "The Envoys and the Delegates"
    old = doc(f"{voice} discussed trade. {voice} reviewed fisheries. {voice} welcomed the talks. " + READOUT,
              f"{voice} acknowledged the new fisheries accord.")
    new = doc(f"{voice} discussed trade. {voice} reviewed fisheries. {voice} welcomed the talks. " + READOUT,
              "We acknowledge the new fisheries accord and will fund patrol boats.")
    change = by_old(changes_of(old, new, [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])]), 1)
    assert "Envoys" not in change.headline and "patrol boats" in change.headline, change.headline
    assert any(p.get("voice") for p in change.evidence["pieces"])


@pytest.mark.real_model
@pytest.mark.shared
def test_a_commitment_restated_in_the_real_lima_statement_is_not_headlined_as_dropped(tmp_path, real_encoder):
    # Camp David (2023): "The United States unequivocally reaffirms that its
    # extended deterrence commitments to both Japan and the ROK are ironclad
    # …"; Lima (2024): "President Biden reiterates that the U.S. commitments
    # to the defense of the ROK and Japan are ironclad …". The word diff of
    # their link sees the first sentence go; the position stayed.
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    folder = "trilateral_rok_us_japan/"
    r = diff_files(shared_file(folder + "2023-08-18_spirit_of_camp_david_joint_statement.txt"),
                   shared_file(folder + "2024-11-15_lima_trilateral_leaders_joint_statement.txt"),
                   Settings(cache_dir=str(tmp_path)), encoder=real_encoder)
    assert not any("unequivocally reaffirms" in c.headline for c in r.changes[:10])
    pieces = [p for c in r.changes for p in c.evidence["pieces"] if "unequivocally reaffirms" in p.get("old", "")]
    assert pieces and all("are ironclad" in p["restated"] for p in pieces)
    # A condemnation that really went is still said to have gone.
    assert any("unprecedented number of ballistic missile launches" in p.get("old", "") and not p.get("restated")
               for c in r.changes for p in c.evidence["pieces"])


def test_a_name_abbreviated_or_spelled_out_is_no_change():
    old = doc("We uphold the UN Convention on the Law of the Sea and will fund patrol boats.",
              "We consult the International Atomic Energy Agency on safeguards.")
    new = doc("We uphold the United Nations Convention on the Law of the Sea and will fund coast guard training.",
              "We consult the International Atomic Energy Agency (IAEA) on safeguards.")
    changes = changes_of(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1])])
    first = by_old(changes, 0)
    assert "United Nations" not in first.headline and "coast guard training" in first.headline, first.headline
    # The acronym added beside its spelling: said only as what it is, and
    # worth nothing new.
    second = by_old(changes, 1)
    assert all(p.get("voice") for p in second.evidence["pieces"]) and second.evidence["score"]["novelty"] == 0.0
    # A new acronym that spells nothing in the statement is news.
    new2 = doc("We uphold the UN Convention on the Law of the Sea and will fund patrol boats.",
               "We consult the International Atomic Energy Agency (ITAR) on safeguards.")
    third = by_old(changes_of(old, new2, [link(old, [0], new2, [0], "unchanged"), link(old, [1], new2, [1])]), 1)
    assert not any(p.get("voice") for p in third.evidence["pieces"])


def test_an_acronym_dropped_with_the_last_mention_of_its_name_is_a_change():
    old = doc("We oppose the conduct of the People's Republic of China (PRC) at sea.")
    new = doc("We oppose the conduct at sea.")
    change = changes_of(old, new, [link(old, [0], new, [0])])[0]
    assert not any(p.get("voice") for p in change.evidence["pieces"])
    assert "PRC" in change.headline, change.headline


def test_two_sentences_about_different_things_are_not_one_rewording():
    old = doc("We welcome the new fisheries accord in our region.")
    new = doc("We welcome the new space agency in our region.")
    links = [link(old, [0], new, [0])]
    ov, nv = np.eye(2, dtype=np.float32)[:1], np.eye(2, dtype=np.float32)[1:]
    apart = changes_of(old, new, links, (ov, nv))[0]
    assert "→" not in apart.headline and "added" in apart.headline, apart.headline
    assert {p["kind"] for p in apart.evidence["pieces"]} == {"dropped", "added"}
    # The same two sentences close in meaning (cosine 0.8): one rewording.
    close = changes_of(old, new, links, (ov, np.array([[0.8, 0.6]], np.float32)))[0]
    assert "→" in close.headline, close.headline


def _hit(lk, rule: str, strength: float):
    from driftlab.types import Flag

    return Flag(id=f"{rule}-{strength}", rule=rule, topics=(), old=lk.old, new=lk.new, old_text="", new_text="",
                score=strength, explanation=f"{rule} hit", evidence={"score": {"rule_weight": strength, "size": 1.0}},
                link_id=lk.id)


def test_breadth_counts_only_rules_that_hit_hard():
    old = doc("We will fund patrol boats for the coast guard.")
    new = doc("We will fund patrol boats and radar stations for the coast guard.")
    lk = link(old, [0], new, [0])
    tags = tag_documents(old, new, CONFIG)

    def breadth(*hits):
        (c,), _ = compute_changes(old, new, [lk], [_hit(lk, *h) for h in hits], tags, CONFIG)
        return c.evidence["score"]["breadth"]

    # A faint modality cue beside the new wording is no second kind of change.
    assert breadth(("new_wording", 1.1), ("modality", 0.05)) == 1.0
    # A name and a figure hitting as hard as the wording are.
    assert breadth(("new_wording", 1.1), ("actor_change", 0.9), ("number_change", 1.0)) == 1.2


def test_a_speakers_own_name_is_no_topic_label():
    from driftlab.ingest import parse_text
    from driftlab.segment import segment

    header = '---\ntitle: "Statement of China"\nparties: "China"\n---\n'
    old = segment(parse_text(header + "China will expand imports from developing countries.", path="a.txt"))
    new = segment(parse_text(header + "China will expand imports from developing countries and cancel their "
                              "tariffs on all goods.", path="b.txt"))
    (c,), _ = compute_changes(old, new, [link(old, [0], new, [0])], [], tag_documents(old, new, CONFIG), CONFIG)
    assert not c.headline.startswith("China named as an actor"), c.headline
    assert "cancel their tariffs" in c.headline
    # The same sentences spoken by others: China is an actor they name.
    header = '---\ntitle: "Statement of Japan"\nparties: "Japan"\n---\n'
    old = segment(parse_text(header + "China will expand imports from developing countries.", path="a.txt"))
    new = segment(parse_text(header + "China will expand imports from developing countries and cancel their "
                              "tariffs on all goods.", path="b.txt"))
    (c,), _ = compute_changes(old, new, [link(old, [0], new, [0])], [], tag_documents(old, new, CONFIG), CONFIG)
    assert c.headline.startswith("China named as an actor"), c.headline


def test_a_short_phrase_the_other_statement_still_says_is_not_the_quote_of_a_dropped_passage():
    old = doc("The war in Ukraine, which has gone on for a year and a half, has deepened the divisions in values "
              "among nations.", OTHER)
    new = doc("As the war of aggression against Ukraine drags on, we stand with its people.", OTHER)
    links = [link(old, [0], new, [], "dropped"), link(old, [], new, [0], "added"),
             link(old, [1], new, [1], "unchanged")]
    dropped = by_old(changes_of(old, new, links), 0)
    assert "'The war in Ukraine'" not in dropped.headline, dropped.headline
    assert "divisions in values" in dropped.headline


@pytest.mark.real_model
@pytest.mark.shared
def test_real_headlines_carry_no_abbreviation_marker_or_speakers_own_label(tmp_path, real_encoder):
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    settings = Settings(cache_dir=str(tmp_path))

    def changes(old: str, new: str):
        return diff_files(shared_file(old), shared_file(new), settings, encoder=real_encoder).changes

    # AUKUS 2023 → 2024: "(IAEA)" added beside "International Atomic Energy Agency".
    aukus = changes("aukus/2023-03-13_aukus_joint_leaders_statement.txt",
                    "aukus/2024-09-17_aukus_joint_leaders_statement_third_anniversary.txt")
    assert not any("'(IAEA)'" in c.headline for c in aukus)
    # The press office's "Begin Text:" marker is no new passage.
    folder = "trilateral_rok_us_japan/"
    dprk = changes(folder + "2023-06-15_trilateral_nsa_statement_dprk_missiles.txt",
                   folder + "2024-06-24_trilateral_senior_officials_dprk_russia_statement.txt")
    assert not any("Begin Text" in c.headline for c in dprk)
    # China's own speech: no headline filed under "China named as an actor".
    china = changes("un_general_debate/2023_CHN_UNGD_session78.txt", "un_general_debate/2024_CHN_UNGD_session79.txt")
    assert china and not any(c.headline.startswith("China named as an actor") for c in china)
    assert any("china" in c.topics for c in china)


def test_a_hyphenated_name_is_read_word_by_word_when_looking_for_a_restatement():
    old = doc("We are advancing trilateral cooperation with Australia and Japan on maritime security. We will fund "
              "patrol boats.", OTHER)
    new = doc("We will fund patrol boats.", "We will advance Japan-U.S.-Australia trilateral cooperation on maritime "
              "security.")
    first = by_old(changes_of(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1])]), 0)
    assert "dropped" not in first.headline, first.headline
    assert any("Japan-U.S.-Australia" in p.get("restated", "") for p in first.evidence["pieces"])


def test_a_heading_is_no_change_even_when_a_statement_flag_quotes_it():
    # "Topic added: The Middle East (2 passages)" quotes the new heading and
    # the passage under it; it joins the passage, and the heading is left
    # as the metadata it is.
    old = doc("Ukraine", "We condemn Russia's war against Ukraine.", OTHER)
    new = doc("Ukraine", "We condemn Russia's war against Ukraine.", "Middle East",
              "We call for a ceasefire in Gaza and the release of all hostages held by Hamas.", OTHER)
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1], "unchanged"),
             link(old, [], new, [2], "added"), link(old, [], new, [3], "added"), link(old, [2], new, [4], "unchanged")]
    changes = changes_of(old, new, links)
    assert [c.new for c in changes] == [(3,)], [c.headline for c in changes]
    assert "Topic added to the statement: The Middle East" in changes[0].headline


def test_an_abbreviations_full_stop_does_not_cut_a_quote():
    from driftlab.changes import _clauses, _sentence_parts

    text = ("The two leaders welcomed the progress in bilateral coast guard cooperation, including the joint "
            "exercises between the U.S. Coast Guard and the Japan Coast Guard, and affirmed their resolve.")
    assert "the joint exercises between the U.S. Coast Guard and the Japan Coast Guard" in _clauses(text, CONFIG)
    assert not any(c.startswith("Coast Guard") for c in _clauses(text, CONFIG))
    said = "I congratulate His Excellency Mr. Dennis Francis on his election. We will work with him."
    assert [said[a:b] for a, b in _sentence_parts(said, 0, len(said))] == [
        "I congratulate His Excellency Mr. Dennis Francis on his election.", "We will work with him."]


def test_a_statements_voice_is_its_speakers_never_its_subject():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    speakers = " ".join(f"The Envoys condemned the DPRK missile launches of {m}." for m in (
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December"))
    long, short = doc(speakers), doc("The Envoys condemned the DPRK missile launches. The Envoys met. The Envoys left.")
    voice = _Restatements(long, short, _own(long, short, CONFIG), CONFIG).voice
    # "Envoys" opens every sentence: the voice. "DPRK" (an actor) and
    # "missile" (a topic's term) are what the statement is about.
    assert voice["old"] == {"envoys", "condemned", "launches"}
    # Three sentences: too few to tell a voice from a subject.
    assert voice["new"] == frozenset()


def test_a_rewording_that_only_drops_words_says_what_was_dropped():
    # US–Japan 2022 → 2023, in invented neighbours: "They reaffirmed … in
    # accordance with UNSC resolutions, and urged North Korea to abide by
    # its obligations under these resolutions." → "We reaffirm … in
    # accordance with United Nations Security Council resolutions."
    old = doc("They reaffirmed their commitment to peace on the peninsula in accordance with UNSC resolutions, and "
              "urged North Korea to abide by its obligations under these resolutions. " + READOUT)
    new = doc("We reaffirm our commitment to peace on the peninsula in accordance with United Nations Security Council "
              "resolutions. " + READOUT)
    lk = link(old, [0], new, [0])
    change = changes_of(old, new, [lk])[0]
    assert "'urged North Korea to abide by its obligations" in change.headline, change.headline
    assert "→" not in change.headline and "United Nations Security Council" not in change.headline
    # Where the word diff makes one rewording of it (as on the real pair):
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    (piece,) = said.mark(lk, [{"kind": "reworded", "old": "UNSC resolutions, and urged North Korea to abide by its "
                               "obligations under these resolutions", "new": "United Nations Security Council "
                               "resolutions", "weight": 1.0, "pos": 0}])
    assert (piece["kind"], piece["old"], piece["new"]) == (
        "dropped", "urged North Korea to abide by its obligations", "")


def test_a_name_spelled_out_alone_is_no_addition():
    old = doc("The leaders condemned the launches as violations of UNSC resolutions, and urged North Korea to abide "
              "by its obligations under these resolutions.")
    new = doc("The leaders condemned the launches as violations of United Nations Security Council resolutions.")
    change = changes_of(old, new, [link(old, [0], new, [0])])[0]
    assert "'urged North Korea to abide by its obligations" in change.headline, change.headline
    assert "→" not in change.headline and "United Nations Security Council" not in change.headline


# ------------------------------------------------------------------ the helpers, at their edges

def test_spelled_out_pieces():
    from driftlab.changes import _spelled_out

    prc = "the People's Republic of China (PRC) at sea"
    # An acronym alone dropped: cosmetic only while the other statement still names it.
    assert not _spelled_out({"kind": "dropped", "old": "(PRC)", "new": ""}, {"old": prc, "new": "at sea"})
    assert _spelled_out({"kind": "dropped", "old": "(PRC)", "new": ""},
                        {"old": prc, "new": "the People's Republic of China at sea"})
    assert _spelled_out({"kind": "dropped", "old": "(PRC)", "new": ""}, {"old": prc, "new": "the PRC at sea"})
    # Added: spelled out on its own (new) side.
    iaea = "the International Atomic Energy Agency (IAEA)"
    assert _spelled_out({"kind": "added", "old": "", "new": "(IAEA)"},
                        {"old": "the International Atomic Energy Agency", "new": iaea})
    assert not _spelled_out({"kind": "added", "old": "", "new": "(IAEA)"}, {"old": "the agency", "new": iaea})
    # An acronym beside other words is more than a spelling.
    assert not _spelled_out({"kind": "dropped", "old": "PRC claims", "new": ""}, {"old": prc, "new": prc})
    # A rewording by an acronym and its spelling, and one that is more.
    none = {"old": "", "new": ""}
    assert _spelled_out({"kind": "reworded", "old": "UN Convention", "new": "United Nations Convention"}, none)
    assert _spelled_out({"kind": "reworded", "old": "United Nations Convention", "new": "UN Convention"}, none)
    assert not _spelled_out({"kind": "reworded", "old": "UN Convention", "new": "United Kingdom Convention"}, none)
    assert not _spelled_out({"kind": "reworded", "old": "UN partners", "new": "United Nations allies"}, none)
    # Inside a hyphenated compound ("Ruritania-DPRK accord"), read word by word.
    assert _spelled_out({"kind": "reworded", "old": "Ruritania-DPRK Accord",
                         "new": "Ruritania-Democratic People's Republic of Korea Accord"}, none)
    assert not _spelled_out({"kind": "reworded", "old": "Ruritania-DPRK talks",
                             "new": "Ruritania-Democratic People's Republic of Korea summit"}, none)
    # A spelling alone, where the other statement abbreviates it.
    unsc = "United Nations Security Council"
    assert _spelled_out({"kind": "added", "old": "", "new": unsc}, {"old": "UNSC resolutions", "new": unsc})
    assert _spelled_out({"kind": "dropped", "old": unsc, "new": ""}, {"old": unsc, "new": "UNSC resolutions"})
    assert not _spelled_out({"kind": "added", "old": "", "new": unsc}, {"old": "the resolutions", "new": unsc})


def test_trim_said_keeps_what_the_other_side_does_not_say():
    from driftlab.changes import _trim_said

    text = "UNSC resolutions, and urged North Korea to abide by its obligations under these resolutions."
    assert _trim_said(text, {"unsc", "resolution"}, frozenset()) == "urged North Korea to abide by its obligations"
    assert _trim_said("The Envoys urged restraint", {"restraint"}, frozenset({"envoys"})) == "urged"
    assert _trim_said("resolutions, UNSC.", {"unsc", "resolution"}, frozenset()) == ""
    # An opening phrase is never cut in two ("addition, Ruritania …" after "In").
    assert _trim_said("In addition, Ruritania is building silos", {"ruritania"}, frozenset()) == (
        "In addition, Ruritania is building silos")


def test_contracted_in_both_directions():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    # The new statement is a readout with a voice; the old one has none.
    old, new = doc("Fisheries and ports."), doc(READOUT + " " + READOUT)
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    assert said.contracted("fisheries and ports", "fisheries, ports and coast guard patrols") == (
        "added", "coast guard patrols")
    assert said.contracted("fisheries, ports and coast guard patrols", "fisheries and ports") == (
        "dropped", "coast guard patrols")
    # One word more is a rewording, not a drop; the same words are no contraction.
    assert said.contracted("fisheries and ports", "fisheries, ports and patrols") is None
    assert said.contracted("fisheries and ports", "ports and fisheries") is None
    # The new side's voice is trimmed from what it added: "discussed" opens
    # every sentence of the readout.
    assert said.voice["new"] >= {"discussed"} and said.voice["old"] == frozenset()
    assert said.contracted("fisheries", "The Envoys and the Delegates discussed fisheries with coast guards "
                                        "and navies")[1] == "coast guards and navies"


def test_restatement_edges():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    old = doc("We will fund patrol boats for the islands.", "The rivers flood every spring.",
              "We protect lagoons, reefs, harbours and patrol boats.")
    new = doc("Patrol boats for the islands we will fund, and coast radars too.",
              "Spring storms on the rivers.", "Ministers met.")
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    # Three words, two of them said elsewhere: not all of a short phrase.
    assert said.find("old", "rivers flood spring") == ""
    assert said.find("old", "The rivers flood every spring") == ""
    # All of a short phrase in one sentence: restated.
    assert said.find("old", "patrol boats islands") == (
        "Patrol boats for the islands we will fund, and coast radars too.")
    # Four of five words (80 %): restated without vectors; three of five is not.
    assert said.find("old", "We will fund patrol boats for the northern islands") != ""
    assert said.find("old", "fund patrol boats for remote lagoons") == ""
    # One word left once the statement's common words are out: nothing to tell.
    assert said.find("old", "ministers") == ""
    # Close sentence vectors need half the words: a sentence sharing a
    # quarter of them is no restatement, however close.
    ov = np.ones((3, 2), np.float32)
    nv = np.ones((3, 2), np.float32)
    close = _Restatements(old, new, _own(old, new, CONFIG), CONFIG, (ov, nv))
    assert close.find("old", "We will fund patrol boats for the islands", (0,)) != ""
    assert close.find("old", "The rivers flood every spring", (1,)) == "Spring storms on the rivers."
    assert close.find("old", "We protect lagoons, reefs, harbours and patrol boats", (2,)) == ""


def test_spells_finds_the_run_whose_initials_make_the_acronym():
    """The walk behind "spelled out", and the substring test that skips it
    (an acronym's tail must sit in the initials of the words that are
    neither small nor empty): small words inside a run are kept, a small
    first word counts, an empty word breaks the run."""
    from driftlab.changes import _spells

    assert _spells("unsc", ("the", "united", "nations", "security", "council")) == [
        "united", "nations", "security", "council"]
    assert _spells("bri", ("belt", "and", "road", "initiative", "projects")) == ["belt", "and", "road", "initiative"]
    assert _spells("tu", ("the", "union")) == ["the", "union"]
    assert _spells("fmct", ("a", "fissile", "material", "cut", "off", "treaty")) is None  # "off" is in the way
    assert _spells("fmct", ("fissile", "material", "cut", "treaty")) == ["fissile", "material", "cut", "treaty"]
    assert _spells("ab", ("alpha", "", "beta")) is None
    assert _spells("npt", ("non", "proliferation")) is None
    assert _spells("eu", ()) is None


def test_a_restatement_in_another_tense_or_inflection_is_found():
    from driftlab.changes import _Restatements, _root
    from driftlab.flags.sentences import _own

    # Invented text: the old statement "stood with" the islanders and
    # "reaffirmed" a pledge; the new one will "stand with" them and
    # "reaffirms" it, in longer sentences.
    old = doc("We stood with the islanders.", "We reaffirmed our pledge on reef protection.")
    new = doc("We will continue to stand with the brave islanders of the atoll.",
              "Our government reaffirms its pledge on coastal reef protection.")
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    assert said.find("old", "We stood with the islanders") == new.paragraphs[0].text
    assert said.find("old", "reaffirmed our pledge on reef protection") == new.paragraphs[1].text
    assert {_root(w) for w in ("stood", "stand", "stands", "standing")} == {_root("stand")}
    # A word that only looks alike is no restatement.
    assert said.find("old", "We stood against the flood") == ""


def test_a_fragment_of_a_restated_sentence_is_no_change_unless_it_carries_weight():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    # Invented text: the sentence about reef patrols is said again in other
    # words; the word diff leaves fragments of it.
    old = doc("The envoys noted the expanding reef patrols around the atolls and discussed ways to fund them.",
              "We expressed concern over the shipping accidents near the atolls.")
    new = doc("Reef patrols around the atolls are rapidly expanding, and we are discussing ways to fund them.",
              "We expressed grave concern over the shipping accidents near the atolls.")
    ov = np.ones((2, 2), np.float32)
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG, (ov, ov))
    # "rapidly" is the only word of its own: restated.
    assert said.fragment_of_restated("new", "are rapidly expanding", (0,)) == old.paragraphs[0].text
    # A rung of a ladder ("grave") is the change itself, however short.
    assert said.fragment_of_restated("new", "grave", (1,)) == ""
    # Two words of its own are more than a fragment.
    assert said.fragment_of_restated("new", "are rapidly and steadily expanding", (0,)) == ""


def test_a_dropped_roll_call_of_names_is_no_quote():
    old = doc("We thank Chile, Ghana, Egypt, Peru, Fiji, Nepal, Oman and Laos. We will double grain shipments.")
    new = doc("We will double grain shipments and build two silos.")
    c = by_old(changes_of(old, new, [link(old, [0], new, [0])]), 0)
    assert "Chile" not in c.headline and not any("Chile" in p["old"] for p in c.evidence["pieces"]), c.headline


def test_the_leaders_titles_are_who_speaks_not_what_is_restated():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own
    from driftlab.ingest import parse_text
    from driftlab.segment import segment

    header = ('---\ntitle: "Joint Statement"\nparties: "Ruritania; Freedonia (leaders: Okonjo, Lind)"\n---\n')
    old = segment(parse_text(header + "Prime Minister Okonjo and President Lind support reef patrols.", path="o.txt"))
    new = segment(parse_text(header + "We support reef patrols near the atolls.", path="n.txt"))
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    assert said.find("old", "Prime Minister Okonjo and President Lind support reef patrols") == (
        "We support reef patrols near the atolls.")


def test_old_words_said_again_elsewhere_did_not_become_the_new_words():
    # Invented text: the claim on the atoll is said again in the second new
    # passage; the word diff of the first lines it up against a new phrase.
    old = doc("Our position is firm, and the atoll has been part of our territory since ancient times.",
              "We will build a new harbour.")
    new = doc("Our position is firm, and the atoll and our territory will never fly two flags.",
              "We will build a new harbour. The atoll has been part of our territory since ancient times.")
    c = by_old(changes_of(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1])]), 0)
    assert "→" not in c.headline and "added" in c.headline, c.headline
    kept = [p for p in c.evidence["pieces"] if p["kind"] == "dropped" and "ancient times" in p["old"]]
    assert kept and "ancient times" in kept[0]["restated"], c.evidence["pieces"]


def test_new_words_already_said_elsewhere_did_not_replace_the_old_ones():
    # The mirror case: the new words were already in the old statement's
    # second passage; the old words of the first passage went.
    old = doc("Our position is firm, and the atoll and our territory will never fly two flags.",
              "We will build a new harbour. The atoll has been part of our territory since ancient times.")
    new = doc("Our position is firm, and the atoll has been part of our territory since ancient times.",
              "We will build a new harbour.")
    c = by_old(changes_of(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1])]), 0)
    assert "→" not in c.headline and "dropped" in c.headline, c.headline
    kept = [p for p in c.evidence["pieces"] if p["kind"] == "added" and "ancient times" in p["new"]]
    assert kept and "ancient times" in kept[0]["restated"], c.evidence["pieces"]


@pytest.mark.real_model
@pytest.mark.shared
def test_a_vote_count_and_a_list_of_thanks_in_a_real_speech_are_no_changes_about_their_states(tmp_path, real_encoder):
    # Ukraine at the General Assembly, 2022 → 2023: "Only seven countries
    # voted against: Belarus, Cuba, North Korea, Eritrea, Nicaragua, Russia
    # and Syria" and twenty-six countries thanked for grain were the top
    # "DPRK–Russia military cooperation" and "China named as an actor"
    # changes. They name states to count them.
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    r = diff_files(shared_file("un_general_debate/2022_UKR_UNGD_session77.txt"),
                   shared_file("un_general_debate/2023_UKR_UNGD_session78.txt"),
                   Settings(cache_dir=str(tmp_path)), encoder=real_encoder)
    heads = [c.headline for c in r.changes]
    assert not any("Belarus, Cuba, North Korea" in h or "Algeria, Ethiopia, Egypt" in h for h in heads[:10])
    assert not any(h.startswith(("DPRK–Russia military cooperation:", "China named as an actor:")) for h in heads[:10])
    vote = next(h for h in heads if "Only seven countries voted against" in h)
    assert not vote.startswith("DPRK–Russia"), vote  # quoted, low, as the passage it is
    # The speech's own subjects still lead: the children deported by Russia.
    assert any("deported" in h for h in heads[:10])


def test_fragment_restatement_by_the_lineage_and_its_edges():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own
    from driftlab.types import Link

    old = doc("We saw reef patrols grow. The envoys noted the expanding reef patrols around the atolls.",
              "We fund ports.")
    new = doc("We fund ports. Reef patrols around the atolls are rapidly expanding, and we welcome it.",
              "We saw reef patrols grow.")
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    mate = "Reef patrols around the atolls are rapidly expanding, and we welcome it."
    edited = [{"type": "edited", "old": [[0, 1]], "new": [[0, 1]], "score": 0.9}]
    # The aligner pairs the fragment's sentence: restated by that pairing,
    # in either direction.
    assert said.fragment_of_restated("old", "noted the expanding", (0,), edited) == mate
    assert said.fragment_of_restated("new", "are rapidly expanding", (0,), edited) == old.paragraphs[0].sentences[1].text
    for kind in ("carried", "rewritten", "moved"):
        assert said.fragment_of_restated("old", "noted the expanding", (0,), [dict(edited[0], type=kind)]) == mate
    # A sentence the lineage leaves unpaired, or pairs as added or dropped,
    # is not searched for again.
    assert said.fragment_of_restated("old", "noted the expanding", (0,), [dict(edited[0], type="added")]) == ""
    other = [{"type": "edited", "old": [[0, 0]], "new": [[1, 0]], "score": 0.9}]
    assert said.fragment_of_restated("old", "noted the expanding", (0,), other) == ""
    # The restated-elsewhere test of a rewording: the other side's sentence
    # holding the new words is no restatement of the old ones.
    lk = Link(old=(0,), new=(0,), type="edited", confidence=1.0)
    assert said.kept_elsewhere(lk, "old", "We saw reef patrols grow", "We fund ports") == "We saw reef patrols grow."
    assert said.kept_elsewhere(lk, "old", "We saw reef patrols grow", "We saw reef patrols grow") == ""
    assert said.kept_elsewhere(lk, "new", "We fund ports", "reef patrols") == "We fund ports."


def test_roots_plain_words_roll_calls_and_paragraph_numbers_at_their_edges():
    from driftlab.changes import _numbering, _plain, _roll_call, _root

    assert _root("held") == _root("holds") == _root("hold") and _root("went") == _root("go")
    assert _root("sanctions") == _root("sanction") and _root("gone") != _root("gon")
    # Plain: no figure, no ladder rung, no topic term or actor.
    assert _plain(["rapidly", "noted"], CONFIG) and not _plain(["grave"], CONFIG)
    assert not _plain(["2027"], CONFIG) and not _plain(["taiwan"], CONFIG) and _plain([], CONFIG)
    # Mostly a roll-call: six names and little else.
    assert _roll_call("Chile, Ghana, Egypt, Peru, Fiji and Laos")
    assert not _roll_call("We thank Chile, Ghana, Egypt, Peru, Fiji and Laos for the grain they shipped to "
                          "our ports through the hardest winter in memory")
    assert not _roll_call("Chile, Ghana and Laos")
    # A paragraph number: opening its line, a sentence after it.
    text = "We act.\n12. We agree.\n(3) We fund.\niv. We build.\n30 nations joined.\nWe met 3 Envoys."
    at = text.index
    assert _numbering(text, at("12."), "12.") and _numbering(text, at("(3)"), "(3)")
    assert _numbering(text, at("iv."), "iv.") and not _numbering(text, at("30"), "30")
    assert not _numbering(text, at("3 Envoys"), "3")  # inside its line
    assert not _numbering(text, at("12.") - 1, "12.")  # the phrase must start at pos (or just after)
    assert not _numbering("2024 We act.", 0, "2024")  # a year is no paragraph number


def test_a_fragment_says_at_most_one_plain_word_its_restatement_does_not():
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    # Every word of the fragments below is used somewhere in the old
    # statement, so only the restating sentence's words decide.
    old = doc("Patrols grew rapidly and steadily, with grave care.",
              "The envoys noted the expanding reef patrols around the atolls.")
    new = doc("Reef patrols around the atolls are steadily, rapidly expanding with grave care.")
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    lineage = [{"type": "edited", "old": [[1, 0]], "new": [[0, 0]], "score": 0.9}]
    mate = old.paragraphs[1].text
    assert said.fragment_of_restated("new", "rapidly expanding", (0,), lineage) == mate
    assert said.fragment_of_restated("new", "steadily, rapidly expanding", (0,), lineage) == ""  # two words
    assert said.fragment_of_restated("new", "expanding with grave", (0,), lineage) == ""  # a ladder rung


def test_an_actor_and_its_adjective_are_one_word_for_a_restatement():
    # "Ukraine for as long as it takes in the face of Russia's illegal war of
    # aggression" was headlined added, though the old statement said "…
    # Ukraine in the face of ongoing Russian war of aggression for as long
    # as it takes".
    from driftlab.changes import _Restatements
    from driftlab.flags.sentences import _own

    old = doc("We discussed trade and ports at length.",
              "Today, we reaffirm our support for and solidarity with Ukraine in the face of ongoing Russian war of "
              "aggression for as long as it takes.")
    new = doc("We discussed trade and ports at length.",
              "We will stand with Ukraine for as long as it takes in the face of Russia’s illegal war of aggression.")
    said = _Restatements(old, new, _own(old, new, CONFIG), CONFIG)
    phrase = "Ukraine for as long as it takes in the face of Russia’s illegal war of aggression"
    assert "ongoing Russian war" in said.find("new", phrase, [1])
    # A capital is not its country: no restatement through "Moscow".
    assert said.canon.get("moscow") is None and said.canon["russian"] == "russia"


def test_a_dropped_passage_is_not_quoted_by_the_parties_names_alone():
    # "Japan, the ROK and the United States, are working to support the
    # Mekong …" was headlined "passage dropped: 'the ROK and the United
    # States'": the parties' roll-call, not what went. ("ROK" is the
    # abbreviation of a party the metadata calls "Republic of Korea".)
    from driftlab.ingest import parse_text
    from driftlab.segment import segment
    from driftlab.types import Link

    header = '---\ntitle: "Joint Statement"\nparties: "Japan; Republic of Korea; United States"\n---\n'
    old = segment(parse_text(header + "We discussed trade and ports at length.\n\nJapan, the ROK and the United "
                             "States, are working to support the sustainable development of the Mekong river basin "
                             "and its fisheries in every season.", path="old.txt"))
    new = segment(parse_text(header + "We discussed trade and ports at length.", path="new.txt"))
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(1,), new=(), type="dropped", confidence=0.9)]
    (change,) = [c for c in changes_of(old, new, links) if c.old == (1,)]
    assert "Mekong" in change.headline or "sustainable development" in change.headline, change.headline
    assert "'Japan, the ROK and the United States'" not in change.headline
