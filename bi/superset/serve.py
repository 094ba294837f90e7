"""Start, stop and screenshot the local Superset that serves the PGC dashboard.

Runs with the BI environment's Python (`.venv-bi/bin/python`, made by `make bi`):

    serve.py start --serving warehouse/serving.duckdb [--state .superset] [--port 8088]
    serve.py stop [--state .superset]
    serve.py screenshot --url URL --out FILE.png [--state .superset]

`start` sets Superset up once per state folder (its metadata database, an admin user whose
password it writes to STATE/admin_password), imports the dashboard kept as code in
bi/superset/dashboard/ with the serving snapshot as a read-only DuckDB database, starts
gunicorn on 127.0.0.1 in the background (its PID in STATE/superset.pid) and waits until it
answers. `stop` ends that PID. Problems are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "dashboard"
PLACEHOLDER = "__PGC_SERVING_PATH__"
DASHBOARD_SLUG = "pgc-metrics"
ADMIN = "admin"
START_WAIT_SECONDS = 180
BIN = Path(sys.executable).parent


class ServeError(Exception):
    """A one-line reason, printed to stderr with exit code 2."""


def _environment(state: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
        "PGC_BI_STATE": str(state),
        "FLASK_APP": "superset",
        # Superset's front end reports page views to a third party unless told not to.
        "SCARF_ANALYTICS": "false",
    }


def _superset(state: Path, *arguments: str) -> None:
    log = state / "setup.log"
    with open(log, "a") as output:
        result = subprocess.run(
            [str(BIN / "superset"), *arguments],
            env=_environment(state),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise ServeError(f"`superset {arguments[0]}` failed (exit {result.returncode}): see {log}")


def _running_pid(state: Path) -> int | None:
    pid_file = state / "superset.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pid_file.unlink()
        return None
    return pid


def _set_up(state: Path) -> None:
    """Superset's metadata database, roles and admin user: once per state folder."""
    state.mkdir(parents=True, exist_ok=True)
    secret = state / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(42))
        secret.chmod(0o600)
    password = state / "admin_password"
    if not password.exists():
        password.write_text(secrets.token_urlsafe(12))
        password.chmod(0o600)
    marker = state / ".set_up"
    if marker.exists():
        return
    _superset(state, "db", "upgrade")
    _superset(
        state, "fab", "create-admin", "--username", ADMIN, "--firstname", "PGC",
        "--lastname", "Admin", "--email", "admin@localhost", "--password",
        password.read_text().strip(),
    )  # fmt: skip
    _superset(state, "init")
    marker.touch()


def _import_dashboard(state: Path, serving: Path) -> None:
    """Import the dashboard bundle over any earlier import (its database, datasets, charts and
    dashboard are all replaced: the repository is their source)."""
    log = state / "setup.log"
    with open(log, "a") as output:
        result = subprocess.run(
            [sys.executable, __file__, "import-assets", "--serving", str(serving)],
            env=_environment(state),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise ServeError(f"importing the dashboard failed (exit {result.returncode}): see {log}")


def import_assets(serving: Path) -> None:
    """In Superset's app context: ImportAssetsCommand overwrites every object of the bundle,
    where `superset import-dashboards` keeps the charts and datasets it already has."""
    from flask import g
    from superset.app import create_app

    contents = {
        str(path.relative_to(BUNDLE)): path.read_text().replace(PLACEHOLDER, str(serving))
        for path in sorted(BUNDLE.rglob("*.yaml"))
    }
    with create_app().app_context():
        # Superset's models can be imported only once the app exists.
        from superset import security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand

        g.user = security_manager.find_user(username=ADMIN)
        ImportAssetsCommand(contents).run()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def start(serving: Path, state: Path, port: int) -> str:
    serving = serving.absolute()
    if not serving.exists():
        raise ServeError(
            f"no serving snapshot at {serving}: run `make run` (it ends by publishing) "
            "or `pgc publish`"
        )
    state = state.absolute()
    running = _running_pid(state)
    if running is not None:
        raise ServeError(f"Superset already runs (PID {running}): `make bi-stop` first")
    _set_up(state)
    _import_dashboard(state, serving)
    with open(state / "superset.log", "a") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread",
                "--threads", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
                "superset.app:create_app()",
            ],
            env=_environment(state),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    (state / "superset.pid").write_text(str(server.pid))
    deadline = time.monotonic() + START_WAIT_SECONDS
    while not _healthy(port):
        if server.poll() is not None:
            (state / "superset.pid").unlink()
            raise ServeError(
                f"Superset exited at start (code {server.returncode}): see {state}/superset.log"
            )
        if time.monotonic() > deadline:
            stop(state)
            raise ServeError(
                f"Superset did not answer within {START_WAIT_SECONDS} s: see {state}/superset.log"
            )
        time.sleep(0.5)
    return (
        f"Superset (PID {server.pid}) serves http://127.0.0.1:{port}/superset/dashboard/"
        f"{DASHBOARD_SLUG}/ over {serving} (read-only); user {ADMIN}, password in "
        f"{state}/admin_password; stop it with `make bi-stop`"
    )


def stop(state: Path) -> str:
    pid = _running_pid(state.absolute())
    if pid is None:
        return "Superset is not running"
    os.kill(pid, signal.SIGTERM)  # gunicorn's master stops its workers
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    (state / "superset.pid").unlink(missing_ok=True)
    return f"Superset stopped (PID {pid})"


def screenshot(url: str, out: Path, state: Path, width: int = 1600, height: int = 2200) -> dict:
    """Log in, open the dashboard in headless Chromium, wait for every chart, save a PNG and
    return what the page shows: chart titles, error messages and the page's text."""
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--window-size={width},{height}",
    ):  # fmt: skip
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="pgc-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        base = url.split("/superset/")[0]
        wait = WebDriverWait(driver, 120)
        password = (state.absolute() / "admin_password").read_text().strip()
        # A second try: on a loaded machine the login page has once stayed put after the
        # click (the form submitted before its script was ready).
        for attempt in range(2):
            driver.get(f"{base}/login/")
            wait.until(expected_conditions.presence_of_element_located((By.ID, "username")))
            driver.find_element(By.ID, "username").send_keys(ADMIN)
            driver.find_element(By.ID, "password").send_keys(password)
            driver.find_element(By.CSS_SELECTOR, "[type=submit], button").click()
            try:
                WebDriverWait(driver, 60).until(lambda d: "/login" not in d.current_url)
                break
            except TimeoutException:
                if attempt:
                    raise
        driver.get(url)

        def rendered(d: webdriver.Chrome) -> bool:
            # Every chart mounted and none loading; tables have rows, ECharts a canvas.
            return (
                len(d.find_elements(By.CSS_SELECTOR, ".chart-container")) >= 6
                and not d.find_elements(By.CSS_SELECTOR, ".loading, [data-test=loading-indicator]")
                and len(d.find_elements(By.CSS_SELECTOR, "canvas")) >= 1
                and len(d.find_elements(By.CSS_SELECTOR, "table tbody tr")) >= 4
            )

        try:
            wait.until(rendered)
        except TimeoutException:
            driver.save_screenshot(str(out))
            raise ServeError(f"the dashboard did not finish rendering: see {out}") from None
        # ECharts animates its lines in: wait until the canvases stop changing.
        drawing = "return Array.from(document.querySelectorAll('canvas')).map(c => c.toDataURL())"
        seen: list[list[str]] = [[]]

        def settled(d: webdriver.Chrome) -> bool:
            seen.append(d.execute_script(drawing))
            return seen[-1] == seen[-2]

        wait.until(settled)
        driver.save_screenshot(str(out))
        titles = [
            e.text
            for e in driver.find_elements(
                By.CSS_SELECTOR, "[data-test=editable-title], .header-title"
            )
        ]
        errors = [
            e.text
            for e in driver.find_elements(
                By.CSS_SELECTOR, "[data-test=error-alert], .alert-danger, .ant-alert-error"
            )
        ]
        return {
            "png": str(out),
            "titles": titles,
            "errors": errors,
            "text": driver.find_element(By.TAG_NAME, "body").text,
        }
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start")
    start_parser.add_argument("--serving", type=Path, required=True)
    start_parser.add_argument("--state", type=Path, default=Path(".superset"))
    start_parser.add_argument("--port", type=int, default=8088)
    stop_parser = commands.add_parser("stop")
    stop_parser.add_argument("--state", type=Path, default=Path(".superset"))
    shot_parser = commands.add_parser("screenshot")
    shot_parser.add_argument("--url", required=True)
    shot_parser.add_argument("--out", type=Path, required=True)
    shot_parser.add_argument("--state", type=Path, default=Path(".superset"))
    assets_parser = commands.add_parser("import-assets", help="(used by start)")
    assets_parser.add_argument("--serving", type=Path, required=True)
    args = parser.parse_args()
    try:
        if args.command == "start":
            print(start(args.serving, args.state, args.port))
        elif args.command == "stop":
            print(stop(args.state))
        elif args.command == "import-assets":
            import_assets(args.serving)
        else:
            print(json.dumps(screenshot(args.url, args.out, args.state)))
    except ServeError as error:
        print(f"make bi: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
