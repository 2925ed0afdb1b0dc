"""Every broken file gives one clear line, and its bytes stay as they were."""

import re

import pytest

from pmtui.core import store
from pmtui.core.errors import LoadError

GOOD_HEAD = (
    'schema = 1\n[incident]\ntitle = "x"\ntimezone = "GMT"\nstarted_at = 2026-11-21T19:32:00Z\n'
)

CASES = [
    ("bad toml", 'schema = 1\n[incident]\ntitle "x"\n', r"^bad toml\.toml:3:7: expected '=' .*"),
    (
        "wrong type",
        GOOD_HEAD.replace('title = "x"', "title = 42"),
        r"^wrong type\.toml: incident\.title: .*string",
    ),
    (
        "unknown status",
        GOOD_HEAD + 'status = "panicking"\n',
        r"^unknown status\.toml: incident\.status: must be one of detected, mitigated, resolved$",
    ),
    (
        "missing title",
        GOOD_HEAD.replace('title = "x"\n', ""),
        r"^missing title\.toml: incident\.title: is required$",
    ),
    (
        "future schema",
        GOOD_HEAD.replace("schema = 1", "schema = 2"),
        r"^future schema\.toml: schema 2 is newer than this pmtui understands \(1\)",
    ),
    ("no incident", "schema = 1\n", r"^no incident\.toml: no \[incident\] table$"),
    (
        "bad entry",
        GOOD_HEAD + '[[timeline]]\nid = "t7"\nat = "yesterday"\ntext = "x"\n',
        r"^bad entry\.toml: timeline\[0\] \(id t7\)\.at: ",
    ),
    (
        "duplicate ids",
        GOOD_HEAD + ('[[timeline]]\nid = "t1"\nat = 2026-11-21T19:33:00Z\n' * 2),
        r"^duplicate ids\.toml: timeline: duplicate id 't1'$",
    ),
    (
        "bad zone",
        GOOD_HEAD.replace('"GMT"', '"Mars/Base"'),
        r"^bad zone\.toml: incident\.timezone: unknown timezone 'Mars/Base'",
    ),
    ("not utf8", GOOD_HEAD.replace('"x"', '"\udcff"'), r"^not utf8\.toml:3: not UTF-8 text"),
    ("timeline table", GOOD_HEAD + "[timeline]\na = 1\n", r"timeline: must be a list"),
]


@pytest.mark.parametrize(("name", "text", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_gives_one_clear_line(tmp_path, monkeypatch, name, text, pattern):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / f"{name}.toml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    before = path.read_bytes()
    s = store.IncidentStore(path.relative_to(tmp_path))
    with pytest.raises(LoadError) as info:
        s.open()
    message = str(info.value)
    assert "\n" not in message
    assert re.search(pattern, message), message
    assert path.read_bytes() == before
    assert not s.lock.held


def test_a_big_file_broken_late_keeps_what_was_typed(tmp_path, capsys):
    """Tail-first: the first screen paints, the IC logs a line, then entry 34 is found bad."""
    from pmtui.app import run_app
    from tests.test_tailload import ReadsOnlyWhenNeeded, big_file, tail_app
    from tests.tui import type_text

    path = big_file(tmp_path / "inc.toml")
    path.write_text(path.read_text().replace('kind = "note"', 'kind = "bogus"', 1))
    before = path.read_bytes()

    async def log_a_line(pilot):
        await type_text(pilot, "db primary failed over")
        await pilot.press("enter")

    code = run_app(tail_app(path, ReadsOnlyWhenNeeded), headless=True, auto_pilot=log_a_line)
    assert code == 2
    (typed,) = tmp_path.glob("inc.typed-*.txt")
    assert typed.read_text().rstrip("\n").endswith(" db primary failed over")
    message = capsys.readouterr().err.strip()
    assert re.match(
        r"^pmtui: .*inc\.toml: timeline\[\d+\] \(id t\d+\)\.kind: must be one of", message
    )
    assert message.endswith(f"what you typed is in {typed}")
    assert path.read_bytes() == before


def test_a_time_out_of_range_further_up_a_big_file_is_refused(tmp_path):
    from tests.test_tailload import TAIL, big_file

    path = big_file(tmp_path / "inc.toml")
    text = path.read_text()
    first = re.search(r"\nat = (\S+ \S+)\n", text)
    assert first is not None
    path.write_text(text[: first.start(1)] + "0001-01-01 00:00:00+14:00" + text[first.end(1) :])
    before = path.read_bytes()
    holder = store.IncidentStore(path)
    partial = holder.open(tail=TAIL)  # the last entries alone look fine
    with pytest.raises(LoadError, match=r"inc\.toml: timeline\[0\] \(id t1\)\.at: 0001-01-01"):
        holder.read_rest(partial)
    holder.close()
    assert path.read_bytes() == before
