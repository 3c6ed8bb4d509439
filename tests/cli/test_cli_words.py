"""`deal show` and `board` print what their JSON has, in people's words (the demo data)."""

from __future__ import annotations

import re

from tests.cli.cli_checks import Run, ok_json


def _deal(ready: Run, name: str, user: str) -> dict[str, object]:
    listed = ok_json(ready("deal", "list", "--search", name.split()[0], "--json", user=user))
    [found] = [d for d in listed if d["name"] == name]
    return dict(found)


def test_deal_show_prints_the_stage_path_fields_records_and_links(ready: Run) -> None:
    deal = _deal(ready, "Contoso opportunity", "mia")
    shown = ready("deal", "show", str(deal["id"]), user="mia")
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    data = ok_json(ready("deal", "show", str(deal["id"]), "--json", user="mia"))
    detail = data["detail"]
    assert f"  process: Sales process ({data['process']})" in text
    for stage in detail["stages"]:
        if stage["win_rate"] is not None:
            assert f"{stage['name']} {stage['win_rate']:g}%" in text
    assert "On-site installation (after the win)" in text
    assert f"  about the stage: {detail['current_stage']['description']}" in text
    for unmet in detail["unmet_requirements"] + detail["win_blockers"]:
        assert unmet in text
    # fields by their labels, approvals and notes in words, the lead it came from by name
    assert "  customer field Industry: Manufacturing" in text
    assert "  Solution design field Design summary: Two sites, phased roll-out" in text
    assert "  note by sara for Identify decision makers: Kim decides; Pat buys." in text
    assert f"  qualified from lead {data['lead_id']} ({detail['linked']['lead']})" in text
    for contact in detail["contacts"]:
        assert f"  contact {contact['name']}" in text
    for follow_up in detail["follow_ups"]:
        assert follow_up["title"] in text
    assert not re.search(r"\bActivity_|\bstage\.[a-z]|\bcustomer\.[a-z]+ ", text)


def test_deal_show_marks_optional_stages_and_tips(ready: Run) -> None:
    kitchen = _deal(ready, "Rénovation cuisine", "rob")
    text = ready("deal", "show", str(kitchen["id"]), user="rob").stdout
    data = ok_json(ready("deal", "show", str(kitchen["id"]), "--json", user="rob"))
    optional = [s["name"] for s in data["detail"]["stages"] if s["optional"]]
    assert optional, data["detail"]["stages"]
    for name in optional:
        assert re.search(re.escape(name) + r"( \d+%)? \(optional\)", text), text
    for activity in data["detail"]["checklist"]:
        if activity["tip"]:
            assert f"      tip: {activity['tip']}" in text


def test_board_prints_win_rates_phases_customers_and_more(ready: Run) -> None:
    board = ok_json(ready("board", "--process", "sales_process", "--json", user="mia"))
    text = ready("board", "--process", "sales_process", user="mia").stdout
    for column in board["columns"]:
        rate = f" {column['win_rate']:g}%" if column["win_rate"] is not None else ""
        after = " after the win" if column["phase"] == "post_sale" else ""
        assert f"[{column['position']}] {column['label']}{rate}{after}: " in text
        for card in column["cards"]:
            assert f"{card['name']} ({card['customer'] or '-'}) p={card['probability']}%" in text
