"""Flag rules on hand-built statements and links (invented sentences, fast)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from driftlab.diff import word_diff
from driftlab.flags import compute_flags
from driftlab.ingest import parse_text
from driftlab.segment import segment
from driftlab.topics import config_from_dict, load_config, tag_documents
from driftlab.types import Document, Link

CONFIG = load_config()


def doc(*paragraphs: str) -> Document:
    return segment(parse_text("\n\n".join(paragraphs), path="invented.txt"))


def opcodes(old: Document, oi: tuple[int, ...], new: Document, ni: tuple[int, ...]):
    """The project's word diff between paragraphs (absolute char offsets)."""
    ospans = [(old.paragraphs[i].start, old.paragraphs[i].end) for i in oi]
    nspans = [(new.paragraphs[i].start, new.paragraphs[i].end) for i in ni]
    return tuple(word_diff(old.statement.text, ospans, new.statement.text, nspans))


def link(old, oi, new, ni, type_="edited") -> Link:
    return Link(old=tuple(oi), new=tuple(ni), type=type_, confidence=0.9,
                opcodes=opcodes(old, tuple(oi), new, tuple(ni)))


def flags_for(old_text: str, new_text: str, type_: str = "edited", config=CONFIG):
    old, new = doc(old_text), doc(new_text)
    links = [link(old, [0], new, [0], type_)]
    tags = tag_documents(old, new, config)
    return compute_flags(old, new, links, tags, config)


def rules(flags) -> list[str]:
    return [f.rule for f in flags]


# ------------------------------------------------------------------ intensity

def test_intensity_up_two_rungs_with_size_and_topic():
    flags = flags_for(
        "We expressed concern over the military cooperation between the DPRK and Russia.",
        "We expressed grave concern over the military cooperation between the DPRK and Russia.",
    )
    f = next(f for f in flags if f.rule == "intensity_shift")
    assert f.evidence["delta"] == 2 and f.evidence["ladder"] == "concern"
    assert "dprk_russia" in f.topics
    assert f.explanation.startswith("Intensity up 2 rungs on")
    assert "'concern' → 'grave concern'" in f.explanation
    assert flags[0].rule == "intensity_shift"  # ranks first


def test_intensity_down_and_inflections():
    flags = flags_for(
        "The ministers condemned in the strongest possible terms the missile launches by Pyongyang.",
        "The ministers condemn the missile launches by Pyongyang.",
    )
    f = next(f for f in flags if f.rule == "intensity_shift")
    assert f.evidence["delta"] == -2
    assert "Intensity down 2 rungs" in f.explanation
    assert "dprk_nuclear" in f.topics


def test_same_rung_in_other_form_is_no_intensity_shift():
    flags = flags_for(
        "They strongly condemned the launch of the satellite by the island state.",
        "They strongly condemn the launch of the satellite by the island state.",
    )
    assert "intensity_shift" not in rules(flags)


# ------------------------------------------------------------------ actors

def test_actor_named_for_the_first_time():
    flags = flags_for(
        "We condemn the transfer of ballistic missiles in violation of Security Council resolutions.",
        "We condemn the transfer of ballistic missiles by the DPRK to Russia in violation of Security Council resolutions.",
    )
    actor_flags = [f for f in flags if f.rule == "actor_change"]
    actors = {a for f in actor_flags for a in f.evidence["actors"]}
    assert {"DPRK", "Russia"} <= actors
    # Actors gained in one sentence make one flag listing them all.
    assert len([f for f in actor_flags if "DPRK" in f.evidence["actors"]]) == 1
    assert any("dprk_russia" in f.topics for f in flags if f.rule == "actor_change")


def test_actor_no_longer_named():
    flags = flags_for(
        "We oppose the dangerous behavior of the People's Republic of China in the waters of the region.",
        "We oppose dangerous behavior in the waters of the region.",
    )
    f = next(f for f in flags if f.rule == "actor_change")
    assert f.evidence["actor"] == "China" and f.evidence["change"] == "no longer named"
    assert "People's Republic of China" in f.old_text


def test_china_inside_sea_name_is_not_an_actor():
    flags = flags_for(
        "We oppose coercion in the waters of the region.",
        "We oppose coercion in the South China Sea.",
    )
    assert not any(f.rule == "actor_change" and f.evidence.get("actor") == "China" for f in flags)


def test_generic_new_name_in_a_central_bank_statement():
    flags = flags_for(
        "The Committee decided to keep the policy rate at 4 percent and will monitor incoming data.",
        "The Committee decided, in consultation with the Arden Treasury, to keep the policy rate at 4 percent and will monitor incoming data.",
    )
    assert any(f.rule == "actor_change" and "Arden Treasury" in f.explanation for f in flags)


# ------------------------------------------------------------------ modality, negation, numbers

def test_a_passive_participle_is_no_hedge():
    # "resolutions that are intended to prohibit …" says what the
    # resolutions are for: it was flagged "Modality softer: '—' → 'intended to'".
    flags = flags_for("We call for the full implementation of the resolutions on the launches.",
                      "We call for the full implementation of the resolutions that are intended to prohibit "
                      "the launches.")
    assert "modality" not in rules(flags), [f.explanation for f in flags]
    # The statement's own intention still is one.
    flags = flags_for("We will hold the summit in the spring.", "We intend to hold the summit in the spring.")
    assert "modality" in rules(flags)


def test_modality_firmer_and_softer():
    firmer = flags_for("The partners may expand the exercise programme next spring.",
                       "The partners will expand the exercise programme next spring.")
    f = next(f for f in firmer if f.rule == "modality")
    assert f.evidence["direction"] == "firmer"
    softer = flags_for("The partners will expand the exercise programme next spring.",
                       "The partners could expand the exercise programme next spring.")
    assert next(f for f in softer if f.rule == "modality").evidence["direction"] == "softer"


def test_qualifier_added():
    flags = flags_for("We are committed to the dialogue with our neighbours.",
                      "We remain committed to the dialogue with our neighbours.")
    f = next(f for f in flags if f.rule == "modality")
    assert "remain" in f.evidence["added"]


def test_negation_added_and_polarity_reversed():
    neg = flags_for("The bank expects further rate increases this year.",
                    "The bank does not expect further rate increases this year.")
    assert "negation" in rules(neg)
    pol = flags_for("We support the proposed maritime boundary agreement.",
                    "We oppose the proposed maritime boundary agreement.")
    f = next(f for f in pol if f.rule == "negation")
    assert "Polarity reversed" in f.explanation


def test_number_change():
    flags = flags_for("The ministers will meet again in 2025 to review the 12 projects.",
                      "The ministers will meet again in 2026 to review the 15 projects.")
    f = next(f for f in flags if f.rule == "number_change")
    assert f.evidence["old_numbers"] == ["2025", "12"] and f.evidence["new_numbers"] == ["2026", "15"]


def test_unchanged_numbers_do_not_fire():
    flags = flags_for("In 2025 the ministers reviewed progress.", "In 2025 the ministers assessed progress.")
    assert "number_change" not in rules(flags)


# ------------------------------------------------------------------ new wording, passages, topics

def test_new_wording_on_watched_topic():
    flags = flags_for(
        "We oppose unlawful maritime claims in the South China Sea.",
        "We oppose unlawful maritime claims and the dangerous use of maritime militia vessels in the South China Sea.",
    )
    f = next(f for f in flags if f.rule == "new_wording")
    assert "maritime militia vessels" in f.new_text
    assert "maritime" in f.topics


def test_reused_wording_from_elsewhere_is_not_new():
    old = doc("We discussed energy markets in detail.",
              "We welcome the trilateral youth summit held in Busan.")
    new = doc("We discussed energy markets and the trilateral youth summit held in Busan.")
    links = [link(old, [0], new, [0]), Link(old=(1,), new=(), type="dropped", confidence=0.9)]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    assert "new_wording" not in rules(flags)


def test_passage_added_and_dropped_and_topic_flags():
    old = doc("We will deepen cooperation on semiconductors.", "We are concerned about the situation in Gaza.")
    new = doc("We will deepen cooperation on semiconductors.",
              "We emphasize the importance of peace and stability across the Taiwan Strait.")
    links = [link(old, [0], new, [0], "unchanged"),
             Link(old=(1,), new=(), type="dropped", confidence=0.9),
             Link(old=(), new=(1,), type="added", confidence=0.9)]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    got = {(f.rule, f.topics) for f in flags}
    assert ("passage_added", ("taiwan",)) in got
    assert ("passage_dropped", ("middle_east",)) in got
    assert ("topic_added", ("taiwan",)) in got
    assert ("topic_dropped", ("middle_east",)) in got
    assert not any("semiconductors" in f.new_text + f.old_text for f in flags)


def test_added_passage_made_of_carried_over_sentences_raises_nothing():
    old = doc("We support the youth summit in Kansai and the new scholarship programme.")
    new = doc("Today we met in Lima.", "We support the youth summit in Kansai and the new scholarship programme.")
    links = [Link(old=(0,), new=(), type="dropped", confidence=0.5),
             Link(old=(), new=(0,), type="added", confidence=0.5),
             Link(old=(), new=(1,), type="added", confidence=0.5)]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    assert not any("Kansai" in f.new_text for f in flags)


# ------------------------------------------------------------------ what raises nothing

def test_moved_unchanged_passage_raises_nothing():
    a = "We reaffirm our commitment to the complete denuclearization of the Korean Peninsula."
    b = "We strongly condemn Russia's war of aggression against Ukraine."
    old, new = doc(a, b), doc(b, a)
    links = [Link(old=(0,), new=(1,), type="moved", confidence=1.0, opcodes=opcodes(old, (0,), new, (1,))),
             Link(old=(1,), new=(0,), type="unchanged", confidence=1.0, opcodes=opcodes(old, (1,), new, (0,)))]
    assert compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG) == ()


COSMETIC = [
    ("militarization", "militarisation"),
    ("’", "'"),
    ("—", "-"),
    ("coast guard", "coastguard"),
]


def _cosmetic_variant(text: str, choices: list[bool]) -> str:
    for (a, b), on in zip(COSMETIC, choices):
        if on:
            text = text.replace(a, b)
    return text


BASE = ("We oppose the militarization of disputed features and the coast guard’s dangerous manoeuvres — "
        "and we express grave concern over the DPRK’s launches in 2024.")


@hsettings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), min_size=len(COSMETIC), max_size=len(COSMETIC)))
def test_cosmetic_edits_raise_nothing(choices):
    new_text = _cosmetic_variant(BASE, choices)
    flags = flags_for(BASE, new_text)
    assert flags == ()


# ------------------------------------------------------------------ ids and ranking

def test_ids_stable_across_runs_and_resegmentation():
    old_text = ("We expressed concern over arms transfers between the DPRK and Russia. "
                "We will hold the next meeting in 2025.")
    new_text = ("We expressed grave concern over arms transfers between the DPRK and Russia. "
                "We will hold the next meeting in 2026.")
    first = flags_for(old_text, new_text)
    again = flags_for(old_text, new_text)
    assert [f.id for f in first] == [f.id for f in again]
    # Same words with an extra unrelated paragraph before: paragraph indices shift, ids do not.
    old, new = doc("Preamble of the old statement.", old_text), doc("A new opening paragraph.", new_text)
    links = [link(old, [1], new, [1]), link(old, [0], new, [0])]
    shifted = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    ids = {f.id for f in shifted}
    assert {f.id for f in first} <= ids


def test_scores_sorted_and_components_in_evidence():
    flags = flags_for(
        "We expressed concern over the launches by the DPRK and will meet in 2025.",
        "We expressed grave concern over the launches by the DPRK and Russia and may meet in 2026.",
    )
    assert len(flags) >= 3
    assert [f.score for f in flags] == sorted((f.score for f in flags), reverse=True)
    for f in flags:
        comp = f.evidence["score"]
        expected = (comp["rule_weight"] * comp["size"] * comp["topic_weight"]
                    * (0.75 + 0.25 * comp["changed_share"]) * comp.get("link_penalty", 1.0)
                    * comp.get("repeat_demotion", 1.0))
        # A primary of repeats takes the best score of the flags it merged.
        assert f.score == pytest.approx(comp.get("taken_from_repeat", expected), abs=2e-3)
        assert f.explanation


def test_untagged_text_still_flagged_with_untagged_weight():
    cfg = config_from_dict({"topics": [{"id": "rates", "terms": ["policy rate"]}]})
    flags = flags_for("The outlook for inflation is uncertain and the Committee may act.",
                      "The outlook for inflation is highly uncertain and the Committee will act.", config=cfg)
    f = next(f for f in flags if f.rule == "modality")
    assert f.topics == () and f.evidence["score"]["topic_weight"] == cfg.untagged_weight


def test_flagging_a_large_synthetic_pair_finds_every_shift():
    # Its time is measured by bench/synthetic_speed.py (no timed unit tests).
    paras = [f"We expressed concern over item {i} of the programme with the DPRK and will review it in 2025." for i in range(400)]
    newp = [p.replace("concern", "grave concern").replace("2025", "2026") if i % 3 == 0 else p
            for i, p in enumerate(paras)]
    old, new = doc(*paras), doc(*newp)
    links = [link(old, [i], new, [i], "edited" if i % 3 == 0 else "unchanged") for i in range(400)]
    tags = tag_documents(old, new, CONFIG)
    flags = compute_flags(old, new, links, tags, CONFIG)
    assert sum(f.rule == "intensity_shift" for f in flags) == 134


def test_central_bank_statements_outside_the_default_topics(hashing_encoder, tmp_path):
    """The invented Bank of Arden pair (corpus/examples): no default topic
    applies, yet rules 1-5 and 7 fire with the default file (the generic
    policy ladders give "for an extended period" → "for some time"), and the
    rate cut ranks near the top. A newly named deputy governor (the May
    statement with one invented sentence added) is an actor change."""
    from pathlib import Path

    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    ex = Path(__file__).resolve().parent.parent / "corpus" / "examples"
    old_path = ex / "2031-03-12_bank_of_arden_policy_statement.txt"
    new_path = ex / "2031-05-07_bank_of_arden_policy_statement.txt"
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    flags = diff_files(old_path, new_path, settings, hashing_encoder).flags
    fired = {f.rule for f in flags}
    assert {"intensity_shift", "modality", "negation", "number_change", "new_wording",
            "passage_added", "passage_dropped"} <= fired, fired
    shift = next(f for f in flags if f.rule == "intensity_shift")
    assert "for an extended period" in shift.old_text and "for some time" in shift.new_text
    assert shift.evidence["delta"] == -1
    # The headline (the rate cut: 4.25 → 4.00) is among the first five.
    top5 = flags[:5]
    assert any(f.rule == "number_change" and "4.00" in f.new_text for f in top5), [
        (f.rule, f.explanation[:60]) for f in top5]
    # The Committee naming itself is not an actor change, nor is Mr. Halloran (named in both).
    assert not any(f.rule == "actor_change" for f in flags), [f.explanation for f in flags if f.rule == "actor_change"]
    assert [f.score for f in flags] == sorted((f.score for f in flags), reverse=True)

    # Rule 2 on the same statements: a person named for the first time.
    text = new_path.read_text(encoding="utf-8").replace(
        "briefed the Committee on the housing market.",
        "briefed the Committee on the housing market. Ms. Orla Whitcombe, the new Deputy Governor "
        "for Markets, attended her first meeting.")
    changed = tmp_path / "2031-05-07_bank_of_arden_policy_statement.txt"
    changed.write_text(text, encoding="utf-8")
    flags = diff_files(old_path, changed, settings, hashing_encoder).flags
    person = [f for f in flags if f.rule == "actor_change" and "Orla Whitcombe" in f.explanation]
    assert person and person[0].evidence["name_kind"] == "proper name", [
        (f.rule, f.explanation) for f in flags if f.rule == "actor_change"]


def test_central_bank_ladders_up_and_down():
    for old, new, delta in [
        ("The Committee will closely monitor inflation.", "The Committee stands ready to act on inflation.", 2),
        ("The Committee will act decisively on inflation.", "The Committee will act gradually on inflation.", -2),
        ("Risks to the outlook are balanced.", "There are significant risks to the outlook.", 2),
    ]:
        shifts = [f for f in flags_for(old, new) if f.rule == "intensity_shift"]
        assert shifts and any(f.evidence["delta"] == delta for f in shifts), (old, new, [
            (f.explanation, f.evidence.get("delta")) for f in shifts])


def test_new_conduct_of_a_named_actor():
    """China named in both statements; its new behaviour (possessor of a novel
    phrase) is an actor change, a mere mention in new prose is not."""
    old = doc("We seek constructive and stable relations with China.",
              "We oppose economic coercion.")
    new = doc("We seek constructive and stable relations with China.",
              "We oppose economic coercion. We are concerned about China's rapid expansion of its "
              "long-range bomber fleet near our shores.")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    conduct = [f for f in flags if f.rule == "actor_change" and f.evidence.get("change") == "new conduct"]
    assert len(conduct) == 1 and conduct[0].evidence["actor"] == "China"
    assert conduct[0].new_text.startswith("China") and "bomber fleet" in conduct[0].new_text
    assert "china" in conduct[0].topics

    new2 = doc("We seek constructive and stable relations with China.",
               "We oppose economic coercion. We will hold talks with China and other partners next spring.")
    links = [link(old, [0], new2, [0], "unchanged"), link(old, [1], new2, [1])]
    flags = compute_flags(old, new2, links, tag_documents(old, new2, CONFIG), CONFIG)
    assert not any(f.evidence.get("change") == "new conduct" for f in flags)


def test_dropped_negation_escapes_the_per_link_decay():
    old = doc("We remain committed to dialogue with the DPRK with no preconditions. We will meet in Seoul.")
    new = doc("We remain committed to dialogue with the DPRK. We will convene the Ministerial Working Group "
              "on Sanctions Monitoring in Busan and strengthen missile warning data sharing in 2026.")
    flags = compute_flags(old, new, [link(old, [0], new, [0])], tag_documents(old, new, CONFIG), CONFIG)
    neg = next(f for f in flags if f.rule == "negation")
    assert "no preconditions" in neg.old_text
    assert "link_penalty" not in neg.evidence["score"]
    assert sum(1 for f in flags if f.link_id == neg.link_id) > 2


def test_support_and_oppose_of_different_things_is_no_reversal():
    # "supporting X" dropped and "opposing Y" added in the same passage are
    # two changes, not a reversal of one position.
    flags = flags_for("We note the behavior supporting the sanctions regime and the work of the panel.",
                      "We note the importance of opposing unlawful maritime claims in the region.")
    assert not [f for f in flags if "Polarity reversed" in f.explanation]


def test_participle_cue_is_not_a_stance():
    from driftlab.flags import _participle

    text = "the aggressive behavior supporting unlawful claims; the importance of opposing them; we continue supporting"
    assert _participle(text, text.index("supporting"), "supporting")
    assert not _participle(text, text.index("opposing"), "opposing")
    assert not _participle(text, text.rindex("supporting"), "supporting")


def test_conduct_counts_ordinary_words_not_names():
    from driftlab.flags import _ordinary_words

    assert _ordinary_words("status as a Permanent Member of the Security Council") == 1
    assert _ordinary_words("accelerating build-up of its nuclear arsenal") >= 4


# ------------------------------------------------------------------ QA defects (fast pins)

def test_modal_may_is_no_month_but_dates_still_count():
    flags = flags_for("The tariff will be reduced on 3 June.", "The tariff may be reduced on 3 June.")
    assert "number_change" not in rules(flags)
    flags = flags_for("The review ends on May 12, 2024.", "The review ends on June 30, 2024.")
    f = next(f for f in flags if f.rule == "number_change")
    assert f.evidence["old_numbers"] == ["May 12, 2024"] and f.evidence["new_numbers"] == ["June 30, 2024"]


def test_two_intensity_shifts_on_different_words_are_both_flagged():
    flags = flags_for(
        "They expressed concern about the shortage of supplies and called for unimpeded access.",
        "They expressed grave concern about the shortage of supplies and demanded unimpeded access.")
    shifts = [f for f in flags if f.rule == "intensity_shift"]
    assert sorted(f.evidence["ladder"] for f in shifts) == ["call", "concern"]
    # Overlapping ladders on the same words still make one flag.
    flags = flags_for("We expressed concern over the DPRK launches.", "We expressed grave concern over the DPRK launches.")
    assert sum(f.rule == "intensity_shift" for f in flags) == 1


def test_boilerplate_counts_and_names_are_no_number_change():
    old = "We commend the three countries for the training program and welcome the inaugural meeting."
    new = ("We commend our three countries for the Bio-5 coalition and welcome the first two iterations "
           "of the exercise and the Group of Seven statement.")
    assert "number_change" not in rules(flags_for(old, new))


def test_real_number_changes_still_fire():
    flags = flags_for("Japan will raise defense spending to one percent of GDP and provide EUR 40 billion.",
                      "Japan will raise defense spending to two percent of GDP and provide EUR 50 billion.")
    f = next(f for f in flags if f.rule == "number_change")
    assert set(f.evidence["new_numbers"]) == {"two percent", "EUR 50 billion"}  # the currency is part of the amount
    flags = flags_for("Our two countries will hold talks.", "Our three countries will hold talks.")
    assert any(f.rule == "number_change" and f.evidence["new_numbers"] == ["three"] for f in flags)


def test_flag_ids_do_not_depend_on_the_topics_config():
    old_text = "We expressed concern over arms transfers between the DPRK and Russia and will meet in 2025."
    new_text = "We expressed grave concern over arms transfers between the DPRK and Russia and will meet in 2026."
    default = flags_for(old_text, new_text)
    other = config_from_dict({"topics": [{"id": "arms", "name": "Arms", "terms": ["arms transfer~"], "weight": 2.0}]})
    edited = flags_for(old_text, new_text, config=other)
    word_rules = ("intensity_shift", "number_change")
    a = {(f.rule, f.id) for f in default if f.rule in word_rules}
    b = {(f.rule, f.id) for f in edited if f.rule in word_rules}
    assert a and a == b
    assert {f.topics for f in default if f.rule == "intensity_shift"} != {f.topics for f in edited
                                                                          if f.rule == "intensity_shift"}
    for flags in (default, edited):
        assert len({f.id for f in flags}) == len(flags)  # unique within a report


def test_negation_in_a_sentence_with_no_counterpart_is_demoted():
    old_text = "We will hold dialogue with the DPRK without preconditions. We support the youth summit in Busan."
    paired = flags_for(old_text, "We will hold dialogue with the DPRK. We support the youth summit in Busan.")
    f = next(f for f in paired if f.rule == "negation")
    assert "unpaired" not in f.evidence and f.evidence["score"]["size"] == 1.0
    unpaired = flags_for("We support the youth summit in Busan.",
                         "We support the youth summit in Busan. A world without nuclear weapons is our goal.")
    g = next(f for f in unpaired if f.rule == "negation")
    assert "unpaired" in g.evidence and g.evidence["sentence_similarity"] < 0.2
    assert g.score < f.score


def _partial_doc(*paragraphs: str) -> Document:
    return segment(parse_text("---\npartial: true\n---\n" + "\n\n".join(paragraphs), path="excerpt.txt"))


def test_partial_statements_suppress_statement_level_flags_and_demote_passages():
    opening = "We, the ministers, met in Seoul to advance our cooperation."
    extra = "We strongly condemn Russia's war of aggression against Ukraine and stand with Kyiv."
    full_old, full_new = doc(opening), doc(opening, extra)
    links = [link(full_old, [0], full_new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=0.9)]

    def run(old, new, links):
        return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)

    complete = run(full_old, full_new, links)
    assert {"topic_added", "passage_added"} <= set(rules(complete))
    assert any(f.rule == "actor_change" and f.evidence.get("scope") == ["statement"] for f in complete)

    # Old side is only an opening: the Ukraine passage may be beyond the excerpt.
    excerpt_old = _partial_doc(opening)
    flags = run(excerpt_old, full_new, links)
    assert "topic_added" not in rules(flags)
    assert not any(f.rule == "actor_change" and "first time" in f.explanation for f in flags)
    added = next(f for f in flags if f.rule == "passage_added")
    before = next(f for f in complete if f.rule == "passage_added")
    assert "partial" in added.evidence and added.score < before.score and added.id == before.id

    # New side is only an opening: the same passage, dropped, is demoted likewise.
    excerpt_new = _partial_doc(opening)
    back = [link(full_new, [0], excerpt_new, [0], "unchanged"), Link(old=(1,), new=(), type="dropped", confidence=0.9)]
    flags = run(full_new, excerpt_new, back)
    assert "topic_dropped" not in rules(flags)
    assert not any(f.rule == "actor_change" and "no longer named" in f.explanation for f in flags)
    dropped = next(f for f in flags if f.rule == "passage_dropped")
    assert "partial" in dropped.evidence


# ------------------------------------------------------------------ precision at the top

def test_a_status_or_title_is_no_new_conduct():
    """'Russia's status as a Permanent Member' names what Russia holds; its
    'transfers of drones' are something it does."""
    old = doc("We discussed Russia at length.", "We oppose unilateral changes.")
    status = doc("We discussed Russia at length.",
                 "We oppose unilateral changes. Russia's status as a Permanent Member of the Council carries "
                 "special weight in upholding resolutions everywhere.")
    links = [link(old, [0], status, [0], "unchanged"), link(old, [1], status, [1])]
    flags = compute_flags(old, status, links, tag_documents(old, status, CONFIG), CONFIG)
    assert not any(f.evidence.get("change") == "new conduct" for f in flags)

    conduct = doc("We discussed Russia at length.",
                  "We oppose unilateral changes. Russia's transfers of attack drones to armed groups "
                  "threaten regional stability everywhere.")
    links = [link(old, [0], conduct, [0], "unchanged"), link(old, [1], conduct, [1])]
    flags = compute_flags(old, conduct, links, tag_documents(old, conduct, CONFIG), CONFIG)
    assert any(f.evidence.get("change") == "new conduct" and f.evidence["actor"] == "Russia" for f in flags)


def test_topics_carry_forward_to_untagged_sentences_never_backward():
    old = doc("We met in Springfield. We reaffirm the importance of human rights.")
    new = doc("We gathered by the lakeside to celebrate our friendship and shared heritage. We reaffirm the "
              "importance of human rights. This commitment guides our partnership and daily work.")
    flags = flags_for(old.statement.text, new.statement.text)
    wording = {f.new_text.split()[0]: f for f in flags if f.rule == "new_wording"}
    assert "human_rights" not in wording["We"].topics  # the opening sentence names no topic
    assert "human_rights" in wording["This"].topics  # the sentence after a tagged one carries it on


def test_opening_formula_naming_the_parties_ranks_low():
    header = '---\ntitle: "Joint Statement"\nparties: "Arden; Borland (leaders: Calder, Dunmore; Eastport)"\n---\n'
    old = segment(parse_text(header + "We, the leaders of Arden and Borland, met in Westport.\n\n"
                             "We oppose missile launches.", path="old.txt"))
    new = segment(parse_text(header + "We, the leaders Calder and Dunmore, convened in Eastport to celebrate "
                             "remarkable progress since our historic summit.\n\n"
                             "We oppose missile launches.", path="new.txt"))
    links = [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    f = next(f for f in flags if f.rule == "new_wording")
    assert "formula" in f.evidence and f.evidence["score"]["size"] == 0.5


def test_intensity_on_different_matters_is_no_shift():
    flags = flags_for(
        "We express opposition to Russia's unjust war against Ukraine. We welcome the new port.",
        "We express strong opposition to any attempts to change the status quo by coercion. We welcome the new port.",
    )
    assert "intensity_shift" not in rules(flags)
    # The same matter still shifts.
    flags = flags_for("We express opposition to the unjust war against Ukraine, which harms many.",
                      "We express strong opposition to the unjust war against Ukraine, now in its third year.")
    assert "intensity_shift" in rules(flags)


def test_modality_flags_do_not_mix_sentences():
    flags = flags_for(
        "Ships could transit the strait safely. Ports should open to trade.",
        "Ships transit the strait safely. Ports open to trade. We steadfastly back the fishing communities.",
    )
    mods = [f for f in flags if f.rule == "modality"]
    for f in mods:
        words = set(f.evidence["added"]) | set(f.evidence["removed"])
        assert not ({"could", "should"} <= words), f.explanation  # one sentence's cue per flag
        assert not ("steadfastly" in words and words & {"could", "should"}), f.explanation
    assert any("could" in f.evidence["removed"] for f in mods)


def test_not_only_is_no_negation():
    flags = flags_for("The programme is a threat not only to the region but also to the world.",
                      "The programme is a threat to the region and to the world, and it grows.")
    assert "negation" not in rules(flags)


def _unlinked(old_paras: list[str], new_paras: list[str]):
    """Statements sharing their first paragraph; the rest dropped / added."""
    old, new = doc(*old_paras), doc(*new_paras)
    links = [link(old, [0], new, [0], "unchanged")]
    links += [Link(old=(i,), new=(), type="dropped", confidence=0.0, opcodes=()) for i in range(1, len(old_paras))]
    links += [Link(old=(), new=(i,), type="added", confidence=0.0, opcodes=()) for i in range(1, len(new_paras))]
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


def test_statement_wide_rung_must_sit_near_the_topics_words():
    shared = "We met in the capital to review our cooperation on trade and ports."
    # "strong condemnation" bears on the seized plant; "abduction" (a human-rights
    # term) comes a dozen words later, in the list of what was done there.
    flags = _unlinked(
        [shared, "We reiterate our strong condemnation of the regime's continued seizure and militarisation "
                 "of the northern river power plant at Westford, the abduction of its staff."],
        [shared, "We voice our concerns about the human rights situation in the northern provinces."])
    assert not [f for f in flags if f.rule == "intensity_shift" and "human_rights" in f.topics]
    # A rung next to the topic's words still counts across the statement.
    flags = _unlinked(
        [shared, "We voice concern about the human rights situation in the northern provinces."],
        [shared, "We voice our strong condemnation of the human rights abuses in the northern provinces."])
    f = next(f for f in flags if f.rule == "intensity_shift" and "human_rights" in f.topics)
    assert f.evidence["scope"] == "statement" and f.evidence["delta"] > 0


def test_demands_on_different_parties_are_no_intensity_shift():
    flags = flags_for(
        "The Leaders urge the DPRK to abide by its obligations under the resolutions and refrain from launches.",
        "We call on all UN Member States to fully abide by their obligations under the resolutions.",
    )
    assert "intensity_shift" not in rules(flags)
    # The same party, asked less firmly, is a shift.
    flags = flags_for("We urge the DPRK to abide by its obligations under the resolutions.",
                      "We call on the DPRK to abide by its obligations under the resolutions.")
    f = next(f for f in flags if f.rule == "intensity_shift")
    assert f.evidence["ladder"] == "call" and f.evidence["delta"] < 0


def test_flags_quoting_one_sentence_merge_into_one():
    flags = _unlinked(
        ["We discussed trade and ports at length in the capital."],
        ["We discussed trade and ports at length in the capital.",
         "We condemn the terror attacks by Hamas on Israel and call for the release of all hostages in Gaza."])
    group = [f for f in flags if f.rule in ("topic_added", "passage_added", "actor_change")
             and "Hamas" in (f.new_text + f.explanation)]
    primaries = [f for f in group if "repeat_of" not in f.evidence]
    assert len(group) >= 2 and len(primaries) == 1, [(f.rule, f.explanation) for f in group]
    primary = primaries[0]
    assert {a["id"] for a in primary.evidence["also"]} == {f.id for f in group if f is not primary}
    assert all(f.evidence["repeat_of"] == primary.id and f.score < primary.score for f in group if f is not primary)
    assert primary.score == max(f.evidence["score"].get("taken_from_repeat", f.score) for f in group)
    # Distinct shifts are never merged: only one top flag per sentence among these rules.
    top = [f for f in flags if "repeat_of" not in f.evidence and f.rule in ("topic_added", "actor_change")]
    assert len([f for f in top if "Hamas" in f.new_text]) == 1


def test_person_opening_a_new_passage_takes_its_topics():
    flags = _unlinked(
        ["We discussed trade and ports at length in the capital."],
        ["We discussed trade and ports at length in the capital.",
         "We pay tribute to the courage of Aleksander Vorontsky. We call for the release of all political "
         "prisoners and an end to human rights abuses."])
    f = next(f for f in flags if f.rule == "actor_change" and f.evidence.get("actor") == "Aleksander Vorontsky")
    assert "human_rights" in f.topics


def test_sentence_initial_function_word_and_headings_are_no_names():
    flags = _unlinked(
        ["We discussed trade and ports at length in the capital."],
        ["We discussed trade and ports at length in the capital.", "Northern Shelf",
         "In April 2024 our ministers agreed on the Westford Fisheries Compact."])
    names = {f.evidence.get("actor") for f in flags if f.evidence.get("change") == "new name"}
    assert "Westford Fisheries Compact" in names
    assert not {n for n in names if n and (n.startswith("In ") or n == "Northern Shelf")}, names


# ------------------------------------------------------------------ new wording: what it quotes and how it weighs
# (mutation testing, issue 12: each test pins what the analyst reads in the
# flag — its quote, its evidence, its size — so a changed rule shows.)

def _one(flags, rule: str):
    found = [f for f in flags if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.explanation) for f in flags]
    return found[0]


def _size(flag) -> float:
    return flag.evidence["score"]["size"]


TRADE = "We discussed the trade agenda."


@pytest.mark.parametrize("added, novel, size", [
    # Plain prose: 0.5 + novel words / 10 (five words: 0.5 more).
    ("and agreed to widen the corridor for overnight lending", ["agreed", "widen", "corridor", "overnight", "lending"],
     1.0),
    # A year sets a deadline: + 0.25 (0.5 + 0.5 + 0.25).
    ("and agreed to review fishing quotas by 2027", ["agreed", "review", "fishing", "quotas", "2027"], 1.25),
    # A figure alone (no year, no date) counts as much: 0.5 + 0.6 + 0.25.
    ("and agreed to cut fishing quotas by ten percent", ["agreed", "cut", "fishing", "quotas", "ten", "percent"], 1.35),
    # A topic term ("ballistic missile"), no name: + 0.5 (0.5 + 0.3 + 0.5).
    ("and the ballistic missile launches", ["ballistic", "missile", "launches"], 1.3),
    # A two-word name, no topic term: + 0.5 as well.
    ("and the Westford Compact on quotas", ["westford", "compact", "quotas"], 1.3),
    # One capitalised word is no full name: nothing more (0.5 + 0.4).
    ("and agreed to meet again in Westford soon", ["agreed", "meet", "westford", "soon"], 0.9),
    # Ten novel words or more: the length part stops at 1.0.
    ("and agreed to widen the corridor for overnight lending, review reserve ratios, publish minutes promptly",
     ["agreed", "widen", "corridor", "overnight", "lending", "review", "reserve", "ratios", "publish", "minutes",
      "promptly"], 1.5),
])
def test_new_wording_size_counts_novel_words_names_and_figures(added, novel, size):
    f = _one([f for f in flags_for(TRADE, TRADE[:-1] + " " + added + ".") if "repeat_of" not in f.evidence
              or f.rule == "new_wording"], "new_wording")
    assert f.new_text == added
    assert f.evidence["novel_words"] == novel
    assert _size(f) == size
    assert f.explanation.startswith("New wording") and f"not in the old statement: '{added[:80]}" in f.explanation


def test_new_wording_lists_at_most_thirty_novel_words():
    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
             "quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basalt cobalt dolomite "
             "ember flint").split()
    f = _one(flags_for(TRADE, "We discussed the trade agenda and " + " ".join(words) + "."), "new_wording")
    assert f.evidence["novel_words"] == words[:30]  # 32 novel words, 30 listed
    assert _size(f) == 1.5


def test_new_wording_quotes_only_the_old_words_it_replaced():
    """Two replacements: 'fishing council' → new wording, 'dinner' → 'trade
    agenda' (carried over from the first sentence, so no new wording). The
    flag's old side quotes what the new wording replaced, not the other."""
    f = _one(flags_for("We discussed the trade agenda with the fishing council. We thanked the hosts for the dinner.",
                       "We discussed the trade agenda with the harbour pilots guild. We thanked the hosts for the "
                       "trade agenda."), "new_wording")
    assert (f.old_text, f.new_text) == ("fishing council", "with the harbour pilots guild")
    assert f.evidence["novel_words"] == ["harbor", "pilots", "guild"]  # folded: harbour = harbor
    # Two replacements in one sentence, each in a novel run: both old spans,
    # whitespace collapsed, and both new runs, joined by an ellipsis.
    f = _one(flags_for("We discussed the trade agenda with partners from the region at the annual meeting in the "
                       "capital.",
                       "We discussed the shipping agenda with partners from the region at the annual meeting on "
                       "fishing quotas."), "new_wording")
    assert (f.old_text, f.new_text) == ("trade … in the capital", "We discussed the shipping … on fishing quotas")
    # An insertion ("urgently") has no old words: only the replaced ones are quoted.
    f = _one(flags_for("We discussed the trade agenda with partners from the region at the annual meeting in the "
                       "capital.",
                       "We urgently discussed the trade agenda with partners from the region at the annual meeting "
                       "on fishing quotas."), "new_wording")
    assert (f.old_text, f.new_text) == ("in the capital", "We urgently … on fishing quotas")


def test_a_deletion_alone_is_no_new_wording():
    # "brave" deleted: the words left ("support firefighters") form a pair the
    # old statement lacked, but nothing was written: no new wording.
    assert flags_for("We support brave firefighters.", "We support firefighters.") == ()


def test_release_and_date_lines_are_no_new_wording_but_what_follows_is():
    # A release line paragraph (short, "For immediate release"): every
    # sentence of it is metadata, even one that is not on its own.
    assert flags_for("For immediate release. Statement by the Board.",
                     "For immediate release. Statement by the Committee on rates.") == ()
    # A date line opening the paragraph is skipped; the changed sentence after it is not.
    f = _one(flags_for("November 5, 2024. The Committee kept rates steady.",
                       "November 6, 2024. The Committee kept rates steady and widened the corridor for overnight "
                       "lending."), "new_wording")
    assert f.new_text == "and widened the corridor for overnight lending"


def test_a_changed_sentence_of_carried_words_does_not_hide_the_next_one():
    """The first sentence changes, but only into words the old statement has
    ('the new port', 'Seoul'): no new wording there. The second sentence's
    new words are flagged all the same."""
    old = doc("We met in Seoul. We discussed fishing quotas.", "We welcome the new port.")
    new = doc("We welcome the new port in Seoul. We discussed fishing quotas and deep sea mining licences.",
              "We welcome the new port.")
    links = [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")]
    f = _one(compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG), "new_wording")
    assert f.new_text == "and deep sea mining licences" and f.old == (0,) and f.new == (0,)


def test_only_the_formula_sentence_of_an_opening_paragraph_ranks_as_formula():
    """The opening sentence names the leaders (a formula); the sentence after
    it in the same paragraph is policy and keeps its full size."""
    header = '---\ntitle: "Joint Statement"\nparties: "Arden; Borland (leaders: Calder, Dunmore; Eastport)"\n---\n'
    opening = "We, the leaders Calder and Dunmore, met in Eastport."
    old = segment(parse_text(header + opening + " We agreed on fishing quotas.", path="old.txt"))
    new = segment(parse_text(header + opening + " We agreed on fishing quotas and deep sea mining licences.",
                             path="new.txt"))
    flags = compute_flags(old, new, [link(old, [0], new, [0])], tag_documents(old, new, CONFIG), CONFIG)
    f = _one(flags, "new_wording")
    assert "formula" not in f.evidence and _size(f) == 0.9
    # The formula itself, reworded, says why it sits at the bottom.
    new = segment(parse_text(header + "We, the leaders Calder and Dunmore, convened in Eastport to celebrate "
                             "remarkable progress. We agreed on fishing quotas.", path="new.txt"))
    flags = compute_flags(old, new, [link(old, [0], new, [0])], tag_documents(old, new, CONFIG), CONFIG)
    f = _one(flags, "new_wording")
    assert f.evidence["formula"] == "opening or closing sentence naming the statement's own parties or leaders"


def test_new_name_and_its_new_wording_merge_into_one_flag():
    """'the Westford Fisheries Compact' is a new name and new wording of one
    sentence: one primary (the name), the wording kept as its repeat."""
    flags = flags_for(TRADE, "We discussed the trade agenda and the Westford Fisheries Compact.")
    name, wording = _one(flags, "actor_change"), _one(flags, "new_wording")
    assert [a["id"] for a in name.evidence["also"]] == [wording.id]
    assert wording.evidence["repeat_of"] == name.id and wording.evidence["score"]["repeat_demotion"] == 0.5


# ------------------------------------------------------------------ number_change: which numbers, quoted how

def _numbers(old: str, new: str) -> list[tuple]:
    return [(f.evidence["old_numbers"], f.evidence["new_numbers"], f.old_text, f.new_text, f.explanation, _size(f))
            for f in flags_for(old, new) if f.rule == "number_change"]


@pytest.mark.parametrize("old, new, expected", [
    # Figures only on the old side: each quoted in its own words, the new side a dash.
    ("The ministers will review 12 projects of the partnership, and 40 schools.",
     "The ministers will review the projects of the partnership, and the schools.",
     (["12", "40"], [], "12 … and 40 schools", "", "Numbers changed: '12, 40' → '—'", 1.0)),
    # …and on the new side only.
    ("The ministers will review the projects of the partnership, and the schools.",
     "The ministers will review 12 projects of the partnership, and 40 schools.",
     ([], ["12", "40"], "", "12 … and 40 schools", "Numbers changed: '—' → '12, 40'", 1.0)),
    # Only on the new side: the old side quotes its counterpart sentence's own words.
    ("The ministers will review the projects of the partnership soon.",
     "The ministers will review the 15 projects of the partnership.",
     ([], ["15"], "soon", "the 15", "Numbers changed: '—' → '15'", 1.0)),
    # A single digit is a number like any other.
    ("The ministers will fund 5 projects.", "The ministers will fund 6 projects.",
     (["5"], ["6"], "5 projects", "6 projects", "Numbers changed: '5' → '6'", 1.0)),
    # An amount or share weighs more (size 1.7) than a count of projects (1.0).
    ("Japan will raise defense spending to one percent of GDP.",
     "Japan will raise defense spending to two percent of GDP.",
     (["one percent"], ["two percent"], "to one percent", "to two percent",
      "Numbers changed on Defence and deterrence: 'one percent' → 'two percent'", 1.7)),
])
def test_number_change_quotes_and_explains_the_numbers(old, new, expected):
    assert _numbers(old, new) == [expected]


TWELVE = "The ministers will review the 12 projects."
FIFTEEN = (["12"], ["15"], "the 12 projects", "the 15 projects", "Numbers changed: '12' → '15'", 1.0)


@pytest.mark.parametrize("before_old, before_new", [
    # A year before it, unchanged: the changed count after it is still read.
    ("In 2025 the", "In 2025 the"),
    # A list number opening the sentence ("4." or "(4)") is numbering, renumbered or not.
    ("4. The", "5. The"),
    ("(4) The", "(5) The"),
    # A number inside a name ("Bio-5", glued by a hyphen) is no quantity.
    ("Bio-4 partners and the", "Bio-5 partners and the"),
    ("The 5-Nation partners and the", "The 6-Nation partners and the"),
])
def test_numbers_that_are_no_quantity_leave_the_real_change_alone(before_old, before_new):
    old, new = (TWELVE.replace("The", before_old, 1), TWELVE.replace("The", before_new, 1).replace("12", "15"))
    assert _numbers(old, new) == [FIFTEEN]


def test_spelled_numbers_inside_names_and_carried_counts_are_left_out():
    # "Group of Five" / "Group of Seven" are names; the count of countries changed.
    assert [n[:2] for n in _numbers("Our two countries and the Group of Five met.",
                                    "Our three countries and the Group of Seven met.")] == [(["two"], ["three"])]
    # "three countries" is carried over from the first paragraph (same word
    # after the count); "two agencies" → "three agencies" is the change.
    old = doc("Our three countries share values.", "The two agencies met in Lima.")
    new = doc("Our three countries share values.", "The three agencies met in Lima with three countries.")
    flags = compute_flags(old, new, [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])],
                          tag_documents(old, new, CONFIG), CONFIG)
    (f,) = [f for f in flags if f.rule == "number_change"]
    assert (f.evidence["old_numbers"], f.evidence["new_numbers"]) == (["two"], ["three"])
    # It is placed in the paragraph where it changed (¶2 is index 1).
    assert (f.old, f.new) == ((1,), (1,))
    # The carried count read first does not hide the changed one after it.
    new = doc("Our three countries share values.", "With our three countries, the three agencies met in Lima.")
    flags = compute_flags(old, new, [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])],
                          tag_documents(old, new, CONFIG), CONFIG)
    assert [(f.evidence["old_numbers"], f.evidence["new_numbers"]) for f in flags if f.rule == "number_change"] == [
        (["two"], ["three"])]


def test_a_number_is_carried_over_by_the_word_before_it_not_by_a_function_word_after_it():
    # "paragraph 12" is in the old statement: the same reference, no number change.
    assert _numbers("We recall paragraph 12 of the resolution. The ministers reviewed the projects.",
                    "We recall paragraph 12 of the resolution. The ministers reviewed the projects in paragraph 12 "
                    "and the annex.") == []
    # "12 of" is in the old statement too, but "of" says nothing of what the
    # 12 counts: "approved 12 of the loans" is a new number.
    assert [n[:2] for n in _numbers("We reviewed 12 of the projects. The ministers approved the loans.",
                                    "We reviewed 12 of the projects. The ministers approved 12 of the loans.")
            ] == [([], ["12"])]


def test_a_year_is_compared_only_after_the_same_word():
    # "meet in 2025" → "report in 2026": two different events, not a date moved.
    assert _numbers("The ministers meet in 2025.", "The ministers report in 2026.") == []
    # An event whose year is unrelated to the next sentence's change does not hide it.
    assert _numbers("The meeting was held in 2024. " + TWELVE,
                    "The meeting took place in 2025. " + TWELVE.replace("12", "15")) == [FIFTEEN]


def test_numbers_changed_in_two_sentences_make_two_flags():
    assert [n[:2] for n in _numbers("We will fund 12 projects. We will train 40 nurses.",
                                    "We will fund 15 projects. We will train 45 nurses.")] == [
        (["12"], ["15"]), (["40"], ["45"])]


def test_a_figure_carried_inside_a_rewritten_sentence_is_not_part_of_the_change():
    # The diff replaces the whole sentence, "5%" included; it is the same on
    # both sides, so only the count that changed is reported.
    assert _numbers("Officials fund 12 projects 5% across villages.", "Leaders build 15 schools 5% within towns.") == [
        (["12"], ["15"], "Officials fund 12 projects 5% across villages", "Leaders build 15 schools 5% within towns",
         "Numbers changed: '12' → '15'", 1.0)]


def test_a_number_moved_within_the_passage_is_no_change():
    # The passage holds the same numbers before and after (the module
    # docstring: a word that merely moved within the passage does not fire).
    assert _numbers("We will fund 12 projects. We will train nurses.",
                    "We will fund projects. We will train 12 nurses.") == []


def test_release_line_numbers_are_metadata():
    assert _numbers("For release at 2:00 p.m. EDT. The Committee met 8 times.",
                    "For release at 2:00 p.m. EDT. The Committee met 9 times.") == []
    # A date line opening a longer paragraph is skipped, the count after it is not.
    assert [n[:2] for n in _numbers("November 6, 2024. The Committee met 8 times.",
                                    "November 7, 2024. The Committee met 9 times.")] == [(["8"], ["9"])]


def test_number_change_points_at_its_link_and_paragraph():
    old = doc("We met in Lima.", "The ministers will review the 12 projects. We will fund the programme.")
    new = doc("We met in Lima.", "The ministers will review the 15 projects. We will fund the programme.")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])]
    (f,) = [f for f in compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
            if f.rule == "number_change"]
    assert (f.old, f.new, f.link_id) == ((1,), (1,), links[1].id)


# ------------------------------------------------------------------ ids are a contract

def test_flag_ids_are_pinned_across_versions():
    """A review decision is stored against a flag id (``content_id("flag",
    rule, key, folded old_text, folded new_text)``). A change to a rule's key
    or to its quotes changes the id and silently orphans every decision a
    user stored with an earlier version: these literal ids must only change
    together with a migration of stored decisions (and this list).

    One scenario per family of keys: per-link intensity, polarity and cue
    negation, modality, numbers, new wording, actors named / no longer named
    / new names / new conduct, passages and topics, added and dropped
    figures, the statement-wide intensity."""
    def ids(flags):
        return {(f.rule, f.id) for f in flags}

    a = ids(flags_for(
        "We expressed concern over the launches by the DPRK and may meet in 2025 to review our two projects. "
        "We support the treaty.",
        "We expressed grave concern over the launches by the DPRK and Russia and will not meet in 2026 to review "
        "our three projects. We oppose the treaty."))
    assert a == {("intensity_shift", "5ebee3a2c283"), ("negation", "8be5543877d1"), ("actor_change", "1e59acea6d3c"),
                 ("negation", "32bcc8a2408a"), ("topic_added", "89d035fa1bb5"), ("new_wording", "ad26a1c0dc59"),
                 ("number_change", "203726d077a0"), ("modality", "53a3061abe2f"), ("new_wording", "69d6022a38cb")}
    b = ids(_unlinked(
        ["We discussed trade and ports at length in the capital.",
         "We are concerned about the situation in Gaza and the Westford Compact."],
        ["We discussed trade and ports at length in the capital.",
         "We emphasize the importance of peace and stability across the Taiwan Strait and pledge EUR 50 billion to "
         "the Arden Fisheries Board."]))
    assert b == {("number_change", "83b8bb5c8f72"), ("actor_change", "64489189fb88"), ("topic_dropped", "764d581759d4"),
                 ("topic_added", "38b56be57a9f"), ("actor_change", "81f19e31e308"),
                 ("passage_dropped", "83b4f2342c11"), ("passage_added", "1817d2693e7d")}
    old = doc("We seek constructive and stable relations with China.", "We oppose economic coercion.")
    new = doc("We seek constructive and stable relations with China.",
              "We oppose economic coercion. We are concerned about China's rapid expansion of its long-range bomber "
              "fleet near our shores.")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])]
    c = ids(compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG))
    assert c == {("actor_change", "0edad72f61d6"), ("new_wording", "830c3a9e74a4"), ("actor_change", "09431326bd3a")}
    d = ids(_unlinked(
        ["We met in the capital to review our cooperation on trade and ports.",
         "We voice concern about the human rights situation in the northern provinces."],
        ["We met in the capital to review our cooperation on trade and ports.",
         "We voice our strong condemnation of the human rights abuses in the northern provinces."]))
    assert d == {("intensity_shift", "5d7c6cfc5520"), ("passage_added", "87a2006362f4"),
                 ("passage_dropped", "21921a733b89")}
    e = ids(flags_for("We oppose the dangerous behavior of the People's Republic of China in the waters of the region.",
                      "We oppose dangerous behavior in the waters of the region."))
    assert e == {("actor_change", "679343df7466")}
    f = ids(_unlinked(
        ["We discussed trade and ports at length in the capital.",
         "We condemn Russia and pledge EUR 40 billion to the reconstruction fund."],
        ["We discussed trade and ports at length in the capital."]))
    assert f == {("number_change", "549a86f861ae"), ("actor_change", "7f243bf53ec4"), ("passage_dropped", "3f8cdbce202d")}


# ------------------------------------------------------------------ modality and negation: what the analyst reads

def _cue_flags(old: str, new: str) -> list[tuple]:
    return [(f.rule, f.explanation, f.old_text, f.new_text, _size(f),
             {k: v for k, v in f.evidence.items() if k != "score"})
            for f in flags_for(old, new) if f.rule in ("modality", "negation")]


UNPAIRED_MODALITY = "the sentence has no counterpart on the other side: added or dropped, not hedged"
UNPAIRED_NEGATION = ("the sentence shares under 20% of its content words with any sentence on the other side: "
                     "added or dropped, not negated")
BUSAN = "We support the youth summit in Busan."


@pytest.mark.parametrize("old, new, expected", [
    # "may" → "will": firmer, full size; the hit side quotes the words around the cue.
    ("The partners may expand the exercise programme next spring.",
     "The partners will expand the exercise programme next spring.",
     ("modality", "Modality firmer: 'may' → 'will'", "The partners may",
      "The partners will expand the exercise programme next", 1.0,
      {"direction": "firmer", "added": ["will"], "removed": ["may"], "sentence_similarity": 0.857})),
    # A qualifier only ("are" → "remain"): neither firmer nor softer, size 0.7.
    ("We are committed to the dialogue with our neighbours.", "We remain committed to the dialogue with our neighbours.",
     ("modality", "Modality qualifiers changed on Institutions of the partnership: '—' → 'remain'", "", "We remain",
      0.7, {"direction": "qualifiers changed", "added": ["remain"], "removed": [], "sentence_similarity": 0.75})),
    # A cue arriving with a wholly new sentence hedges nothing that was said:
    # "added with its sentence", half size, no counterpart quoted.
    (BUSAN, BUSAN + " The partners will expand the fishing fleet.",
     ("modality", "Modality cue added with its sentence on People-to-people ties: 'will'", "",
      "The partners will expand the fishing fleet", 0.5,
      {"direction": "added", "added": ["will"], "removed": [], "sentence_similarity": 0.0,
       "unpaired": UNPAIRED_MODALITY})),
    # …and leaving with its sentence is "dropped", never "firmer".
    (BUSAN + " The partners could expand the fishing fleet.", BUSAN,
     ("modality", "Modality cue dropped with its sentence on People-to-people ties: 'could'",
      "The partners could expand the fishing fleet", "", 0.5,
      {"direction": "dropped", "added": [], "removed": ["could"], "sentence_similarity": 0.0,
       "unpaired": UNPAIRED_MODALITY})),
    # A negation dropped from a sentence that stays: "removed", full size.
    ("We will hold dialogue with the DPRK without preconditions.", "We will hold dialogue with the DPRK.",
     ("negation", "Negation removed on DPRK nuclear and missile programmes; Institutions of the partnership: "
                  "'without'", "with the DPRK without preconditions", "", 1.0,
      {"added": [], "removed": ["without"], "sentence_similarity": 0.6})),
    # One negation for another: "changed", both words listed.
    ("We will never accept the annexation of the region.", "We will not accept the annexation of the region.",
     ("negation", "Negation changed: 'never, not'", "We will never", "We will not accept the annexation of the region.",
      1.0, {"added": ["not"], "removed": ["never"], "sentence_similarity": 0.75})),
    # A negation arriving or leaving with its whole sentence reverses nothing: half size.
    (BUSAN, BUSAN + " A world without nuclear weapons is our goal.",
     ("negation", "Negation added with its sentence on People-to-people ties: 'without'", "",
      "A world without nuclear weapons is our goal", 0.5,
      {"added": ["without"], "removed": [], "sentence_similarity": 0.0, "unpaired": UNPAIRED_NEGATION})),
    (BUSAN + " A world without nuclear weapons is our goal.", BUSAN,
     ("negation", "Negation dropped with its sentence on People-to-people ties: 'without'",
      "A world without nuclear weapons is our goal", "", 0.5,
      {"added": [], "removed": ["without"], "sentence_similarity": 0.0, "unpaired": UNPAIRED_NEGATION})),
    # Support → oppose of the same thing: a reversal, the largest negation (1.5).
    ("We support the resolution on maritime safety.", "We oppose the resolution on maritime safety.",
     ("negation", "Polarity reversed: 'support' → 'oppose'", "We support", "We oppose", 1.5,
      {"old_words": "support", "new_words": "oppose"})),
    # "continue supporting" is still the speaker's own stance (an aspect verb, not a noun, before the -ing).
    ("We continue supporting the resolution on maritime safety.",
     "We continue opposing the resolution on maritime safety.",
     ("negation", "Polarity reversed: 'supporting' → 'opposing'", "We continue supporting", "We continue opposing",
      1.5, {"old_words": "supporting", "new_words": "opposing"})),
])
def test_modality_and_negation_flags_read_as_expected(old, new, expected):
    assert _cue_flags(old, new) == [expected]


def test_not_only_dropped_is_no_negation_removed():
    # The lost side's "not only … but also" negated nothing either.
    assert _cue_flags("The programme is a threat not only to the region but also to the world, and it grows.",
                      "The programme is a threat to the region and to the world, and it grows.") == []


def test_a_reversal_needs_the_lost_cue_in_the_paired_sentence():
    # "support" (old sentence 1) and "oppose" (new sentence 2, paired with
    # old sentence 2 "We note the new report…"): two changes, no reversal.
    flags = _cue_flags("We support the resolution. We note the new report on maritime safety.",
                       "We note the report. We oppose the new resolution on maritime safety.")
    assert not [f for f in flags if f[1].startswith("Polarity")]


# ------------------------------------------------------------------ ranking: repeats, decay, duplicates, partial statements

def test_a_topic_added_across_sentences_leads_the_flags_repeating_it():
    """A new passage on the Middle East, two sentences: the topic flag quotes
    both, so it is the primary (it says more than any one sentence). It takes
    the group's best score (Hamas named for the first time, 1.17), names that
    fact without its long quote, and the repeats keep half their score."""
    flags = _unlinked(
        ["We discussed trade and ports at length in the capital."],
        ["We discussed trade and ports at length in the capital.",
         "We condemn the terror attacks by Hamas on the civilians of the southern towns last autumn. "
         "We call for the release of all hostages in Gaza."])
    assert [(f.rule, f.score, f.explanation) for f in flags] == [
        ("topic_added", 1.17, "Topic added to the statement: The Middle East (1 passage) — also: Hamas named for the "
                              "first time in the statement"),
        ("actor_change", 0.585, "Hamas named for the first time in the statement: 'We condemn the terror attacks by "
                                "Hamas on the civilians of the southern towns last autumn'"),
        ("passage_added", 0.3225, "New passage on The Middle East: 'We condemn the terror attacks by Hamas on the "
                                  "civilians of the southern towns last autumn'"),
        ("actor_change", 0.252, "New name on The Middle East, not in the old statement: 'Gaza'"),
    ]
    primary, *repeats = flags
    assert primary.evidence["score"]["taken_from_repeat"] == 1.17
    assert [a["id"] for a in primary.evidence["also"]] == [f.id for f in repeats]
    assert [a["rule"] for a in primary.evidence["also"]] == ["actor_change", "passage_added", "actor_change"]
    for f in repeats:
        assert f.evidence["repeat_of"] == primary.id and f.evidence["score"]["repeat_demotion"] == 0.5
    assert all(f.topics == ("middle_east",) for f in flags)


def test_the_same_shift_in_two_passages_is_one_flag_listing_both():
    # Two identical paragraphs edited alike: one intensity flag (one id), the
    # second passage recorded in evidence["also_at"].
    old = doc("We expressed concern over the port.", "We expressed concern over the port.")
    new = doc("We expressed grave concern over the port.", "We expressed grave concern over the port.")
    links = [link(old, [0], new, [0]), link(old, [1], new, [1])]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    (shift,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (shift.old, shift.new) == ((0,), (0,))
    assert shift.evidence["also_at"] == [{"old": [1], "new": [1]}]
    assert len({f.id for f in flags}) == len(flags)


def test_each_further_flag_of_a_link_keeps_four_fifths_of_the_score_before():
    """One link raising an intensity shift, an actor, a negation and new
    wording: the negation is exempt and the statement-level actor too; the
    link's other flags are ranked and decayed 1, 0.8, 0.64."""
    flags = flags_for(
        "We expressed concern over the DPRK missile launches and remain committed to dialogue with the DPRK with "
        "no preconditions. We will meet in Seoul.",
        "We expressed grave concern over the DPRK missile launches and remain committed to dialogue with the DPRK. "
        "We will meet in Seoul in 2026 with Russia.")
    got = [(f.rule, f.evidence["score"].get("link_rank"), f.evidence["score"].get("link_penalty")) for f in flags]
    assert got == [("intensity_shift", None, None), ("actor_change", None, None), ("negation", None, None),
                   ("new_wording", 3, 0.64), ("new_wording", 2, 0.8)]
    third = flags[3]
    parts = third.evidence["score"]
    assert third.score == pytest.approx(parts["rule_weight"] * parts["size"] * parts["topic_weight"]
                                        * (0.75 + 0.25 * parts["changed_share"]) * 0.64, abs=1e-4)


def test_partial_statement_demotion_is_exact_and_explained():
    opening = "We, the ministers, met in Seoul to advance our cooperation."
    extra = "We strongly condemn Russia's war of aggression against Ukraine and stand with Kyiv."
    def links_(old, new):
        return [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=0.9)]

    full_old, full_new, excerpt_old = doc(opening), doc(opening, extra), _partial_doc(opening)
    complete = compute_flags(full_old, full_new, links_(full_old, full_new),
                             tag_documents(full_old, full_new, CONFIG), CONFIG)
    flags = compute_flags(excerpt_old, full_new, links_(excerpt_old, full_new),
                          tag_documents(excerpt_old, full_new, CONFIG), CONFIG)
    before = next(f for f in complete if f.rule == "passage_added")
    after = next(f for f in flags if f.rule == "passage_added")
    assert after.id == before.id
    # Demoted, never dropped: × 0.4 of its own score (it is no repeat here,
    # the topic flag being suppressed), and the reason names the partial side.
    parts = after.evidence["score"]
    assert after.score == pytest.approx(
        parts["rule_weight"] * parts["size"] * parts["topic_weight"] * (0.75 + 0.25 * parts["changed_share"]) * 0.4,
        abs=1e-3)  # the evidence rounds size to three places
    assert after.evidence["score"]["partial_demotion"] == 0.4
    assert after.evidence["partial"] == ("the old statement is partial (only its opening): what is absent from it "
                                         "may be carried over from beyond the excerpt")
    # Flags of the unchanged passage are untouched.
    assert all("partial" not in f.evidence for f in flags if f.link_id != after.link_id
               and f.evidence.get("change") not in ("new conduct", "new name"))


# ------------------------------------------------------------------ passages and topics: what an added or dropped passage says

CAPITAL = "We discussed trade and ports at length in the capital."


def _passage_view(old: list[str], new: list[str]) -> list[tuple]:
    return [(f.rule, f.topics, f.old, f.new, f.explanation, f.old_text, f.new_text, _size(f),
             {k: v for k, v in f.evidence.items() if k not in ("score", "also", "repeat_of")})
            for f in _unlinked(old, new)]


def test_a_new_passage_quotes_its_four_weightiest_runs_in_reading_order():
    """Six novel runs: the one naming a topic term weighs most and heads the
    explanation; the quote keeps four runs (the two shortest of plain prose
    left out), in the order they are read."""
    flags = _passage_view([CAPITAL], [CAPITAL, "Fishing boats sail. Ballistic missile tests alarm coastal villages. "
                                      "Farmers harvest grain early. Teachers open schools. Bakers bake bread daily. "
                                      "Nurses staff clinics."])
    assert flags[1] == (
        "passage_added", ("dprk_nuclear",), (), (1,),
        "New passage on DPRK nuclear and missile programmes: 'Ballistic missile tests alarm coastal villages'", "",
        "Ballistic missile tests alarm coastal villages … Farmers harvest grain early … Teachers open schools … "
        "Bakers bake bread daily",
        # 0.5 + 23 novel words / 60
        0.883, {"novel_words": 23, "runs": 6, "quoted_runs": 4})
    assert flags[0][:5] == ("topic_added", ("dprk_nuclear",), (), (1,),
                            "Topic added to the statement: DPRK nuclear and missile programmes (1 passage)")


def test_a_passage_needs_three_novel_words():
    assert _passage_view([CAPITAL], [CAPITAL, "We welcome dawns."]) == []  # "welcome", "dawns": two
    assert _passage_view([CAPITAL], [CAPITAL, "We welcome bright dawns."]) == [
        ("passage_added", (), (), (1,), "New passage: 'We welcome bright dawns'", "", "We welcome bright dawns",
         0.55, {"novel_words": 3, "runs": 1, "quoted_runs": 1})]


FIGURES = "We will spend two percent of GDP on defence and pledge EUR 50 billion to the fund."


def test_figures_of_an_added_or_dropped_passage_are_number_changes():
    added = [f for f in _passage_view([CAPITAL], [CAPITAL, FIGURES]) if f[0] == "number_change"]
    assert [f[:5] + f[7:] for f in added] == [
        ("number_change", (), (), (1,), "New figures in a new passage: 'two percent, EUR 50 billion'", 1.7,
         {"old_numbers": [], "new_numbers": ["two percent", "EUR 50 billion"], "scope": "statement"})]
    assert added[0][5] == "" and "two percent of GDP" in added[0][6] and "EUR 50 billion" in added[0][6]
    dropped = [f for f in _passage_view([CAPITAL, FIGURES], [CAPITAL]) if f[0] == "number_change"]
    assert [f[:5] + f[7:] for f in dropped] == [
        ("number_change", (), (1,), (), "Dropped figures in a dropped passage: 'two percent, EUR 50 billion'", 1.7,
         {"old_numbers": ["two percent", "EUR 50 billion"], "new_numbers": [], "scope": "statement"})]
    assert dropped[0][6] == "" and "EUR 50 billion" in dropped[0][5]
    # A figure said twice in its sentence is listed once.
    twice = [f for f in _passage_view([CAPITAL], [CAPITAL, "Eight million — eight million people are on the brink "
                                                  "of famine."]) if f[0] == "number_change"]
    assert [f[4] for f in twice] == ["New figure in a new passage: 'Eight million'"]
    # The figure is exempt from the per-link decay (a statement-level fact).
    assert not any("link_penalty" in f.evidence["score"] for f in _unlinked([CAPITAL, FIGURES], [CAPITAL])
                   if f.rule == "number_change")


def _topic_view(old: list[str], new: list[str]) -> list[tuple]:
    return [(f.rule, f.topics, f.old, f.new, f.explanation, f.old_text, f.new_text, _size(f),
             f.evidence["paragraphs"], f.evidence["tag_evidence"])
            for f in _unlinked(old, new) if f.rule.startswith("topic_")]


MISSILES = ["Ballistic missile tests alarm coastal villages.", "Ballistic missile launches worry fishermen."]


def test_topic_flags_name_their_passages_and_quote_their_sentences():
    # Two topics added on the very same sentence: one flag naming both.
    assert _topic_view([CAPITAL], [CAPITAL, "North Korea exports ballistic missiles to Russia for use in its war."]) == [
        ("topic_added", ("dprk_nuclear", "dprk_russia"), (), (1,),
         "Topics added to the statement: DPRK nuclear and missile programmes; DPRK–Russia military cooperation "
         "(1 passage)", "", "North Korea exports ballistic missiles to Russia for use in its war", 1.1, [1],
         ["term: North Korea", "term: ballistic missiles", "term: Russia"])]
    # Two passages: size 1 + 2/10, both quoted; added and dropped say which.
    two = ("Ballistic missile tests alarm coastal villages … Ballistic missile launches worry fishermen")
    assert _topic_view([CAPITAL], [CAPITAL, *MISSILES]) == [
        ("topic_added", ("dprk_nuclear",), (), (1, 2),
         "Topic added to the statement: DPRK nuclear and missile programmes (2 passages)", "", two, 1.2, [1, 2],
         ["term: Ballistic missile"])]
    assert _topic_view([CAPITAL, *MISSILES], [CAPITAL]) == [
        ("topic_dropped", ("dprk_nuclear",), (1, 2), (),
         "Topic dropped from the statement: DPRK nuclear and missile programmes (2 passages)", two, "", 1.2, [1, 2],
         ["term: Ballistic missile"])]
    # At most three sentences quoted.
    four = " ".join(["Ballistic missile tests alarm coastal villages.", "Ballistic missile launches worry fishermen.",
                     "Ballistic missile parades scare children.", "Ballistic missile sites grow."])
    (f,) = _topic_view([CAPITAL], [CAPITAL, four])
    assert f[6] == ("Ballistic missile tests alarm coastal villages … Ballistic missile launches worry fishermen … "
                    "Ballistic missile parades scare children")
    # A topic that is one actor ("China named as an actor"): the actor rule says it, no topic flag.
    assert _topic_view([CAPITAL], [CAPITAL, "We seek stable relations with China."]) == []


# ------------------------------------------------------------------ actors: named, no longer named, new names, new conduct

def _actor_view(flags) -> list[tuple]:
    return [(f.explanation, f.old_text, f.new_text, f.old, f.new, _size(f), f.evidence["score"]["changed_share"],
             {k: v for k, v in f.evidence.items() if k not in ("score", "also", "repeat_of")})
            for f in flags if f.rule == "actor_change"]


RUSSIA = "We discussed Russia at length."
BORDER = "We oppose unilateral changes to the border."
BY_RUSSIA = "We oppose unilateral changes to the border by Russia."


def _edited_second(old: list[str], new: list[str]):
    o, n = doc(*old), doc(*new)
    links = [link(o, [0], n, [0], "unchanged"), link(o, [1], n, [1])]
    return compute_flags(o, n, links, tag_documents(o, n, CONFIG), CONFIG)


def test_an_actor_named_in_a_passage_it_was_not_named_in():
    # Russia is named elsewhere in both statements: a passage-level change,
    # size 1, weighed by how much of the passage changed.
    named = _actor_view(_edited_second([RUSSIA, BORDER], [RUSSIA, BY_RUSSIA]))
    assert named == [("Russia named where it was not: 'changes to the border by Russia.'", "",
                      "changes to the border by Russia.", (1,), (1,), 1.0, 0.173,
                      {"actor": "Russia", "actors": ["Russia"], "change": "named", "words": ["Russia"],
                       "scope": "passage"})]
    gone = _actor_view(_edited_second([RUSSIA, BY_RUSSIA], [RUSSIA, BORDER]))
    assert gone == [("Russia no longer named in this passage: 'changes to the border by Russia.'",
                     "changes to the border by Russia.", "", (1,), (1,), 1.0, 0.173,
                     {"actor": "Russia", "actors": ["Russia"], "change": "no longer named", "words": ["Russia"],
                      "scope": "passage"})]


def test_a_watched_actor_new_to_the_statement_is_a_statement_level_fact():
    # China (a watched actor) is gone from the whole statement: size 1.3 and
    # changed_share 1, however little of the passage changed.
    (f,) = _actor_view(flags_for(
        "We oppose the dangerous behavior of the People's Republic of China in the waters of the region.",
        "We oppose dangerous behavior in the waters of the region."))
    assert f[0].startswith("China no longer named anywhere in the statement on China named as an actor: ")
    assert f[1] == "of the People's Republic of China" and f[2] == ""
    assert f[5:] == (1.3, 1.0, {"actor": "China", "actors": ["China"], "change": "no longer named",
                                "words": ["People's Republic of China"], "scope": "statement"})


def test_an_actor_named_on_a_topic_for_the_first_time():
    # Russia, already in the statement, now named in a DPRK sentence: the
    # statement-level rule names the topic.
    flags = _unlinked([RUSSIA, "We condemn the ballistic missile launches of the DPRK."],
                      [RUSSIA, "We condemn the ballistic missile launches of the DPRK and Russia."])
    (f,) = _actor_view(flags)
    assert f == ("Russia named on DPRK nuclear and missile programmes for the first time: 'launches of the DPRK and "
                 "Russia.' — also: Topic added to the statement: DPRK–Russia military cooperation (1 passage)",
                 "", "launches of the DPRK and Russia.", (), (1,), 1.0, 1.0,
                 {"actor": "Russia", "actors": ["Russia"], "change": "named", "scope": ["dprk_nuclear"],
                  "words": ["Russia"]})


def test_new_names_are_weighed_by_kind():
    flags = flags_for("We discussed the trade agenda and the port.",
                      "We discussed the trade agenda with Alexei Navalny, the World Bank and the Apulia Summit in Rome.")
    kinds = {f[7]["actor"]: (f[5], f[7]["name_kind"]) for f in _actor_view(flags)}
    assert kinds == {
        "Alexei Navalny": (1.2, "proper name"),  # no word of it used in lower case: a person or a place
        "Rome": (0.7, "single word"),
        "World Bank and the Apulia Summit": (0.5, "event, place or own party"),  # ends on "summit"
    }
    # "bank" is an ordinary word of the old statement: "World Bank" is a body, a full name (1.0);
    # "Article 51" and "S/RES/2735" are references, no names.
    (f,) = _actor_view(flags_for("We discussed the trade agenda and the bank.",
                                 "We discussed the trade agenda with the World Bank under Article 51 and S/RES/2735."))
    assert (f[0], f[5], f[7]["name_kind"]) == ("New name, not in the old statement: 'World Bank'", 1.0, "full name")


def test_new_conduct_is_quoted_from_the_actor_on_and_sized_by_its_words():
    flags = _edited_second(
        ["We discussed Russia and China at length.", "We oppose economic coercion."],
        ["We discussed Russia and China at length.",
         "We oppose economic coercion. Russia has deployed new attack drones near the border of its neighbours. "
         "China continues building artificial islands in disputed waters."])
    conduct = {f[7]["actor"]: f for f in _actor_view(flags) if f[7]["change"] == "new conduct"}
    # Size 1 + novel words / 40 (6 words: 1.15; 7 words: 1.175), a statement-level fact.
    assert conduct["China"][2] == "China continues building artificial islands in disputed waters"
    assert conduct["China"][5:7] == (1.15, 1.0) and conduct["China"][7]["novel_words"] == 6
    assert conduct["China"][0].startswith("New conduct attributed to China on China named as an actor, not said of it "
                                          "in the old statement: 'China continues building")
    assert conduct["Russia"][2] == "Russia has deployed new attack drones near the border of its neighbours"
    assert conduct["Russia"][5:7] == (1.175, 1.0) and conduct["Russia"][7]["novel_words"] == 7
    assert (conduct["Russia"][3], conduct["Russia"][4]) == ((), (1,))


# ------------------------------------------------------------------ intensity: per link and across the statement

def _intensity_view(flags) -> list[tuple]:
    return [(f.explanation, f.old_text, f.new_text, f.old, f.new, f.topics, _size(f),
             {k: v for k, v in f.evidence.items() if k not in ("score", "also", "repeat_of")})
            for f in flags if f.rule == "intensity_shift"]


def test_intensity_shift_reads_as_expected():
    # Two rungs down (size 1 + 0.5 × (2 − 1)): the quotes are the ladder
    # words and what they bear on, two words before and eight after.
    assert _intensity_view(flags_for(
        "The ministers condemned in the strongest possible terms the missile launches by Pyongyang.",
        "The ministers condemn the missile launches by Pyongyang.")) == [(
            "Intensity down 2 rungs on DPRK nuclear and missile programmes (disapproval): 'condemned in the strongest "
            "possible terms' → 'condemn'",
            "The ministers condemned in the strongest possible terms the missile launches by Pyongyang.",
            "The ministers condemn the missile launches by Pyongyang.", (0,), (0,), ("dprk_nuclear",), 1.5,
            {"ladder": "disapproval", "old_rung": 6, "new_rung": 4, "delta": -2,
             "old_words": "condemned in the strongest possible terms", "new_words": "condemn",
             "sentence_similarity": 0.444})]
    # One rung up: "rung", size 1.
    assert _intensity_view(flags_for(
        "We are concerned about the new fishing rules for the northern coast this winter.",
        "We are seriously concerned about the new fishing rules for the northern coast this winter.")) == [(
            "Intensity up 1 rung (concern): 'concerned' → 'seriously concerned'",
            "We are concerned about the new fishing rules for the northern",
            "We are seriously concerned about the new fishing rules for the northern", (0,), (0,), (), 1.0,
            {"ladder": "concern", "old_rung": 1, "new_rung": 2, "delta": 1, "old_words": "concerned",
             "new_words": "seriously concerned", "sentence_similarity": 0.875})]


HR_MEETING = "We met in the capital to review our cooperation on trade and ports."


def test_strongest_language_on_a_topic_across_the_statement():
    """Unlinked passages on human rights: the strongest rung on the topic
    rose from 'concern' to 'grave concern'. The stronger side quotes every
    sentence above the other's top (strongest first, at most three), the
    weaker side the sentences at its top; ¶ and sentence numbers count from 1."""
    up = _intensity_view(_unlinked(
        [HR_MEETING, "We voice concern about the human rights situation in the northern provinces.",
         "We note concern about human rights defenders."],
        [HR_MEETING, "We voice our grave concern about the human rights situation in the northern provinces.",
         "We express serious concern about human rights defenders.",
         "We express grave concern about the human rights of detainees."]))
    assert up == [(
        "Strongest language on Human rights, abductees and detainees up 2 rungs (concern), across the statement: "
        "'concern' → 'grave concern'",
        "We voice concern about the human rights situation in the northern … We note concern about human rights "
        "defenders.",
        "voice our grave concern about the human rights situation in the northern … We express grave concern about "
        "the human rights of detainees. … We express serious concern about human rights defenders.",
        (1, 2), (1, 2, 3), ("human_rights",), 1.5,
        {"ladder": "concern", "scope": "statement", "old_rung": 1, "new_rung": 3, "delta": 2,
         "old_found": ["concern (¶2, sentence 1)", "concern (¶3, sentence 1)"],
         "new_found": ["grave concern (¶2, sentence 1)", "grave concern (¶4, sentence 1)",
                       "serious concern (¶3, sentence 1)"]})]
    down = _intensity_view(_unlinked(
        [HR_MEETING, "We voice our grave concern about the human rights situation in the northern provinces.",
         "We express serious concern about human rights defenders.",
         "We express grave concern about the human rights of detainees.",
         "We express grave concern about human rights lawyers.",
         "We express grave concern about human rights in prisons."],
        [HR_MEETING, "We voice concern about the human rights situation in the northern provinces."]))
    assert down == [(
        "Strongest language on Human rights, abductees and detainees down 2 rungs (concern), across the statement: "
        "'grave concern' → 'concern'",
        "voice our grave concern about the human rights situation in the northern … We express grave concern about "
        "the human rights of detainees. … We express grave concern about human rights lawyers.",
        "We voice concern about the human rights situation in the northern", (1, 3, 4), (1,), ("human_rights",), 1.5,
        {"ladder": "concern", "scope": "statement", "old_rung": 3, "new_rung": 1, "delta": -2,
         "old_found": ["grave concern (¶2, sentence 1)", "grave concern (¶4, sentence 1)",
                       "grave concern (¶5, sentence 1)"],
         "new_found": ["concern (¶2, sentence 1)"]})]


@pytest.mark.parametrize("old, new, explanation", [
    # One cue on one side is enough to give the direction.
    ("The partners expand the fleet.", "The partners will expand the fleet.", "Modality firmer: '—' → 'will'"),
    ("The partners may expand the fleet.", "The partners expand the fleet.", "Modality firmer: 'may' → '—'"),
    ("The partners expand the fleet.", "The partners could expand the fleet.", "Modality softer: '—' → 'could'"),
    ("The partners will expand the fleet.", "The partners expand the fleet.", "Modality softer: 'will' → '—'"),
    # A firm and a hedged cue gained (or lost) together cancel out.
    ("The partners expand the fleet and widen the ports.",
     "The partners will expand the fleet and could widen the ports.",
     "Modality qualifiers changed: '—' → 'could, will'"),
    ("The partners may expand the fleet and will widen the ports.", "The partners expand the fleet and widen the ports.",
     "Modality qualifiers changed: 'may, will' → '—'"),
    # Two hedges dropped: firmer, both named.
    ("The partners may expand the fleet and should widen the ports.",
     "The partners expand the fleet and widen the ports.", "Modality firmer: 'may, should' → '—'"),
])
def test_modality_direction_counts_cues_on_both_sides(old, new, explanation):
    assert [f[1] for f in _cue_flags(old, new)] == [explanation]


def test_modality_flags_of_a_passage_that_moved_point_at_its_paragraphs():
    """Old ¶2 became new ¶3 (a paragraph was added before it): the flags
    name those paragraphs and that link, whether the cue came with a new
    sentence or in one that stayed."""
    old = doc("We met in Lima.", "The partners may expand the fleet.")
    new = doc("We met in Lima.", "We thank the hosts.",
              "The partners may expand the fleet. The partners will widen the ports.")
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=0.9),
             link(old, [1], new, [2])]
    (f,) = [f for f in compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG) if f.rule == "modality"]
    assert (f.explanation, f.old, f.new, f.link_id) == ("Modality cue added with its sentence: 'will'", (1,), (2,),
                                                        links[2].id)
    assert (f.old_text, f.new_text) == ("", "The partners will widen the ports")
    # The mirror: the cue leaves with its sentence.
    back = [link(new, [0], old, [0], "unchanged"), Link(old=(1,), new=(), type="dropped", confidence=0.9),
            link(new, [2], old, [1])]
    (f,) = [f for f in compute_flags(new, old, back, tag_documents(new, old, CONFIG), CONFIG) if f.rule == "modality"]
    assert (f.explanation, f.old, f.new, f.link_id) == ("Modality cue dropped with its sentence: 'will'", (2,), (1,),
                                                        back[2].id)
    assert (f.old_text, f.new_text) == ("The partners will widen the ports", "")


def test_a_sentence_sharing_exactly_a_fifth_of_its_words_still_has_a_counterpart():
    # "The partners could widen the ports" (partners, widen, ports) against
    # "The partners expand the fleet" (partners, expand, fleet): 1 shared of
    # 5, exactly 20 % — not *under* 20 %, so the hedge counts as dropped from
    # a sentence that has a counterpart (firmer), not "dropped with its sentence".
    flags = _cue_flags("The partners may expand the fleet. The partners could widen the ports.",
                       "The partners expand the fleet.")
    assert [(f[1], f[5]["sentence_similarity"]) for f in flags] == [("Modality firmer: 'could' → '—'", 0.2),
                                                                     ("Modality firmer: 'may' → '—'", 0.75)]


def test_a_reversal_needs_the_same_object_within_six_words():
    # Support of one thing, opposition to another: no reversal.
    assert _cue_flags("We support the fishing treaty.", "We oppose the mining licences.") == []
    # The shared object ("plan") must come within the first six content words after the cue.
    assert [f[1] for f in _cue_flags("We support the plan.",
                                     "We oppose the costly, risky, vague, rushed, bold plan.")] == [
        "Polarity reversed: 'support' → 'oppose'"]
    assert _cue_flags("We support the plan.", "We oppose the costly, risky, vague, rushed, bold, hasty plan.") == []


def test_negation_flags_of_a_passage_that_moved_point_at_its_paragraphs():
    # Old ¶2 became new ¶3: the reversal and the negation arriving with a new
    # sentence both name those paragraphs and that link.
    old = doc("We met in Lima.", "We support the treaty on fishing. The ministers met.")
    new = doc("We met in Lima.", "We thank the hosts.",
              "We oppose the treaty on fishing. The ministers met. A world without nuclear weapons is our goal.")
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=0.9),
             link(old, [1], new, [2])]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    assert [(f.explanation, f.old, f.new, f.link_id, f.old_text, f.new_text) for f in flags if f.rule == "negation"] == [
        ("Polarity reversed: 'support' → 'oppose'", (1,), (2,), links[2].id, "We support", "We oppose"),
        ("Negation added with its sentence: 'without'", (1,), (2,), links[2].id, "",
         "A world without nuclear weapons is our goal")]


def test_a_single_new_figure_is_named_in_the_singular_on_its_passages_link():
    old = doc(CAPITAL)
    new = doc(CAPITAL, "We pledge EUR 40 billion to the reconstruction fund.")
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=0.9)]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    assert [(f.rule, f.explanation, f.old, f.new, f.link_id) for f in flags] == [
        ("number_change", "New figure in a new passage: 'EUR 40 billion'", (), (1,), links[1].id),
        ("passage_added", "New passage: 'We pledge EUR 40 billion to the reconstruction fund'", (), (1,), links[1].id)]
