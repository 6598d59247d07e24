"""Importing Trello boards written in Japanese and French, in Trello's own export shape:
list names, priority labels and fields in their language, story points, teams and sprints
from custom fields, comments and checklists, values that cannot be read dropped (with the
card kept), an unknown list named by the dry run and mapped with --map-status."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.io.trello import parse_trello
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
JA = FIXTURES / "trello_board_ja.json"
FR = FIXTURES / "trello_board_fr.json"
JA_BOARD_ID = "65f1a0c2e4b0a1b2c3d4e5f0"
UNKNOWN = "クローズ済み案件"


def _card_id(n: int, board: str = "ja") -> str:
    if board == "ja":
        return f"65f1a0e3e4b0a1b2c3d4ec{n:02x}"
    return f"6601b2c3d4e5f6a7b8c9d5{n:02x}"


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    """Every card of the database by its source id."""
    with Store(db_path) as store:
        ids = {
            str(r["key"]): r["external_id"]
            for r in store.rows("SELECT key, external_id FROM cards")
        }
        return {ids[c["key"]]: c for c in store.cards.query()}


def _fields(card: dict[str, Any]) -> tuple[Any, ...]:
    return (
        card["title"],
        card["status"],
        card["priority"],
        card["points"],
        card["team"],
        card["labels"],
        card["due"],
        card["assignee"],
    )


def _checklist(db_path: Path, key: str) -> list[tuple[str, bool]]:
    with Store(db_path) as store:
        return [(i["text"], bool(i["done"])) for i in store.checklists.for_card(key)]


def _thread(db_path: Path, key: str) -> list[tuple[str, str, str]]:
    with Store(db_path) as store:
        return [(c["author"], c["created_at"], c["body"]) for c in store.comments.for_card(key)]


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _written(tmp_path: Path, board: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    return path


# -- the Japanese board -----------------------------------------------------------------------


def test_japanese_board_card_by_card(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(JA), "--from", "trello", "--team", "IT")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    c = {n: cards.get(f"trello:{_card_id(n)}") for n in range(1, 12)}
    assert _fields(c[1]) == (  # type: ignore[arg-type]
        "ログイン画面の刷新 🔐",
        "todo",
        "high",  # the label 高 gave the priority and is no label any more
        5,
        "IT",
        [],
        "2026-04-10",
        "佐藤 花子",
    )
    assert _fields(c[2]) == (  # type: ignore[arg-type]
        "決済エラーの調査 ⚠️",
        "doing",
        "urgent",
        8,
        "IT",
        ["バグ"],
        "2026-03-15",
        "佐藤 花子, 鈴木 一郎",
    )
    # Wide characters are kept as written; a member without a full name by username.
    assert _fields(c[3]) == (  # type: ignore[arg-type]
        "全角テキスト：ＡＢＣ１２３の検索対応",
        "review",
        "low",
        3,
        "IT",
        [],
        None,
        "kenta_t",
    )
    assert c[4] is not None and (c[4]["status"], c[4]["points"]) == ("done", 2)
    assert c[4]["done_at"] is not None
    # The list this tool does not know: the fallback column (backlog).
    assert [c[n]["status"] for n in (5, 6, 7)] == ["backlog"] * 3  # type: ignore[index]
    # Archived before the first import: not created (the archived card, the archived list).
    assert c[8] is None and c[9] is None
    # Bad values dropped, the cards kept with the rest of what they say.
    assert _fields(c[10]) == (  # type: ignore[arg-type]
        "ドキュメント整備 📚",
        "todo",
        "medium",  # the default: Trello gave none
        None,
        "IT",
        [],
        None,
        "",
    )
    assert _fields(c[11]) == (  # type: ignore[arg-type]
        "通知メールの文言修正 ✉️",
        "doing",
        "high",
        None,
        "IT",
        [],
        None,
        "鈴木 一郎",  # the member the board does not list is dropped, the other kept
    )
    assert len(cards) == 9

    key1, key2 = c[1]["key"], c[2]["key"]  # type: ignore[index]
    # Checklist items in Trello's order (by pos), ticked where complete; several
    # checklists name their items.
    assert _checklist(db_path, key1) == [
        ("ボタン配置の確認 ✅", True),
        ("エラーメッセージの日本語化", False),
    ]
    assert _checklist(db_path, key2) == [
        ("調査: ログ収集", True),
        ("調査: 再現手順の確認", True),
        ("対応: 修正パッチ", False),
    ]
    # Comments oldest first with their author and time; other actions are no comments.
    assert _thread(db_path, key2) == [
        (
            "佐藤 花子",
            "2026-03-09T01:00:00Z",
            "ログを確認しています。@ichiro_suzuki 見てもらえますか？",
        ),
        ("鈴木 一郎", "2026-03-10T02:30:00Z", "パッチをステージングに入れました 👍"),
    ]
    assert _thread(db_path, key1) == [
        ("鈴木 一郎", "2026-03-04T06:45:30Z", "デザイン案を添付しました")
    ]
    # The archived card's comment is counted with it, not lost silently.
    assert "skipped 1 comments: their cards are skipped" in result.out


def test_japanese_board_drops_each_bad_value_with_its_reason(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.csv"
    result = cli("import", str(JA), "--from", "trello", "--team", "IT", "--report", str(report))
    assert result.code == 0, result.err
    assert "cards: 9 to create, 0 to update, 0 unchanged, 2 skipped" in result.out
    out = result.out
    kept = "the card imported without it"
    assert f"dropped 1 due value(s), {kept}: not a date: '2026-02-30T10:00:00.000Z'" in out
    assert (
        f"dropped 1 points value(s), {kept}: custom field 'ストーリーポイント': "
        "not a number (got '大きい')" in out
    )
    assert f"first: {_card_id(10)} at $.cards[9].customFieldItems[0]" in out
    assert (
        f"dropped 1 labels value(s), {kept}: label '65f1a0c2e4b0a1b2c3d4eadd' is not one of "
        "the board's labels" in out
    )
    assert (
        f"dropped 1 assignee value(s), {kept}: member '5e8f1c2d3a4b5c6d7e8fdead' is not one of "
        "the board's members" in out
    )

    dropped = [
        (r["where"], r["source_id"], r["title"], r["field"], r["value"])
        for r in _report(report)
        if r["outcome"] == "dropped value"
    ]
    assert dropped == [
        (
            "$.cards[9].due",
            f"trello:{_card_id(10)}",
            "ドキュメント整備 📚",
            "due",
            "2026-02-30T10:00:00.000Z",
        ),
        (
            "$.cards[9].customFieldItems[0]",
            f"trello:{_card_id(10)}",
            "ドキュメント整備 📚",
            "points",
            "大きい",
        ),
        (
            "$.cards[10].idLabels[1]",
            f"trello:{_card_id(11)}",
            "通知メールの文言修正 ✉️",
            "labels",
            "65f1a0c2e4b0a1b2c3d4eadd",
        ),
        (
            "$.cards[10].idMembers[1]",
            f"trello:{_card_id(11)}",
            "通知メールの文言修正 ✉️",
            "assignee",
            "5e8f1c2d3a4b5c6d7e8fdead",
        ),
    ]
    skipped = {r["where"]: r["reason"] for r in _report(report) if r["outcome"] == "skipped"}
    assert skipped == {
        "$.cards[7]": "archived on Trello",
        "$.cards[8]": "in archived list '旧アイデア'",
    }


def test_a_bad_value_keeps_what_an_earlier_import_gave(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    board = json.loads(JA.read_text(encoding="utf-8"))
    card = next(c for c in board["cards"] if c["id"] == _card_id(10))
    card["due"] = "2026-05-01T00:00:00.000Z"
    card["customFieldItems"][0]["value"] = {"text": "13"}
    first = _written(tmp_path, board, "board.json")
    assert cli("import", str(first), "--from", "trello", "--team", "IT").code == 0
    # The same board exported later with the bad values of the fixture: they are dropped,
    # and the card keeps the due date and points it had.
    again = cli("import", str(JA), "--from", "trello", "--team", "IT")
    assert again.code == 0, again.err
    assert "dropped 1 due value(s)" in again.out and "dropped 1 points value(s)" in again.out
    kept = _cards(db_path)[f"trello:{_card_id(10)}"]
    assert (kept["due"], kept["points"]) == ("2026-05-01", 13)


def test_the_unknown_japanese_list_is_named_mapped_and_remembered(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    dry = cli("import", str(JA), "--from", "trello", "--team", "IT", "--dry-run")
    assert dry.code == 0, dry.err
    assert "unknown status names (1), each put in backlog:" in dry.out
    assert f"'{UNKNOWN}': 3 card(s); map it with --map-status '{UNKNOWN}=STATUS'" in dry.out
    assert f"'{UNKNOWN}' -> backlog (unknown name) (3)" in dry.out

    mapped = cli(
        "import", str(JA), "--from", "trello", "--team", "IT", "--map-status", f"{UNKNOWN}=done"
    )
    assert mapped.code == 0, mapped.err
    assert f"'{UNKNOWN}' -> done (3)" in mapped.out and "unknown status names" not in mapped.out
    cards = _cards(db_path)
    assert [cards[f"trello:{_card_id(n)}"]["status"] for n in (5, 6, 7)] == ["done"] * 3

    # A later export of the same board (another file name, a card moved into that list):
    # the board's id finds the mapping without the option.
    board = json.loads(JA.read_text(encoding="utf-8"))
    moved = next(c for c in board["cards"] if c["id"] == _card_id(3))
    moved["idList"] = next(lst["id"] for lst in board["lists"] if lst["name"] == UNKNOWN)
    later = _written(tmp_path, board, "スプリントボード-2026-03-20.json")
    again = cli("import", str(later), "--from", "trello", "--team", "IT")
    assert again.code == 0, again.err
    assert f"mappings remembered for this source: status '{UNKNOWN}' -> done" in again.out
    assert "0 to create, 1 to update" in again.out
    assert _cards(db_path)[f"trello:{_card_id(3)}"]["status"] == "done"

    # Another board with a list of the same name does not use this board's mapping.
    other = copy.deepcopy(board)
    other["id"] = "65f1a0c2e4b0a1b2c3d4ffff"
    for card in other["cards"]:
        card["id"] = "77" + card["id"][2:]
    elsewhere = cli(
        "import", str(_written(tmp_path, other, "other.json")), "--from", "trello", "--team", "IT"
    )
    assert elsewhere.code == 0, elsewhere.err
    assert "remembered" not in elsewhere.out
    assert f"'{UNKNOWN}': 4 card(s); map it with --map-status" in elsewhere.out


def test_the_origin_is_the_boards_id_else_its_address_or_name(tmp_path: Path) -> None:
    assert parse_trello(JA).origin == JA_BOARD_ID
    board = json.loads(JA.read_text(encoding="utf-8"))
    del board["id"]
    assert parse_trello(_written(tmp_path, board, "a.json")).origin == (
        "https://trello.com/b/JaBd2026"
    )
    del board["shortUrl"], board["url"]
    assert parse_trello(_written(tmp_path, board, "b.json")).origin == "スプリントボード 🚀"


# -- the French board -------------------------------------------------------------------------


def test_french_board_card_by_card(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(FR), "--from", "trello", "--team", "IT")
    assert result.code == 0, result.err
    assert "cards: 5 to create, 0 to update, 0 unchanged, 0 skipped" in result.out
    cards = _cards(db_path)
    c = {n: cards[f"trello:{_card_id(n, 'fr')}"] for n in range(1, 6)}
    # Priority, team, points and sprint from custom fields ('Priorité' a dropdown, 'Équipe'
    # a dropdown naming a team here); a checkbox and a date field are not imported.
    assert _fields(c[1]) == (
        "Refonte de la page d'accueil",
        "todo",
        "high",
        5,
        "ECOM",
        ["Accessibilité"],
        "2026-04-03",
        "Camille Lefèvre",
    )
    assert c[1]["sprint"] == "Sprint 12"
    # 'Basse' is a priority label: the priority, no label.
    assert _fields(c[2]) == (
        "Contraste des boutons (WCAG)",
        "todo",
        "low",
        2,
        "MKT",
        ["Accessibilité"],
        None,
        "Benoît Durand",
    )
    # 'Logistique' names no team here: the --team owns, the name is kept as a label.
    assert _fields(c[3]) == (
        "Tunnel de commande : « Payer » en un clic",
        "doing",
        "high",
        8,
        "IT",
        ["Logistique"],
        None,
        "Camille Lefèvre, Benoît Durand",
    )
    # An option the field does not define is dropped; the card is kept.
    assert _fields(c[4]) == (
        "Traductions oubliées",
        "doing",
        "medium",
        None,
        "IT",
        [],
        None,
        "",
    )
    # 'Fait (à livrer)' is 'Fait': done.
    assert (c[5]["status"], c[5]["priority"], c[5]["points"]) == ("done", "urgent", 3)
    assert [c[n]["sprint"] for n in (2, 3, 4, 5)] == [None] * 4

    assert _checklist(db_path, c[1]["key"]) == [
        ("Maquette mobile", True),
        ("Maquette bureau", False),
    ]
    assert _checklist(db_path, c[3]["key"]) == [
        ("Paiement accepté", True),  # pos 8192: first
        ("Carte refusée", False),
    ]
    assert _thread(db_path, c[3]["key"]) == [
        ("Camille Lefèvre", "2026-03-05T09:00:00Z", "Il faut vérifier le cas « carte refusée »."),
        ("Benoît Durand", "2026-03-06T13:59:12Z", "Testé sur Safari : ça marche."),
    ]

    assert "priorities: 'Haute' -> high (2), 'Basse' -> low (1), 'Urgente' -> urgent (1)" in (
        result.out
    )
    assert "'Fait (à livrer)' -> done (1)" in result.out
    assert "unknown status names" not in result.out
    assert (
        "dropped 1 priority value(s), the card imported without it: custom field 'Priorité': "
        "option '6601b2c3d4e5f6a7b8c9d4ff' is not one of the field's options "
        f"(first: {_card_id(4, 'fr')} at $.cards[3].customFieldItems[0])" in result.out
    )


def test_a_dropdown_of_priority_names_gives_the_priority_whatever_its_name(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    board = json.loads(FR.read_text(encoding="utf-8"))
    board["customFields"][0]["name"] = "Urgence"  # no priority word: its options say it
    path = _written(tmp_path, board, "board.json")
    assert cli("import", str(path), "--from", "trello", "--team", "IT").code == 0
    cards = _cards(db_path)
    assert cards[f"trello:{_card_id(1, 'fr')}"]["priority"] == "high"
    assert cards[f"trello:{_card_id(5, 'fr')}"]["priority"] == "urgent"
