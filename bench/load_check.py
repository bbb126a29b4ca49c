"""Load check: does the portal stay up, error-free, under many visitors at once?

Starts gunicorn on 127.0.0.1 (production-like settings, as bench/run.py does; its helpers
are imported, not copied) on a throwaway SQLite site in bench/work/load/, or on the
PostgreSQL database in DATABASE_URL (filled with bench content only if it has no
articles). Then, with wrk:

- article: 200 connections for 60 s on the (cached) article page;
- search: 200 connections for 30 s on /search/?q= with varied words;
- pdf: meanwhile, during both, 20 connections asking for the article's PDF handout with a
  random ?v= (so every request renders a PDF).

Reports per scenario the requests, errors (socket errors and non-2xx/3xx answers) and
p50/p99 latency, checks /healthz answers afterwards, and writes
bench/results/load-<date>.txt. Only 127.0.0.1 is contacted; every run is bounded in time
and stops by itself. `--seconds-scale 0.1` gives a quick try.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402 - bench/run.py: site building, gunicorn start/stop, machine info

ROOT = run.ROOT
run.WORK = ROOT / "bench" / "work" / "load"  # its own site, beside make bench's
WRK_TIMEOUT = "10s"

# wrk script: varied paths; counts requests sent, so that requests still unanswered when
# the time is up (a server too busy to answer at all) show up in the report.
REQUEST_LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + id)
  sent = 0
end
local words = {%(words)s}
local function path()
  %(body)s
end
request = function()
  sent = sent + 1
  return path()
end
done = function(summary, latency, requests)
  local errors = summary.errors
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("sent") end
  io.write(string.format(
    '{"requests": %%d, "sent": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
      .. '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, total, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
"""
SEARCH_BODY = (
    "local q = words[math.random(#words)] .. '+' .. words[math.random(#words)]\n"
    "  return wrk.format('GET', '/search/?q=' .. q)"
)
PDF_BODY = "return wrk.format('GET', '%(path)s?v=' .. math.random(1, 1000000000))"
HEALTH_WAIT = 120  # seconds to wait for /healthz after the load


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds-scale",
        type=float,
        default=1.0,
        help="multiply every duration (0.1 for a quick try; default 1: 60 s and 30 s)",
    )
    parser.add_argument("--connections", type=int, default=200, help="article/search (200)")
    parser.add_argument("--pdf-connections", type=int, default=20, help="PDF handouts (20)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--articles", type=int, default=200, help="generated articles (200)")
    parser.add_argument("--no-save", action="store_true", help="print the report only")
    return parser.parse_args()


def database_url():
    """Return the PostgreSQL DATABASE_URL to load, or None for the throwaway SQLite site."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def use_database(url):
    """Make bench/run.py's servers use url instead of its SQLite file."""
    original = run.server_env

    def server_env(cache_url, page_cache=True):
        env = original(cache_url, page_cache)
        return env | {"DATABASE_URL": url} if url else env

    run.server_env = server_env


def prepare(count, postgres):
    """Build the content (SQLite, or an empty PostgreSQL database); return the paths."""
    from django.core.management import call_command
    from django.urls import reverse

    from articles.models import Article

    if postgres:
        call_command("migrate", verbosity=0, interactive=False)
        if not Article.objects.exists():
            run.build_site(count)
    else:
        run.build_site(count)
    pages = run.pick_pages()
    slug = pages["article"].rstrip("/").rsplit("/", 1)[-1]
    return pages["article"], reverse("articles:handout_pdf", args=[slug])


def lua_script(folder, name, body):
    words = ", ".join(f"'{word}'" for word in run.WORDS)
    text = REQUEST_LUA % {"words": words, "body": body}
    path = folder / f"{name}.lua"
    path.write_text(text)
    return path


def start_wrk(url, connections, seconds, script):
    threads = min(4, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", WRK_TIMEOUT, "-s", str(script), url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)


def figures(process, seconds):
    output, _ = process.communicate(timeout=seconds + 60)
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def load(base, article, pdf, args, folder):
    """Run the three scenarios; return {name: figures}."""
    article_s = max(1, round(60 * args.seconds_scale))
    search_s = max(1, round(30 * args.seconds_scale))
    plain = lua_script(folder, "plain", "return wrk.format('GET', wrk.path)")
    search = lua_script(folder, "search", SEARCH_BODY)
    pdfs = lua_script(folder, "pdf", PDF_BODY % {"path": pdf})
    print(
        f"Load: article {article_s} s then search {search_s} s at {args.connections} "
        f"connections, with {args.pdf_connections} PDF connections throughout ...",
        flush=True,
    )
    pdf_run = None
    if args.pdf_connections:
        pdf_run = start_wrk(base + pdf, args.pdf_connections, article_s + search_s, pdfs)
    try:
        article_run = start_wrk(base + article, args.connections, article_s, plain)
        results = {"article": figures(article_run, article_s)}
        search_run = start_wrk(base + "/", args.connections, search_s, search)
        results["search"] = figures(search_run, search_s)
        if pdf_run:
            results["pdf"] = figures(pdf_run, article_s + search_s)
    finally:
        if pdf_run and pdf_run.poll() is None:
            os.killpg(pdf_run.pid, signal.SIGTERM)
    return results


def seconds_until_healthy(base):
    """Return the seconds /healthz took to answer 200 after the load, or None."""
    started = time.monotonic()
    while time.monotonic() - started < HEALTH_WAIT:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=10) as reply:
                if reply.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(1)
    return None


def unanswered(result):
    return max(0, result["sent"] - result["requests"] - sum(result["errors"].values()))


def report(args, results, paths, postgres, healthy_after, started):
    import django

    lines = [
        f"# Portal load check, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"machine:  {run.machine()}",
        f"software: Django {django.get_version()}, commit {run.commit() or 'unknown'}",
        f"server:   gunicorn, {args.workers} sync workers, DEBUG=0, "
        f"{'PostgreSQL' if postgres else 'SQLite (WAL)'}, page cache locmem",
        f"pages:    article {paths[0]}, search /search/?q=<two random words>, "
        f"pdf {paths[1]}?v=<random>",
        f"scale:    durations x{args.seconds_scale}",
        "",
        f"{'scenario':<10} {'conns':>6} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7} {'in flight':>10}  error detail",
    ]
    connections = {"article": args.connections, "search": args.connections}
    connections["pdf"] = args.pdf_connections
    for name, result in results.items():
        errors = result["errors"]
        detail = ", ".join(f"{kind} {n}" for kind, n in errors.items() if n) or "-"
        lines.append(
            f"{name:<10} {connections[name]:>6} {result['requests']:>9} {result['rps']:>8.0f} "
            f"{result['p50_us'] / 1000:>8.1f} {result['p99_us'] / 1000:>8.1f} "
            f"{sum(errors.values()):>7} {unanswered(result):>10}  {detail}"
        )
    lines += [
        "",
        "/healthz after the load: "
        + (
            f"200 OK after {healthy_after:.1f} s"
            if healthy_after is not None
            else f"NO ANSWER within {HEALTH_WAIT} s"
        ),
        "errors: socket errors (connect, read, write, timeout after "
        f"{WRK_TIMEOUT}) and answers other than 2xx/3xx (status).",
        "in flight: requests sent but unanswered when the time was up (at most one per",
        "connection; wrk counts them nowhere else). A server too busy to answer shows as",
        "few requests with every connection still in flight.",
    ]
    return "\n".join(lines) + "\n"


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        print(run.WRK_MISSING, file=sys.stderr)
        return 1
    started = datetime.datetime.now(datetime.UTC)
    postgres = database_url()
    use_database(postgres)
    if run.WORK.exists():
        shutil.rmtree(run.WORK)
    (run.WORK / "static").mkdir(parents=True)

    os.environ.update(run.server_env("locmem://", page_cache=False))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"Building the site ({'PostgreSQL' if postgres else 'SQLite'}) ...", flush=True)
    servers = [run.start_collectstatic()]
    try:
        paths = prepare(args.articles, postgres)
        if servers.pop().wait() != 0:
            raise SystemExit("collectstatic failed")
        port = run.free_port()
        servers.append(run.start_server(port, args.workers, "locmem://"))
        base = f"http://{run.HOST}:{port}"
        for path in paths:
            status, _, _ = run.fetch(base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status} before the load")
        results = load(base, *paths, args, run.WORK)
        healthy_after = seconds_until_healthy(base)
    finally:
        for server in servers:
            run.stop_server(server)
    text = report(args, results, paths, postgres, healthy_after, started)
    print()
    print(text)
    if not args.no_save:
        run.RESULTS.mkdir(exist_ok=True)
        path = run.RESULTS / f"load-{started:%Y-%m-%d}.txt"
        path.write_text(text)
        print(f"Saved to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
