"""Scale-out: a series run on a Dask LocalCluster of two worker processes
gives byte-identical results to a serial run, and only the client writes the
SQLite cache."""

from __future__ import annotations

import sqlite3

import pytest

from driftlab.corpus import resolve_series
from driftlab.embed import EmbeddingCache, HashingEncoder
from driftlab.series import ResultCache, build_series_report
from driftlab.series_report import render_series_html, series_json
from driftlab.settings import Settings

from .test_series import A, B1, B2, B3, C, D, E, _write

pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")


@pytest.fixture(scope="module")
def runner():
    from driftlab.distributed import DaskRunner

    with DaskRunner(workers=2) as r:
        yield r


def _folder(tmp_path):
    folder = tmp_path / "leaders"
    _write(folder, "2021-01-01_a.txt", "2021-01-01", [A, B1, C])
    _write(folder, "2022-01-01_b.txt", "2022-01-01", [A, B2, D])
    _write(folder, "2023-01-01_c.txt", "2023-01-01", [A, B3, C, E])
    _write(folder, "2024-01-01_d.txt", "2024-01-01", [B3, A, E, D])
    return folder


def _count(cache_dir):
    with sqlite3.connect(cache_dir / "embeddings.sqlite3") as conn:
        return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def test_local_cluster_matches_serial_byte_for_byte(tmp_path, runner):
    folder = _folder(tmp_path)
    settings = Settings()
    serial = build_series_report(resolve_series(str(folder)), settings, HashingEncoder(),
                                 EmbeddingCache(tmp_path / "serial"))
    assert runner.client.cluster is not None and len(runner.client.scheduler_info()["workers"]) == 2
    # Statements read and segmented on the workers, too.
    chosen = resolve_series(str(folder), load=runner)
    dist = build_series_report(chosen, settings, HashingEncoder(), EmbeddingCache(tmp_path / "dist"),
                               runner=runner, results=ResultCache(tmp_path / "dist"))
    assert series_json(dist, "steps") == series_json(serial, "steps")
    assert render_series_html(dist, "steps") == render_series_html(serial, "steps")
    # The workers computed the vectors; the client stored every one of them.
    assert _count(tmp_path / "dist") == _count(tmp_path / "serial") > 0


def test_workers_open_the_cache_read_only(tmp_path):
    from driftlab.distributed import ReadOnlyCache

    cache = EmbeddingCache(tmp_path)
    cache.put_many("m", {"h": HashingEncoder().encode(["x"])[0]})
    cache.close()
    ro = ReadOnlyCache(str(tmp_path / "embeddings.sqlite3"))
    assert set(ro.get_many("m", ["h", "missing"])) == {"h"}
    ro.put_many("m", {"k": HashingEncoder().encode(["y"])[0]})
    assert set(ro.pending["m"]) == {"k"} and set(ro.get_many("m", ["k"])) == {"k"}
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ro._connect().execute("DELETE FROM vectors")
    ro.close()
    assert _count(tmp_path) == 1
