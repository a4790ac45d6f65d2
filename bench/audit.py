"""One run of the suspended-people audit, measured in its own process:
`python -m bench.audit (--org SLUG | --all) --now ISO [--tracemalloc]`, on DATABASE_URL.

Prints one JSON line: wall time, peak RSS of this process (VmHWM: unlike getrusage's maxrss,
which Linux carries over from the parent across exec, it starts afresh here), the Python
heap's peak above its level before the run (tracemalloc, when asked: it slows the run, so the
timed run goes without it), and what the audit did.
"""

import argparse
import datetime as dt
import json
import sys
import time
import tracemalloc

import django


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--now", required=True)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    django.setup()

    from django.db import connection

    from accounts.models import Organization
    from provisioning.services.cleanup import cleanup_audit_run, cleanup_audit_run_all

    now = dt.datetime.fromisoformat(args.now)
    org = None if args.all else Organization.objects.get(slug=args.org)
    connection.ensure_connection()
    rss_before = peak_rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    results = (
        cleanup_audit_run_all(now=now) if org is None else [cleanup_audit_run(org=org, now=now)]
    )
    wall = time.perf_counter() - started
    heap_peak = None
    if args.tracemalloc:
        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    json.dump(
        {
            "scope": "all" if org is None else args.org,
            "wall_s": round(wall, 3),
            "maxrss_mb": peak_rss_mb(),
            "rss_before_mb": rss_before,
            "heap_peak_mb": round(heap_peak / 2**20, 2) if heap_peak is not None else None,
            "flagged": sum(r.flagged_count for r in results),
            "resolved": sum(r.resolved for r in results),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
