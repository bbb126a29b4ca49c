"""First handout PDF after a restart: gunicorn with and without the warm-up of gunicorn.conf.py.

    .venv/bin/python bench/first_pdf.py [--restarts 3]

Builds a throwaway site in a temporary folder (SQLite, the demo content, collected static
files), then, for each variant, starts gunicorn (1 worker, DEBUG=0, page cache off, on
127.0.0.1) `--restarts` times: waits until /healthz answers, times the first request of
the long demo article's handout PDF (A4), then the same on US Letter: a second render
(each distinct PDF is cached once rendered, so asking for the A4 one again would not
render it). "without warm-up" starts gunicorn with an empty configuration file, "with
warm-up" with the project's gunicorn.conf.py.
Writes bench/results/first-pdf-<date>.txt.
"""

import argparse
import datetime
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLUG = "magnesium-and-restless-leg-syndrome-guide"


def environment(folder):
    return os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "STATIC_ROOT": f"{folder}/static",
        "MEDIA_ROOT": f"{folder}/media",
        "PAGE_CACHE": "0",
        "LOG_LEVEL": "WARNING",
    }


def manage(env, *command):
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as reply:
        assert reply.status == 200
        reply.read()
    return (time.perf_counter() - started) * 1000


def one_start(env, config):
    """Start gunicorn; return (ms to ready, ms of the first PDF, ms of a second render)."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--config", str(config),
         "--bind", f"{HOST}:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        while True:
            try:
                get(f"http://{HOST}:{port}/healthz")
                break
            except OSError:
                if time.perf_counter() - started > 60:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.05)
        ready = (time.perf_counter() - started) * 1000
        pdf = f"http://{HOST}:{port}/articles/{SLUG}/handout.pdf"
        first = get(pdf)
        return ready, first, get(f"{pdf}?paper=letter")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--restarts", type=int, default=3)
    args = parser.parse_args()
    lines = [
        f"First handout PDF after a restart, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
        f"{os.cpu_count()} CPUs; uptime: "
        + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        f"gunicorn, 1 sync worker, DEBUG=0, page cache off; {args.restarts} restarts per "
        f"variant; the long demo article ({SLUG}), A4.",
    ]
    with tempfile.TemporaryDirectory() as folder:
        env = environment(folder)
        for command in (["migrate", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
            manage(env, *command)
        empty = Path(folder) / "empty.conf.py"
        empty.write_text("")
        variants = {"without warm-up": empty, "with warm-up": ROOT / "gunicorn.conf.py"}
        results = {name: [] for name in variants}
        for _ in range(args.restarts):  # variants take turns, so load falls on both
            for name, config in variants.items():
                results[name].append(one_start(env, config))
    for name, starts in results.items():
        ready = statistics.median(start[0] for start in starts)
        firsts = [start[1] for start in starts]
        later = [start[2] for start in starts]
        lines.append(
            f"{name:16}: first PDF {', '.join(f'{ms:.0f}' for ms in firsts)} ms "
            f"(median {statistics.median(firsts):.0f}); second render median "
            f"{statistics.median(later):.0f} ms; worker ready after {ready:.0f} ms (median)"
        )
    report = "\n".join(lines) + "\n"
    print(report, end="")
    out = ROOT / "bench" / "results" / f"first-pdf-{datetime.date.today():%Y-%m-%d}.txt"
    out.write_text(report)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
