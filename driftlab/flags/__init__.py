"""Flagged shifts: the few changes that matter, each a named rule with evidence.

Rules (names are part of the JSON contract):

``intensity_shift``  the strongest rung of a language ladder (concern → grave
                     concern) differs between paired sentences of a link.
``actor_change``     a configured actor named in a passage where it was not
                     (or no longer named); a capitalised name absent from the
                     whole old statement counts as a new actor too; a watched
                     actor named in both but given new conduct ("the PRC's
                     accelerating build-up …", see :func:`_rule_conduct`).
``modality``         firm / hedged / qualifier cues in the changed words.
``negation``         a negation cue in the changed words, or a polarity pair
                     swapped (support ↔ oppose); exempt from the per-link decay
                     unless its sentence has no counterpart (``unpaired``).
``number_change``    numbers, dates, ordinals, amounts in the changed words
                     (not counts carried over or standing alone, not numbers
                     inside names; see :func:`_rule_numbers`).
``topic_added`` / ``topic_dropped``      a topic present on one side only.
``passage_added`` / ``passage_dropped``  an unlinked passage (only its
                     sentences not carried over from the other statement).
``new_wording``      changed words of an edited passage holding content words
                     or content-word pairs found nowhere in the old statement.

What raises nothing: ``unchanged`` and ``moved`` links (carried-over text);
``equal`` and ``cosmetic`` opcodes. Every word-level rule looks only at cue
matches that overlap a ``replace``/``delete``/``insert`` span *and* whose
count differs between the two sides of the link, so a word that merely moved
within the passage does not fire.

Significance (``Flag.score``; components in ``evidence["score"]``)::

    score = rule_weight × size × topic_weight × (0.75 + 0.25 × changed_share) × link_penalty

* ``rule_weight``: per rule, from the config (an intensity shift matters more
  than a changed date);
* ``size``: the size of the shift, clipped to [0.5, 2.5] — ``1 + 0.5 ×
  (rungs − 1)`` for intensity; 1.3 for a watched actor (one some topic is
  about) new to or gone from the whole statement, 1 otherwise, 1 for a new
  full name and 0.7 for a new single capitalised word; ``0.5 + min(1,
  novel words / 10)`` for new wording, +0.5 when it names a topic term or a
  full name, +0.25 when it sets a year, date or figure; ``0.5 + min(0.5, novel words / 60)`` for passages; ``1 +
  min(0.5, passages / 10)`` for topics; 1.5 for a polarity reversal;
* ``topic_weight``: the highest watch weight among the flag's topics, or the
  config's ``untagged_weight`` for passages on no topic, so a statement
  outside the default topics still ranks by kind and size of change;
* ``changed_share``: the share of the passage's characters in changed
  opcodes (1 for whole added/dropped passages and statement-level rules).
  It only moves a score by a quarter: a one-word shift inside a long
  paragraph ("concern" → "grave concern") is the classic subtle change and
  must not sink;
* ``link_penalty``: ``LINK_DECAY ** k`` for the k-th flag (from 0) of one
  link, so a rewritten passage cannot fill the list (see :func:`_diminish`);
* after that, ``repeat_demotion`` on a repeat of another flag's sentence,
  and ``taken_from_repeat`` (the score itself) on the primary it merged into.

Noise kept down: the statements' own parties (``Meta.parties``) are never
flagged as actors; actors gained in one sentence make one flag; a new name
that is an event, meeting, region or made of the statements' title and
party words (leaders, host city) has size 0.5, a proper name of a person
or place (no word used in lower case in either statement) 1.2.
Topics added or dropped on the same passages make one flag; a polarity cue
in participle form after a noun ("behavior *supporting* claims") is someone
else's conduct, never one side of a reversal; conduct is counted in lower-
case words, so a possessive before names ("Russia's status as a Permanent
Member") is not new conduct; a watched actor new to or gone from the whole
statement scores with ``changed_share`` 1 (a statement-level fact).
Precision at the top: new conduct needs a behaviour noun after a
possessive ("the PRC's *build-up*", not "Russia's *status* as …"); rungs are
compared only when they bear on the same matter (shared lower-case words
around the cues, or near-identical sentences); modality flags pair one
sentence with one; "not only" is no negation; an untagged sentence takes
topics from the sentence before it, never from later ones; an opening or
closing formula naming the statement's own parties or leaders is new
wording of the lowest size; the statement-wide rung comparison ignores
tags resting on one actor's name alone.
Statement-wide: ``intensity_shift`` also compares the strongest rung per
watched topic across the whole statements (see
:func:`_rule_topic_intensity`), counting a rung for a topic only within a
few words of that topic's own terms ("strong condemnation of Russia's
seizure of … the plant, the abduction …" is not about human rights);
added passages quote their weightiest runs
and raise ``number_change`` for new figures (see :func:`_rule_passage`).
Demands pair only when addressed to the same party (ladders with
``addressee: true``: "urge the DPRK to" is no softer "call on all UN Member
States to"). A person or place opening an added passage takes the
passage's topics ("Alexei Navalny" before the sentences naming human
rights); a capitalised function word opening a sentence ("In April 2024")
and a heading are no names.

Repeats: topic, passage, actor and new-wording flags quoting the same
sentence merge into one primary (the group's best score, the others in
``evidence["also"]`` and demoted ``× REPEAT_DEMOTION`` with
``evidence["repeat_of"]``; see :func:`_merge_repeats`). Intensity,
negation, modality and number flags are distinct shifts and never merge.

Partial statements (``Meta.partial``, an excerpt): statement-level rules on
the excerpt's side are suppressed and flags of passages that may lie beyond
it are demoted, with ``evidence["partial"]`` (see :func:`_demote_partial`).

Flag texts quote the words involved, not whole sentences: the novel *runs*
of a sentence (words not carried over from the other statement, see
``_Side.runs``) around the hit, so carried-over wording never appears as
if it were new.

Where each rule lives (one module per rule family)::

    flags/sentences.py   the shared sentence view (_Side, runs, quotes, pairing)
    flags/ranking.py     scoring (_Builder), partial demotion, repeats, per-link decay
    flags/intensity.py   intensity_shift (per link and per topic across the statement)
    flags/actors.py      actor_change (actors, new names, new conduct)
    flags/modality.py    modality, negation, polarity reversals
    flags/numbers.py     number_change
    flags/passages.py    passage_added/dropped, topic_added/dropped
    flags/wording.py     new_wording

Ids are ``content_id("flag", rule, key, folded old_text, folded new_text)``
(``key`` names the ladder, actor or cue): the words, never paragraph indices
or topics, so an id survives a re-segmentation, re-runs and an edited topics
file (review decisions key on it). Two flags with the same id (the same
shift reached twice) are merged into one, the higher-scoring, taking in the
other's topics, so ids are unique within a report.

Cost: one fold per sentence (cached and shared by all rules) and a few
phrase scans per edited link, with matchers compiled once per config. The
G7 Hiroshima 2023 / Apulia 2024 pair (~130 KB each) flags in ~0.52 s in a
fresh process on 2 cores given its tags and links (~0.4 s with warm fold
caches), most of it folding every sentence; the per-link intensity rule
scans all ladders in one pass.
"""

from __future__ import annotations

from typing import Sequence

from ..topics import TopicConfig
from ..types import Document, Flag, Link, TopicTag
from .actors import (_actor_mentions, _defining, _ordinary_words, _rule_actors, _rule_added_names, _rule_conduct,
                     _rule_statement_actors, _term_named)
from .intensity import _rule_intensity, _rule_topic_intensity, _substantive_term_topics
from .modality import _participle, _rule_cues
from .numbers import _rule_numbers
from .passages import _rule_passage, _rule_topics
from .ranking import _Builder, _demote_partial, _diminish, _merge_repeats
from .sentences import CARRIED, _Side, _link_view, _own, _word_index, lineage_index
from .wording import _rule_new_wording

__all__ = ["compute_flags"]
# ``_participle`` and ``_ordinary_words`` are imported above so that
# ``from driftlab.flags import _participle`` keeps working after the split.
_REEXPORTED = (_participle, _ordinary_words)


def compute_flags(old_doc: Document, new_doc: Document, links: Sequence[Link],
                  tags: Sequence[TopicTag], config: TopicConfig) -> tuple[Flag, ...]:
    """Every flag of a diff, ranked by score (highest first, ties by id)."""
    tag_index: dict[str, dict[tuple[int, int | None], dict[str, set[str]]]] = {"old": {}, "new": {}}
    for t in tags:
        kind = "term" if "term" in t.method else "meaning"
        tag_index[t.side].setdefault((t.paragraph, t.sentence), {}).setdefault(kind, set()).add(t.topic)
    old_words, old_pairs, old_all = _word_index(old_doc)
    new_words, new_pairs, new_all = _word_index(new_doc)
    old = _Side(old_doc, "old", tag_index["old"], new_words, new_pairs, new_all)
    new = _Side(new_doc, "new", tag_index["new"], old_words, old_pairs, old_all)
    # Sentence lineage from the aligner, when it gives one: a rule then
    # compares a sentence with the sentence it came from.
    lineage = lineage_index(links)
    for side in (old, new):
        if lineage[side.name] is not None:
            side.lineage, side.lineage_paras = lineage[side.name]
    reported: set[tuple] = set()
    term_topics: dict[str, dict[tuple[int, int | None], set[str]]] = {"old": {}, "new": {}}
    for t in tags:
        if "term" in t.method and t.sentence is not None:
            term_topics[t.side].setdefault((t.paragraph, t.sentence), set()).add(t.topic)

    own = _own(old_doc, new_doc, config)
    b = _Builder(config, {"old": old_doc.statement.meta.partial, "new": new_doc.statement.meta.partial}, own)
    mentions = {"old": _actor_mentions(old, config), "new": _actor_mentions(new, config)}
    # Named inside a term of their topic ("the Taiwan Strait"): not "named
    # for the first time" later in the other statement.
    in_terms = {"old": _term_named(old, config), "new": _term_named(new, config)}
    everywhere = {k: set(v) | in_terms[k] for k, v in mentions.items()}
    everywhere["watched"] = {a for t in config.topics for a in _defining(config, t.id)}

    for link in links:
        if link.type in CARRIED:
            continue
        if link.type == "added" or not link.old:
            if link.new:
                _rule_passage(link, new, b)
                _rule_added_names(link, new, b, old_all)
            continue
        if link.type == "dropped" or not link.new:
            _rule_passage(link, old, b)
            continue
        view = _link_view(link, old, new)
        if not view.new_changed and not view.old_changed:
            continue  # only equal/cosmetic opcodes: nothing changed in wording
        _rule_intensity(view, b)
        _rule_actors(view, b, old_all, reported, everywhere, own)
        _rule_cues(view, b)
        _rule_numbers(view, b)
        _rule_new_wording(view, b)
    _rule_statement_actors(old, new, term_topics, b, reported, mentions, own, in_terms)
    _rule_conduct(old, new, links, mentions, b, own)
    covered = {t for f in b.flags.values() if f.rule == "intensity_shift" for t in f.topics}
    _rule_topic_intensity(old, new, _substantive_term_topics(tags, config), b, covered)
    _rule_topics(old, new, tags, b)
    flags = _demote_partial(b, links, b.flags.values())
    return tuple(sorted(_merge_repeats(_diminish(flags), b.anchors), key=lambda f: (-f.score, f.id)))
