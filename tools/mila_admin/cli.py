"""``mila-standing``: one command line, for the operator and for the developer.

    mila-standing redrive --queue-url URL [--region R] [--dry-run] [--discard-unrecoverable]
    mila-standing migrate --table NAME [--endpoint-url URL] [--segments N] [--checkpoint FILE]
    mila-standing import EXPORT... [--out FILE]
    mila-standing transparency --city C [--lang de|en] [--policy FILE] [--out FILE]

    mila-standing replay SCENARIO.jsonl [--policy FILE] [--out FILE] [--log-file FILE] [--chaos SEED]
                         [--engine dynamodb-local|moto] [--summary]
    mila-standing whatif HISTORY --policy A --policy B [--out DIR]
    mila-standing generate --partners N [--days D] [--cities a,b,c] [--seed S] [--out FILE]
    mila-standing export SCENARIO --out DIR

Each command is a module with ``add_arguments(parser)`` and ``run(args) -> exit code``, imported
only when the command is the one named: the operator's commands (this package) never load the
emulator (``mila_replay``, which needs moto), and the emulator's load it only when they run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

# The operator's (this package): against the deployed stack, its failure queue, its tables, its exports.
# Go-live's `backfill EXPORT_DIR... --table NAME` (CONTRACT §6, R15) joins them here, beside import.
OPERATOR_COMMANDS = {
    "redrive": ("mila_admin.redrive", "send the failure queue's stream records to their function again"),
    "migrate": ("mila_admin.migrate", "rewrite a deployed standing table into the current shape"),
    "import": ("mila_admin.importing", "a scenario from DynamoDB exports of partners, jobs and ratings"),
    "transparency": ("mila_admin.transparency", "one city's rules for its partners as an HTML page (EU PWD Art. 9)"),
}
# The emulator's (mila_replay, which needs moto): the replay and what is built on it.
EMULATOR_COMMANDS = {
    "replay": ("mila_replay.replay_run", "replay a scenario against the real handlers on an embedded AWS"),
    "whatif": ("mila_replay.whatif_run", "replay a history under two policies and report who is affected"),
    "generate": ("mila_replay.generate", "write a city-sized history (a scenario) for the replay"),
    "export": ("mila_replay.export_run", "a scenario's final tables as a DynamoDB export (to try import)"),
}
COMMANDS = {**OPERATOR_COMMANDS, **EMULATOR_COMMANDS}
"""name -> (the module that runs it, its help line)."""


def _parser(named: str | None, command: ModuleType | None) -> argparse.ArgumentParser:
    """Every command with its help line; the arguments only of the one named (its module is loaded)."""
    parser = argparse.ArgumentParser(prog="mila-standing", description="Mila partner standing tools")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_module, text) in COMMANDS.items():
        sub = commands.add_parser(name, help=text)
        if name == named and command is not None:
            command.add_arguments(sub)
    return parser


class EmulatorMissing(RuntimeError):
    """An emulator's command on an installation without the ``replay`` extra."""


def _load(named: str | None) -> ModuleType | None:
    if named not in COMMANDS:
        return None
    try:
        return importlib.import_module(COMMANDS[named][0])
    except ModuleNotFoundError as missing:
        if named in EMULATOR_COMMANDS and (missing.name or "").partition(".")[0] == "moto":
            raise EmulatorMissing(
                f"mila-standing {named}: the emulator needs moto, which is not installed: "
                "pip install -e '.[replay]' (make setup installs it with the development tools)"
            ) from None
        raise


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    named = next((word for word in argv if not word.startswith("-")), None)
    try:
        command = _load(named)
    except EmulatorMissing as error:
        print(error, file=sys.stderr)
        return 2
    parser = _parser(named, command)
    args = parser.parse_args(argv)  # exits (2) unless a known command is named
    if command is None:
        parser.error("name a command")
    return int(command.run(args))


if __name__ == "__main__":
    sys.exit(main())
