"""The cheap head read agrees with tomli: on every file pmtui writes, and on anything else
it steps aside (None) instead of reading it differently."""

from pathlib import Path

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.core import quickread
from tests.conftest import PAYME, RAPPI
from tests.incident_folder import build


def _top(text: str) -> str:
    return text[: quickread.split(text) + 1]


def _tomli(text: str) -> object:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError:
        return "error"


def test_every_head_pmtui_writes_is_read_the_cheap_way_exactly(tmp_path: Path) -> None:
    folder = build(tmp_path / "incidents")
    read = 0
    for path in [RAPPI, PAYME, *sorted(folder.rglob("*.toml"))]:
        try:
            top = _top(path.read_text())
        except UnicodeDecodeError:
            continue
        quick = quickread.head(top)
        if quick is not None:
            read += 1
            assert quick == tomli.loads(top), path
    assert read >= 8  # the fast way is the way, not a fallback that never runs


HEAD = (
    'schema = 1\n\n[incident]\ntitle = "Checkout returns 500"\nseverity = "SEV1"\n'
    'root_cause = """\nA cap "was" missing.\n"""\n'
    'timezone = "Europe/London"\nstarted_at = 2026-11-20 09:00:00+00:00\n\n'
    '[[actions]]\nid = "a1"\ntext = "Add a cap"\ndue = 2026-12-01\nstatus = "open"\n\n'
)
ODD = [
    HEAD.replace('severity = "SEV1"', 'title = "again"'),  # a repeated key
    HEAD + '[incident]\ntitle = "twice"\n',  # a table defined twice
    'actions = 1\n[[actions]]\nid = "a1"\n',  # an array of tables over a value
    'incident = "x"\n[incident]\n',
    HEAD.replace("2026-12-01", "2026-02-30"),  # no such day
    HEAD.replace("2026-12-01", "2027-02-29"),
    HEAD.replace("09:00:00", "24:00:00"),
    HEAD.replace("+00:00", "+24:00"),
    HEAD.replace("+00:00", "Z"),
    HEAD.replace("+00:00", ""),  # a local datetime
    HEAD.replace(" 09:00", "T09:00"),
    HEAD.replace(":00+", ":00.123+"),
    HEAD.replace(":00+", ":00.123456789+"),
    HEAD.replace("schema = 1", "schema = 01"),
    HEAD.replace("schema = 1", "schema = +1"),
    HEAD.replace("schema = 1", "schema = 99999999999999999999999"),
    HEAD.replace("schema = 1", "schema = ١"),  # an Arabic-Indic digit
    HEAD.replace("2026-12-01", "٢٠٢٦-12-01"),
    HEAD.replace('"Add a cap"', '"Add a \\"cap\\""'),
    HEAD.replace('"Add a cap"', '"Add\ta cap"'),
    HEAD.replace('"Add a cap"', '"Add a cap" # soon'),
    HEAD.replace("\n", "\r\n"),
    HEAD.replace("[incident]", "[ incident ]"),
    HEAD.replace("[incident]", "[incident.extra]"),
    HEAD + "tags = []\n",
    HEAD[:-1] + 'owner = "ana"',  # no newline at the end
    "",
    "\n\n",
    # strings on many lines, as pmtui writes a root cause
    'root_cause = """\nIt broke.\nThen "it" was ""fixed"".\n"""\n',
    'root_cause = """\n\ntwo newlines, one trimmed"""\n',
    'root_cause = """ends with a quote""""\n',
    'root_cause = """ends with two quotes"""""\n',
    'root_cause = """a line \\\n  continued"""\n',
    'root_cause = """a\r\nb"""\n',
    'root_cause = """never closed\n',
    'root_cause = """a"""x"""\n',
]


@pytest.mark.parametrize("text", ODD)
def test_any_other_shape_is_left_to_tomli_never_read_otherwise(text: str) -> None:
    quick = quickread.head(text)
    assert quick is None or quick == _tomli(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(HEAD)),
    st.integers(0, 3),
    st.text(alphabet='="[]\n .:+-#\\0123456789aTZ\t\r', max_size=4),
)
def test_a_mangled_head_is_read_as_tomli_reads_it_or_left_to_tomli(
    at: int, cut: int, insert: str
) -> None:
    text = HEAD[:at] + insert + HEAD[at + cut :]
    quick = quickread.head(text)
    assert quick is None or quick == _tomli(text)
