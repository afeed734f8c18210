"""Access logs from public projects (tests/data/real-logs/, provenance in SOURCES.md) parse with
their own formats, and the figures match what the lines say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fpmscope.cli import main

LOGS = Path(__file__).resolve().parents[1] / "data" / "real-logs"
OTUS = (
    '$remote_addr $remote_user  $http_x_real_ip [$time_local] "$request" $status $body_bytes_sent "$http_referer"'
    ' "$http_user_agent" "$http_x_forwarded_for" "$http_X_REQUEST_ID" "$http_X_RB_USER" $request_time'
)
ALP = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
    ' "$http_x_forwarded_for" $request_time'
)
INGRESS = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
    " $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr"
    " $upstream_response_length $upstream_response_time $upstream_status $req_id"
)


def slow(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["slow", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def endpoints(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["endpoint"]: e for e in data["endpoints"]}


def test_otus_production_log_with_double_space_and_ids() -> None:
    data = slow(str(LOGS / "otus-dexpiper-nginx-access-ui.log-20170630"), "--log-format", OTUS)
    assert (data["inputs"]["parsed_lines"], data["inputs"]["skipped_lines"]) == (16, 0)
    banner = endpoints(data)["GET /api/v2/banner/{id}"]
    assert banner["count"] == 5
    assert data["endpoints"][0]["endpoint"] == "GET /api/v2/banner/{id}"
    assert data["inputs"]["first_time"] == "2017-06-29T00:50:25+00:00"


def test_otus_log_with_garbage_lines_counts_them() -> None:
    data = slow(
        str(LOGS / "otus-braxiatel-plain-nginx-access-ui.log-20160630"),
        str(LOGS / "otus-braxiatel-nginx-access-ui.log-20180601"),
        "--log-format",
        OTUS,
    )
    assert data["inputs"]["skipped_lines"] == 6
    assert data["inputs"]["skipped_example"] == "this is a test"
    assert data["inputs"]["parsed_lines"] == 12


def test_alp_same_requests_in_combined_and_json_agree() -> None:
    combined = slow(str(LOGS / "alp-combined_access.log"), "--log-format", ALP)
    as_json = slow(str(LOGS / "alp-json_access.log"))
    assert as_json["inputs"]["format_name"] == "json"
    # The last combined line carries one field too many ("- 0.321"): skipped, and shown.
    assert combined["inputs"]["skipped_lines"] == 1
    for name, e in endpoints(combined).items():
        j = endpoints(as_json)[name]
        assert (j["count"], j["total_s"], j["p95_ms"]) == (e["count"], e["total_s"], e["p95_ms"])
    assert endpoints(as_json)["GET /foo/bar/5xx"]["status_504"] == 1
    assert endpoints(combined)["POST /foo/bar"]["count"] == 5  # query strings stripped


def test_ingress_nginx_multi_value_upstream_times() -> None:
    data = slow(str(LOGS / "beats-nginx-ingress-controller-test.log"), "--log-format", INGRESS)
    assert (data["inputs"]["parsed_lines"], data["inputs"]["skipped_lines"]) == (29, 0)
    e = endpoints(data)
    # "0.100, 0.004" and "0.000, 0.100": the attempts of one request add up.
    assert e["GET /v2/some"]["upstream_total_s"] == pytest.approx(0.104)
    assert e["GET /products/{id}"]["count"] == 7
    assert "PATCHp /products/{id}" in e  # malformed methods are kept as they came


def test_apache_combined_is_detected_and_has_no_time() -> None:
    data = slow(str(LOGS / "rla-apache_combined.log"))
    assert data["inputs"]["format_name"] == "combined"
    assert data["sort"] == "count"
    assert sum(e["count"] for e in data["endpoints"]) == 5


def test_shop_log_without_timing_normalizes_real_ids() -> None:
    fmt = (
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"'
        ' "$http_user_agent" "$http_x_forwarded_for"'
    )
    data = slow(str(LOGS / "lnav-shop-combined-no-timing.log"), "--log-format", fmt)
    assert (data["inputs"]["parsed_lines"], data["inputs"]["skipped_lines"]) == (1000, 0)
    # The shop's filter pages (`/filter/b41,b665,p56`, 147 distinct combinations) are one
    # route: an inferred template, the most requested endpoint.
    ranked = [e["endpoint"] for e in data["endpoints"]]
    assert ranked[:2] == ["GET /filter/{slug}", "GET /image/{id}/productModel/200x200"]
    assert {"template": "/filter/{slug}", "values": 147, "kept": []} in data["inferred_templates"]
    assert data["inputs"]["first_time"] == "2019-01-22T00:26:14+00:00"


def test_rack_log_without_zone_uses_the_regex_path() -> None:
    fmt = '$remote_addr - $remote_user [$time_rack] "$request" $status $body_bytes_sent $request_time'
    data = slow(str(LOGS / "rla-sinatra-rack-duration.log"), "--log-format", fmt)
    assert data["inputs"]["parsed_lines"] == 96
    assert data["inputs"]["skipped_example"].startswith("== Sinatra/0.9.4")
    assert endpoints(data)["GET /"]["total_s"] is not None
