"""``number_change``: numbers, dates, ordinals and amounts changed between
the two sides of a link (figures of added passages are in :mod:`.passages`).
"""

from __future__ import annotations

import re

from .sentences import _LinkView, _metadata, _Side, _fold_words, _is_content, _norm, _overlaps, _pair_for, _quote, _sentence_initial, _topics_for
from .ranking import _Builder

_MONTH = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
#: A date: a month name only next to a day number or a year ("May 12",
#: "12 May 2024", "May 2024"). A bare month name is no date: "may" and "May"
#: are mostly the modal verb ("It may adjust policy"), and "in June" alone
#: is rarely the news.
_DATE = (rf"{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?(?!\w)"
         rf"|{_DAY}\s+{_MONTH}(?:,?\s+\d{{4}})?(?!\w)"
         rf"|{_MONTH},?\s+\d{{4}}(?!\w)")
_SPELLED = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|"
            r"hundred|thousand|million|billion|trillion|first|second|third|fourth|fifth|sixth|seventh|eighth|"
            r"ninth|tenth|half|twice|double|triple|dozens?")
#: Currency codes written before an amount ("USD 50 billion", "AUD 29.6
#: million"): part of the amount, so a changed currency is a changed figure.
_CURRENCY = r"(?:(?:[$€£¥]|(?-i:US\$|A\$))\s?|(?-i:USD|EUR|JPY|GBP|AUD|INR|KRW|CAD|CNY|CHF)\s)"
#: A span of years ("2024-2025", "2022–23"): one term, not two years.
_YEAR_RANGE = r"(?:19|20)\d\d\s?[-–—]\s?(?:(?:19|20)\d\d|\d\d)(?![\w.]\d)"
#: Every alternative starts where no word character precedes: the shared
#: ``(?<!\w)`` is tested once, before any of them, so the scan leaves a
#: position inside a word at once (twice as fast over a G7 pair, ~0.04 s;
#: the same matches).
_NUMBER = re.compile(
    rf"(?<!\w)(?:(?:{_DATE})"
    rf"|(?<![.,])(?:{_YEAR_RANGE})"
    rf"|(?:{_CURRENCY})?\d+(?:,\d{{3}})*(?:\.\d+)?\+?(?:\s?(?:%|percent|per cent))?"
    r"(?:\s(?:million|billion|trillion|thousand|hundred))?(?!\w)"
    rf"|(?:{_SPELLED})(?:\s(?:%|percent|per cent))?(?:\s(?:million|billion|trillion|thousand|hundred))?(?!\w))",
    re.IGNORECASE,
)
_DATE_RE = re.compile(rf"(?:{_DATE})", re.IGNORECASE)

_YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?![\w.]\d)")
_MONTH_RE = re.compile(_MONTH)
_YEAR_RANGE_RE = re.compile(_YEAR_RANGE)


def _number_kind(words: str) -> str:
    """``date``, ``year``, ``figure`` (an amount or share), ``count`` (a
    spelled-out count or ordinal: "three", "first") or ``digits`` (a bare figure)."""
    if _DATE_RE.fullmatch(words):
        return "date"
    if _YEAR.fullmatch(words) or _YEAR_RANGE_RE.fullmatch(words):
        return "year"
    if _FIGURE.search(words):
        return "figure"
    return "count" if words[0].isalpha() else "digits"


def _context(text: str, s: int, sentence_start: int) -> str:
    """The last content word before the number at ``s`` in its sentence: what
    it is a number of, or when ("meet *again* in 2025", "review *ends* on")."""
    before = [w for w in _fold_words(text[max(sentence_start, s - 60):s]) if _is_content(w)]
    return before[-1] if before else ""


def _name_part(text: str, s: int, e: int, sentence_start: int) -> bool:
    """Is the number at ``s:e`` part of a name, not a quantity? Glued by a hyphen
    to a capitalised word ("Bio-5", "COVID-19"), or a spelled-out number
    capitalised inside a sentence ("Group of Seven", "Five Eyes")."""
    before = text[max(0, s - 30):s]
    if re.search(r"(?<![\w-])[A-Z][\w]*-$", before) or re.match(r"-[A-Z]", text[e:e + 2]):
        return True
    return text[s].isupper() and text[s:e].isalpha() and s > sentence_start and not _sentence_initial(text, s)


def _carried_number(side: _Side, s: int, e: int, sentence_start: int, sentence_end: int) -> bool:
    """Does the number at ``s:e`` appear in the other statement next to the
    same content word ("our three countries" / "the three countries")? Then
    it plays the same role on both sides and is no change."""
    key = _norm(side.text[s:e])
    before = [w for w in _fold_words(side.text[max(sentence_start, s - 40):s])]
    after = [w for w in _fold_words(side.text[e:min(sentence_end, e + 40)])]
    phrases = []
    if before and _is_content(before[-1]):
        phrases.append(f" {before[-1]} {key} ")
    if after and _is_content(after[0]):
        phrases.append(f" {key} {after[0]} ")
    return any(p in side.other_all for p in phrases)


def _rule_numbers(view: _LinkView, b: _Builder) -> None:
    """Numbers, dates and amounts changed between the two sides of a link.

    Noise kept out (boilerplate of these statements is full of counts):

    * a number that is part of a name ("Bio-5", "COVID-19", "Group of
      Seven") is no quantity;
    * a count or ordinal next to the same content word in the other
      statement ("our three countries" / "the three countries") is
      carried over, whichever sentence it sits in;
    * a spelled-out count or ordinal ("first", "two iterations") fires only
      when the paired sentence on the other side holds a count too (a count
      that *changed*, "two" → "three"); one standing alone in new prose is
      new wording, which :func:`_rule_new_wording` reports.

    Figures ("two percent of GDP", "EUR 50 billion"), dates ("May 12, 2024")
    and digits always count.
    """
    old_texts, new_texts = view.texts()

    def numbers(side: _Side, texts, changed, paras):
        out = []
        for start, text in texts:
            for m in _NUMBER.finditer(text):
                s, e = m.start() + start, m.end() + start
                if not _overlaps(s, e, changed):
                    continue
                spi, _, ss, se, stext = side.sentence_at(s, paras)
                if _name_part(side.text, s, e, ss):
                    continue
                if _metadata(side.para[spi].text) or _metadata(stext):
                    continue  # the date of a release line, a heading's number
                words = side.text[s:e]
                kind = _number_kind(words)
                if kind in ("count", "digits") and _carried_number(side, s, e, ss, se):
                    continue
                # A list number opening a sentence ("4. As we move forward") is numbering.
                if kind == "digits" and s <= ss + 1 and side.text[e:e + 1] in (".", ")"):
                    continue
                out.append((s, words, _context(side.text, s, ss)))
        return out

    new_nums = numbers(view.new, new_texts, view.new_changed, view.link.new)
    old_nums = numbers(view.old, old_texts, view.old_changed, view.link.old)
    old_keys = sorted(_norm(w) for _, w, _ in old_nums)
    new_keys = sorted(_norm(w) for _, w, _ in new_nums)
    if old_keys == new_keys:
        return
    # One flag per new sentence holding changed numbers (or per old one, if only removed).
    groups: dict[tuple, dict] = {}
    for side, nums in (("new", new_nums), ("old", old_nums)):
        for pos, words, ctx in nums:
            o, n = _pair_for(view, side, pos, pos + len(words))
            g = groups.setdefault((o[0], o[1], n[0], n[1]), {"o": o, "n": n, "old": [], "new": [], "ctx": {}})
            g[side].append((words, (n if side == "new" else o)[2]))
            g["ctx"][(side, words)] = ctx
    for g in groups.values():
        # Like with like. Dates and years are mostly when a meeting was
        # held or a statement issued ("'2024' → '2025, 2025'", "'March 2023'
        # → 'November 2024'"): metadata. One is a change only when the other
        # side has a date (year) in the same place, after the same word
        # ("meet again in 2025" → "… in 2026", "ends on May 12" → "… June 30").
        for side, other in (("old", "new"), ("new", "old")):
            g[side] = [(w, q) for w, q in g[side] if _number_kind(w) not in ("date", "year") or any(
                _number_kind(w2) == _number_kind(w) and g["ctx"][(other, w2)] == g["ctx"][(side, w)]
                for w2, _ in g[other])]
        # A count on one side only ("the second Youth Summit in 2025" / "the
        # 2025 Youth Summit") is new (or dropped) wording, not a changed count.
        counts = {side: any(_number_kind(w) == "count" for w, _ in g[side]) for side in ("old", "new")}
        if not (counts["old"] and counts["new"]):
            for side in ("old", "new"):
                g[side] = [(w, q) for w, q in g[side] if _number_kind(w) != "count"]
        olds, news = [w for w, _ in g["old"]], [w for w, _ in g["new"]]
        if sorted(map(_norm, olds)) == sorted(map(_norm, news)):
            continue
        # Only the kinds that changed are reported: a year carried over next
        # to a changed amount is not part of the change.
        changed_kinds = {k for k in map(_number_kind, olds + news)
                         if sorted(_norm(w) for w in olds if _number_kind(w) == k)
                         != sorted(_norm(w) for w in news if _number_kind(w) == k)}
        g["old"] = [(w, q) for w, q in g["old"] if _number_kind(w) in changed_kinds]
        g["new"] = [(w, q) for w, q in g["new"] if _number_kind(w) in changed_kinds]
        olds, news = [w for w, _ in g["old"]], [w for w, _ in g["new"]]
        o, n = g["o"], g["n"]
        topics = _topics_for(view, o, n)
        old_q = " … ".join(dict.fromkeys(q for _, q in g["old"])) or o[2]
        new_q = " … ".join(dict.fromkeys(q for _, q in g["new"])) or n[2]
        # A changed amount or share ("4.25 per cent" → "4.00 per cent") weighs
        # like a new figure; dates and counts less.
        figure = any(_FIGURE.search(w) for w in olds + news)
        b.add("number_change", topics, [o[0]], [n[0]], old_q, new_q,
              key=f"{_norm(' '.join(olds))}>{_norm(' '.join(news))}", size=_FIGURE_SIZE if figure else 1.0,
              changed_share=view.share,
              explanation=(f"Numbers changed{b.topic_label(topics)}: "
                           f"{_quote(', '.join(olds) or '—')} → {_quote(', '.join(news) or '—')}"),
              evidence={"old_numbers": olds, "new_numbers": news}, link=view.link)


#: A *figure*: an amount or a share ("EUR 50 billion", "two percent",
#: "$1.5 million", "2%"), as opposed to bare years, dates and ordinals, which
#: added passages are full of ("October 7", "the 2016 award").
_FIGURE = re.compile(
    r"(?<!\w)(?:(?:[$€£¥]|(?:US\$|USD|EUR|JPY|GBP|AUD|INR)\s?)\d[\d,]*(?:\.\d+)?\+?"
    r"(?:\s(?:million|billion|trillion))?"
    r"|(?:\d[\d,]*(?:\.\d+)?\+?|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|hundred)"
    r"\s?(?:%|percent|per cent|(?:million|billion|trillion)(?:\s(?:US\s)?(?:dollars|euros|yen))?))(?!\w)",
    re.IGNORECASE,
)


#: Size of a number_change on an amount or share ("EUR 50 billion", "two
#: percent of GDP", "4.25 → 4.00 per cent"): a new target or sum is among the
#: first things an analyst looks for, above a new passage of prose.
_FIGURE_SIZE = 1.7
