"""``actor_change``: actors named or no longer named, new capitalised names,
and new conduct attributed to a watched actor.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Sequence

from ..topics import TopicConfig, term_hits
from ..types import Link
from .numbers import _MONTH_RE, _NUMBER
from .sentences import CARRIED, _metadata, STOP, _LinkView, _NAME, _Own, _Side, _fold_words, _is_content, _norm, _pair_for, _quote, _sentence_initial, _topics_for, _units
from .ranking import _Builder, _partial_reason

def _rule_actors(view: _LinkView, b: _Builder, old_all_words: str, reported: set[tuple],
                 everywhere: Mapping[str, set[str]], own: "_Own") -> None:
    """Actors named in one side of a link only, and capitalised names new to the statement.

    The statement's own parties (``Meta.parties`` of either side) are skipped:
    "Japan, the ROK and the United States condemn…" names its authors, not an
    actor. Actors gained (or lost) in the same sentence pair make one flag
    listing them all ("DPRK, Russia named…"), so one sentence cannot fill
    the top of the list on its own.
    """
    def actors(side: _Side, paras: Sequence[int]) -> tuple[dict[str, list[tuple[int, int]]], set[str]]:
        """Mentions, and the actors named inside a term of their topic."""
        out: dict[str, list[tuple[int, int]]] = {}
        in_terms: set[str] = set()
        for pi in paras:
            p = side.para[pi]
            hits = term_hits(p.text, b.config, offset=p.start)
            for name, spans in hits.actors.items():
                if name not in own.parties:
                    out.setdefault(name, []).extend(spans)
            in_terms |= _named_in_terms(hits, b.config)
        return out, in_terms

    old_hits, old_in_terms = actors(view.old, view.link.old)
    new_hits, new_in_terms = actors(view.new, view.link.new)
    for added, hits, other, side_name in ((True, new_hits, set(old_hits) | old_in_terms, "new"),
                                          (False, old_hits, set(new_hits) | new_in_terms, "old")):
        side = view.new if added else view.old
        groups: dict[tuple, dict] = {}
        for actor in sorted(set(hits) - other):
            # Quote the fullest naming ("the People's Republic of China" over "China").
            s, e = max(hits[actor], key=lambda se: se[1] - se[0])
            o, n = _pair_for(view, side_name, s, e)
            reported.add((actor, side_name, *(n[:2] if added else o[:2])))
            elsewhere = everywhere["old" if added else "new"]
            first = actor not in elsewhere and actor in everywhere["watched"]
            g = groups.setdefault((o[0], o[1], n[0], n[1]), {"o": o, "n": n, "actors": [], "words": [], "first": False})
            g["actors"].append(actor)
            g["words"].append(side.text[s:e])
            # Against a partial statement, "first time in the statement" is
            # unprovable: the flag stays a passage-level one.
            blind = b.blind(side_name)
            g["first"] = g["first"] or (first and not blind)
            g["whole"] = g.get("whole", True) and actor not in elsewhere and not blind
            g["blind"] = g.get("blind", False) or (blind and actor not in elsewhere)
        for g in groups.values():
            o, n, names = g["o"], g["n"], g["actors"]
            topics = _topics_for(view, o, n)
            who = ", ".join(names)
            if added:
                where = "for the first time in the statement" if g["whole"] else "where it was not"
                verb = "named"
            else:
                where = "anywhere in the statement" if g["whole"] else "in this passage"
                verb = "no longer named"
            b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=("+" if added else "-") + "+".join(names),
                  # A watched actor new to (or gone from) the whole statement is a
                  # statement-level fact: how much of this passage changed does not
                  # make it less so ("China no longer named" in a lightly edited passage).
                  size=1.3 if g["first"] else 1.0, changed_share=1.0 if g["first"] else view.share,
                  explanation=f"{who} {verb} {where}{b.topic_label(topics)}: {_quote((n if added else o)[2])}",
                  evidence={"actor": names[0], "actors": names, "change": verb, "words": g["words"],
                            "scope": "statement" if g["first"] else "passage",
                            **({"partial": _partial_reason(b, "new" if added else "old")} if g["blind"] else {})},
                  link=view.link, anchor=("new", n[0], n[1]) if added else ("old", o[0], o[1]))
    for name, s, e in _new_names(view.new.text, view.new_changed, old_all_words, b.config, own):
        o, n = _pair_for(view, "new", s, e)
        topics = _topics_for(view, o, n)
        size, kind = _name_size(name, own)
        b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=f"+name:{_norm(name)}",
              size=size, changed_share=view.share,
              explanation=f"New name{b.topic_label(topics)}, not in the old statement: {_quote(name)}",
              evidence={"actor": name, "change": "new name", "name_kind": kind}, link=view.link,
              anchor=("new", n[0], n[1]))


#: Last words of names that denote a meeting, an event, a document, a region
#: or a bare grouping ("Apulia Summit", "Core Group", "Cold War", "Northeast
#: Asia", "Permanent Member"): named in passing, they are rarely the news an
#: analyst reads a statement for. Institutions ("Trilateral Secretariat"),
#: programmes and people keep the full weight.
_EVENT_WORDS = frozenset("""summit summits meeting meetings conference session sessions ministerial ministerials
    group groups forum dialogue declaration statement statements communique communiqué vision visions war
    asia ocean oceans region sea seas member members day days week year games expo olympics paralympics
    chair chairs presidency""".split())


def _name_size(name: str, own: _Own | None = None) -> tuple[float, str]:
    """Size and kind of a new capitalised name.

    A full name ("Alexei Navalny", "Trilateral Secretariat") says more than
    one capitalised word ("Rome", "UNSCRs"), which is often a place or an
    acronym; a meeting, event or region, or a name made of the statements'
    own title and party words (the leaders, the host city), says least.
    """
    words = _fold_words(name)
    if words and (words[-1] in _EVENT_WORDS or (own and any(w in own.words for w in words))):
        return 0.5, "event, place or own party"
    if len(name.split()) == 1:
        return 0.7, "single word"
    # A name none of whose words either statement uses as an ordinary lower-
    # case word ("Alexei Navalny") is a person or a place: news in itself.
    # Names of common words ("Grain Verification Scheme", "World Bank") are
    # bodies and programmes, weighed as full names.
    if own and not any(w in own.common for w in words if w.isalpha()):
        return 1.2, "proper name"
    return 1.0, "full name"


#: Titles before a person's name: "President Biden" is the president.
_TITLES = frozenset("""president presidents prime minister ministers secretary secretaries chancellor king queen
    premier governor chair chairman vice deputy foreign state general leader leaders mr ms dr his her
    majesty excellency""".split())


#: Last words of a role, not a body: "a Permanent Member", "the Chair".
_ROLE_WORDS = frozenset("member members chair chairs".split())


#: The tail of a name run stopped by an abbreviation's full stop: a linking
#: word and a lone capital ("… and U", "… of the U").
_CUT_TAIL = re.compile(r"(?:\s+(?:of|the|and|for|on))+\s+[A-Z]$")
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
_ROLE_BEFORE = re.compile(r"\b(?:a|an|our|their|its|respective|every|each)\s+$", re.IGNORECASE)
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def _not_a_name(text: str, s: int, e: int, name: str, own: _Own | None) -> bool:
    """Is a capitalised run at ``s:e`` something other than a new proper name?

    * a reference or a document symbol: followed by a number or a slash
      ("Article 51", "Youth 7", "UNSCR S/RES/2735");
    * one word both statements use in lower case, capitalised by a heading
      or a list ("Women, Peace and Security", "Guidelines"): a common noun;
    * made of common words ending in a grouping word ("Permanent Member");
    * one of the statements' own parties or signatories: every word a
      title or a word of the parties line or title ("President Biden",
      "Prime Minister Ishiba and President Biden").
    """
    after = text[e:e + 3]
    if after[:1] == "/" or re.match(r"\s?\d", after):
        return True
    lo, hi = text.rfind("\n", 0, s) + 1, text.find("\n", e)
    if _metadata(text[lo:hi if hi >= 0 else len(text)]):
        return True  # a heading, a release line or a voter list
    words = [w for w in _fold_words(name) if w not in ("of", "the", "and", "for", "on")]
    if not own or not words:
        return False
    if len(words) == 1 and words[0] in own.common and not name.isupper():
        return True
    if words[-1] in _EVENT_WORDS and (all(w in own.common for w in words) or words[-1] in _ROLE_WORDS):
        return True
    if words[-1] in _TITLES and all(w in _TITLES or w in own.common for w in words) \
            and _ROLE_BEFORE.search(text, max(0, s - 14), s):
        # A role held by no one in particular: "As a Prime Minister from
        # Hiroshima", "our Defense Ministers", "their respective Vice Foreign
        # Ministers" (titles and ordinary words after "a", "our" …). "The
        # Vice Chancellor" is one person, named by the office.
        return True
    people = own.people | own.words
    return any(w in people for w in words) and all(w in people or w in _TITLES for w in words)


def _new_names(text: str, spans: Sequence[tuple[int, int]], old_all_words: str, config: TopicConfig,
               own: _Own | None = None) -> list[tuple[str, int, int]]:
    """Capitalised names inside ``spans`` that the whole old statement never used.

    Works on any text (a central bank's "Arden Treasury", a dissident's
    name). Sentence-initial single words are skipped: "Together" or "Today"
    opening a sentence is not a name; configured actors are left to the
    actor rules.
    """
    out, seen = [], set()
    old_words = _words_of(old_all_words)
    for j1, j2 in spans:
        if j1 == j2:
            continue
        # Start a few words back so a name whose first words were carried
        # over ("the *Guidelines for the* Joint Partnership") is read whole.
        lo = max(text.rfind("\n", 0, j1) + 1, text.rfind(" ", 0, max(0, j1 - 60)) + 1)
        for m in _NAME.finditer(text, lo, j2):
            if m.end() <= j1:
                continue
            name = m.group(0).strip()
            words = name.split()
            if _sentence_initial(text, m.start()) and len(words) > 1 and (
                    words[0].lower() in STOP or (own is not None and words[0].lower() in own.common)):
                # "In April 2024 …", "The July 2016 award": the capital is the
                # sentence's; so is that of a word the statements write in
                # lower case ("Implementing AUKUS will …").
                m_start = m.start() + m.group(0).index(words[1], len(words[0]))
                name = text[m_start:m.end()].strip()
                words = words[1:]
            else:
                m_start = m.start()
            # A run cut short at an abbreviation's full stop ("UK Ministry of
            # Defence and U.S. shipyards", "Goals of the U.N.") ends on a lone
            # letter: the name is what stands before it.
            cut = _CUT_TAIL.search(name)
            if cut:
                name = name[:cut.start()]
                words = name.split()
            # A possessive is the name's ("this Organization’s credibility").
            name = _POSSESSIVE.sub("", name)
            if not words:
                continue
            if len(words) == 1 and (_sentence_initial(text, m_start) or len(name) < 3):
                continue
            if _not_a_name(text, m_start, m.end(), name, own):
                continue
            key = _norm(name)
            if not key or key in seen or _NUMBER.fullmatch(name) or _MONTH_RE.fullmatch(name) \
                    or key in _WEEKDAYS:
                continue
            # Every word already used in the old statement ("Permanent Member",
            # "Vice Ministers" re-capitalised): a rephrasing, not a new name.
            # (The name itself used before implies this too.)
            if all(w in old_words for w in key.split()):
                continue
            if term_hits(name, config).actors:
                continue
            seen.add(key)
            out.append((name, m_start, m_start + len(name)))
    # "Navalny’s" after "Alexei Navalny": the same person once.
    keys = [_norm(n) for n, _, _ in out]
    return [o for o, k in zip(out, keys)
            if not any(k != other and f" {k} " in f" {other} " for other in keys)]


@lru_cache(maxsize=4)
def _words_of(all_words: str) -> frozenset[str]:
    """The words of a statement's folded word string (" w1 w2 … "), as a set:
    ``w in _words_of(s)`` is ``f" {w} " in s`` without scanning the whole
    statement for each candidate name (a G7 pair has thousands)."""
    return frozenset(all_words.split())


def _actor_mentions(side: _Side, config: TopicConfig) -> dict[str, list[tuple[int, int | None, int, int]]]:
    """actor → mentions ``(paragraph, sentence, start, end)`` in reading order."""
    out: dict[str, list[tuple[int, int | None, int, int]]] = {}
    for pi, si, start, _, text in side.sentences([p.index for p in side.doc.paragraphs]):
        for actor, spans in term_hits(text, config, offset=start).actors.items():
            out.setdefault(actor, []).extend((pi, si, s, e) for s, e in spans)
    return out


def _term_named(side: _Side, config: TopicConfig) -> set[str]:
    """Actors a statement names only inside terms of topics they define
    ("the Taiwan Strait", "DPRK-Russia cooperation"): not mentions to flag
    (the topic's own flags say it), but enough that a later "Taiwan" is not
    "named for the first time in the statement" (:func:`_named_in_terms`)."""
    out: set[str] = set()
    for _, _, _, _, text in side.sentences([p.index for p in side.doc.paragraphs]):
        out |= _named_in_terms(term_hits(text, config), config)
    return out


def _named_in_terms(hits, config: TopicConfig) -> set[str]:
    """Actors named inside a term of a topic they define (``hits``: a text's
    :func:`~driftlab.topics.term_hits`): a term consumes its words, so "the
    Taiwan Strait" and "DPRK-Russia cooperation" held no mention of Taiwan
    or the DPRK, and a later "Taiwan" was "named for the first time in the
    statement". ("South China Sea" names no actor: China does not define
    the maritime topic.)"""
    return {actor for topic, words in hits.topics.items() for actor in _defining(config, topic)
            if any(re.search(rf"(?<!\w){re.escape(a)}(?!\w)", w)
                   for a in config.actors.get(actor, (actor,)) for w in words)}


def _defining(config: TopicConfig, topic_id: str) -> set[str]:
    """Actors a topic is defined by (``@Actor`` in its terms or requires)."""
    t = config.topic(topic_id)
    if t is None:
        return set()
    refs = list(t.terms) + [x for g in t.requires for x in g]
    return {r[1:] for r in refs if r.startswith("@")}


def _rule_statement_actors(old: _Side, new: _Side, term_topics: Mapping[str, Mapping], b: _Builder,
                           reported: set[tuple], mentions: Mapping[str, Mapping], own: _Own,
                           in_terms: Mapping[str, set[str]] | None = None) -> None:
    """Actors named (or no longer named) anywhere in the statement, or named
    on a topic for the first time ("Russia" in a DPRK sentence).

    Passage-level actor flags only see linked passages; an actor appearing in
    an added passage, or attributed a new behaviour in another paragraph, is
    caught here. ``reported`` holds ``(actor, side, paragraph, sentence)``
    already flagged by the passage-level rule, which are not repeated.
    Actors of one sentence make one flag ("DPRK, Russia named on…").
    """
    # Actors some topic is about (China, the DPRK, Russia, Iran…) are watched:
    # their appearance on a new topic is news; the Philippines or the UN on a
    # new topic is not, and they are flagged only when new to the statement.
    watched = {a for t in b.config.topics for a in _defining(b.config, t.id)}
    # The statement's own authors are named on every topic ("Japan, the ROK
    # and the United States condemn…"): their presence is no news, and they
    # are never flagged here (the parties line, or named in 30% of paragraphs).
    authors = set(own.parties)
    for side in (old, new):
        n_paras = max(1, len(side.doc.paragraphs))
        for actor, ms in mentions[side.name].items():
            if len({m[0] for m in ms}) >= 0.3 * n_paras and n_paras >= 4:
                authors.add(actor)
    pairs = {side: {(a, t) for a, ms in mentions[side].items() for pi, si, _, _ in ms
                    for t in term_topics[side].get((pi, si), ())}
             for side in ("old", "new")}
    for side_name, other_name in (("new", "old"), ("old", "new")):
        if b.blind(side_name):
            continue  # "named for the first time" / "no longer named" against an excerpt: an artefact
        side = new if side_name == "new" else old
        added = side_name == "new"
        groups: dict[tuple, list] = {}
        for actor, ms in sorted(mentions[side_name].items()):
            if actor in own.parties:
                continue
            if actor not in mentions[other_name] and actor not in (in_terms or {}).get(other_name, ()):
                todo = [(max(ms, key=lambda m: m[3] - m[2]), None)]
            elif actor in authors or actor not in watched:
                todo = []
            else:
                # One entry per sentence, naming the topics the actor is new on.
                todo = []
                done_topics: set[str] = set()
                for m in ms:
                    fresh = [t for t in sorted(term_topics[side_name].get((m[0], m[1]), ()))
                             if (actor, t) not in pairs[other_name] and t not in done_topics
                             and actor not in _defining(b.config, t)]
                    if fresh:
                        done_topics |= set(fresh)
                        todo.append((m, fresh))
            for (pi, si, s, e), topic in todo:
                if (actor, side_name, pi, si) in reported:
                    continue
                reported.add((actor, side_name, pi, si))
                groups.setdefault((pi, si), []).append((actor, s, e, topic))
        for (pi, si), entries in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
            names = [a for a, _, _, _ in entries]
            # Quote around the fullest naming; the snippet takes in its novel run.
            _, s, e, _ = max(entries, key=lambda x: x[2] - x[1])
            quote = side.snippet(s, e, [pi])
            topics = side.topics_of(pi, si)
            whole = [a for a, _, _, t in entries if t is None]
            on = sorted({t for _, _, _, ts in entries if ts for t in ts})
            parts = []
            if whole:
                parts.append("for the first time in the statement" if added else "anywhere in the statement")
            if on:
                names_on = "; ".join(b.config.topic_name(t) for t in on)
                parts.append(f"on {names_on} for the first time" if added else f"on {names_on} any more")
            size = 1.3 if any(a in watched for a in whole) else 1.0
            verb = "named" if added else "no longer named"
            key = f"{'+' if added else '-'}{'+'.join(names)}:{','.join(on)}"
            b.add("actor_change", topics, [] if added else [pi], [pi] if added else [],
                  "" if added else quote, quote if added else "", key=key,
                  size=size if added else size * 0.8, changed_share=1.0,
                  explanation=f"{', '.join(names)} {verb} {' and '.join(parts)}: {_quote(quote)}",
                  evidence={"actor": names[0], "actors": names, "change": verb,
                            "scope": on or ["statement"], "words": [side.text[s2:e2] for _, s2, e2, _ in entries]},
                  anchor=(side_name, pi, si))


_NEXT_WORD = re.compile(r"[’']s\b|\s+([a-z]+)")
#: Verbs that make a mention the subject of what follows ("North Korea
#: continues …", "the PRC has …"); other lower-case words ending in -s/-ed
#: count too.
_SUBJECT_VERBS = frozenset("is has was were are have continues continue remains must".split())


def _conduct_of(text: str, end: int) -> bool:
    """Is the actor mention ending at ``end`` a possessor of a behaviour ("the
    PRC's build-up") or the subject of a verb ("Russia has deployed") of what follows?"""
    if text[end - 2:end] in ("’s", "'s"):
        return _behaviour_follows(text, end)
    m = _NEXT_WORD.match(text, end)
    if not m:
        return False
    if m.group(1) is None:
        return True
    w = m.group(1)
    return w in _SUBJECT_VERBS or (len(w) > 3 and (w.endswith("ed") or (w.endswith("s") and not w.endswith("ss"))))


#: Nouns of conduct: what an actor *does* ("the PRC's build-up", "Russia's
#: procurement", "North Korea's exports"). Nouns ending in -ion, -ment, -ance,
#: -ence, -ing, -al ("withdrawal") and -ity ("activity") count too.
_BEHAVIOUR_NOUNS = frozenset("""build-up buildup buildups attack attacks use uses war wars aggression actions
    action behavior behaviour conduct support exports export transfers transfer provocations provocation
    program programs programme programmes launches launch test tests decision decisions threat threats campaign
    invasion strikes strike violations efforts expansion claims coercion pressure assistance involvement
    acquisition abuses abuse seizure capture repression crackdown refusal failure attempts attempt moves
    pursuit purchases sale sales shipments deliveries supply procurement help backing""".split())
_BEHAVIOUR_SUFFIX = ("ion", "ions", "ment", "ments", "ance", "ence", "ing", "al", "ity", "ities")
#: Nouns ending like behaviour that name a status, a place or a possession
#: ("Russia's position as…", "Ukraine's infrastructure", "Taiwan's population").
_STATUS_NOUNS = frozenset("""position positions population nation region territory territorial sovereignty
    legislation constitution jurisdiction delegation administration nationals national people citizens
    capital coastal""".split())
#: Lower-case words a possessive may skip to reach its head noun ("the DPRK's
#: *illicit cyber* activities", "the PRC's *accelerating* build-up").
_HEAD_SKIP = 3


def _behaviour_follows(text: str, end: int) -> bool:
    """Does a behaviour noun head the phrase after a possessive ("Russia's
    *procurement* of …")? A status or title ("Russia's *status* as a
    Permanent Member", "Ukraine's *infrastructure*") attributes no conduct:
    the possessor holds it, it did nothing. The head is the first
    behaviour noun among the next few lower-case words, stopping at a
    capitalised word, a preposition or punctuation."""
    for i, m in enumerate(re.finditer(r"[^\s,;:.()]+|[,;:.()]", text[end:end + 120])):
        w = m.group(0)
        if i > _HEAD_SKIP or not w[0].isalpha() or not w[0].islower() or w in ("of", "to", "in", "as", "with",
                                                                                "for", "on", "and", "by"):
            return False
        if w in _STATUS_NOUNS:
            return False
        if w in _BEHAVIOUR_NOUNS or (len(w) > 5 and w.endswith(_BEHAVIOUR_SUFFIX)):
            return True
    return False


def _ordinary_words(text: str) -> int:
    """Content words of ``text`` written in lower case (or figures): what a
    run says *happened*. Capitalised words are names ("Russia's status as a
    Permanent Member of the UN Security Council" names things, it describes
    no conduct)."""
    return sum(1 for a, _, k in _units(text) if _is_content(k) and not text[a].isupper())


def _rule_conduct(old: _Side, new: _Side, links: Sequence[Link], mentions: Mapping[str, Mapping],
                  b: _Builder, own: _Own) -> None:
    """A watched actor, named in both statements, attributed conduct the old statement never described.

    "China" in both statements raises no actor flag, yet "the PRC's
    accelerating build-up of its nuclear arsenal" is a behaviour attributed
    to China for the first time. Cheap and explainable: in the changed or
    added passages of the new statement, a mention of a watched actor as a
    possessor ("the PRC's …") or a subject ("Russia has …", "North Korea
    continues …") directly followed by a novel run (words not carried over
    from the old statement, see :meth:`_Side.runs`) of at least four ordinary (lower-case) content
    words. Only actors some topic is about are watched, never the
    statement's own parties (an ally doing something new is the statement's
    ordinary business). One flag per actor, its longest such run, so a
    statement that says much that is new about China does not fill the list.
    """
    watched = {a for t in b.config.topics for a in _defining(b.config, t.id)} - own.parties
    # An actor named in a third of the paragraphs is what the statement is
    # about (Ukraine in a Ukraine statement): everything said of it is "new".
    n_paras = max(1, len(new.doc.paragraphs))
    watched = {a for a in watched
               if n_paras < 4 or len({m[0] for m in mentions["new"].get(a, ())}) < 0.3 * n_paras}
    paras = {i for link in links if link.type not in CARRIED for i in link.new}
    starts: dict[tuple[int, int | None], list[tuple[int, int, int]]] = {}
    best: dict[str, tuple[int, int, int | None, int, int]] = {}
    for actor, ms in sorted(mentions["new"].items()):
        if actor not in watched or actor not in mentions["old"]:
            continue
        for pi, si, s, e in ms:
            if pi not in paras or not _conduct_of(new.text, e):
                continue
            if (pi, si) not in starts:
                starts[(pi, si)] = [(rs, re_, _ordinary_words(new.text[rs:re_])) for rs, re_ in new.runs(pi, si)]
            for rs, re_, novel in starts[(pi, si)]:
                # The run holds the mention, or begins within a word or two after it.
                if novel >= 4 and (rs <= s < re_ or 0 <= rs - e <= 6 or len(new.text[e:rs].split()) <= 1 <= rs - e):
                    if actor not in best or novel > best[actor][0]:
                        # Quote from the mention on: "the PRC's accelerating build-up …".
                        best[actor] = (novel, pi, si, min(max(rs, s), re_), re_)
                    break
    for actor, (novel, pi, si, rs, re_) in sorted(best.items()):
        quote = new.text[rs:re_]
        topics = new.topics_of(pi, si)
        b.add("actor_change", topics, [], [pi], "", quote, key=f"conduct:{actor}",
              size=1.0 + min(0.2, novel / 40), changed_share=1.0,
              explanation=(f"New conduct attributed to {actor}{b.topic_label(topics)}, "
                           f"not said of it in the old statement: {_quote(quote)}"),
              evidence={"actor": actor, "actors": [actor], "change": "new conduct", "novel_words": novel},
              anchor=("new", pi, si))


def _rule_added_names(link: Link, new: _Side, b: _Builder, old_all: str) -> None:
    """New capitalised names in an added passage (see :func:`_new_names`)."""
    own = b.own
    config = b.config
    spans = [(new.para[i].start, new.para[i].end) for i in link.new]
    for name, s, e in _new_names(new.text, spans, old_all, config, own):
        pi, si, _, _, _ = new.sentence_at(s, link.new)
        if new.para[pi].text.strip(" .:") == name:
            continue  # a heading ("Middle East"): the topic rules say what follows it
        quote = new.snippet(s, e, link.new)
        # A person or place opening a new passage ("we pay tribute
        # to … Alexei Navalny", before the sentences that name
        # human rights) is on the passage's topics, as its passage
        # flag is. Names of ordinary words ("Arms Regulations")
        # would carry a topic's terms if they were on it.
        size, kind = _name_size(name, own)
        topics = new.topics_of(pi, si) or (new.topics_of(pi, None) if kind == "proper name" else set())
        b.add("actor_change", topics, [], [pi], "", quote, key=f"+name:{_norm(name)}",
              size=size, changed_share=1.0,
              explanation=f"New name{b.topic_label(topics)}, not in the old statement: {_quote(name)}",
              evidence={"actor": name, "change": "new name", "name_kind": kind}, link=link,
              anchor=("new", pi, si))
