"""Headlines say what changed and what it is about: no party roll-calls, no borrowed topic labels."""

from __future__ import annotations

from driftlab.ingest import parse_text
from driftlab.segment import segment

from .test_changes import SAME, run
from .test_flags import CONFIG as CONFIG_H, doc, link

PARTIES = '---\ntitle: "Joint Statement"\nparties: "Japan; Republic of Korea; United States"\n---\n'
OLD_MEKONG = "Japan, the ROK and the United States, are promoting climate resilience in the Mekong region."
NEW_MEKONG = "We are promoting climate resilience in the Mekong region, and water security."


def with_parties(text: str, header: str = PARTIES):
    return segment(parse_text(header + text, path="statement.txt"))


def test_a_roll_call_of_the_statements_own_parties_is_no_change():
    # The new text says "We" where the old one named the three parties: who
    # speaks, not what changed. The water security clause is the news.
    old, new = with_parties(OLD_MEKONG), with_parties(NEW_MEKONG)
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    assert "Japan, the ROK" not in change.headline
    assert "water security' added" in change.headline
    assert all("Japan" not in (p["old"] + p["new"]) for p in change.evidence["pieces"])


def test_the_same_names_are_a_change_when_they_are_not_the_parties():
    # Without a parties line the three names are an edit like any other.
    old, new = doc(OLD_MEKONG), doc(NEW_MEKONG)
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    assert any("Japan, the ROK and the United States" in p["old"] for p in change.evidence["pieces"])


def test_a_party_named_beside_new_words_still_counts():
    # "Japan" is a party, "coast guards" is not: the piece stays.
    old = with_parties("We are promoting climate resilience in the Mekong region.")
    new = with_parties("We and the Japan coast guard are promoting climate resilience in the Mekong region.")
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    assert "coast guard" in change.headline


COMMENDED = ("We commended the two leaders for their courageous leadership in transforming relations between "
             "their countries.")


def test_a_quote_is_not_labelled_with_the_topic_of_another_passage_of_its_group():
    # Two old paragraphs merged into one: the dropped sentence about the
    # leaders' courage names no topic; the Ukraine paragraph it was merged
    # with does. "Russia's war against Ukraine: 'commended …' dropped" would
    # file the praise under the war.
    old = doc("We condemn Russia's war against Ukraine.", COMMENDED)
    new = doc("We condemn Russia's war against Ukraine.")
    change = run(old, new, [link(old, [0, 1], new, [0], "merged")]).changes[0]
    assert "commended the two leaders" in change.headline
    assert not change.headline.startswith("Russia"), change.headline
    assert change.headline.startswith("'commended") or change.headline.startswith("passage dropped")


def test_a_quote_keeps_the_topic_of_its_own_passage():
    # The dropped sentence sits in the Ukraine paragraph: that paragraph's
    # topic is what it is about.
    old = doc("We condemn Russia's war against Ukraine. " + COMMENDED, "We oppose missile launches by the DPRK.")
    new = doc("We condemn Russia's war against Ukraine.", "We oppose missile launches by the DPRK.")
    result = run(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")])
    change = result.changes[0]
    assert change.headline.startswith("Russia's war against Ukraine: "), change.headline


def test_a_quote_starts_at_the_words_that_changed():
    # The insertion starts at the comma after "region": the quote must not
    # take "region" with it (", and water security" was quoted as
    # "region, and water security").
    old = doc("We are promoting climate resilience in the Mekong region.")
    new = doc("We are promoting climate resilience in the Mekong region, and water security.")
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    added = [p["new"] for p in change.evidence["pieces"] if p["kind"] == "added"]
    assert added == ["and water security"], change.evidence["pieces"]


def test_a_quote_still_widens_to_whole_words():
    # A change inside a word ("co-operation" → "cooperation" is cosmetic, but
    # "cooperate" → "cooperation" is not) is quoted as whole words.
    old = doc("We will cooperate on maritime security.")
    new = doc("We will deepen cooperation on maritime security.")
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    texts = [p["old"] + "|" + p["new"] for p in change.evidence["pieces"]]
    assert all(not t.startswith(("operat", "|operat")) for t in texts), texts
    assert any("cooperation" in t for t in texts), texts


def test_a_quote_is_not_labelled_after_a_topic_named_in_one_other_sentence_of_its_paragraph():
    # An opening paragraph names the challenges of the day in its second
    # sentence; the praise of two leaders two sentences later names no topic. The
    # paragraph is not about the climate as a whole, so "Energy and climate:
    # 'commended …' dropped" would file the praise under the climate.
    first = "We convened today to open a new era of partnership. We meet as the climate crisis tests us all. "
    old = doc(first + "This moment requires unity. " + COMMENDED + " So too is our partnership.",
              "We oppose missile launches by the DPRK.")
    new = doc(first + "This moment requires unity. So too is our partnership.",
              "We oppose missile launches by the DPRK.")
    change = run(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")]).changes[0]
    assert "commended the two leaders" in change.headline, change.headline
    assert change.headline.startswith("'commended"), change.headline


def test_a_quote_is_not_labelled_after_a_roadmap_sentence_opening_its_paragraph():
    # The opening sentence lists the areas the speech will cover; the figure
    # three sentences on is about development aid, not the climate.
    para = ("Today I will address three areas: development, climate and digital. Many countries lack basic "
            "infrastructure. We must take on responsible roles. The government has raised the aid budget plan "
            "for the upcoming year by more than forty per cent.")
    old = doc(para.replace("has raised the aid budget plan for the upcoming year by more than forty per cent",
                           "will keep its aid budget"))
    new = doc(para)
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    assert "aid budget plan" in change.headline, change.headline
    assert not change.headline.startswith("Energy"), change.headline


def test_a_quote_keeps_a_topic_most_sentences_of_its_paragraph_name():
    # The quoted sentence names no topic, but the paragraph is about Ukraine
    # from its second sentence on: the label stays.
    para = ("Today we met in Rome. " + COMMENDED + " We condemn Russia's war against Ukraine. "
            "We will support Ukraine for as long as it takes.")
    old = doc(para)
    new = doc(para.replace(COMMENDED + " ", ""))
    change = run(old, new, [link(old, [0], new, [0])]).changes[0]
    assert change.headline.startswith("Russia's war against Ukraine: "), change.headline


def test_a_heading_rewritten_into_a_passage_is_no_quote():
    # The aligner may pair a section heading with the passage that took its
    # place: the heading is metadata, so the passage is said as added, not
    # as "rewritten: 'I. SECURE THE REGION' → …".
    old = doc("I. SECURE THE REGION AND BEYOND", SAME)
    new = doc("We will also launch an annual dialogue of our foreign ministers to coordinate our approaches.", SAME)
    change = run(old, new, [link(old, [0], new, [0], "rewritten"), link(old, [1], new, [1], "unchanged")]).changes[0]
    assert "SECURE" not in change.headline, change.headline
    assert "annual dialogue of our foreign ministers" in change.headline, change.headline
    assert [p["kind"] for p in change.evidence["pieces"]] == ["added"]


def test_a_quote_is_not_cut_inside_a_list_or_a_row_of_adjectives():
    # "conventionally-armed, nuclear-powered submarines": the comma between
    # two adjectives (or two items of a list) ends no clause; the quote was
    # "sustainment of the navy’s conventionally-armed".
    from driftlab.changes import _clause_split

    text = ("Once it enters into force, this agreement will allow the partners to transfer the material "
            "required for the safe and secure construction, operation, and sustainment of the navy’s "
            "conventionally-armed, nuclear-powered submarines.")
    parts = _clause_split(text)
    assert any(p.strip().endswith("conventionally-armed, nuclear-powered submarines.") for p in parts), parts
    assert "construction, operation" in " | ".join(parts), parts
    assert not any(p.strip() == "nuclear-powered submarines." for p in parts), parts
    # A short stretch that opens a clause ("and reiterate") is no list item.
    assert _clause_split("Their positions remain unchanged, and reiterate") == ["Their positions remain unchanged",
                                                                                 "and reiterate"]
    # "In particular, we …": an opening phrase is not glued to its clause.
    assert _clause_split("In particular, we steadfastly oppose coercion")[0] == "In particular"


def test_a_headline_leads_with_what_ranked_the_change():
    # The change ranks by Ukraine named for the first time; the dropped call
    # for support of the United Nations weighs more as a phrase, but is not
    # why the change is at the top. The headline says first what ranked it.
    old = doc("The theme of this session is solidarity. The first step is to renew our support for the United "
              "Nations. I call on the citizens and leaders of the world to demonstrate resolute and enduring "
              "support for the United Nations system.", SAME)
    new = doc("The theme of this session is solidarity. The war in Ukraine has deepened the divisions within the "
              "international community. The international community must stand together.", SAME)
    change = run(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")]).changes[0]
    assert change.evidence["score"]["strongest_rule_name"] == "actor_change"
    assert change.headline.startswith("Russia's war against Ukraine: 'war in Ukraine"), change.headline


def _flag(rule: str, topics: tuple[str, ...], old_text: str, score: float, explanation: str):
    from driftlab.types import Flag

    return Flag(id=rule, rule=rule, topics=topics, old=(0,), new=(0,), old_text=old_text, new_text="",
                score=score, explanation=explanation)


def test_a_topic_gone_from_the_statement_is_said_first_when_no_piece_quotes_it():
    # The change ranks by the climate leaving the whole statement; the
    # passage's own pieces are praise and a roll of friendships. The headline
    # says the topic went, labelled with that topic, then the pieces.
    from driftlab.changes import _headline

    old = doc("We convened to open a new era. " + COMMENDED)
    new = doc("We convened to open a new era.")
    lk = link(old, [0], new, [0])
    pieces = [{"kind": "dropped", "old": "commended the two leaders for their courageous leadership", "new": "",
               "weight": 3.0, "pos": 10}]
    flags = [_flag("topic_dropped", ("energy_climate",), "clean energy and climate resilience", 1.05,
                   "Topic dropped from the statement: Energy and climate (5 passages)"),
             _flag("new_wording", ("human_rights",), "", 0.9, "New wording")]
    headline = _headline(lk, flags, pieces, {"energy_climate", "human_rights"}, CONFIG_H)
    assert headline == ("Energy and climate: topic gone from the statement (5 passages); 'commended the two "
                        "leaders for their courageous leadership' dropped"), headline
    # A piece naming the climate says it already: no extra phrase.
    pieces.append({"kind": "dropped", "old": "fight the climate crisis together", "new": "", "weight": 1.0,
                   "pos": 20})
    headline = _headline(lk, flags, pieces, {"energy_climate", "human_rights"}, CONFIG_H)
    assert "topic gone" not in headline and "'fight the climate crisis together' dropped" in headline, headline


def test_a_headline_takes_a_shorter_piece_that_fits_after_a_long_one_that_does_not():
    from driftlab.changes import HEADLINE_CHARS, _fit

    long_piece = "'" + "very long words " * 20 + "' added"
    headline = _fit("Topic: ", ["'first' dropped", long_piece, "'short' added"])
    assert headline == "Topic: 'first' dropped; 'short' added"
    assert len(headline) <= HEADLINE_CHARS


def test_a_figure_with_a_thousands_comma_is_never_cut():
    # "30,000 wounded" was quoted as "000 wounded in the war in Ukraine".
    from driftlab.changes import _clause_split, _clauses

    text = ("In 2019 I said that more than 13,000 people had been killed and 30,000 wounded in the war, "
            "and that 1.5 million had fled at 10:30 on that day")
    parts = _clause_split(text)
    assert parts[0] == "In 2019 I said that more than 13,000 people had been killed and 30,000 wounded in the war", parts
    assert not any(p.lstrip().startswith("000") for p in _clauses(text, CONFIG_H)), _clauses(text, CONFIG_H)
    assert "10:30" in parts[-1], parts
    # A comma between a figure and a word still ends a clause.
    assert _clause_split("we pledged 30,000, and they pledged more") == ["we pledged 30,000", "and they pledged more"]


def test_a_date_or_a_row_of_adjectives_after_a_is_not_cut_at_its_comma():
    from driftlab.changes import _clause_split

    # Quoted as "2023 and arms transfers from North Korea to Russia".
    parts = _clause_split("We condemn the launch conducted on November 21, 2023 and arms transfers from North Korea "
                          "to Russia, which violate the resolutions")
    assert parts[0] == "We condemn the launch conducted on November 21, 2023 and arms transfers from North Korea to Russia"
    # Quoted as "encourage China to support a comprehensive".
    parts = _clause_split("We encourage China to support a comprehensive, just and lasting peace based on territorial "
                          "integrity, and to press Russia to stop")
    assert parts[0] == ("We encourage China to support a comprehensive, just and lasting peace based on territorial "
                        "integrity"), parts
    # A day and a year apart, or a definite article, still end at the comma.
    assert _clause_split("We met on November 21, and agreed on the plan for next year") == [
        "We met on November 21", "and agreed on the plan for next year"]
    assert _clause_split("We welcome the progress made so far, and call for more") == [
        "We welcome the progress made so far", "and call for more"]


def test_a_quote_never_drops_names_off_a_list():
    # Each was quoted from its last stretch: "the United States is
    # indispensable", "President Yoon and President Biden are pleased":
    # names dropped off a list change who acts.
    from driftlab.changes import _clause_split

    for text in ("Trilateral cooperation between Japan, the Republic of Korea, and the United States is "
                 "indispensable to peace in the region",
                 "Prime Minister Kishida, President Yoon and President Biden are pleased to launch a dialogue",
                 "For more than 70 years, Australia, the United Kingdom, and the United States have worked together"):
        assert _clause_split(text) == [text], _clause_split(text)
    # A clause after a name still ends at its comma when it opens with a
    # pronoun or a lower-case word.
    assert _clause_split("We welcome the visit to Tokyo, and we will meet again in Seoul") == [
        "We welcome the visit to Tokyo", "and we will meet again in Seoul"]
    assert _clause_split("We met in Tokyo, We then flew on to Seoul for talks") == [
        "We met in Tokyo", "We then flew on to Seoul for talks"]


def test_a_paragraph_number_is_never_the_quote():
    # A dropped numbered paragraph whose sentences were all too long to
    # quote was headlined "passage dropped: '6'".
    from driftlab.changes import _clauses

    text = ("6. We will continue to coordinate efforts to meet the urgent requirements of the partners for "
            "equipment with an immediate focus on providing them with air defense systems and capabilities, "
            "including by supporting the repair of existing systems")
    assert "6" not in _clauses(text, CONFIG_H), _clauses(text, CONFIG_H)
    assert _clauses("6. We will continue to coordinate efforts.", CONFIG_H) == ["We will continue to coordinate efforts"]
    assert _clauses("(b) the ports opened", CONFIG_H) == ["the ports opened"]
    # An initial is no list mark.
    assert _clauses("A. Lincoln said it.", CONFIG_H) == ["A. Lincoln said it"]


def test_a_quote_stays_inside_one_item_of_a_flattened_list():
    # "We launched the G7 Coalition … migrants. - deepening our cooperation
    # … Artificial Intelligence" was one quote across two items.
    from driftlab.changes import _clause_split

    assert _clause_split("We launched the Coalition to counter the smuggling of migrants. - deepening our cooperation "
                         "to manage the risks of artificial intelligence") == [
        "We launched the Coalition to counter the smuggling of migrants.",
        "deepening our cooperation to manage the risks of artificial intelligence"]
    # A hyphen inside a word is no item mark.
    assert _clause_split("We support state-of-the-art co-production of drones") == [
        "We support state-of-the-art co-production of drones"]


def test_a_verb_cue_is_quoted_with_its_object_as_written():
    # "stand ready to meet the world's greatest challenges" was headlined
    # "'stand ready meet …' added": the preposition a noun cue's object
    # drops ("concern about 'the drills'") was cut after every cue.
    from driftlab.changes import _stance

    assert _stance("stand ready", "to meet the greatest challenges", "added") == (
        "'stand ready to meet the greatest challenges' added")
    assert _stance("concern", "over the recent military drills", "dropped") == (
        "concern about 'the recent military drills' dropped")


def test_a_topic_named_only_in_a_list_tail_labels_no_quote():
    # "… food security and nutrition crisis, aggravated by Russia's war of
    # aggression against Ukraine" was labelled "Russia's war against
    # Ukraine", its quote opening the sentence ("'noting that …'", lower
    # case) so that its sentence was not found.
    from driftlab.changes import _head, _tail_only_topics

    sentence = ("Noting that we have already exceeded our joint commitment to global food security, we remain "
                "steadfast in addressing the food crisis, aggravated by Russia's war of aggression against Ukraine.")
    assert _tail_only_topics(sentence, CONFIG_H) == {"ukraine"}
    assert _tail_only_topics("We support Ukraine, including its energy grid.", CONFIG_H) == set()
    assert _tail_only_topics("We address trade concerns, including for semiconductors and steel.", CONFIG_H) == {
        "technology"}
    part = "'noting that we have already exceeded our joint commitment to global food security' added"
    sentences = [(sentence, {"ukraine"}, {"ukraine"}, True)]
    assert _head([part], {"ukraine"}, CONFIG_H, [], sentences, False) == ""
    # Named before the tail, the topic labels it.
    named = "We stand with Ukraine against Russia's war, including through grain exports, and help it."
    part = "'stand with Ukraine against Russia's war' added"
    assert _head([part], {"ukraine"}, CONFIG_H, [], [(named, {"ukraine"}, {"ukraine"}, True)], False).startswith(
        "Russia's war against Ukraine")


def test_a_three_word_stretch_between_commas_is_a_clause_of_its_own():
    from driftlab.changes import _clause_split

    assert _clause_split("We will invest in ports, build new shipyards, and train sailors") == [
        "We will invest in ports", "build new shipyards", "and train sailors"]


def test_a_piece_of_two_words_is_held_by_the_hit_quoting_them():
    from driftlab.changes import _holds

    quoted = {"old": {"trade"}, "new": {"war", "ukraine", "deepened"}}
    assert _holds({"kind": "added", "old": "", "new": "The war in Ukraine"}, quoted)
    assert _holds({"kind": "reworded", "old": "peace", "new": "war in Ukraine"}, quoted)  # the new side counts
    assert not _holds({"kind": "added", "old": "", "new": "The war"}, quoted)  # one word: held by any long quote
    assert not _holds({"kind": "dropped", "old": "war in Ukraine", "new": ""}, quoted)  # the old side counts
    assert not _holds({"kind": "added", "old": "", "new": "war in Gaza"}, quoted)


def test_the_topics_of_every_sentence_holding_the_quote_count():
    from driftlab.changes import _quoted_sentence_topics

    sentences = [("We condemn the war in Ukraine today.", {"ukraine"}, {"ukraine"}, True),
                 ("They condemn the war in Ukraine too.", set(), {"defence"}, True),
                 ("We support the climate fund.", {"energy_climate"}, {"energy_climate"}, True)]
    located, in_sentence, in_paragraph = _quoted_sentence_topics("'condemn the war in Ukraine' added", sentences,
                                                                 group=False, config=CONFIG_H)
    assert located and in_sentence == {"ukraine"} and in_paragraph == {"ukraine", "defence"}
    # In a single passage a sentence of an untagged paragraph locates nothing; in a group it does.
    untagged = [("We condemn the war in Ukraine today.", set(), set(), False)]
    assert _quoted_sentence_topics("'condemn the war in Ukraine' added", untagged, group=False, config=CONFIG_H)[0] is False
    assert _quoted_sentence_topics("'condemn the war in Ukraine' added", untagged, group=True, config=CONFIG_H)[0] is True


def test_a_headline_of_exactly_the_limit_keeps_its_last_piece():
    from driftlab.changes import HEADLINE_CHARS, _fit

    head, first = "Topic: ", "'first' dropped"
    last = "'" + "x" * (HEADLINE_CHARS - len(head) - len(first) - len("; '") - len("' added")) + "' added"
    assert len(_fit(head, [first, last])) == HEADLINE_CHARS
    assert _fit(head, [first, last + "!"]) == head + first


def test_a_topic_new_to_the_statement_takes_one_of_the_three_places_and_names_its_topic():
    from driftlab.changes import _headline

    old = doc("We convened to open a new era.")
    new = doc("We convened to open a new era, and we praised the leaders.")
    lk = link(old, [0], new, [0])
    pieces = [{"kind": "added", "old": "", "new": word, "weight": 3.0 - k, "pos": k}
              for k, word in enumerate(("praised the leaders", "thanked the hosts", "greeted the guests"))]
    flags = [_flag("topic_added", ("energy_climate",), "", 1.05, "Topic added to the statement: Energy and climate"),
             _flag("new_wording", ("human_rights",), "", 0.9, "New wording"),
             _flag("modality", ("human_rights",), "", 0.5, "Modality")]
    headline = _headline(lk, flags, pieces, {"energy_climate", "human_rights"}, CONFIG_H)
    # No passage count in the explanation: none in the headline. The label is
    # the new topic's, though the other topic's hits weigh more together.
    assert headline == ("Energy and climate: topic new to the statement; 'praised the leaders' added; "
                        "'thanked the hosts' added"), headline


# ------------------------------------------------------------------ a rewording pairs one subject

UKRAINE_GOES = ("Russia’s aggression against Ukraine continues to threaten peace and security across the whole of "
                "Europe and beyond.")
DPRK_COMES = "North Korea’s nuclear and missile development poses a grave threat to the region and to the entire world."


def _rewritten(old_text: str, new_text: str, **sentence_links):
    from dataclasses import replace

    old, new = doc(old_text, SAME), doc(new_text, SAME)
    lk = link(old, [0], new, [0], "rewritten")
    if sentence_links:
        lk = replace(lk, sentence_links=(sentence_links,))
    return run(old, new, [lk, link(old, [1], new, [1], "unchanged")]).changes[0]


def test_a_rewritten_passage_holding_two_subjects_says_what_went_and_what_came():
    # "rewritten: 'Russia’s aggression …' → 'North Korea’s nuclear …'" would
    # claim the one became the other. The Ukraine sentence went, the DPRK one
    # came; the side the label names (DPRK) is quoted first.
    change = _rewritten(UKRAINE_GOES, DPRK_COMES)
    assert [p["kind"] for p in change.evidence["pieces"]] == ["dropped", "added"]
    assert change.headline == (
        "DPRK nuclear and missile programmes: 'North Korea’s nuclear and missile development poses a grave threat "
        "to the region and to the entire world' added; 'Russia’s aggression against Ukraine continues to threaten "
        "peace and security across the whole of Europe and beyond' dropped"), change.headline


def test_a_restated_subject_is_paired_with_its_restatement_not_with_a_new_subject():
    # The war in Ukraine is still there in other words ("still rages on"): it
    # was restated, not dropped, and its quote pairs with that restatement;
    # the DPRK clause is new.
    change = _rewritten("Russia’s aggression against Ukraine continues to threaten the whole of Europe, and we call "
                        "for the immediate release of detained journalists.",
                        "North Korea’s nuclear and missile development poses a grave threat to the entire region, "
                        "while Russia’s war against Ukraine still rages on.")
    assert change.evidence["pieces"] == [
        {"kind": "rewritten", "old": "Russia’s aggression against Ukraine continues to threaten the whole of Europe",
         "new": "Russia’s war against Ukraine still rages on"},
        {"kind": "added", "old": "",
         "new": "North Korea’s nuclear and missile development poses a grave threat to the entire region"}]
    assert "'Russia’s aggression against Ukraine continues to threaten the whole of Europe' → 'North Korea" \
        not in change.headline, change.headline
    assert change.headline.startswith("DPRK nuclear and missile programmes: 'North Korea’s nuclear"), change.headline
    assert "rewritten: 'Russia’s aggression against Ukraine continues to threaten the whole of Europe' → " \
           "'Russia’s war against Ukraine still rages on'" in change.headline, change.headline


def test_a_promise_and_its_delivery_stay_one_rewording():
    # Same subject in new words (the coordinating body: "finalize the
    # establishment" → "announce the establishment"): one rewording.
    change = _rewritten("The ministers reiterated their commitment to finalize the establishment of the coordinating "
                        "mechanism by the next summit.",
                        "Today we announce the establishment of the Secretariat responsible for coordinating and "
                        "implementing our commitments.")
    assert [p["kind"] for p in change.evidence["pieces"]] == ["rewritten"]
    assert "rewritten: 'The ministers reiterated their commitment to finalize the establishment" in change.headline
    assert "' → 'Today we announce the establishment of the Secretariat" in change.headline, change.headline


ALIGN_OLD = "The leaders agreed to closely cooperate in implementing their various regional strategies."
ALIGN_NEW = "Our mandate is to ensure that our governments are aligned in our objectives and in our actions."


def test_sentences_the_aligner_paired_share_their_subject_whatever_their_words():
    # No shared word, topic or actor: said apart …
    apart = _rewritten(ALIGN_OLD, ALIGN_NEW)
    assert [p["kind"] for p in apart.evidence["pieces"]] == ["dropped", "added"]
    assert apart.headline == ("'The leaders agreed to closely cooperate in implementing their various regional "
                              "strategies' dropped; 'Our mandate is to ensure that our governments are aligned in our "
                              "objectives and in our actions' added"), apart.headline
    # … unless the sentence lineage pairs the two sentences as one restated.
    paired = _rewritten(ALIGN_OLD, ALIGN_NEW, old=[[0, 0]], new=[[0, 0]], type="rewritten", score=0.5)
    assert [p["kind"] for p in paired.evidence["pieces"]] == ["rewritten"]
    assert paired.headline.startswith("rewritten: 'The leaders agreed"), paired.headline


def test_a_long_rewording_cut_to_clauses_pairs_them_only_on_a_shared_subject():
    # The two phrases share words (submarine crews), so they are one
    # replacement; cut down to their weightiest clauses, supply chains and
    # warfighter capabilities are two subjects: one dropped, one added.
    from driftlab.changes import _piece

    o = ("we will integrate our industrial bases and critical supply chains across our three nations, "
         "including by training submarine crews together")
    n = ("we will train submarine crews together, including by developing warfighter capabilities to bolster "
         "deterrence in the Indo-Pacific")
    pieces = _piece(o, n, (0, len(o)), (0, len(n)), 0, CONFIG_H)
    assert [(p["kind"], p["old"], p["new"]) for p in pieces] == [
        ("dropped", "we will integrate our industrial bases and critical supply chains across our three nations", ""),
        ("added", "", "by developing warfighter capabilities to bolster deterrence in the Indo-Pacific")]
    # Clauses about the same thing (critical supply chains) stay one rewording.
    n = "we will build resilient critical supply chains with our industrial partners, including by developing " \
        "warfighter capabilities"
    pieces = _piece(o, n, (0, len(o)), (0, len(n)), 0, CONFIG_H)
    assert [(p["kind"], p["new"]) for p in pieces] == [
        ("reworded", "we will build resilient critical supply chains with our industrial partners")]
    from driftlab.flags.passages import _run_weight

    assert pieces[0]["weight"] == _run_weight(pieces[0]["old"], CONFIG_H) + _run_weight(pieces[0]["new"], CONFIG_H)


def test_what_makes_two_clauses_one_subject():
    from driftlab.changes import _same_subject
    from driftlab.flags.sentences import _Own

    # A topic named on both sides, in other words.
    assert _same_subject("a clean energy transition for all", "climate resilience in the region", CONFIG_H)
    # An actor named on both sides …
    assert _same_subject("we will meet ASEAN ministers soon", "we back ASEAN centrality fully", CONFIG_H)
    # … but not one of the statements' own parties: they speak in every passage.
    own = _Own(parties=frozenset({"Japan", "ROK"}), words=frozenset({"japan", "republic", "korea"}))
    first = "We commit to strengthening vital trilateral cooperation among Japan, the Republic of Korea"
    assert not _same_subject(first, "Japan welcomes Southeast Asian countries and Pacific Island countries",
                             CONFIG_H, own)
    # Shared content words, as a rewording shares them: one suffices between
    # short clauses, two between longer ones (one stock word is no subject).
    assert _same_subject("the security regimes", "security of each nation", CONFIG_H)
    assert not _same_subject("strengthening the security regimes of each nation",
                             "shared goal to bolster stability and security in the region", CONFIG_H)
    assert _same_subject("strengthening the export control regimes of each nation",
                         "harmonise export control rules in the region", CONFIG_H)
    # The share is of the shorter clause's words: two of ten is enough, two of eleven is not.
    ten = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
    assert _same_subject(ten, "alpha bravo kilo lima mike november oscar papa quebec romeo", CONFIG_H)
    assert not _same_subject(ten + " kilo", "alpha bravo lima mike november oscar papa quebec romeo sierra tango",
                             CONFIG_H)
    # Sentences the aligner paired.
    assert not _same_subject("closely cooperate", "aligned in our actions", CONFIG_H)
    assert _same_subject("closely cooperate", "aligned in our actions", CONFIG_H,
                         lineage=[("We will closely cooperate.", "We are aligned in our actions.")])
    # A side of function words only is no subject of its own: never "'are' dropped".
    assert _same_subject("are", "stand united in our dedication to promote human rights", CONFIG_H)
    # The names of the statements' own parties are no shared subject; the
    # words of their title are ("trilateral partnership").
    own = _Own(parties=frozenset({"Japan", "ROK"}), words=frozenset({"japan", "trilateral", "partnership"}))
    assert not _same_subject("Japan will host the talks", "Japan welcomes the delegates", CONFIG_H, own)
    # A side naming only a party has no subject of its own to set against the other's.
    assert _same_subject("Japan", "the delegates of the region gathered", CONFIG_H, own)
    assert _same_subject("the delegates of the region gathered", "Japan", CONFIG_H, own)
    assert _same_subject("reaffirmed our trilateral partnership guided by shared values",
                         "convened to inaugurate a new era of trilateral partnership", CONFIG_H, own)


def test_a_roll_call_of_the_parties_is_never_the_quote_a_rewording_pairs():
    from driftlab.changes import _paired
    from driftlab.flags.sentences import _Own

    own = _Own(parties=frozenset({"Japan", "ROK"}), words=frozenset({"japan", "republic", "korea"}))
    old = ["renewed their commitment to deepening partnership on economic security"]
    new = ["Japan, the ROK", "we are committed to deepening our economic partnership"]
    assert [(p["kind"], p["old"], p["new"]) for p in _paired(old, new, CONFIG_H, own)] == [
        ("reworded", old[0], new[1])]
    # A clause of the parties' names is no mate for a clause of another subject.
    old = ["we will meet the challenges of our era", "the Republic of Korea"]
    new = ["our cooperation has soared to new heights"]
    assert [(p["kind"], p["old"], p["new"]) for p in _paired(old, new, CONFIG_H, own)] == [
        ("dropped", old[0], ""), ("added", "", new[0])]


def test_a_mate_shares_a_subject_other_than_the_parties_or_is_named_by_the_lineage():
    from driftlab.changes import _paired
    from driftlab.flags.sentences import _Own
    from driftlab.flags.passages import _run_weight

    own = _Own(parties=frozenset({"Japan"}), words=frozenset({"japan"}))
    # Every clause names Japan, a party: that is no shared subject, so no
    # clause is another's mate, and each is weighed on its own.
    old = ["Japan will convene the maritime talks next spring", "Japan thanks its guests warmly"]
    new = ["Japan welcomes the delegates of the region", "Japan salutes its many friends"]
    pieces = _paired(old, new, CONFIG_H, own)
    assert [(p["kind"], p["old"], p["new"]) for p in pieces] == [("dropped", old[0], ""), ("added", "", new[0])]
    assert [p["weight"] for p in pieces] == [_run_weight(old[0], CONFIG_H), _run_weight(new[0], CONFIG_H)]
    # Clauses whose sentences the lineage pairs are mates, on either side.
    talks, aligned = "We will convene the maritime talks next spring", "aligned in our actions"
    lineage = [("We will convene the maritime talks next spring.", "We are aligned in our actions.")]
    pieces = _paired([talks], ["the delegates praised the hosts", aligned], CONFIG_H, None, lineage)
    assert [(p["kind"], p["old"], p["new"]) for p in pieces] == [
        ("reworded", talks, aligned), ("added", "", "the delegates praised the hosts")]
    pieces = _paired(["the delegates praised the hosts", talks], [aligned], CONFIG_H, None, lineage)
    assert [(p["kind"], p["old"], p["new"]) for p in pieces] == [
        ("dropped", "the delegates praised the hosts", ""), ("reworded", talks, aligned)]
    # One side only (the other a heading): that side, dropped or added.
    assert [(p["kind"], p["old"]) for p in _paired([talks], [], CONFIG_H, None)] == [("dropped", talks)]
    assert _paired([], [], CONFIG_H, None) == []


def test_the_lineage_a_headline_reads_is_the_sentences_carried_edited_restated_or_moved():
    from dataclasses import replace

    from driftlab.changes import _lineage

    old = doc("One old. Two old. Three old. Four old. Five old.")
    new = doc("One new. Two new. Three new. Four new. Five new.")
    kinds = ("carried", "edited", "rewritten", "moved", "added")
    sls = tuple({"old": [[0, k]], "new": [[0, k]], "type": t, "score": 0.5} for k, t in enumerate(kinds))
    sls += ({"old": [[0, 5]], "new": [[0, 0]], "type": "edited"},   # out of range: no sentence
            {"old": [[1, 0]], "new": [[0, 1]], "type": "edited"},
            {"new": [[0, 2]], "type": "rewritten"},                # no old side
            {"old": [[0, 2]], "type": "rewritten"})                # no new side
    lk = replace(link(old, [0], new, [0]), sentence_links=sls)
    assert _lineage(lk, old, new) == [("One old.", "One new."), ("Two old.", "Two new."),
                                      ("Three old.", "Three new."), ("Four old.", "Four new.")]


def test_a_list_of_names_and_an_opening_phrase_stay_with_their_clause():
    # Invented text. "between Ruritania, the ROK, and …" is one subject of
    # its verb: never quoted as "ties between Ruritania, the ROK".
    from driftlab.changes import _clause_split

    assert _clause_split("Maritime ties between Ruritania, the ROK, and the United States are growing fast, and "
                         "we are discussing ways to keep the pace") == [
        "Maritime ties between Ruritania, the ROK, and the United States are growing fast",
        "and we are discussing ways to keep the pace"]
    assert _clause_split("At this session of the Assembly, Chile, Peru and other coastal states founded the "
                         "Friends of the Reef") == [
        "At this session of the Assembly, Chile, Peru and other coastal states founded the Friends of the Reef"]
    # An opening phrase naming something belongs to the clause after it …
    assert _clause_split("Across the globe, from Lapland to the Middle East, drought has torn at our harvests") == [
        "Across the globe", "from Lapland to the Middle East, drought has torn at our harvests"]
    # … a connective naming nothing stays apart (its clause is quoted alone).
    assert _clause_split("In this vein, we will expand cooperation on fisheries")[0] == "In this vein"


def test_a_roll_call_is_quoted_only_when_nothing_else_is_left():
    from driftlab.changes import _clauses

    text = ("We thank Chile, Ghana, Egypt, Peru, Fiji, Nepal, Oman and Laos, and we will double our grain "
            "shipments to the coastal states next year")
    assert _clauses(text, CONFIG_H)[0] == "we will double our grain shipments to the coastal states next year"
    assert all("Chile, Ghana" not in c for c in _clauses(text, CONFIG_H))


def test_who_met_where_and_when_is_no_change():
    # Invented readout openers: the envoys, the city, the date and the count
    # of the meeting changed; nothing was said.
    old = doc("On May 3, Envoy Lind met with Envoy Aho for the third trilateral meeting in Oslo.",
              "The envoys condemned the missile launches.")
    new = doc("On June 9, Envoy Lind and Envoy Berg met in Tallinn for the fourth trilateral meeting.",
              "The envoys condemned the missile launches.")
    changes = run(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")]).changes
    assert not [c for c in changes if 0 in c.old], [c.headline for c in changes]
    # Whom they met with is news: "met with" names a party, not a venue.
    from driftlab.changes import _who_met

    def who_met(phrase, text):
        return _who_met(phrase, text, text.index(phrase))

    assert not who_met("President Okonjo", "We met in Oslo. The leaders met with President Okonjo in Lagos.")
    assert who_met("Envoy Berg met in Tallinn", "We act. On June 9, Envoy Lind and Envoy Berg met in Tallinn.")
    assert not who_met("agreed to sanction", "The envoys met in Tallinn and agreed to sanction the shipping line.")
    from driftlab.flags.sentences import _metadata

    assert _metadata("On May 3, Envoy Lind met with Envoy Aho for the third trilateral meeting.")
    assert not _metadata("The leaders met with President Okonjo for a bilateral meeting.")


def test_a_paragraph_number_is_no_wording():
    # Invented text: the old paragraph carried its number; the new one none.
    old = doc("1 We, the ministers, agree to fund the ports of the islands.")
    new = doc("We, the ministers of the three nations, agree to fund the ports of the islands.")
    (c,) = run(old, new, [link(old, [0], new, [0])]).changes
    assert c.evidence["pieces"] == [{"kind": "added", "old": "", "new": "of the three nations"}], c.headline
    # A count opening a line is a figure, not a number of the layout.
    from driftlab.changes import _numbering

    assert _numbering("12. We agree.", 0, "12.") and not _numbering("30 nations joined.", 0, "30")
