"""Topics: which passages talk about what, and the vocabulary the flag rules use.

A topic config (YAML; the default is ``driftlab/data/topics.yaml``, documented
copy in ``corpus/topics.yaml``) declares:

* ``topics``: id, name, description, ``terms`` (aliases, multi-word terms,
  ``@Actor`` references), ``exclude`` phrases, ``requires`` (groups that must
  all be named in one sentence, for composite topics such as DPRK–Russia),
  ``examples`` and a ``weight`` (the watch list: how much a flag on this topic
  matters);
* ``actors``: named states, organisations and people, with aliases;
* ``ladders``: ordered rungs of diplomatic language for intensity shifts;
* ``ignore``: phrases holding a term that name nothing ("cyber cafe");
* ``modality``, ``negation`` and ``polarity`` cues, and the ``rule_weights``
  and thresholds of the significance score.

Tagging uses two routes and keeps the evidence of each:

1. **Terms.** Every term, exclude phrase and actor alias of the config goes
   into one compiled regex whose alternatives are ordered longest first. A
   regex scan is leftmost-first, so at any position the longest phrase wins,
   and a phrase consumes its words: "China" inside "South China Sea" is never
   seen on its own (the sea tags ``maritime``; China the actor is not named).
   ``exclude`` phrases of a topic are phrases that win the same way but tag
   nothing for that topic (e.g. "Korean War" for a DPRK topic). Terms match
   whole words, case-insensitively except all-capital acronyms ("US" ≠ "us")
   and the initial of a Capitalised word (a proper noun: "China" ≠ "fine
   china"), with plural/possessive endings; a word ending in ``~`` takes verb
   endings too and a word ending in ``*`` is a prefix. A Capitalised term that
   starts a company's name ("Taiwan Semiconductor Manufacturing Company")
   tags nothing, while "Ukraine Recovery Conference" still tags Ukraine (see
   :func:`_starts_longer_name`);
   top-level ``ignore`` phrases ("Russian salad") swallow their words.
2. **Meaning.** The cosine of each sentence and paragraph embedding to the
   embeddings of the topic's description and examples; a unit is tagged when
   the best cosine reaches the calibrated threshold. Meaning alone never tags
   a composite topic (``requires``): "cooperation" talk near Russia is not
   DPRK–Russia cooperation unless both are named.

Cost: one regex scan per sentence (the regex is compiled once per config and
cached on it) and one matrix product of unit × topic-text vectors.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .errors import ConfigError
from .settings import read_config, safe_yaml, short, short_repr
from .types import Document, TopicTag

#: The packaged default; ``corpus/topics.yaml`` is a byte-identical copy for users.
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent / "data" / "topics.yaml"

RULES = (
    "intensity_shift",
    "actor_change",
    "modality",
    "negation",
    "number_change",
    "topic_added",
    "topic_dropped",
    "passage_added",
    "passage_dropped",
    "new_wording",
)

Embed = Callable[[Sequence[str]], np.ndarray]


# --------------------------------------------------------------------------- phrases

_DASHES = "-‐‑‒–—"
_APOS = "'’"
_SEP = r"[\s" + re.escape(_DASHES) + r"]+"
_PLURAL = r"(?:s|es)?(?:['’]s?)?"


def _verb_forms(word: str) -> list[str]:
    """condemn → condemn, condemns, condemned, condemning (and e/y/doubling variants)."""
    w = word.lower()
    forms = {w, w + "s", w + "es", w + "ed", w + "ing"}
    if w.endswith("e"):
        forms |= {w + "d", w[:-1] + "ing"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        forms |= {w[:-1] + "ies", w[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgmnprt]$", w):  # commit → committed, committing
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return sorted(forms, key=len, reverse=True)


def _word_regex(word: str) -> str:
    if word.endswith("~"):
        return "(?:" + "|".join(re.escape(f) for f in _verb_forms(word[:-1])) + ")"
    if word.endswith("*"):
        if word[0].isupper():
            return f"(?-i:{re.escape(word[0])})" + re.escape(word[1:-1]) + r"\w*"
        return re.escape(word[:-1]) + r"\w*"
    core = "".join("['’]" if c in _APOS else re.escape(c) for c in word)
    if len(word) >= 2 and word.isupper():
        # Acronyms match case-sensitively: "US" the country, not "us" the pronoun.
        return f"(?-i:{core}){_PLURAL}"
    if word[0].isupper():
        # A proper noun keeps its capital: "China" the state, not "fine china".
        # Only the initial is fixed, so "CHINA" in a heading still matches.
        return f"(?-i:{re.escape(word[0])})" + "".join("['’]" if c in _APOS else re.escape(c) for c in word[1:])
    return core


def phrase_regex(phrase: str) -> str:
    """Regex source for one config phrase (whole words; see module docstring).

    The word-start check ``(?<!\\w)`` is added once by :class:`PhraseMatcher`.
    """
    words = [w for w in re.split(r"[\s" + re.escape(_DASHES) + r"]+", phrase.strip()) if w]
    if not words:
        raise ConfigError(f"Empty phrase {phrase!r} in the topic config.")
    parts = [_word_regex(w) for w in words]
    last = words[-1]
    if not (last.endswith("~") or last.endswith("*") or last.isupper()):
        parts[-1] += _PLURAL
    return _SEP.join(parts) + r"(?!\w)"


_WORD_START = re.compile(r"\w+")


def _bucket(word: str) -> str:
    """Phrases are filed under the first four letters of their first word:
    every inflection, plural or ``*`` prefix of a word shares them."""
    return word.lower().replace("’", "'")[:4]


def _trie_regex(words: Iterable[str]) -> str:
    """One regex matching exactly ``words`` (literals), factored by common
    prefixes: ``{"chin", "chip", "cyb"}`` → ``c(?:hi(?:n|p)|yb)``."""
    trie: dict = {}
    for w in words:
        node = trie
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}  # a word ends here

    def build(node: dict) -> str:
        alts = [re.escape(c) + build(node[c]) for c in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # A word ending where longer ones go on: the longer are tried first.
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)


class PhraseMatcher:
    """Leftmost-longest, non-overlapping matching of many phrases at once.

    ``find`` returns ``(start, end, phrase)`` triples. At each word start
    only the phrases filed under that word's first four letters are tried,
    longest phrase first, so the longest phrase wins and the words it covers
    cannot match again. The word starts worth trying are found by one regex
    over the bucket keys (3× faster than visiting every word in Python). (One
    big regex alternation of the phrases themselves does the same but tries
    all ~400 alternatives at every word: ten times slower on a G7 communiqué.)
    """

    def __init__(self, phrases: Iterable[str]):
        unique = sorted({p for p in phrases}, key=lambda p: (-len(p), p))
        self.phrases = unique
        # Each phrase's pattern is compiled when a text first reaches its
        # bucket: most phrases of a config are never tried on a given pair,
        # and compiling all ~1,000 of them cost a fresh process ~0.1 s.
        self._buckets: dict[str, list[list]] = {}  # [pattern or None, phrase, its regex source]
        for p in unique:
            first = re.split(r"[\s" + re.escape(_DASHES) + r"]+", p.strip())[0].rstrip("~*")
            # The source is built now, so a bad phrase fails at load, not mid-run.
            self._buckets.setdefault(_bucket(first), []).append([None, p, phrase_regex(p)])
        # The word starts worth trying, found by one C-level scan of the
        # folded text: a bucket key of four letters opens a word; a shorter
        # key is a whole word. A key holding a non-word character can never
        # be a word's opening (words are ``\w+`` runs), so it is left out, as
        # the scan word by word would never reach it.
        # The keys are written as a trie ("ch(?:in|ip)" for "chin", "chip"):
        # the regex engine tries the alternatives of one letter at a time
        # instead of every key at every word start (a third faster). Which
        # key matches at a word start does not depend on their order: the
        # four-letter keys are distinct literals, and a short key must be
        # the whole word.
        keys = [k for k in self._buckets if re.fullmatch(r"\w+", k)]
        alternatives = []
        if any(len(k) >= 4 for k in keys):
            alternatives.append(_trie_regex(k for k in keys if len(k) >= 4))
        if any(len(k) < 4 for k in keys):
            alternatives.append(_trie_regex(k for k in keys if len(k) < 4) + r"(?!\w)")
        self._starts = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")") if alternatives else None
        self._memo: dict[str, tuple[tuple[int, int, str], ...]] = {}

    #: Texts whose matches are kept: a paragraph is matched by every cue
    #: family of every rule that reads it (~15,000 calls on a G7 pair, a
    #: third of the flags' time); bounded so a long-running watcher stays small.
    MEMO_SIZE = 20_000

    def compile_all(self) -> None:
        """Compile every phrase's pattern now instead of on first use (what
        a background thread does while statements are embedded: the matches
        are the same either way)."""
        for entries in self._buckets.values():
            for entry in entries:
                if entry[0] is None:
                    entry[0] = re.compile(entry[2], re.IGNORECASE)

    def find(self, text: str, offset: int = 0) -> list[tuple[int, int, str]]:
        memo = self._memo
        found = memo.get(text)
        if found is None:
            found = self._find(text)
            if len(memo) < self.MEMO_SIZE:
                memo[text] = found
        if offset:
            return [(s + offset, e + offset, p) for s, e, p in found]
        return list(found)

    def _find(self, text: str) -> tuple[tuple[int, int, str], ...]:
        if self._starts is None:
            return ()
        out = []
        pos = 0
        folded = text.lower().replace("’", "'")
        if len(folded) != len(text):  # "İ" lowers to two characters: offsets would drift
            folded = "".join(c.lower()[0] for c in text).replace("’", "'")
        buckets = self._buckets
        for w in self._starts.finditer(folded):
            start = w.start()
            if start < pos:
                continue  # inside the previous match
            for entry in buckets[w.group()]:
                pattern, phrase, source = entry
                if pattern is None:
                    pattern = entry[0] = re.compile(source, re.IGNORECASE)
                m = pattern.match(text, start)
                if m:
                    out.append((m.start(), m.end(), phrase))
                    pos = m.end()
                    break
        return tuple(out)


# --------------------------------------------------------------------------- config

@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str = ""
    terms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: Groups of terms (or @Actor) that must all be named in one sentence.
    requires: tuple[tuple[str, ...], ...] = ()
    examples: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Ladder:
    id: str
    name: str
    #: Rungs from weakest to strongest; each rung is a tuple of phrases.
    rungs: tuple[tuple[str, ...], ...]
    #: Compare the strongest rung per topic across whole statements too (not
    #: only within aligned passages). Off for ladders of stock praise
    #: ("unwavering", "resolute"), whose top rungs recur by style.
    statement_wide: bool = True
    #: Rungs that take an addressee ("urge *the DPRK* to …", "call on *all UN
    #: Member States* to …"): two rungs are one shift only when they are
    #: addressed to the same party; otherwise they are different demands.
    addressee: bool = False


@dataclass(frozen=True)
class TopicConfig:
    topics: tuple[Topic, ...]
    ladders: tuple[Ladder, ...]
    actors: Mapping[str, tuple[str, ...]]
    modality: Mapping[str, tuple[str, ...]]
    negation: tuple[str, ...]
    polarity: tuple[tuple[str, str], ...]
    rule_weights: Mapping[str, float]
    #: Phrases holding a term or alias that name nothing ("Russian salad",
    #: "cyber cafe"): they swallow their words and tag nothing.
    ignore: tuple[str, ...] = ()
    untagged_weight: float = 0.5
    meaning_threshold: float = 0.45
    sentence_meaning_threshold: float = 0.5
    path: str = ""
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def topic(self, topic_id: str) -> Topic | None:
        return self._index().get(topic_id)

    def topic_name(self, topic_id: str) -> str:
        t = self.topic(topic_id)
        return t.name if t else topic_id

    def topic_weight(self, topic_id: str) -> float:
        t = self.topic(topic_id)
        return t.weight if t else self.untagged_weight

    def _index(self) -> dict[str, Topic]:
        if "index" not in self._compiled:
            self._compiled["index"] = {t.id: t for t in self.topics}
        return self._compiled["index"]

    # Compiled matchers, built once per config (a config is immutable).
    def term_matcher(self) -> tuple[PhraseMatcher, dict[str, list[tuple[str, str]]]]:
        """One matcher over all topic terms, excludes and actor aliases.

        Returns the matcher and ``phrase → [(kind, owner)]`` where kind is
        ``term``, ``exclude``, ``actor`` or ``require:<n>`` (owner a topic id
        or actor name).
        """
        if "terms" not in self._compiled:
            payload: dict[str, list[tuple[str, str]]] = {}

            def add(phrase: str, kind: str, owner: str) -> None:
                for p in self._expand(phrase):
                    payload.setdefault(p, [])
                    if (kind, owner) not in payload[p]:
                        payload[p].append((kind, owner))

            for name, aliases in self.actors.items():
                for a in aliases:
                    add(a, "actor", name)
            for t in self.topics:
                for term in t.terms:
                    add(term, "term", t.id)
                for ex in t.exclude:
                    add(ex, "exclude", t.id)
                for n, group in enumerate(t.requires):
                    for term in group:
                        add(term, f"require:{n}", t.id)
            for phrase in self.ignore:
                add(phrase, "ignore", "")
            self._compiled["terms"] = (PhraseMatcher(payload), payload)
        return self._compiled["terms"]

    def compile_matchers(self) -> None:
        """Build the term, ladder and cue matchers and compile all their
        patterns (~0.15 s of a G7 diff when done on first use instead)."""
        matchers = [self.term_matcher()[0], *(m for _, m, _ in self.ladder_matchers()),
                    *(self.cue_matcher(name)[0] for name in ("modality", "negation", "polarity"))]
        for m in matchers:
            m.compile_all()

    def ladder_matchers(self) -> list[tuple[Ladder, PhraseMatcher, dict[str, int]]]:
        if "ladders" not in self._compiled:
            out = []
            for ladder in self.ladders:
                rung_of = {p: i for i, rung in enumerate(ladder.rungs) for p in rung}
                out.append((ladder, PhraseMatcher(rung_of), rung_of))
            self._compiled["ladders"] = out
        return self._compiled["ladders"]

    def cue_matcher(self, name: str) -> tuple[PhraseMatcher, dict[str, str]]:
        """Matcher for a cue family: ``modality`` (class per phrase), ``negation``, ``polarity``."""
        key = "cue:" + name
        if key not in self._compiled:
            label: dict[str, str] = {}
            if name == "modality":
                for cls, phrases in self.modality.items():
                    for p in phrases:
                        label[p] = cls
            elif name == "negation":
                label = {p: "negation" for p in self.negation}
            elif name == "polarity":
                for n, (a, b) in enumerate(self.polarity):
                    label[a] = f"{n}:+"
                    label[b] = f"{n}:-"
            else:
                raise ValueError(name)
            self._compiled[key] = (PhraseMatcher(label), label)
        return self._compiled[key]

    def _expand(self, phrase: str) -> list[str]:
        """``@Actor`` stands for all of that actor's aliases."""
        if phrase.startswith("@"):
            name = phrase[1:]
            if name not in self.actors:
                raise ConfigError(f"Unknown actor reference '{phrase}'.{_hint(name, self.actors)}")
            return list(self.actors[name])
        return [phrase]


_TOP_KEYS = {
    "version", "settings", "rule_weights", "actors", "topics", "ladders",
    "modality", "negation", "polarity", "ignore",
}
_SETTING_KEYS = {"untagged_weight", "meaning_threshold", "sentence_meaning_threshold"}
_TOPIC_KEYS = {"id", "name", "description", "terms", "exclude", "requires", "examples", "weight"}
_LADDER_KEYS = {"id", "name", "rungs", "statement_wide", "addressee"}


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _check_keys(where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"Unknown key '{short(str(key))}' in {where}.{_hint(str(key)[:200], allowed)} "
                f"Allowed: {', '.join(sorted(allowed))}."
            )


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings.")
    return tuple(v.strip() for v in value)


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {short_repr(value)}.")
    if not math.isfinite(value):
        # NaN or infinity would make every score it touches null.
        raise ConfigError(f"{where} must be a finite number, got {value!r}.")
    return float(value)


def _flag(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}.")
    return value


def load_config(path: str | Path | None = None) -> TopicConfig:
    """Read and validate a topic config; ``None`` reads the packaged default.

    Any mistake (unknown key, wrong type, unknown ``@Actor``, duplicate id,
    bad regex) raises :class:`ConfigError` naming the place and, for unknown
    keys, the closest allowed key.
    """
    p = Path(path) if path else DEFAULT_CONFIG_PATH
    stamp = _config_stamp(p)
    if stamp is not None and stamp in _CONFIGS:
        return _CONFIGS[stamp]
    data = read_config(p, "Topic config") or {}
    config = config_from_dict(data, source=str(p), inherit=p.resolve() != DEFAULT_CONFIG_PATH)
    # Kept only when the file did not change while it was parsed.
    if stamp is not None and stamp == _config_stamp(p):
        while len(_CONFIGS) >= _CONFIGS_MAX:
            _CONFIGS.pop(next(iter(_CONFIGS)))
        _CONFIGS[stamp] = config
    return config


#: Parsed configs by content (see :func:`_config_stamp`). A series run reads
#: the topic file once per step diff and once per step report: parsing the
#: default (YAML, ~400 phrases) cost 0.1–0.3 s each time, and a re-parsed
#: config also re-compiles its matchers. A config is immutable, so sharing one
#: is safe; a changed file has another stamp and is parsed afresh.
_CONFIGS: dict[tuple[str, str, str], TopicConfig] = {}
_CONFIGS_MAX = 8


def _config_stamp(p: Path) -> tuple[str, str, str] | None:
    """(path, hash of its bytes, hash of the default's bytes), or None when
    either cannot be read (then :func:`read_config` says why)."""
    import hashlib

    try:
        own = hashlib.sha256(p.read_bytes()).hexdigest()
        default = hashlib.sha256(DEFAULT_CONFIG_PATH.read_bytes()).hexdigest()
    except OSError:
        return None
    return str(p.resolve()), own, default


def _default_data() -> dict:
    # A copy: callers merge into it, and the parsed default is shared.
    return copy.deepcopy(_parsed_default())


@functools.lru_cache(maxsize=1)
def _parsed_default() -> dict:
    return safe_yaml(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))


def config_from_dict(data: Any, source: str = "<dict>", inherit: bool = True) -> TopicConfig:
    """Validate a parsed topic config (see :func:`load_config`).

    With ``inherit`` (the default for user files), a top-level section the
    file leaves out is taken from the packaged default, and ``settings`` and
    ``rule_weights`` are merged key by key: a user file of three topics keeps
    the default ladders and cues. Write ``ladders: []`` to have none.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"Topic config {source} must be a mapping with 'topics', 'ladders'….")
    _check_keys(f"topic config {source}", data, _TOP_KEYS)
    if inherit:
        base = _default_data()
        merged = {k: v for k, v in base.items() if k not in data}
        for k in ("settings", "rule_weights"):
            if isinstance(data.get(k), dict):
                merged[k] = {**(base.get(k) or {}), **data[k]}
        data = {**data, **merged}

    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise ConfigError("'settings' must be a mapping.")
    _check_keys("'settings'", settings, _SETTING_KEYS)

    rule_weights = {r: 1.0 for r in RULES}
    rw = data.get("rule_weights") or {}
    if not isinstance(rw, dict):
        raise ConfigError("'rule_weights' must be a mapping of rule name to number.")
    _check_keys("'rule_weights'", rw, set(RULES))
    for r, v in rw.items():
        rule_weights[r] = _number(f"rule_weights.{r}", v)

    actors_raw = data.get("actors") or {}
    if not isinstance(actors_raw, dict):
        raise ConfigError("'actors' must be a mapping of actor name to a list of aliases.")
    actors = {str(k): _strings(f"actors.{k}", v) or (str(k),) for k, v in actors_raw.items()}

    topics = []
    seen: set[str] = set()
    for n, t in enumerate(data.get("topics") or []):
        if not isinstance(t, dict):
            raise ConfigError(f"topics[{n}] must be a mapping with at least 'id'.")
        where = f"topic '{t.get('id', n)}'"
        _check_keys(where, t, _TOPIC_KEYS)
        tid = t.get("id")
        if not isinstance(tid, str) or not re.fullmatch(r"[A-Za-z0-9_]+", tid):
            raise ConfigError(f"topics[{n}] needs an 'id' of letters, digits and underscores.")
        if tid in seen:
            raise ConfigError(f"Duplicate topic id '{tid}'.")
        seen.add(tid)
        req = t.get("requires") or []
        if not isinstance(req, list):
            raise ConfigError(f"{where}: 'requires' must be a list of groups.")
        groups = tuple(_strings(f"{where} requires[{i}]", g) for i, g in enumerate(req))
        topic = Topic(
            id=tid,
            name=str(t.get("name") or tid),
            description=str(t.get("description") or ""),
            terms=_strings(f"{where} terms", t.get("terms")),
            exclude=_strings(f"{where} exclude", t.get("exclude")),
            requires=groups,
            examples=_strings(f"{where} examples", t.get("examples")),
            weight=_number(f"{where} weight", t.get("weight", 1.0)),
        )
        if not topic.terms and not topic.requires and not (topic.description or topic.examples):
            raise ConfigError(f"{where} has no terms, requires, description or examples: it can never tag.")
        topics.append(topic)

    ladders = []
    for n, lad in enumerate(data.get("ladders") or []):
        if not isinstance(lad, dict):
            raise ConfigError(f"ladders[{n}] must be a mapping with 'id' and 'rungs'.")
        where = f"ladder '{lad.get('id', n)}'"
        _check_keys(where, lad, _LADDER_KEYS)
        rungs = lad.get("rungs")
        if not isinstance(rungs, list) or len(rungs) < 2:
            raise ConfigError(f"{where} needs 'rungs': a list of at least two rungs, weakest first.")
        ladders.append(Ladder(
            id=str(lad.get("id") or n),
            name=str(lad.get("name") or lad.get("id") or n),
            rungs=tuple(_strings(f"{where} rung {i}", r) for i, r in enumerate(rungs)),
            statement_wide=_flag(f"{where} statement_wide", lad.get("statement_wide", True)),
            addressee=_flag(f"{where} addressee", lad.get("addressee", False)),
        ))

    modality_raw = data.get("modality") or {}
    if not isinstance(modality_raw, dict):
        raise ConfigError("'modality' must be a mapping: firm / hedged / qualifiers → phrases.")
    _check_keys("'modality'", modality_raw, {"firm", "hedged", "qualifiers"})
    modality = {k: _strings(f"modality.{k}", v) for k, v in modality_raw.items()}

    polarity = []
    for n, pair in enumerate(data.get("polarity") or []):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise ConfigError(f"polarity[{n}] must be a pair [positive, negative], e.g. [support~, oppose~].")
        polarity.append((pair[0], pair[1]))

    config = TopicConfig(
        topics=tuple(topics),
        ladders=tuple(ladders),
        actors=actors,
        modality=modality,
        negation=_strings("negation", data.get("negation")),
        ignore=_strings("ignore", data.get("ignore")),
        polarity=tuple(polarity),
        rule_weights=rule_weights,
        untagged_weight=_number("settings.untagged_weight", settings.get("untagged_weight", 0.5)),
        meaning_threshold=_number("settings.meaning_threshold", settings.get("meaning_threshold", 0.45)),
        sentence_meaning_threshold=_number(
            "settings.sentence_meaning_threshold", settings.get("sentence_meaning_threshold", 0.5)
        ),
        path=source,
    )
    # Compile now so that a bad phrase is reported at load time, not mid-diff.
    try:
        config.term_matcher()
        config.ladder_matchers()
        for fam in ("modality", "negation", "polarity"):
            config.cue_matcher(fam)
    except re.error as exc:
        raise ConfigError(f"Topic config {source}: a phrase does not compile ({exc}).") from None
    return config


# --------------------------------------------------------------------------- tagging

@dataclass(frozen=True)
class TermHits:
    """What the term matcher found in one text."""

    topics: Mapping[str, tuple[str, ...]]  # topic id → matched words (as written)
    actors: Mapping[str, tuple[tuple[int, int], ...]]  # actor name → spans


def term_hits(text: str, config: TopicConfig, offset: int = 0) -> TermHits:
    """Topic terms and actors named in ``text`` (spans shifted by ``offset``).

    A topic with ``requires`` is hit when every group is named (or by one of
    its own specific ``terms``); ``exclude`` phrases swallow their words and
    tag nothing for their topic.
    """
    cache = config._compiled.setdefault("term_hits", {})
    hits = cache.get(text)
    if hits is None:
        hits = _term_hits(text, config)
        if len(cache) < 50_000:  # bounded: a long-running watcher must not grow without end
            cache[text] = hits
    if offset:
        hits = TermHits(topics=hits.topics,
                        actors={k: tuple((s + offset, e + offset) for s, e in v) for k, v in hits.actors.items()})
    return hits


#: The capitalised words right after a match: a name it may be the first word of.
_NAME_TAIL = re.compile(r" ((?:[A-Z][\w’'\-]*)(?: [A-Z][\w’'\-]*)*)")


#: Last words of a company's name. A place name leading one is part of the
#: company's name ("Taiwan Semiconductor Manufacturing Company", "China
#: Railway Group"), not the place.
_COMPANY_WORDS = frozenset(
    "Company Companies Corporation Corp Inc Incorporated Ltd Limited Co LLC PLC plc AG SA GmbH "
    "Holdings Group Industries Airlines Airways Motors Electronics".split()
)


def _starts_longer_name(text: str, start: int, end: int, phrase: str,
                        matches: Sequence[tuple[int, int, str]]) -> bool:
    """Is the proper-noun match at ``start:end`` the first word of a longer
    capitalised name that is not itself a known phrase?

    "Taiwan Semiconductor Manufacturing Company" is a company, not Taiwan:
    a capitalised term (not an acronym, not possessive) followed by further
    capitalised words is part of another name unless every one of those
    words is covered by a known term or alias ("China Coast Guard": the
    coast guard is a maritime term, so China is named as its owner).
    Acronyms ("AI Safety Institute", "DPRK Panel") keep their tag: an
    acronym leading a name is the subject of that body.
    """
    last = re.split(_SEP, phrase.strip())[-1].rstrip("~*")
    if not last or not last[0].isupper() or last.isupper() or text[end - 2:end] in ("'s", "’s"):
        return False
    m = _NAME_TAIL.match(text, end)
    if not m:
        return False
    words = m.group(1).split(" ")
    # Only a company's name hides its place word: "Ukraine Recovery
    # Conference" and "Taiwan Relations Act" are about Ukraine and Taiwan.
    if words[-1].rstrip(".,") not in _COMPANY_WORDS:
        return False
    covered = [(s, e) for s, e, _ in matches if s >= end]
    pos = m.start(1)
    for word in words:
        w_end = pos + len(word)
        if not any(s <= pos and w_end <= e for s, e in covered):
            return True
        pos = w_end + 1
    return False


#: A roll-call: at least ``ROLL_CALL_ITEMS`` capitalised names in a row,
#: separated by commas (the last by "and" or "or"): "Belarus, Cuba, North
#: Korea, Eritrea, Nicaragua, Russia and Syria" in a vote count, twenty-six
#: countries thanked for a grain programme. A state named in such a list is
#: counted, not spoken about: it tags no topic and names no actor, so a list
#: holding "North Korea" and "Russia" is no passage on DPRK–Russia military
#: cooperation, nor its removal "China no longer named". Five names in a
#: row still speak ("openly accuse Russia, China, Belarus, North Korea, and
#: Iran of …").
ROLL_CALL_ITEMS = 6
_ROLL_ITEM = r"[A-Z][\w’'\-]*(?: [A-Z][\w’'\-]*)*"
_ROLL_CALL = re.compile(rf"(?:{_ROLL_ITEM},\s+){{{ROLL_CALL_ITEMS - 2},}}{_ROLL_ITEM},?\s+(?:and|or)\s+{_ROLL_ITEM}"
                        rf"|(?:{_ROLL_ITEM},\s+){{{ROLL_CALL_ITEMS - 1},}}{_ROLL_ITEM}")


def _roll_calls(text: str) -> list[tuple[int, int]]:
    """Spans of the roll-calls in ``text`` (see :data:`_ROLL_CALL`)."""
    if text.count(",") < ROLL_CALL_ITEMS - 2 or len(_COMMA_NAME.findall(text)) < ROLL_CALL_ITEMS - 2:
        return []  # the common case, without the backtracking pass
    return [m.span() for m in _ROLL_CALL.finditer(text)]


_COMMA_NAME = re.compile(r", [A-Z]")


def _term_hits(text: str, config: TopicConfig) -> TermHits:
    matcher, payload = config.term_matcher()
    topic_words: dict[str, list[str]] = {}
    req_seen: dict[str, dict[int, list[str]]] = {}
    actors: dict[str, list[tuple[int, int]]] = {}
    matches = matcher.find(text)
    rolls = _roll_calls(text) if matches else []
    for start, end, phrase in matches:
        if _starts_longer_name(text, start, end, phrase, matches):
            continue
        if rolls and any(s <= start and end <= e for s, e in rolls):
            continue
        word = text[start:end]
        for kind, owner in payload[phrase]:
            if kind == "term":
                topic_words.setdefault(owner, []).append(word)
            elif kind == "actor":
                actors.setdefault(owner, []).append((start, end))
            elif kind.startswith("require:"):
                req_seen.setdefault(owner, {}).setdefault(int(kind[8:]), []).append(word)
    for tid, groups in req_seen.items():
        topic = config.topic(tid)
        if topic and len(groups) == len(topic.requires):
            words = [w for n in sorted(groups) for w in groups[n]]
            topic_words.setdefault(tid, []).extend(words)
    return TermHits(
        topics={k: tuple(dict.fromkeys(v)) for k, v in topic_words.items()},
        actors={k: tuple(v) for k, v in actors.items()},
    )


def _topic_texts(config: TopicConfig) -> tuple[list[str], list[str]]:
    """Texts that stand for each topic's meaning, and the topic id of each."""
    texts, owners = [], []
    for t in config.topics:
        for txt in ([t.description] if t.description else []) + list(t.examples):
            texts.append(txt)
            owners.append(t.id)
    return texts, owners


#: At most this many meaning-only tags per unit: a sentence about everything
#: (an opening paragraph) otherwise collects half the topic list.
MAX_MEANING_TAGS = 2


def tag_cosine(tag: TopicTag) -> float | None:
    """The cosine of a tag's text to its topic's closest description or
    example, as :func:`tag_documents` keeps it in the evidence ("cosine
    0.405 to: …"), or None when the tagging had no vectors."""
    for e in tag.evidence:
        if e.startswith("cosine "):
            return float(e.split(" ", 2)[1])
    return None


def tag_documents(old_doc: Document, new_doc: Document, config: TopicConfig,
                  embed: Embed | None = None) -> tuple[TopicTag, ...]:
    """Topic tags for every paragraph and sentence of both documents.

    ``embed`` maps texts to L2-normalised vectors (cached by the pipeline);
    ``None`` tags by terms only. Paragraph tags (``sentence=None``) are the
    union of their sentences' term tags plus meaning tags of the whole
    paragraph. Order: side, paragraph, sentence, topic.
    """
    units: list[tuple[str, int, int | None, str]] = []
    for side, doc in (("old", old_doc), ("new", new_doc)):
        for p in doc.paragraphs:
            units.append((side, p.index, None, p.text))
            for s in p.sentences:
                units.append((side, p.index, s.index, s.text))

    sims = None
    topic_texts, owners = _topic_texts(config)
    if embed is not None and topic_texts and units:
        tvec = np.asarray(embed(topic_texts), dtype=np.float32)
        uvec = np.asarray(embed([u[3] for u in units]), dtype=np.float32)
        sims = uvec @ tvec.T  # (units, topic texts)
    owner_idx: dict[str, list[int]] = {}
    for i, o in enumerate(owners):
        owner_idx.setdefault(o, []).append(i)
    # Each unit's closest text of each topic, for all units at once: the
    # first of equal scores, as ``max`` over the topic's texts in order.
    nearest: dict[str, tuple[list[int], list[float]]] = {}
    if sims is not None:
        for tid, idxs in owner_idx.items():
            sub = sims[:, idxs]
            arg = sub.argmax(axis=1)
            nearest[tid] = (np.asarray(idxs)[arg].tolist(), sub[np.arange(len(units)), arg].tolist())

    has_sentences = {(side, p.index) for side, doc in (("old", old_doc), ("new", new_doc))
                     for p in doc.paragraphs if p.sentences}
    tags: list[TopicTag] = []
    sentence_terms: dict[tuple[str, int], dict[str, list[str]]] = {}
    # Sentences first, so that paragraphs can take the union of their sentences' terms.
    order = sorted(range(len(units)), key=lambda i: units[i][2] is None)
    for i in order:
        side, pidx, sidx, text = units[i]
        if sidx is not None:
            hits = term_hits(text, config).topics
            para = sentence_terms.setdefault((side, pidx), {})
            for tid, words in hits.items():
                para.setdefault(tid, []).extend(words)
        else:
            hits = {k: list(dict.fromkeys(v)) for k, v in sentence_terms.get((side, pidx), {}).items()}
            if (side, pidx) not in has_sentences:
                hits = {k: list(v) for k, v in term_hits(text, config).topics.items()}
        threshold = config.sentence_meaning_threshold if sidx is not None else config.meaning_threshold
        best: dict[str, tuple[float, str]] = {}
        for tid, (js, scores) in nearest.items():
            best[tid] = (scores[i], topic_texts[js[i]])
        meaning_only = sorted(
            (tid for tid, (score, _) in best.items()
             if score >= threshold and tid not in hits and not config.topic(tid).requires),
            key=lambda tid: -best[tid][0],
        )[:MAX_MEANING_TAGS]
        for tid in sorted(set(hits) | set(meaning_only)):
            score, closest = best.get(tid, (0.0, ""))
            if tid in hits:
                method = "term+meaning" if score >= threshold else "term"
                evidence = tuple(f"term: {w}" for w in hits[tid])
                tag_score = 1.0  # a named term is certain evidence; the cosine is kept in evidence
            else:
                method, evidence, tag_score = "meaning", (), round(score, 4)
            if closest:
                evidence += (f"cosine {score:.3f} to: {closest}",)
            tags.append(TopicTag(topic=tid, side=side, paragraph=pidx, sentence=sidx,
                                 method=method, score=tag_score, evidence=evidence))
    tags.sort(key=lambda t: (t.side != "old", t.paragraph, -1 if t.sentence is None else t.sentence, t.topic))
    return tuple(tags)

