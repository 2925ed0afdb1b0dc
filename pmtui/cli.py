"""The `pmtui` command. Textual is imported only when the TUI opens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pmtui import __version__
from pmtui.core.errors import LoadError, PmtuiError, UsageError
from pmtui.core.new import default_path, new_incident

USAGE = """\
usage: pmtui [PATH]                 open an incident (created if missing)
       pmtui [DIR]                  the home screen: every incident in DIR (default:
                                    this folder, when it holds incidents)
       pmtui new [TITLE] [options]  start a new incident and open it
       pmtui export PATH [-o OUT]   write the Markdown postmortem (--template FILE)
       pmtui log PATH TEXT...       add an entry from a script or another terminal
       pmtui view PATH              watch an incident open elsewhere, and add lines to it
       pmtui sync PATH              sync a shared incident with its git remote once
       pmtui ls [DIR]               list the incidents in a folder, newest first
       pmtui actions [DIR]          action items across incidents, by owner, overdue first
       pmtui report [DIR]           time to detect/mitigate/resolve, actions done

Log an outage as it happens; get the postmortem when you quit.

examples:
  pmtui                                   the home screen here (a new incident if none)
  pmtui sample_incidents/rappi-orders-api.toml
  pmtui new "Checkout down" --severity SEV1 --commander Ana
  pmtui new "DNS flaps" --file dns.toml --timezone Europe/Berlin --no-open
  pmtui export dns.toml                   writes dns.md beside it
  pmtui export dns.toml -o -              prints the Markdown
  pmtui export dns.toml --template t.j2   in a layout of your own (Jinja2)
  pmtui log dns.toml --source deploy "rolled back 4512"
  pmtui new "DNS flaps" --share git@github.com:acme/inc-dns.git   a team's incident
  pmtui ls incidents/ --json              every incident, for scripts
  pmtui actions --owner ana --overdue     what ana owes
  pmtui report --since 2026-01-01 --by severity

Run `pmtui COMMAND --help` (new, export, log, ls, actions, report) for its options.
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _new_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pmtui new",
        description="Start a new incident: status detected, started and detected now.",
        epilog='example: pmtui new "Checkout down" --severity SEV1 --timezone Europe/London',
    )
    parser.add_argument("title", nargs="?", help="what is broken (asked for when left out)")
    parser.add_argument("--file", type=Path, help="incident file (default: DATE-TIME-slug.toml)")
    parser.add_argument("--severity", help="SEV1 (worst) to SEV4")
    parser.add_argument(
        "--timezone", help="IANA name, e.g. Africa/Nairobi (default: this machine's)"
    )
    parser.add_argument("--commander", help="the incident commander's name")
    parser.add_argument("--no-open", action="store_true", help="create the file, do not open it")
    parser.add_argument(
        "--share",
        metavar="REMOTE",
        help="share it through this empty git remote (a new folder; others: git clone REMOTE)",
    )
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pmtui export",
        description="Write the Markdown postmortem of an incident file. Works while it is open.",
        epilog="example: pmtui export inc.toml -o postmortem.md",
    )
    parser.add_argument("path", type=Path, help="the incident's TOML file")
    parser.add_argument("-o", "--output", help="where to write (default: PATH with .md; - prints)")
    parser.add_argument(
        "--template",
        type=Path,
        metavar="FILE",
        help="a Jinja2 template of your own (the README lists its variables)",
    )
    return parser


def _open_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pmtui", usage=USAGE, add_help=False)
    parser.add_argument("path", nargs="?", type=Path)
    return parser


def cmd_export(args: argparse.Namespace) -> int:
    from pmtui.core.export import export_markdown, load_export_template
    from pmtui.core.fold import load_whole
    from pmtui.core.store import is_special, write_atomic
    from pmtui.core.templating import TemplateProblem

    try:  # a bad template: one line naming its line, exit 2, nothing written
        template = load_export_template(args.template) if args.template else None
        incident = load_whole(args.path)
        text = export_markdown(incident, now=datetime.now(UTC), template=template)
    except TemplateProblem as problem:
        print(f"pmtui: {problem}", file=sys.stderr)
        return 2
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.output) if args.output else args.path.with_suffix(".md")
    if is_special(out):  # /dev/null, a FIFO: stream into it, never replace it
        with out.open("wb") as stream:
            stream.write(text.encode("utf-8"))
        return 0
    write_atomic(out, text.encode("utf-8"))
    print(out)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from pmtui.core.model import tz_not_understood
    from pmtui.core.store import IncidentStore

    if args.timezone is None and (problem := tz_not_understood()):
        print(f"pmtui: {problem}", file=sys.stderr)  # said, not refused: an incident waits

    if args.title is None:
        if args.no_open or args.share:
            flag = "--share" if args.share else "--no-open"
            raise UsageError(f"pmtui new: a TITLE is needed with {flag}")
        return run_tui(args.file, new_options=args)
    incident = new_incident(
        args.title, severity=args.severity, timezone=args.timezone, commander=args.commander
    )
    path = args.file or default_path(incident)
    if args.share and args.file is None:  # a shared incident is a folder of its own
        path = path.parent / path.stem / path.name
        path.parent.mkdir(exist_ok=True)
    store = IncidentStore(path)
    store.create(incident)
    store.close()
    if args.share:
        _share(path, args.share)
    if args.no_open:
        print(path)
        return 0
    return run_tui(path)


def _share(path: Path, remote: str) -> None:
    from pmtui.core.gitsync import GitError, NotShared, share

    try:
        result = share(path, remote)
    except (GitError, NotShared) as error:
        print(f"pmtui: {path} was created but not shared: {error}", file=sys.stderr)
        return
    if not result.ok:
        print(f"pmtui: shared; {result.line()}: {result.reason}", file=sys.stderr)
    folder = path.resolve().parent.name
    print(f"shared: others join with  git clone {remote} {folder} && pmtui {folder}/{path.name}")


def _view_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pmtui view",
        description=(
            "Watch an incident without taking it (the IC keeps it open): it follows the IC's "
            "saves and what anyone logs; what you type is added to its journal."
        ),
        epilog="example: pmtui view inc.toml",
    )
    parser.add_argument("path", type=Path, help="the incident's TOML file")
    return parser


def cmd_view(args: argparse.Namespace) -> int:
    from pmtui.view import run_view

    return run_view(args.path)


def run_home(folder: Path) -> int:
    from pmtui.core.homefolder import scan_aside

    first = scan_aside(folder)  # read in a forked process while Textual is imported
    from pmtui.home import run_home as home

    return home(folder, first)


def run_tui(path: Path | None, new_options: argparse.Namespace | None = None) -> int:
    from pmtui.app import run

    return run(path, new_options)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] in (["-h"], ["--help"]):
            print(USAGE, end="")
            return 0
        if args_list[:1] == ["--version"]:
            print(f"pmtui {__version__}")
            return 0
        if args_list[:1] == ["export"]:
            return cmd_export(_export_parser().parse_args(args_list[1:]))
        if args_list[:1] == ["log"]:
            from pmtui.logcmd import main as log_main

            return log_main(args_list[1:])
        if args_list[:1] in (["ls"], ["actions"], ["report"]):
            from pmtui.listing import main as listing_main

            return listing_main(args_list)
        if args_list[:1] == ["sync"]:
            from pmtui.synccmd import main as sync_main

            return sync_main(args_list[1:])
        if args_list[:1] == ["view"]:
            return cmd_view(_view_parser().parse_args(args_list[1:]))
        if args_list[:1] == ["new"]:
            return cmd_new(_new_parser().parse_args(args_list[1:]))
        from pmtui.core.homefolder import home_folder

        folder = home_folder(args_list)
        if folder is not None:
            return run_home(folder)
        return run_tui(_open_parser().parse_args(args_list).path)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except PmtuiError as error:
        print(f"pmtui: {error}", file=sys.stderr)
        return 2 if isinstance(error, LoadError) else 1
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"pmtui: {where}{error.strerror or error}", file=sys.stderr)
        return 1
