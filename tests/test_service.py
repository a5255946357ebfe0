"""The HTTP service (``mention-insight serve``), through the ASGI test client: contract,
limits, authentication, malformed bodies, concurrency and the refused model swap."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

pytest.importorskip("fastapi")
from click.testing import CliRunner
from fastapi.testclient import TestClient

from mention_insight import classify
from mention_insight.cli import cli
from mention_insight.service import ServiceSettings, create_app
from mention_insight.service.settings import SETTINGS_ENV, check_binding, is_loopback, read_token

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture
def client(toy_model_dir):
    with TestClient(create_app(ServiceSettings(model=str(toy_model_dir), max_items=8, max_text_chars=300))) as c:
        yield c


def _error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert body["error"]["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    return body["error"]["message"]


def test_one_text_is_classified_as_the_library_does(client, toy_model_dir):
    text = "can someone come round please"
    r = client.post("/v1/classify", json={"text": text})
    assert r.status_code == 200
    body = r.json()
    expected = classify(text, model=toy_model_dir)
    (result,) = body["results"]
    assert result["label"] == expected.label == "visit_request"
    assert result["labels"] == list(expected.labels)
    assert result["scores"] == pytest.approx(expected.scores, abs=1e-4)
    assert body["model_id"].startswith("toy@")
    assert r.headers["x-request-id"]


def test_items_echo_their_ids_and_bad_items_fail_alone(client):
    items = [
        {"id": "a1", "text": "thank you officer, really reassuring"},
        {"id": 7, "text": "   "},
        {"id": "c3", "text": 42},
        {"id": "d4", "text": "x" * 301},
        {"id": "e5"},
        "not an object",
        {"id": "g7", "text": "rang 101 three times nobody came"},
    ]
    r = client.post("/v1/classify", json={"items": items})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["index"] for x in results] == list(range(7))
    assert [x["id"] for x in results] == ["a1", 7, "c3", "d4", "e5", None, "g7"]
    assert [x["error"]["code"] if x["error"] else x["label"] for x in results] == [
        "thanks",
        "empty_text",
        "not_a_string",
        "text_too_long",
        "invalid_item",
        "invalid_item",
        "complaint",
    ]
    assert results[2]["error"]["message"] == "the text must be a string, not a number."
    assert results[3]["error"]["message"] == "the text has 301 characters; at most 300 (a mention is a few hundred)."


def test_texts_come_back_in_order(client):
    texts = ["lol", "can someone come round please", "great work catching them lads"]
    r = client.post("/v1/classify", json={"texts": texts})
    assert [x["label"] for x in r.json()["results"]] == [
        p.label for p in classify(texts, model=client.app.state.service.model)
    ]


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, "invalid_request"),
        ({"text": "a", "texts": ["b"]}, "invalid_request"),
        ({"texts": []}, "empty_batch"),
        ({"texts": ["x"] * 9}, "batch_too_large"),
        ({"texts": "not a list"}, "invalid_request"),
        ({"text": "ok", "colour": "red"}, "invalid_request"),
    ],
)
def test_requests_outside_the_contract_get_422(client, body, code):
    _error(client.post("/v1/classify", json=body), 422, code)


def test_batch_limit_message_says_what_to_do(client):
    message = _error(client.post("/v1/classify", json={"texts": ["x"] * 9}), 422, "batch_too_large")
    assert message == "the batch has 9 items; at most 8 per request: split it into several requests."


def test_malformed_json_and_wrong_content(client):
    assert (
        _error(
            client.post("/v1/classify", content=b'{"text": "unclosed', headers={"Content-Type": "application/json"}),
            400,
            "malformed_json",
        )
        == "the body is not valid JSON."
    )
    _error(
        client.post("/v1/classify", content=b"[1, 2]", headers={"Content-Type": "application/json"}),
        422,
        "invalid_request",
    )
    _error(client.get("/v1/classify"), 405, "method_not_allowed")
    _error(client.get("/nowhere"), 404, "not_found")


def test_huge_bodies_are_refused_with_413_before_they_are_read(toy_model_dir):
    settings = ServiceSettings(model=str(toy_model_dir), max_body_bytes=2_000)
    with TestClient(create_app(settings)) as c:
        big = json.dumps({"text": "y" * 5_000}).encode()
        message = _error(
            c.post("/v1/classify", content=big, headers={"Content-Type": "application/json"}), 413, "body_too_large"
        )
        assert message.startswith("the body is larger than 2,000 bytes")

        # A client that lies about (or omits) its length is cut off once the limit is passed.
        def chunks():
            for _ in range(10):
                yield b" " * 1_000

        r = c.post("/v1/classify", content=chunks(), headers={"Content-Type": "application/json"})
        _error(r, 413, "body_too_large")


def test_model_endpoint_reports_the_card(client, toy_model):
    info = client.get("/v1/model").json()
    assert info["model_id"] == toy_model.model_id
    assert info["labels"] == list(toy_model.all_labels)
    assert info["precedence"] == list(toy_model.precedence_)
    assert info["fallback_label"] == "other"
    assert info["lineage"]["n_train"] == toy_model.n_train_


def test_bundled_model_card_figures_are_served():
    with TestClient(create_app(ServiceSettings())) as c:
        info = c.get("/v1/model").json()
    assert info["backend"] in {"linear", "cascade", "transformer"}
    assert info["held_out"]["n"] > 1_000
    assert set(info["held_out"]["per_label"]) >= {"complaint", "thanks", "visit_request", "shared_info"}


def test_health_and_readiness(toy_model_dir):
    app = create_app(ServiceSettings(model=str(toy_model_dir)))
    outside = TestClient(app)  # not started: the lifespan has not loaded the model
    assert outside.get("/healthz").json() == {"status": "ok", "model_id": None}
    _error(outside.get("/readyz"), 503, "not_ready")
    _error(outside.post("/v1/classify", json={"text": "hi"}), 503, "not_ready")
    with TestClient(app) as c:
        ready = c.get("/readyz").json()
        assert ready["status"] == "ready" and ready["model_id"].startswith("toy@")


def test_docs_and_schema_are_served_without_external_assets(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/classify", "/v1/model", "/healthz", "/readyz"} <= set(schema["paths"])
    assert "ClassifyRequest" in schema["components"]["schemas"]
    page = client.get("/docs")
    assert page.status_code == 200 and "POST /v1/classify" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()


def test_request_ids_are_echoed_or_made(client):
    r = client.get("/healthz", headers={"X-Request-ID": "case-1834"})
    assert r.headers["x-request-id"] == "case-1834"
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert odd.headers["x-request-id"] != "<script>" and len(odd.headers["x-request-id"]) == 32


def test_bearer_token_is_required_when_set(toy_model_dir, tmp_path):
    token_file = tmp_path / "token.txt"
    token_file.write_text(TOKEN + "\n")
    with TestClient(create_app(ServiceSettings(model=str(toy_model_dir), token_file=str(token_file)))) as c:
        message = _error(c.post("/v1/classify", json={"text": "hi"}), 401, "unauthorized")
        assert "Authorization: Bearer" in message
        _error(
            c.post("/v1/classify", json={"text": "hi"}, headers={"Authorization": "Bearer wrong"}), 401, "unauthorized"
        )
        _error(c.get("/v1/model", headers={"Authorization": TOKEN}), 401, "unauthorized")
        ok = c.post("/v1/classify", json={"text": "hi there"}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert c.get("/healthz").status_code == 200  # probes stay open


def test_token_never_travels_in_the_environment(tmp_path):
    token_file = tmp_path / "token.txt"
    token_file.write_text(TOKEN)
    settings = ServiceSettings(token_file=str(token_file)).with_token()
    assert settings.token == TOKEN
    assert TOKEN not in settings.to_env()


def test_token_files_and_bindings_are_checked(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("abc")
    with pytest.raises(Exception, match="at least 16 characters"):
        read_token(short)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    with pytest.raises(Exception, match="pass --token-file"):
        check_binding("0.0.0.0", None)
    check_binding("0.0.0.0", TOKEN)


def test_serve_refuses_a_public_address_without_a_token(toy_model_dir):
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--model", str(toy_model_dir)])
    assert r.exit_code == 1
    assert r.output.strip() == (
        "error: binding to 0.0.0.0 makes the service reachable from other machines; pass --token-file so that "
        "every request must carry the token, or bind to 127.0.0.1."
    )


def test_serve_refuses_a_tampered_model_before_starting(toy_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(toy_model_dir, copy)
    (copy / "weights.npz").write_bytes(b"tampered")
    r = CliRunner().invoke(cli, ["serve", "--model", str(copy)])
    assert r.exit_code == 1 and "weights.npz" in r.output and "error:" in r.output


def test_texts_are_not_logged_unless_asked(toy_model_dir, caplog):
    secret = "my address is 4 Elm Street, can someone come round"
    with caplog.at_level("INFO", logger="mention_insight.service"):
        with TestClient(create_app(ServiceSettings(model=str(toy_model_dir)))) as c:
            c.post("/v1/classify", json={"text": secret})
        assert "POST /v1/classify 200" in caplog.text
        assert "Elm Street" not in caplog.text
        caplog.clear()
        with TestClient(create_app(ServiceSettings(model=str(toy_model_dir), log_texts=True))) as c:
            c.post("/v1/classify", json={"text": secret})
        assert "Elm Street" in caplog.text


def test_concurrent_requests_all_get_their_own_answers(client):
    texts = [f"{t} {i}" for i, t in enumerate(["can someone come round please", "great work catching them lads"] * 20)]
    expected = [p.label for p in classify(texts, model=client.app.state.service.model)]
    got: dict[int, str] = {}
    failures = []

    def call(i):
        r = client.post("/v1/classify", json={"items": [{"id": i, "text": texts[i]}]})
        if r.status_code != 200:
            failures.append(r.text)
        else:
            (res,) = r.json()["results"]
            got[res["id"]] = res["label"]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert [got[i] for i in range(len(texts))] == expected


def test_model_swap_is_refused_while_serving(client, toy_model_dir, tmp_path):
    before = client.get("/v1/model").json()["model_id"]
    for method in ("post", "put", "delete"):
        message = _error(getattr(client, method)("/v1/model"), 409, "restart_required")
        assert "restart it with 'mention-insight serve --model NEW_MODEL'" in message
    assert client.post("/v1/classify", json={"text": "hi"}).json()["model_id"] == before


def test_a_model_replaced_on_disk_is_not_picked_up_mid_service(toy_model_dir, tmp_path):
    from conftest import toy_data
    from mention_insight import MentionClassifier

    live = tmp_path / "live"
    shutil.copytree(toy_model_dir, live)
    with TestClient(create_app(ServiceSettings(model=str(live)))) as c:
        before = c.post("/v1/classify", json={"text": "lol"}).json()["model_id"]
        texts, labels = toy_data(seed=3)
        other = MentionClassifier(random_state=1, backend_params={"C": 0.5}).fit(
            texts, labels, validation=(texts, labels)
        )
        other.save(live, overwrite=True)
        after = c.post("/v1/classify", json={"text": "lol"}).json()["model_id"]
    assert after == before
    with TestClient(create_app(ServiceSettings(model=str(live)))) as restarted:
        assert restarted.get("/v1/model").json()["model_id"] != before


def test_settings_round_trip_through_the_environment(monkeypatch, toy_model_dir):
    settings = ServiceSettings(model=str(toy_model_dir), max_items=3)
    monkeypatch.setenv(SETTINGS_ENV, settings.to_env())
    from mention_insight.service.app import app_from_env

    with TestClient(app_from_env()) as c:
        _error(c.post("/v1/classify", json={"texts": ["a"] * 4}), 422, "batch_too_large")
