"""Container health checks: exit 0 when healthy, else 1, with one line saying why.

    python deploy/healthcheck.py [URL] [--timeout S]   the URL answers 2xx within the timeout
    python deploy/healthcheck.py --rq-worker           a queue worker of this host is alive

URL defaults to $HEALTHCHECK_URL, else the API's readiness, http://127.0.0.1:8000/health/ready.
The URL check needs only the standard library. The worker check reads the queue's settings
(WATERCOOLER_QUEUE__*) and asks Redis for the workers registered by this host (RQ keeps a
worker's entry while its heartbeat lasts), so a hung or dead worker turns the container
unhealthy and a restart policy can act.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/health/ready"


def check(url: str, timeout_s: float) -> tuple[bool, str]:
    """Whether `url` answered 2xx, and what it said (status or error)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300, f"{url}: {response.status}"
    except urllib.error.HTTPError as exc:  # 4xx/5xx (a 503 says what is wrong in its body)
        body = exc.read(500).decode("utf-8", "replace")
        return False, f"{url}: {exc.code} {body}"
    except (urllib.error.URLError, OSError) as exc:
        return False, f"{url}: {exc}"


def check_worker(hostname: str) -> tuple[bool, str]:
    """Whether an RQ worker of the configured queue runs on `hostname`."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue, Worker

    from core.config import get_settings

    settings = get_settings()
    url = settings.queue.redis_url.get_secret_value()
    try:
        redis = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        workers = Worker.all(queue=Queue(settings.queue.name, connection=redis))
    except RedisError as exc:
        return False, f"redis: {exc}"
    mine = [w.name for w in workers if w.hostname == hostname]
    if not mine:
        return False, f"no worker of queue {settings.queue.name!r} on {hostname}"
    return True, f"workers on {hostname}: {', '.join(mine)}"


def main(argv: list[str] | None = None) -> int:
    """Check once; print the outcome (Docker keeps it in the container's health log)."""
    parser = argparse.ArgumentParser(prog="healthcheck", description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("HEALTHCHECK_URL", DEFAULT_URL))
    parser.add_argument("--timeout", type=float, default=4.0, help="seconds (default 4)")
    parser.add_argument("--rq-worker", action="store_true", help="check this host's worker")
    args = parser.parse_args(argv)
    if args.rq_worker:
        healthy, said = check_worker(socket.gethostname())
    else:
        healthy, said = check(args.url, args.timeout)
    print(said)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
