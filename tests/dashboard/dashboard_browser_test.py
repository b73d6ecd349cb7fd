#!/usr/bin/python3
"""The dashboard in a real browser (headless Chromium through selenium) against a real coordinator.

A seeding binary writes a database with one finished sweep (through the managers, no training);
the coordinator serves it with --http on loopback. The test logs in with a token, checks the
sweeps list, the leaderboard rows, that parallel coordinates drew one line per scored trial and
that the learning curves mark the pruned job, the label review page (thumbnails loaded; Accept with
another label and the r key store their decisions in the database); and the refusals: a wrong or missing token gets
the login page or 401, a worker token is refused, a POST without the CSRF token is refused.
Screenshots go to TEST_UNDECLARED_OUTPUTS_DIR.

usage: dashboard_browser_test.py COORDINATOR SEEDER
"""
import http.client
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

TRIALS = 12


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Dashboard:
    def __init__(self, host, port):
        self.host, self.port = host, port

    def request(self, method, path, headers=None, body=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), data

    def login_cookie(self, token):
        status, headers, _ = self.request("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                          urllib.parse.urlencode({"token": token}))
        check(status == 303, "login with a good token: expected 303, got %d" % status)
        return headers["Set-Cookie"].split(";")[0]

    def api(self, path, token):
        status, _, data = self.request("GET", path, {"Authorization": "Bearer " + token})
        check(status == 200, "%s: expected 200, got %d %s" % (path, status, data[:200]))
        return json.loads(data)


def start_coordinator(binary, tmp, tokens_path):
    process = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--db", os.path.join(tmp, "results.db"), "--tokens", tokens_path,
         "--http", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if " dashboard on http://" in line:
            host, port = line.strip().rsplit("http://", 1)[1].rsplit(":", 1)
            return process, Dashboard(host, int(port))
    process.kill()
    raise AssertionError("the coordinator printed no 'dashboard on' line")


def check_refusals(dashboard, tokens, sweep_id):
    status, _, body = dashboard.request("GET", "/api/sweeps")
    check(status == 401, "no token: expected 401, got %d" % status)
    status, _, _ = dashboard.request("GET", "/api/sweeps", {"Authorization": "Bearer wrong-" + tokens["lead"]})
    check(status == 401, "wrong bearer token: expected 401, got %d" % status)
    status, headers, _ = dashboard.request("GET", "/sweep?id=%d" % sweep_id)
    check(status == 303 and headers.get("Location") == "/login", "a page without a session goes to /login")
    status, _, body = dashboard.request("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                        urllib.parse.urlencode({"token": tokens["worker"]}))
    check(status == 403 and b"worker token" in body, "a worker token is refused at login: %d" % status)
    cookie = dashboard.login_cookie(tokens["lead"])
    status, _, body = dashboard.request("POST", "/api/sweeps/%d/pause" % sweep_id, {"Cookie": cookie})
    check(status == 403 and b"CSRF" in body, "a POST without the CSRF token: expected 403, got %d" % status)
    # Photos: one the database names comes back as a JPEG thumbnail; a traversal path does not.
    data = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "data")
    photo = next(os.path.relpath(os.path.join(root, f), data)
                 for root, _, files in os.walk(os.path.join(data, "train", "images")) for f in files)
    status, headers, body = dashboard.request("GET", "/api/datasets/1/photo?size=64&key=" + urllib.parse.quote(photo),
                                              {"Cookie": cookie})
    check(status == 200 and headers.get("Content-Type") == "image/jpeg" and body[:2] == b"\xff\xd8",
          "a named photo: expected a JPEG, got %d %s" % (status, headers.get("Content-Type")))
    for key in ("../../../../../etc/passwd", "train/../../tokens", os.path.join(data, photo)):
        status, _, body = dashboard.request("GET", "/api/datasets/1/photo?key=" + urllib.parse.quote(key),
                                            {"Cookie": cookie})
        check(status == 404, "photo %r: expected 404, got %d" % (key, status))


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def check_pages(driver, dashboard, tokens, sweep_id, outputs):
    base = "http://%s:%d" % (dashboard.host, dashboard.port)
    wait = WebDriverWait(driver, 20)
    driver.get(base + "/")
    check(driver.current_url.endswith("/login"), "/ without a session shows the login page")
    driver.find_element(By.ID, "token").send_keys("wrong-token")
    driver.find_element(By.ID, "login").click()
    check("wrong token" in driver.find_element(By.ID, "error").text, "a wrong token is told so on the login page")
    driver.find_element(By.ID, "token").send_keys(tokens["lead"])
    driver.find_element(By.ID, "login").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.sweep-row"))
    check(driver.execute_script("return document.cookie") == "", "the session cookie is HttpOnly")
    check(driver.find_element(By.ID, "who").text == "ana (lead)", "the header names who logged in")
    # The page's own POST carries the session's CSRF token and reaches the manager, which refuses
    # to pause an ended sweep.
    answer = driver.execute_async_script(
        "const done = arguments[0]; fs.post('/api/sweeps/%d/pause').then(() => done('paused'), e => done(e.message))"
        % sweep_id)
    check(answer == "sweep %d already ended (done)" % sweep_id, "pause from the page: %r" % answer)
    rows = driver.find_elements(By.CSS_SELECTOR, "tr.sweep-row")
    check(len(rows) == 1 and "dashboard-demo" in rows[0].text and "done" in rows[0].text,
          "the sweeps list shows the finished sweep: %r" % [r.text for r in rows])
    driver.save_screenshot(os.path.join(outputs, "dashboard-sweeps.png"))

    trials = dashboard.api("/api/sweeps/%d/trials?limit=1000" % sweep_id, tokens["reader"])
    curves = dashboard.api("/api/sweeps/%d/curves?points=50&limit=1000" % sweep_id, tokens["reader"])
    started = time.time()
    rows[0].find_element(By.TAG_NAME, "a").click()
    wait.until(lambda d: d.execute_script("return document.body.dataset.drawn === 'true'"))
    drawn_seconds = time.time() - started
    leaderboard = driver.find_elements(By.CSS_SELECTOR, "#leaderboard tr.trial-row")
    check(len(leaderboard) == TRIALS, "leaderboard: expected %d rows, got %d" % (TRIALS, len(leaderboard)))
    scored = [t for t in trials if t["value"] is not None]
    best = max(scored, key=lambda t: t["value"])
    first = leaderboard[0].find_elements(By.TAG_NAME, "td")
    check(first[1].text == "#%d" % best["index"] and first[3].text == "%.4f" % best["value"],
          "the first leaderboard row is the best trial #%d %.4f: %r" % (best["index"], best["value"], leaderboard[0].text))
    check(any("pruned" in row.text for row in leaderboard), "the stopped trial shows as pruned")
    lines = driver.execute_script("return foldstackParallelLines()")
    check(lines == len(scored), "parallel coordinates: expected %d lines, drew %d" % (len(scored), lines))
    pruned_jobs = sum(1 for c in curves if c["pruned"] and c["epochs"])
    marks = driver.execute_script(
        "return echarts.getInstanceByDom(document.getElementById('curves')).getOption().series[2].data.length")
    check(pruned_jobs >= 1 and marks == pruned_jobs, "curves: %d pruned jobs, %d marked" % (pruned_jobs, marks))
    # Sorting by trial number puts trial #0 first.
    driver.find_element(By.CSS_SELECTOR, "#leaderboard th[data-key=index]").click()
    first = driver.find_elements(By.CSS_SELECTOR, "#leaderboard tr.trial-row")[0]
    check(first.find_elements(By.TAG_NAME, "td")[1].text == "#0", "sorting by trial: %r" % first.text)
    driver.set_window_size(1400, 2000)
    time.sleep(0.5)
    driver.save_screenshot(os.path.join(outputs, "dashboard-sweep.png"))
    print("sweep page drawn in %.2f s (click to charts drawn)" % drawn_seconds)
    check_trial_page(driver, dashboard, tokens, best, outputs)
    check_review_page(driver, dashboard, tokens, sweep_id, outputs)


def check_trial_page(driver, dashboard, tokens, best, outputs):
    """The best trial's page: its confusion matrix counts every OOF sample once."""
    driver.find_element(By.CSS_SELECTOR, "#leaderboard a[href='/trial?id=%d']" % best["trial_id"]).click()
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.drawn === 'true'"))
    photos = sum(len(files) for root, _, files in os.walk(os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "data",
                                                                        "train", "images")))
    matrix = dashboard.api("/api/trials/%d/confusion" % best["trial_id"], tokens["reader"])
    drawn = driver.execute_script(
        "return echarts.getInstanceByDom(document.getElementById('confusion')).getOption().series[0].data"
        ".reduce((sum, cell) => sum + cell[2], 0)")
    check(matrix["num_classes"] == 18 and len(matrix["class_names"]) == 18, "18 classes with their names")
    check(drawn == matrix["samples"] == photos,
          "confusion matrix: drew %s, API %d samples, %d photos in the dataset" % (drawn, matrix["samples"], photos))
    check("Trial #%d" % best["index"] in driver.find_element(By.ID, "title").text, "the trial page names its trial")
    # The report: 18 classes, then the mask (3), gender (2) and age (3) heads; supports add up.
    report = driver.find_elements(By.CSS_SELECTOR, "#report tr.report-row")
    check(len(report) == 18 + 3 + 2 + 3, "classification report rows: %d" % len(report))
    supports = [int(row.find_elements(By.TAG_NAME, "td")[4].text) for row in report]
    check(sum(supports[:18]) == photos and sum(supports[18:21]) == photos, "report supports: %r" % supports)
    driver.save_screenshot(os.path.join(outputs, "dashboard-trial.png"))


def check_review_page(driver, dashboard, tokens, sweep_id, outputs):
    """The relabel candidates the seeder found: their photos, and decisions that reach the database."""
    base = "http://%s:%d" % (dashboard.host, dashboard.port)
    driver.get(base + "/sweep?id=%d" % sweep_id)
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: d.find_element(By.ID, "review-link").get_attribute("href").endswith("sweep=%d" % sweep_id))
    driver.find_element(By.ID, "review-link").click()
    wait.until(lambda d: d.execute_script("return document.body.dataset.loaded === 'true'"))
    candidates = dashboard.api("/api/sweeps/%d/relabel?limit=1000" % sweep_id, tokens["reader"])
    rows = driver.find_elements(By.CSS_SELECTOR, "#candidates .candidate")
    check(len(candidates) >= 2 and len(rows) == len(candidates),
          "review page: %d candidates from the API, %d rows" % (len(candidates), len(rows)))
    check(candidates[0]["target"] in rows[0].text, "the best-scored candidate first: %r" % rows[0].text)
    wait.until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#candidates img')].every(i => i.complete)"))
    widths = driver.execute_script("return [...document.querySelectorAll('#candidates img')].map(i => i.naturalWidth)")
    check(len(widths) >= len(candidates) and all(w > 0 for w in widths), "thumbnails loaded: %r" % widths)
    # Accept the first with another label: its own gender/age, another mask state (a photo's
    # gender/age is decided for the whole person).
    first = candidates[0]
    names = dashboard.api("/api/datasets/%d/classes" % first["dataset_id"], tokens["reader"])["class_names"]
    other = names[(first["given_label"] + 6) % 18]
    driver.execute_script("arguments[0].value = arguments[1]", rows[0].find_element(By.CSS_SELECTOR, "select.label"),
                          other)
    rows[0].find_element(By.CSS_SELECTOR, "input.note").send_keys("mask pulled down")
    rows[0].find_element(By.CSS_SELECTOR, "button.accept").click()
    wait.until(lambda d: "accepted" in rows[0].find_element(By.CSS_SELECTOR, ".state").text)
    # The selection moved to the second; the r key rejects its chosen label (here too one that keeps
    # the photo's gender/age: the seeded suggestions change the age).
    refused = names[(candidates[1]["given_label"] + 6) % 18]
    driver.execute_script("arguments[0].value = arguments[1]", rows[1].find_element(By.CSS_SELECTOR, "select.label"),
                          refused)
    ActionChains(driver).send_keys("r").perform()
    wait.until(lambda d: "rejected" in rows[1].find_element(By.CSS_SELECTOR, ".state").text
               or d.find_element(By.ID, "status").text)
    check(driver.find_element(By.ID, "status").text == "", "no error: %r" % driver.find_element(By.ID, "status").text)
    database = sqlite3.connect(os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "results.db"))
    stored = database.execute("SELECT target, new_label, status, decided_by, note FROM label_overrides "
                              "ORDER BY id").fetchall()
    database.close()
    check(stored == [(first["target"], names.index(other), "accepted", "ana", "mask pulled down"),
                     (candidates[1]["target"], names.index(refused), "rejected", "ana", "")],
          "the decisions in the database: %r" % stored)
    driver.save_screenshot(os.path.join(outputs, "dashboard-review.png"))


def main(coordinator, seeder):
    tmp = os.environ.get("TEST_TMPDIR", "/tmp")
    outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", tmp)
    seeded = subprocess.run([seeder, "--db", os.path.join(tmp, "results.db"), "--data", os.path.join(tmp, "data"),
                             "--trials", str(TRIALS)], check=True, capture_output=True, text=True).stdout
    sweep_id = int(seeded.split()[2].rstrip(":"))
    tokens = {scope: secrets.token_urlsafe(18) for scope in ("lead", "reader", "worker")}
    tokens_path = os.path.join(tmp, "tokens")
    with open(tokens_path, "w") as f:
        f.write("ana lead %s\nci reader %s\npool worker %s\n" % (tokens["lead"], tokens["reader"], tokens["worker"]))
    process, dashboard = start_coordinator(coordinator, tmp, tokens_path)
    driver = None
    try:
        check_refusals(dashboard, tokens, sweep_id)
        driver = browser()
        check_pages(driver, dashboard, tokens, sweep_id, outputs)
    finally:
        if driver is not None:
            driver.quit()
        process.terminate()
        process.wait(timeout=10)
    print("PASS")


if __name__ == "__main__":
    main(*sys.argv[1:3])
