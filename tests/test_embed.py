"""Embedding stage: acronym expansion, the on-disk cache, lazy torch import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from driftlab.embed import EmbeddingCache, HashingEncoder, embed_texts, expand_acronyms, text_key


def test_expand_acronyms_whole_words_only():
    assert expand_acronyms("the DPRK and the ROK") == "the North Korea (DPRK) and the South Korea (ROK)"
    assert expand_acronyms("UNSC resolutions") == "UN Security Council resolutions"
    # inside other words nothing happens
    assert expand_acronyms("PRCs DPRKian XROK") == "PRCs DPRKian XROK"


def test_cache_serves_second_call_without_encoder(tmp_path):
    enc = HashingEncoder()
    cache = EmbeddingCache(tmp_path)
    texts = ["alpha beta gamma", "delta epsilon", "alpha beta gamma"]
    first = embed_texts(texts, enc, cache)
    assert enc.calls == 1
    second = embed_texts(texts, enc, EmbeddingCache(tmp_path))
    assert enc.calls == 1  # nothing re-encoded, even from a new cache object
    np.testing.assert_array_equal(first, second)
    assert first.shape == (3, enc.dim)
    np.testing.assert_array_equal(first[0], first[2])


def test_cache_only_encodes_missing_texts(tmp_path):
    class Counting(HashingEncoder):
        def __init__(self):
            super().__init__()
            self.seen = []

        def encode(self, texts):
            self.seen.extend(texts)
            return super().encode(texts)

    enc = Counting()
    cache = EmbeddingCache(tmp_path)
    embed_texts(["one two", "three four"], enc, cache)
    embed_texts(["one two", "five six", "five six"], enc, cache)
    assert enc.seen == ["one two", "three four", "five six"]


def test_cache_is_keyed_by_model(tmp_path):
    cache = EmbeddingCache(tmp_path)
    a, b = HashingEncoder(dim=64), HashingEncoder(dim=128)
    assert embed_texts(["x y z"], a, cache).shape == (1, 64)
    assert embed_texts(["x y z"], b, cache).shape == (1, 128)


def test_cache_key_is_the_expanded_text():
    # The key is over what the encoder sees, so changing the acronym table
    # never serves a stale vector.
    assert text_key(expand_acronyms("the DPRK")) != text_key("the DPRK")


def test_importing_driftlab_and_cli_help_do_not_import_torch():
    code = (
        "import sys, driftlab, driftlab.cli, driftlab.pipeline\n"
        "from click.testing import CliRunner\n"
        "r = CliRunner().invoke(driftlab.cli.cli, ['diff', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'pandas', 'trafilatura') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.real_model
def test_real_model_acronym_expansion_closes_the_gap(real_encoder):
    raw = real_encoder.encode(["the DPRK", "North Korea"])
    expanded = embed_texts(["the DPRK", "North Korea"], real_encoder)
    assert float(raw[0] @ raw[1]) < 0.6
    assert float(expanded[0] @ expanded[1]) > 0.8


@pytest.mark.real_model
def test_real_model_vectors_are_unit_length(real_encoder):
    v = real_encoder.encode(["We express grave concern.", "We note the report."])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v.dtype == np.float32
