#!/usr/bin/python3
"""Dashboard speed on a large sweep: API latency (p50, p99) of the data the sweep page loads, and
the time from navigation until the sweep page's charts are drawn in headless Chromium; beside it,
optuna-dashboard's study API on the same shape of study, when optuna_dashboard is importable.

usage: dashboard_bench.py COORDINATOR DB SWEEP_ID [REQUESTS=50] [PAGE_LOADS=5]
(tests/bench/run_dashboard_bench.sh seeds DB and runs this.)
"""
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed_get(host, port, path, headers, n):
    """Milliseconds of `n` GETs, each on a fresh connection (a browser's first load)."""
    times, size = [], 0
    for _ in range(n):
        start = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise SystemExit("%s: HTTP %d %s" % (path, response.status, body[:200]))
        size = len(body)
    return times, size


def report(name, times, size):
    print("%-58s p50 %7.1f ms  p99 %7.1f ms  %8.0f kB" % (name, percentile(times, 50), percentile(times, 99), size / 1000))


def start_coordinator(binary, db, work):
    token = secrets.token_urlsafe(18)
    with open(os.path.join(work, "tokens"), "w") as f:
        f.write("bench lead %s\n" % token)
    process = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--db", db, "--tokens", os.path.join(work, "tokens"),
                                "--http", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        if " dashboard on http://" in line:
            host, port = line.strip().rsplit("http://", 1)[1].rsplit(":", 1)
            return process, host, int(port), token
    raise SystemExit("the coordinator printed no dashboard line")


def bench_api(host, port, token, sweep_id, n):
    import json
    headers = {"Authorization": "Bearer " + token}
    times, size = timed_get(host, port, "/api/sweeps/%d" % sweep_id, headers, n)
    sweep = json.loads(http_get(host, port, "/api/sweeps/%d" % sweep_id, headers))
    report("GET /api/sweeps/%d" % sweep_id, times, size)
    points = max(3, min(50, 20000 // max(1, sweep["jobs_total"])))  # as sweep.js asks
    params = urllib.parse.quote(",".join(sweep["swept_params"]))
    for path in ("/api/sweeps?limit=100",
                 "/api/sweeps/%d/trials?limit=1000&params=%s" % (sweep_id, params),
                 "/api/sweeps/%d/curves?limit=100&points=50" % sweep_id,
                 "/api/sweeps/%d/curves?limit=1000&points=%d" % (sweep_id, points)):
        times, size = timed_get(host, port, path, headers, n)
        report("GET " + urllib.parse.unquote(path), times, size)
    print("sweep: %d trials, %d jobs" % (sweep["trials"], sweep["jobs_total"]))


def http_get(host, port, path, headers):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.request("GET", path, headers=headers)
    body = connection.getresponse().read()
    connection.close()
    return body


def bench_page(host, port, token, sweep_id, loads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        base = "http://%s:%d" % (host, port)
        driver.get(base + "/login")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.ID, "login").click()
        drawn, interactive = [], []
        for i in range(loads + 1):  # the first load fills the browser's cache of the scripts
            driver.get("%s/sweep?id=%d" % (base, sweep_id))
            deadline = time.time() + 60
            while driver.execute_script("return window.foldstackDrawnMs === undefined") and time.time() < deadline:
                time.sleep(0.02)
            ms = driver.execute_script("return window.foldstackDrawnMs")
            if i > 0:
                drawn.append(ms)
                interactive.append(driver.execute_script("return window.foldstackInteractiveMs"))
            else:
                print("sweep page, first load (scripts not cached): charts drawn %.0f ms after navigation" % ms)
        print("sweep page, %d loads: leaderboard shown after navigation: median %.0f ms, max %.0f ms"
              % (loads, statistics.median(interactive), max(interactive)))
        print("sweep page, %d loads: charts drawn after navigation: median %.0f ms, max %.0f ms"
              % (loads, statistics.median(drawn), max(drawn)))
    finally:
        driver.quit()


def bench_optuna_dashboard(trials, epochs, n):
    try:
        import optuna
        import optuna_dashboard
    except ImportError:
        print("optuna-dashboard: not installed; peer skipped")
        return
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    work = tempfile.mkdtemp()
    storage = "sqlite:///%s/optuna.db" % work
    study = optuna.create_study(study_name="bench", storage=storage, direction="maximize")
    import math
    for _ in range(trials):
        trial = study.ask()
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        trial.suggest_categorical("optimizer", ["adam", "sgd"])
        trial.suggest_categorical("batch_size", [16, 32, 64])
        top = 0.82 - 0.09 * (math.log10(lr) + 2.5) ** 2
        for epoch in range(1, epochs + 1):
            trial.report(top * (1 - math.exp(-epoch / 2.5)), epoch)
        study.tell(trial, top)
    port = 18000 + secrets.randbelow(1000)
    server = subprocess.Popen([sys.executable, "-c", "import optuna_dashboard; optuna_dashboard.run_server(%r, host='127.0.0.1', port=%d)"
                               % (storage, port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                http_get("127.0.0.1", port, "/api/studies", {})
                break
            except OSError:
                time.sleep(0.2)
        study_id = study._study_id
        times, size = timed_get("127.0.0.1", port, "/api/studies/%d?after=0" % study_id, {}, n)
        report("optuna-dashboard %s GET /api/studies/%d (%d trials x %d values)"
               % (optuna_dashboard.__version__, study_id, trials, epochs), times, size)
    finally:
        server.terminate()
        server.wait()


def main(coordinator, db, sweep_id, n=50, loads=5):
    sweep_id, n, loads = int(sweep_id), int(n), int(loads)
    work = tempfile.mkdtemp()
    process, host, port, token = start_coordinator(coordinator, db, work)
    try:
        bench_api(host, port, token, sweep_id, n)
        bench_page(host, port, token, sweep_id, loads)
    finally:
        process.terminate()
        process.wait()
    import json
    bench_optuna_dashboard(int(os.environ.get("PEER_TRIALS", "1000")), int(os.environ.get("PEER_EPOCHS", "50")), n)


if __name__ == "__main__":
    main(*sys.argv[1:])
