"""What the benchmark scripts share: progress lines, the machine's facts for the
report, a free port, the Action API over plain HTTP and the stack's profiles.

Standard library only, as the benchmarks themselves (run with the project's
virtualenv, from the repository)."""
from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def say(tag: str, message: str) -> None:
    print(f"[{tag} {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def stack(profile: str, *args: str) -> None:
    """`scripts/stack.py --profile <profile> <args>`; stops the benchmark when it fails."""
    command = [sys.executable, str(ROOT / "scripts" / "stack.py"), "--profile", profile, *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine() -> dict:
    """CPU, cores, memory, versions and the load at the start: the report's context."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release(),
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}


def call_action(api_url: str, token: str, action_name: str, /, **data):
    """One Action API call (`api_url` ends in /api/3/action); its result, or
    RuntimeError with CKAN's error."""
    request = urllib.request.Request(f"{api_url}/{action_name}", data=json.dumps(data).encode(),
                                     headers={"Authorization": token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
    if not body.get("success"):
        raise RuntimeError(f"{action_name} failed: {body.get('error')}")
    return body["result"]
