"""Keep one long-running command alive: restart it with backoff when it exits.

    python3 scripts/supervise.py --name fetch-consumer --pidfile P --status S -- CMD...

`scripts/stack.py` starts the harvest consumers, the scheduler and the
full-text worker through this, so that a process that dies (a bug, a lost
database connection, the kernel's OOM killer) comes back without an operator.
Standard library only, like stack.py.

- The command's pid goes to `--pidfile` while it runs (tests and `make status`
  read it); this process is the leader of the process group that stack.py
  stops, so the command goes with it.
- Each exit that was not asked for is logged on stderr (the service's log) and
  restarted after 1, 2, 4 … seconds, at most `--max-backoff`; the wait starts
  again at 1 s once the command has run for `--stable` seconds.
- `--status` is a JSON file with the restarts so far, the last exit code and
  time, and when the next start is due: `make status` shows it.
- A command that exits by itself (code > 0) within `--first-start` seconds of
  its very first start is not restarted: that is a broken configuration, which
  stack.py reports. One killed by a signal is always restarted.
- SIGTERM or SIGINT to this process ends the command (SIGTERM, then SIGKILL
  after `--stop-timeout` seconds) and then this process.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def backoff_seconds(failures_in_a_row: int, maximum: float) -> float:
    """1, 2, 4, 8 … seconds for the 1st, 2nd, 3rd … quick exit in a row, at most `maximum`."""
    return float(min(maximum, 2 ** max(0, failures_in_a_row - 1)))


class Supervisor:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.name = args.name
        self.pidfile = Path(args.pidfile)
        self.status_file = Path(args.status)
        self.child: subprocess.Popen | None = None
        self.stopping = False
        self.restarts = 0
        self.status: dict = {"restarts": 0, "supervisor_pid": os.getpid()}

    def say(self, message: str) -> None:
        print(f"[supervise {_now()}] {self.name}: {message}", file=sys.stderr, flush=True)

    def write_status(self, **changes) -> None:
        self.status.update(changes)
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.status))
        tmp.replace(self.status_file)

    def on_signal(self, signum, _frame) -> None:
        # the loop in run() ends the command: one SIGTERM, then SIGKILL after --stop-timeout
        self.stopping = True

    def start_child(self) -> float:
        self.child = subprocess.Popen(self.args.command, stdin=subprocess.DEVNULL)
        self.pidfile.write_text(str(self.child.pid))
        self.write_status(pid=self.child.pid, started=_now(), next_start=None)
        return time.monotonic()

    def stop_child(self) -> None:
        child = self.child
        if child is None or child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(self.args.stop_timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def wait_child(self) -> int:
        """The command's exit code; ends it when this process is asked to stop."""
        while True:
            try:
                return self.child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                if self.stopping:
                    self.stop_child()
                    return self.child.returncode

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        self.write_status(restarts=0, last_exit=None, last_exit_at=None)
        first = True
        quick_exits = 0
        while not self.stopping:
            started = self.start_child()
            code = self.wait_child()
            ran = time.monotonic() - started
            self.pidfile.unlink(missing_ok=True)
            if self.stopping:
                break
            if first and ran < self.args.first_start and code > 0:
                # it ended by itself before it ever ran (killed ones are restarted)
                self.say(f"exited with code {code} right after its first start; not restarted")
                self.write_status(pid=None, last_exit=code, last_exit_at=_now())
                return code or 1
            first = False
            quick_exits = 1 if ran >= self.args.stable else quick_exits + 1
            wait = backoff_seconds(quick_exits, self.args.max_backoff)
            self.restarts += 1
            self.say(f"exited with code {code} after {ran:.0f} s; restart {self.restarts} in {wait:.0f} s")
            self.write_status(pid=None, restarts=self.restarts, last_exit=code, last_exit_at=_now(),
                              next_start=wait)
            deadline = time.monotonic() + wait
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.1)
        self.stop_child()
        self.pidfile.unlink(missing_ok=True)
        return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--pidfile", required=True)
    parser.add_argument("--status", required=True)
    parser.add_argument("--max-backoff", type=float, default=60)
    parser.add_argument("--stable", type=float, default=60)
    parser.add_argument("--first-start", type=float, default=3)
    parser.add_argument("--stop-timeout", type=float, default=10)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("a command to run is needed after --")
    return args


if __name__ == "__main__":
    sys.exit(Supervisor(parse_args(sys.argv[1:])).run())
