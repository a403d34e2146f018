"""Every failure driftlab reports on purpose is a :class:`DriftlabError`.

The CLI turns each into a one-line ``Error: …`` message with exit code 1;
library code never prints and never exits.

::

    DriftlabError
    ├── InputError                 a statement file cannot be used
    │   ├── MissingFile            no such file
    │   ├── EmptyInput             empty, whitespace-only, or nothing left after extraction
    │   ├── BinaryInput            not text (NUL bytes, unknown binary format)
    │   ├── EncodingError          not valid UTF-8 (or the declared encoding)
    │   ├── InputTooLarge          larger than the ``max_input_mb`` setting
    │   ├── UnsupportedFormat      an extension driftlab does not read
    │   └── NoTextLayer            a PDF whose pages carry no extractable text
    ├── ConfigError                an unknown setting, a bad value, a bad topic/ladder file
    ├── ModelError                 the embedding model cannot be loaded offline
    ├── OutputError                a report cannot be written
    └── WatchError                 the watcher cannot go on
        ├── WatchBusy              another watch run holds the lock
        └── FetchError             a source or page cannot be fetched (status, timeout, size, redirects)

Problems that do not stop a run (a cache that cannot be used, text an
extractor may have lost, characters removed or marked) are a
:class:`DriftlabWarning` issued with :func:`warnings.warn`; the CLI prints
each once as ``warning: …`` on stderr.
"""

from __future__ import annotations


class DriftlabError(Exception):
    """Base class of every error driftlab raises deliberately."""


class InputError(DriftlabError):
    """A statement file cannot be used. The message names the file."""


class MissingFile(InputError):
    pass


class EmptyInput(InputError):
    pass


class BinaryInput(InputError):
    pass


class EncodingError(InputError):
    pass


class InputTooLarge(InputError):
    pass


class UnsupportedFormat(InputError):
    pass


class NoTextLayer(InputError):
    pass


class ConfigError(DriftlabError):
    pass


class ModelError(DriftlabError):
    pass


class OutputError(DriftlabError):
    pass


class WatchError(DriftlabError):
    pass


class WatchBusy(WatchError):
    pass


class FetchError(WatchError):
    pass


class DriftlabWarning(UserWarning):
    """Something a user should know about, that does not stop the run."""


class CacheWarning(DriftlabWarning):
    """The embedding cache cannot be used (or only partly); the run goes on without it."""


class InputWarning(DriftlabWarning):
    """Text was removed, marked or possibly lost while reading a statement."""
