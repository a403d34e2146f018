"""driftlab: what changed between successive official statements, and does it matter?

The public surface is small and listed in ``__all__``; heavy dependencies
(torch, sentence-transformers, pandas, trafilatura) load only when used.
"""

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "DriftlabError",
    "Settings",
    "load_statement",
    "load_document",
    "diff_files",
    "diff_documents",
    "flags_frame",
    "changes_frame",
]


def __getattr__(name):  # lazy: `import driftlab` stays cheap
    if name == "DriftlabError":
        from .errors import DriftlabError

        return DriftlabError
    if name == "Settings":
        from .settings import Settings

        return Settings
    if name == "load_statement":
        from .ingest import load_statement

        return load_statement
    if name in ("load_document", "diff_files", "diff_documents"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "flags_frame":
        from .report import flags_frame

        return flags_frame
    if name == "changes_frame":
        from .report import changes_frame

        return changes_frame
    raise AttributeError(f"module 'driftlab' has no attribute {name!r}")
