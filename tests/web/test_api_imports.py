"""POST /api/v1/leads/import and /deals/import: the CLI's use case over HTTP (the demo on
SQLite; tests/integration/test_imports.py runs the use case on both backends)."""

from __future__ import annotations

import io

from werkzeug.test import TestResponse

from tests.web.api import Api

POLISH = (
    "Imię i nazwisko;Firma;Adres e-mail;Wartość;Źródło\n"
    "Jan Kowalski;Acme;jan@acme.test;12 000,50;targi\n"
    "Anna Nowak;Acme;JAN@acme.test;;targi\n"
    "Zły Wiersz;Acme;;dużo;targi\n"
)


def upload(text: str, **fields: object) -> dict[str, object]:
    return {"file": (io.BytesIO(("\ufeff" + text).encode()), "leads.csv"), **fields}


def post(api: Api, path: str, text: str, user: str = "rob", **fields: object) -> TestResponse:
    return api(
        "POST", path, user=user, data=upload(text, **fields), content_type="multipart/form-data"
    )


def test_a_dry_run_reports_rows_and_writes_nothing(api: Api) -> None:
    answer = post(api, "/leads/import?dry_run=true", POLISH, ignore=["źródło"])
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    assert (report["created"], report["bad_rows"], report["applied"]) == (1, 1, False)
    assert report["duplicates"] == [
        {"line": 3, "column": "Adres e-mail", "message": "duplicate of line 2"}
    ]
    assert report["errors"] == [
        {"line": 4, "column": "Wartość", "message": "'dużo' is not an amount"}
    ]
    listed = api("GET", "/leads").get_json()
    assert "Jan Kowalski" not in [lead["name"] for lead in listed]


def test_all_or_nothing_is_a_400_carrying_the_report_then_skip_invalid(api: Api) -> None:
    refused = post(api, "/leads/import", POLISH, ignore=["Źródło"])
    body = refused.get_json()
    assert refused.status_code == 400
    assert (body["error"], body["field"]) == ("invalid_input", "file")
    assert body["message"].startswith("1 bad row(s); nothing imported")
    assert body["report"]["errors"][0]["line"] == 4
    done = post(api, "/leads/import?skip_invalid=true", POLISH, map=["Źródło=company"], ignore=[])
    assert done.status_code == 400  # both Firma and Źródło: company
    done = post(api, "/leads/import?skip_invalid=1", POLISH, ignore=["zrodlo"])
    report = done.get_json()
    assert done.status_code == 200 and report["created"] == 1 and report["applied"]
    (jan,) = [lead for lead in api("GET", "/leads").get_json() if lead["name"] == "Jan Kowalski"]
    assert (jan["owner"], jan["estimated_value"]) == ("rob", 12000.5)
    again = post(api, "/leads/import?skip_invalid=1", POLISH, ignore=["zrodlo"])
    assert again.get_json()["created"] == 0


def test_a_rep_may_not_import_for_others_and_an_admin_may(api: Api) -> None:
    text = "name,owner\nFor Olga,olga\n"
    refused = post(api, "/leads/import", text)
    assert refused.get_json()["report"]["errors"] == [
        {"line": 2, "column": "owner", "message": "rob may not act on records owned by olga"}
    ]
    done = post(api, "/leads/import", text, user="admin")
    assert done.get_json()["created"] == 1


def test_deals_from_a_text_csv_body_with_an_id_column(api: Api) -> None:
    text = 'ID,商机名称,客户,金额,币种,预计成交日期\nF-1,扩容,华为,"1,200.00",CNY,2027年3月31日\n'
    answer = api(
        "POST",
        "/deals/import?id_column=id",
        data=text.encode(),
        content_type="text/csv",
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["created"] == 1
    (deal,) = [d for d in api("GET", "/deals").get_json() if d["name"] == "扩容"]
    assert (deal["customer"], deal["value"], deal["currency"]) == ("华为", 1200.0, "CNY")
    assert deal["expected_close_date"] == "2027-03-31"
    again = api("POST", "/deals/import?id_column=ID", data=text.encode(), content_type="text/csv")
    assert again.get_json()["duplicates"][0]["column"] == "ID"


def test_a_file_that_is_no_table_is_refused_naming_it(api: Api) -> None:
    empty = api("POST", "/leads/import", data=b"", content_type="text/csv")
    assert empty.status_code == 400 and empty.get_json()["field"] == "file"
    unknown = post(api, "/leads/import", "Name,Colour\nA,red\n")
    assert "column 'Colour' is not a field" in unknown.get_json()["message"]
    bad_map = post(api, "/leads/import", "Name\nA\n", map=["Name"])
    assert bad_map.get_json()["field"] == "map"
    process = api("POST", "/deals/import?process=nope", data=b"name\nA\n", content_type="text/csv")
    assert process.status_code == 404


def test_the_document_describes_both_imports(api: Api) -> None:
    paths = api("GET", "/openapi.json").get_json()["paths"]
    for path in ("/leads/import", "/deals/import"):
        operation = paths[path]["post"]
        assert "multipart/form-data" in operation["requestBody"]["content"]
        assert {p["name"] for p in operation["parameters"]} >= {"dry_run", "skip_invalid"}
