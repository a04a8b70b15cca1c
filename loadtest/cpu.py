"""CPU seconds used so far by the processes `make load` started, as one JSON line.

`python loadtest/cpu.py NAME=PID ...` sums user and system time of each named process and its
children (gunicorn's workers, the PostgreSQL server's backends), those that ended included.
scripts/load.sh takes one reading before a phase and one after; loadtest/report.py divides the
difference by the requests answered, so the report says where each request's CPU went on the
machine's shared cores. Linux only (reads /proc).
"""

import json
import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> dict[int, tuple[int, float, float]]:
    """Each process's parent, its CPU seconds, and those of its children that have ended (a
    PostgreSQL backend whose connection closed, a gunicorn worker that was replaced)."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    # Fields after the command, which may itself hold spaces and brackets.
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:  # ended while we looked
                continue
            found[int(name)] = (
                int(fields[1]),
                (int(fields[11]) + int(fields[12])) / TICKS,
                (int(fields[13]) + int(fields[14])) / TICKS,
            )
    return found


def main(named: list[str]) -> None:
    processes = cpu_seconds()
    totals = {}
    for item in named:
        name, pid = item.split("=")
        root = int(pid)
        children = sum(cpu for parent, cpu, _ in processes.values() if parent == root)
        _, own, ended = processes[root]
        totals[name] = round(own + ended + children, 2)
    print(json.dumps(totals))


if __name__ == "__main__":
    main(sys.argv[1:])
