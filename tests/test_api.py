"""The public surface: small, listed in __all__, cheap to import."""

from __future__ import annotations

import subprocess
import sys

import driftlab


def test_everything_in_all_resolves():
    for name in driftlab.__all__:
        assert getattr(driftlab, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    try:
        driftlab.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_flags_frame_through_the_public_api(hashing_encoder, tmp_path):
    from driftlab.settings import Settings

    from .conftest import ROOT

    ex = sorted((ROOT / "corpus" / "examples").glob("*.txt"))
    assert len(ex) >= 2
    result = driftlab.diff_files(ex[0], ex[1], Settings(use_cache=False), encoder=hashing_encoder)
    frame = driftlab.flags_frame(result)
    assert len(frame) == len(result.flags) > 0
    assert list(frame["score"]) == sorted(frame["score"], reverse=True)


def test_import_is_cheap():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, driftlab; print(sorted(m for m in ('numpy', 'torch', 'pandas', 'jinja2') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "[]"
