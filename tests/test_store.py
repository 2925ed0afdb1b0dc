import errno
import os
import stat
import subprocess
import sys
import tomllib
from datetime import timedelta

import pytest

from pmtui.core import store
from pmtui.core.errors import LoadError, LockedError, SaveError
from pmtui.core.model import Incident
from tests.conftest import NOW, PAYME, RAPPI


@pytest.mark.parametrize("path", [RAPPI, PAYME])
def test_samples_round_trip(path, tmp_path):
    incident = store.load(path)
    target = tmp_path / "copy.toml"
    store.write_atomic(target, store.dumps(incident).encode())
    again = store.load(target)
    assert again.model_dump() == incident.model_dump()
    assert store.dumps(again) == store.dumps(incident)


def test_saved_file_is_private_and_sorted(tmp_path, incident):
    incident.add_entry("second", NOW + timedelta(minutes=1))
    incident.add_entry("first", NOW)
    path = tmp_path / "inc.toml"
    s = store.IncidentStore(path)
    s.create(incident)
    s.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(s.lock.path.stat().st_mode) == 0o600
    text = path.read_text()
    assert text.index('"first"') < text.index('"second"')
    assert text.startswith("schema = 1\n")


def test_written_times_use_the_incident_zone(tmp_path):
    incident = store.load(PAYME)
    text = store.dumps(incident)
    assert "at = 2026-11-21 08:19:00+03:00" in text


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + RAPPI.read_bytes().replace(b"\n", b"\r\n"))
    assert store.load(path).title == store.load(RAPPI).title


def test_local_times_mean_the_incident_zone(tmp_path):
    path = tmp_path / "local.toml"
    path.write_text(
        'schema = 1\n[incident]\ntitle = "x"\ntimezone = "Africa/Nairobi"\n'
        "started_at = 2026-11-21T08:19:00\n"
        '[[timeline]]\nat = 2026-11-21T08:20:00\ntext = "no id, no offset"\n'
    )
    incident = store.load(path)
    assert incident.started_at.utcoffset() == timedelta(hours=3)
    assert incident.timeline[0].id == "t1"
    assert incident.timeline[0].at.hour == 8


def test_unknown_fields_survive_a_save(tmp_path):
    path = tmp_path / "extra.toml"
    path.write_text(
        'schema = 1\n[incident]\ntitle = "x"\ntimezone = "GMT"\nticket = "OPS-1"\n'
        "started_at = 2026-11-21T08:19:00Z\n"
        '[tooling]\nbridge = "zoom"\n'
        '[[timeline]]\nid = "t1"\nat = 2026-11-21T08:20:00Z\ntext = "a"\nsource = "pager"\n'
    )
    incident, state = store.load_state(path)
    text = store.dumps(incident, state.extra)  # the file's other tables kept
    assert 'ticket = "OPS-1"' in text
    assert 'bridge = "zoom"' in text
    assert 'source = "pager"' in text


def test_another_tools_top_level_keys_stay_at_the_top(tmp_path):
    """A key written above [incident] by a script is read back where it was, not
    inside [incident] (written after a table, TOML puts it in that table)."""
    path = tmp_path / "top.toml"
    path.write_text(
        'schema = 1\nteam = "payments"\nlinks = ["a", "b"]\nowners = []\n'
        '[incident]\ntitle = "x"\ntimezone = "GMT"\nstarted_at = 2026-11-21T08:19:00Z\n'
        '[tooling]\nbridge = "zoom"\n'
    )
    incident, state = store.load_state(path)
    data = tomllib.loads(store.dumps(incident, state.extra))
    assert (data["team"], data["links"], data["owners"]) == ("payments", ["a", "b"], [])
    assert data["tooling"] == {"bridge": "zoom"}
    assert not {"team", "links", "owners"} & set(data["incident"])


def test_unchanged_entries_reuse_their_cached_block(incident):
    writer = store.TomlWriter()
    first = incident.add_entry("one", NOW)
    writer.render(store.snapshot(incident))
    cached = writer._blocks[first.id][1]
    incident.add_entry("two", NOW)
    writer.render(store.snapshot(incident))
    assert writer._blocks[first.id][1] is cached
    _, edited = incident.replace_entry(first.id, text="one, edited")
    assert "one, edited" in writer.render(store.snapshot(incident))
    assert writer._blocks[first.id][0] is edited


def test_saves_after_stamps_write_the_same_bytes_as_a_fresh_render(tmp_path, incident):
    """The writer keeps the timeline's text in pages and renders only the pages
    that changed; what it writes must stay byte for byte what a fresh writer
    renders, as the last page fills and after an edit in the middle."""
    path = tmp_path / "inc.toml"
    writer = store.TomlWriter(page=4)
    for n in range(23):
        incident.add_entry(f"stamp {n}", NOW + timedelta(seconds=n))
        if n == 12:
            incident.replace_entry("t3", text="edited in the middle")
        chunks = writer.render_chunks(store.snapshot(incident))
        assert len(chunks) <= 1 + len(incident.timeline) // 4 + 2  # the head, then pages
        store.write_atomic(path, chunks)
        assert path.read_bytes() == store.TomlWriter().render_bytes(store.snapshot(incident))
    assert store.load(path).timeline[-1].text == "stamp 22"


def test_an_edit_in_the_middle_renders_one_page_again(incident):
    for n in range(100):
        incident.add_entry(f"entry {n}", NOW + timedelta(seconds=n))
    writer = store.TomlWriter(page=10)
    before = writer.render_chunks(store.snapshot(incident))[1:]  # the pages
    incident.replace_entry("t45", text="reworded")
    after = writer.render_chunks(store.snapshot(incident))[1:]
    assert len(after) == len(before) == 10
    assert [a is b for a, b in zip(after, before, strict=True)].count(False) == 1
    fresh = store.TomlWriter().render_chunks(store.snapshot(incident))[1:]
    assert b"".join(after) == b"".join(fresh)


def test_changing_timezone_rewrites_every_time(incident):
    writer = store.TomlWriter()
    incident.add_entry("one", NOW)
    assert "+00:00" in writer.render(store.snapshot(incident))
    incident.timezone = "Africa/Nairobi"
    text = writer.render(store.snapshot(incident))
    assert "at = 2026-11-21 23:30:00+03:00" in text


def test_leftover_temp_files_are_removed_on_open(rappi_copy):
    leftover = rappi_copy.with_name(f".{rappi_copy.name}.abc123.tmp")
    leftover.write_text("half a file")
    unrelated = rappi_copy.with_name(".other.toml.abc.tmp")
    unrelated.write_text("not ours")
    s = store.IncidentStore(rappi_copy)
    s.open()
    s.close()
    assert not leftover.exists()
    assert unrelated.exists()


def test_a_held_lock_refuses_a_second_writer(rappi_copy):
    first = store.IncidentStore(rappi_copy)
    first.open()
    second = store.IncidentStore(rappi_copy)
    with pytest.raises(LockedError) as info:
        second.open()
    message = str(info.value)
    assert f"pid {os.getpid()}" in message
    assert "is open in another pmtui" in message and "since" in message
    first.close()
    second.open()  # free again once released
    second.close()
    assert first.lock.path.exists()  # never deleted


def test_a_killed_holder_leaves_no_stale_lock(rappi_copy):
    code = (
        "import os, sys; from pathlib import Path; from pmtui.core.store import IncidentStore;"
        f"IncidentStore(Path({str(rappi_copy)!r})).open(); print('held', flush=True);"
        "os.kill(os.getpid(), 9)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "held" in result.stdout
    s = store.IncidentStore(rappi_copy)
    s.open()
    s.close()


def test_create_refuses_an_existing_file(rappi_copy, incident):
    before = rappi_copy.read_bytes()
    with pytest.raises(Exception, match="already exists"):
        store.IncidentStore(rappi_copy).create(incident)
    assert rappi_copy.read_bytes() == before


def test_saves_then_close_leave_no_descriptor_open(rappi_copy):
    def open_fds() -> set[str]:
        return set(os.listdir("/proc/self/fd"))

    before = open_fds()
    holder = store.IncidentStore(rappi_copy)
    incident = holder.open()
    for n in range(3):
        incident.add_entry(f"saved {n}", NOW)
        holder.save(store.snapshot(incident))
    holder.tidy()  # as the saver does after each save: closes the files replaced
    assert len(open_fds() - before) == 3  # the lock, the folder, the file last saved
    holder.close()
    assert open_fds() - before == set()
    assert store.load(rappi_copy).timeline[-1].text == "saved 2"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES])
def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch, code):
    path = tmp_path / "inc.toml"
    store.write_atomic(path, b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(SaveError, match="could not save .*" + os.strerror(code)):
        store.write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert list(tmp_path.glob(".*.tmp")) == []


def test_short_writes_still_write_every_chunk_in_order(tmp_path, monkeypatch):
    """The kernel may take fewer bytes than asked: what is left is written next."""
    real_writev = os.writev
    calls = []

    def at_most_7_bytes(fd, buffers):
        calls.append(fd)
        assert len(calls) < 100, "the writer is not making progress"  # fail, do not hang
        return real_writev(fd, [bytes(b"".join(bytes(b) for b in buffers)[:7])])

    monkeypatch.setattr(os, "writev", at_most_7_bytes)
    path = tmp_path / "inc.toml"
    chunks = [b"schema = 1\n", b"", b"[incident]\n", b'title = "x"\n' * 5]
    store.write_atomic(path, chunks)
    assert path.read_bytes() == b"".join(chunks)


def test_save_into_a_vanished_folder_is_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="could not save"):
        store.write_atomic(tmp_path / "gone" / "inc.toml", b"x")


def test_load_error_for_missing_file(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        store.load(tmp_path / "nope.toml")


def test_new_incident_round_trips(tmp_path):
    incident = Incident(title="t", started_at=NOW, timezone="Asia/Kolkata")
    incident.add_entry('quote " and """ and | and \\', NOW)
    path = tmp_path / "i.toml"
    store.write_atomic(path, store.dumps(incident).encode())
    assert store.load(path).model_dump() == incident.model_dump()


def test_a_symlinked_incident_is_followed_and_stays_a_link(tmp_path, incident):
    real = tmp_path / "real" / "inc.toml"
    real.parent.mkdir()
    s = store.IncidentStore(real)
    s.create(incident)
    s.close()
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    holder = store.IncidentStore(link)
    opened = holder.open()
    opened.add_entry("logged through the link", NOW)
    holder.save(store.snapshot(opened))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert store.load(real).timeline[-1].text == "logged through the link"
    with pytest.raises(LockedError):  # one lock, whichever name the file is opened by
        store.IncidentStore(real).open()
    holder.close()


def test_a_deleted_lock_file_is_locked_again_before_a_second_pmtui_gets_in(rappi_copy):
    first = store.IncidentStore(rappi_copy)
    first.open()
    first.lock.path.unlink()
    said = first.lock.check()
    assert said is not None and "locked it again" in said and first.lock.problem is None
    with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
        store.IncidentStore(rappi_copy).open()
    assert first.lock.check() is None  # the new lock file is the one held
    first.close()


def test_a_lock_file_taken_by_another_pmtui_is_reported(rappi_copy):
    first = store.IncidentStore(rappi_copy)
    first.open()
    first.lock.path.unlink()
    second = store.IncidentStore(rappi_copy)
    second.open()  # it got in before the first one noticed
    said = first.lock.check()
    assert said is not None and "another pmtui" in said and first.lock.problem == said
    second.close()
    assert "locked it again" in (first.lock.check() or "")
    first.close()


def test_a_fifo_as_the_lock_file_is_one_clear_line(rappi_copy, capsys):
    from pmtui.cli import main

    os.mkfifo(str(rappi_copy) + ".lock")
    with pytest.raises(LockedError, match=r"rappi\.toml\.lock is not a file"):
        store.IncidentStore(rappi_copy).open()
    assert main([str(rappi_copy)]) == 1
    assert capsys.readouterr().err.startswith(f"pmtui: cannot lock {rappi_copy}: ")


def test_temp_files_of_a_killed_export_are_removed_on_open(rappi_copy):
    old = rappi_copy.with_name(f".{rappi_copy.stem}.md.abc123.tmp")
    old.write_text("half a postmortem")
    os.utime(old, (1, 1))  # from an export killed long ago
    fresh = rappi_copy.with_name(f".{rappi_copy.stem}.md.def456.tmp")
    fresh.write_text("an export writing right now")
    s = store.IncidentStore(rappi_copy)
    s.open()
    s.close()
    assert not old.exists() and fresh.exists()


def test_the_loser_of_a_start_race_names_the_holder(rappi_copy):
    code = (  # it takes the lock as soon as the test's own probe lets go of it
        "import sys; from pathlib import Path; from pmtui.core.store import IncidentLock;"
        f"lock = IncidentLock(Path({str(rappi_copy)!r}))\n"
        "while not lock.held:\n"
        "    try: lock.acquire()\n"
        "    except Exception: pass\n"
        "sys.stdin.read()"
    )
    for _ in range(5):
        child = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            while True:  # try to lock at the very moment the child takes the lock
                probe = store.IncidentStore(rappi_copy)
                try:
                    probe.lock.acquire()
                except LockedError as error:
                    message = str(error)
                    break
                probe.lock.release()  # still free: try again
        finally:
            child.communicate("")
        assert f"pid {child.pid}" in message
