"""mention-insight label: one mention at a time, keys 1-5, every answer saved at once."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from mention_insight.errors import MentionInsightError
from mention_insight.labelling import LabelFile, make_server

ROWS = [
    ("1", "'@NPT_Didsbury can someone come and look at the fence", "uncertain"),
    ("2", "'@NPT_Didsbury thanks for coming to the school today", "random"),
    ("3", "'@NPT_Didsbury nobody came when I rang 101, again", "diverse"),
]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "to_label.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "labels", "why", "model_id"])
        for i, text, why in ROWS:
            w.writerow([i, text, "", why, "default@x"])
    return path


def _read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_answers_are_saved_in_place_and_every_other_cell_is_kept(tmp_path):
    path = _file(tmp_path)
    f = LabelFile(path)
    assert f.state()["items"][0]["text"] == "@NPT_Didsbury can someone come and look at the fence"
    assert f.answer(1, ["thanks", "visit_request"]) == {
        "index": 1,
        "labels": ["visit_request", "thanks"],
        "labelled": 1,
        "total": 3,
    }
    rows = _read(path)
    assert [r["labels"] for r in rows] == ["", "visit_request;thanks", ""]
    assert [(r["id"], r["text"], r["why"]) for r in rows] == [(i, t, w) for i, t, w in ROWS]
    with pytest.raises(MentionInsightError, match="'other' stands alone"):
        f.answer(0, ["other", "thanks"])
    with pytest.raises(MentionInsightError, match="unknown label"):
        f.answer(0, ["praise"])


def test_the_page_serves_on_loopback_only(tmp_path):
    with pytest.raises(MentionInsightError, match="serves on this machine only"):
        make_server(LabelFile(_file(tmp_path)), "0.0.0.0", 0)


def test_a_killed_session_loses_no_saved_answer(tmp_path):
    path = _file(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mention_insight", "label", str(path), "--port", "0", "--no-browser"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        url = line.split(" at ")[1].split(" ")[0]
        assert httpx.post(url + "api/answer", json={"index": 0, "labels": ["visit_request"]}).status_code == 200
        assert httpx.post(url + "api/answer", json={"index": 2, "labels": ["complaint"]}).status_code == 200
        bad = httpx.post(url + "api/answer", json={"index": 9, "labels": ["thanks"]})
        assert bad.status_code == 400 and bad.json() == {"error": "no row 9"}
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert [r["labels"] for r in _read(path)] == ["visit_request", "", "complaint"]
    assert not list(tmp_path.glob(".*tmp*"))


CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.browser
@pytest.mark.skipif(CHROMEDRIVER is None, reason="chromedriver is not installed (apt-get install chromium-driver)")
def test_keys_label_save_skip_and_undo_in_a_browser(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path = _file(tmp_path)
    server = make_server(LabelFile(path), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=900,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/")
        body = driver.find_element(By.TAG_NAME, "body")

        def wait_for(text):
            for _ in range(100):
                if text in driver.find_element(By.ID, "progress").text:
                    return
                time.sleep(0.05)
            raise AssertionError(driver.find_element(By.ID, "progress").text)

        wait_for("mention 1 of 3")
        body.send_keys("1", Keys.ENTER)  # visit_request
        wait_for("mention 2 of 3")
        body.send_keys("4", "1", Keys.ENTER)  # thanks and visit_request
        wait_for("mention 3 of 3")
        body.send_keys(Keys.BACKSPACE)  # undo the last save
        wait_for("1 of 3 labelled")
        body.send_keys("s")  # skip mention 2
        wait_for("mention 3 of 3")
        body.send_keys("2", "5", Keys.ENTER)  # complaint, then other: other stands alone
        wait_for("2 of 3 labelled")
        if os.environ.get("MENTION_INSIGHT_SCREENSHOT_DIR"):
            driver.get(f"http://127.0.0.1:{server.server_address[1]}/")
            wait_for("mention 2 of 3")
            driver.find_element(By.TAG_NAME, "body").send_keys("4")
            driver.save_screenshot(str(Path(os.environ["MENTION_INSIGHT_SCREENSHOT_DIR"]) / "label_page.png"))
    finally:
        driver.quit()
        server.shutdown()
    assert [r["labels"] for r in _read(path)] == ["visit_request", "", "other"]
