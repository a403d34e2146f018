"""Settings: one table, config files, validation with hints."""

from __future__ import annotations

import pytest

from driftlab.errors import ConfigError
from driftlab.settings import SETTINGS, Settings, load_config_file, settings_table


def test_table_and_dataclass_agree():
    s = Settings()
    for setting in SETTINGS:
        assert getattr(s, setting.name) == setting.default
        assert setting.help


def test_unknown_key_has_a_hint():
    with pytest.raises(ConfigError, match="Unknown setting 'link_treshold'. Did you mean 'link_threshold'"):
        Settings().updated({"link_treshold": 0.4})


def test_values_are_coerced_and_validated():
    s = Settings().updated({"link-threshold": "0.6", "use_cache": "no", "batch_size": 8.0})
    assert (s.link_threshold, s.use_cache, s.batch_size) == (0.6, False, 8)
    with pytest.raises(ConfigError, match="expects float"):
        Settings().updated({"link_threshold": "high"})
    with pytest.raises(ConfigError, match="expects int"):
        Settings().updated({"batch_size": 2.5})


def test_none_values_leave_defaults():
    assert Settings().updated({"model": None}) == Settings()


def test_config_files(tmp_path):
    y = tmp_path / "c.yaml"
    y.write_text("min_lexical: 0.25\nmodel: /models/x\n")
    t = tmp_path / "c.toml"
    t.write_text('min_lexical = 0.2\n')
    assert Settings().updated(load_config_file(y)).min_lexical == 0.25
    assert Settings().updated(load_config_file(t)).min_lexical == 0.2
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_config_file(bad)
    with pytest.raises(ConfigError, match="Config file not found"):
        load_config_file(tmp_path / "none.yaml")


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("DRIFTLAB_CACHE", str(tmp_path / "env"))
    assert Settings().resolved_cache_dir() == tmp_path / "env"
    assert Settings(cache_dir=str(tmp_path / "x")).resolved_cache_dir() == tmp_path / "x"


def test_settings_table_lists_everything():
    assert [row[0] for row in settings_table()] == [s.name for s in SETTINGS]


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("batch_size", 0, "between 1 and 4096"),
        ("link_threshold", 5, "between 0 and 1"),
        ("link_threshold", -3, "between 0 and 1"),
        ("link_threshold", "nan", "between 0 and 1"),
        ("link_threshold", True, "expects float"),
        ("max_flags", -1, "between 1 and"),
        ("max_input_mb", 0, "between 0.001 and"),
        ("precision", "half", "must be one of auto, float32, bfloat16"),
    ],
)
def test_values_out_of_range_are_refused(name, value, message):
    with pytest.raises(ConfigError, match=message):
        Settings().updated({name: value})


def test_config_file_errors_are_one_line(tmp_path):
    ini = tmp_path / "c.ini"
    ini.write_text("[x]\n")
    with pytest.raises(ConfigError, match="must be YAML"):
        load_config_file(ini)
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(ConfigError) as exc:
        load_config_file(bad)
    assert "\n" not in str(exc.value) and "not valid YAML" in str(exc.value)


def test_safe_yaml_gives_what_the_python_loader_gives():
    # libyaml does the parsing when installed; the result must not depend on it.
    import datetime

    import yaml

    from driftlab.settings import safe_yaml
    from driftlab.topics import DEFAULT_CONFIG_PATH

    shipped = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    assert safe_yaml(shipped) == yaml.load(shipped, Loader=yaml.SafeLoader)
    text = "title: 'It''s “quoted”'\ndate: 2024-11-15\nparties: [Japan, ROK]\npartial: true\nn: 3.5\n"
    assert safe_yaml(text) == {"title": "It's “quoted”", "date": datetime.date(2024, 11, 15),
                               "parties": ["Japan", "ROK"], "partial": True, "n": 3.5}


def test_safe_yaml_refuses_an_anchor_with_the_python_loaders_message():
    import yaml

    from driftlab.settings import safe_yaml

    with pytest.raises(yaml.YAMLError, match=r"YAML anchors \(&name\) are not allowed") as err:
        safe_yaml("a: 1\nb: &x [1, 2]\nc: *x\n")
    assert "line 2" in str(err.value)
