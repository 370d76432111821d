"""content/checkins/: bids, openers and weekly follow-ups, checked like the decks."""

from collections import Counter
from pathlib import Path

import pytest

from couplebot.content import ContentError, check_content, default_content_dir, load_content
from couplebot.content.checkins import (
    MAX_BID_LENGTH,
    MAX_OPENER_LENGTH,
    MAX_WEEKLY_FOLLOW_UP_LENGTH,
    CheckinContent,
    check_checkins,
    read_checkins,
)
from couplebot.domain.checkins import Bid, BidKind, BidSetting, Opener, OpenerTag

DECK = """\
theme = "everyday"

[[question]]
id = "everyday-001"
idea = "how-was-today"
depth = "light"
text = "How was today?"
"""


def bid(bid_id: str, text: str, kind: str = "words", settings: str = '["together"]') -> str:
    return f'[[bid]]\nid = "{bid_id}"\nkind = "{kind}"\nsettings = {settings}\ntext = "{text}"\n\n'


def opener(opener_id: str, text: str, tag: str = "missing-you") -> str:
    return f'[[opener]]\nid = "{opener_id}"\ntag = "{tag}"\ntext = "{text}"\n\n'


def follow_up(follow_up_id: str, text: str) -> str:
    return f'[[follow_up]]\nid = "{follow_up_id}"\ntext = "{text}"\n\n'


GOOD_BIDS = bid("words-001", "Tell them one thing you liked about today.") + bid(
    "touch-001", "Hug them a little longer than usual.", "touch", '["together", "apart"]'
)
GOOD_OPENERS = opener("missing-you-001", "I miss you. Could we have an evening soon?")
GOOD_FOLLOW_UPS = follow_up("weekly-001", "Ask each other what made that moment feel close.")


def make_content(
    tmp_path: Path,
    bids: str | None = GOOD_BIDS,
    openers: str | None = GOOD_OPENERS,
    follow_ups: str | None = GOOD_FOLLOW_UPS,
) -> Path:
    content_dir = tmp_path / "content"
    (content_dir / "prompts").mkdir(parents=True)
    (content_dir / "prompts" / "everyday.toml").write_text(DECK, encoding="utf-8")
    checkins = content_dir / "checkins"
    checkins.mkdir()
    for name, body in (
        ("bids.toml", bids),
        ("openers.toml", openers),
        ("weekly-follow-ups.toml", follow_ups),
    ):
        if body is not None:
            (checkins / name).write_text(body, encoding="utf-8")
    return content_dir


def problems_of(content_dir: Path) -> list[tuple[str, int | None, str]]:
    return [(p.path.name, p.line, p.message) for p in check_checkins(content_dir)]


def assert_only(content_dir: Path, file: str, line: int | None, message: str) -> None:
    found = problems_of(content_dir)
    assert len(found) == 1, found
    assert found[0][:2] == (file, line), found
    assert message in found[0][2], found


# --- valid content ---


def test_valid_checkins_load_into_content(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path)
    assert check_content(content_dir) == []

    content = load_content(content_dir)

    assert content.bids == (
        Bid(
            "words-001",
            "Tell them one thing you liked about today.",
            BidKind.WORDS,
            frozenset({BidSetting.TOGETHER}),
        ),
        Bid(
            "touch-001",
            "Hug them a little longer than usual.",
            BidKind.TOUCH,
            frozenset({BidSetting.TOGETHER, BidSetting.APART}),
        ),
    )
    assert content.openers == (
        Opener(
            "missing-you-001", "I miss you. Could we have an evening soon?", OpenerTag.MISSING_YOU
        ),
    )
    assert content.weekly_follow_ups == ("Ask each other what made that moment feel close.",)


def test_a_content_dir_without_checkins_is_valid_and_empty(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path)
    for path in (content_dir / "checkins").iterdir():
        path.unlink()
    (content_dir / "checkins").rmdir()

    assert check_content(content_dir) == []
    assert read_checkins(content_dir) == (CheckinContent(), [])
    content = load_content(content_dir)
    assert (content.bids, content.openers, content.weekly_follow_ups) == ((), (), ())


def test_a_missing_content_dir_is_reported_once(tmp_path: Path) -> None:
    problems = check_content(tmp_path / "nowhere")
    assert [p.message for p in problems] == ["content directory not found"]


def test_load_content_raises_on_checkin_problems(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, bids=bid("words-001", " padded "))
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert [str(p) for p in caught.value.problems] == [
        f"{content_dir / 'checkins' / 'bids.toml'}:5: text has leading or trailing whitespace"
    ]


def test_problems_of_both_checkers_are_sorted_together(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, bids=bid("Bad", "Fine text."))
    (content_dir / "prompts" / "everyday.toml").write_text(DECK + "extra = 1\n", encoding="utf-8")
    problems = check_content(content_dir)
    assert [(p.path.name, p.line) for p in problems] == [("bids.toml", 2), ("everyday.toml", 8)]


# --- files ---


@pytest.mark.parametrize("missing", ["bids", "openers", "follow_ups"])
def test_each_file_is_required_once_checkins_exists(tmp_path: Path, missing: str) -> None:
    content_dir = make_content(tmp_path, **{missing: None})
    name = {"bids": "bids.toml", "openers": "openers.toml", "follow_ups": "weekly-follow-ups.toml"}
    assert_only(content_dir, name[missing], None, "not found")


def test_unknown_file_is_reported(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path)
    (content_dir / "checkins" / "bid.toml").write_text(GOOD_BIDS, encoding="utf-8")
    (content_dir / "checkins" / ".bids.toml.swp").write_text("junk", encoding="utf-8")
    assert_only(content_dir, "bid.toml", None, "unknown file 'bid.toml'; expected: bids.toml")


def test_checkins_must_be_a_directory(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    (content_dir / "prompts").mkdir(parents=True)
    (content_dir / "prompts" / "everyday.toml").write_text(DECK, encoding="utf-8")
    (content_dir / "checkins").write_text("", encoding="utf-8")
    assert_only(content_dir, "checkins", None, "must be a directory")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, openers=GOOD_OPENERS + 'text = "unclosed\n')
    assert_only(content_dir, "openers.toml", 6, "TOML syntax error")


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path)
    (content_dir / "checkins" / "bids.toml").write_bytes(GOOD_BIDS.encode() + b"\n# \xff\n")
    assert_only(content_dir, "bids.toml", 14, "not valid UTF-8")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, follow_ups='title = "weekly"\n\n' + GOOD_FOLLOW_UPS)
    assert_only(content_dir, "weekly-follow-ups.toml", 1, "unknown key 'title'")


def test_entries_must_be_tables_in_an_array(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, openers='opener = "hello"\n')
    assert_only(content_dir, "openers.toml", 1, "opener must be [[opener]] tables, not a string")
    content_dir = make_content(tmp_path / "b", openers="opener = [1]\n")
    assert_only(content_dir, "openers.toml", 1, "opener must be a table, not an integer")


def test_empty_file_is_reported(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, bids="# nothing yet\n")
    assert_only(content_dir, "bids.toml", None, "bids.toml has no [[bid]] tables")


def test_unknown_key_in_an_entry(tmp_path: Path) -> None:
    content_dir = make_content(
        tmp_path, bids=GOOD_BIDS + bid("gift-001", "A flower.", "gift")[:-1] + "tags = []\n"
    )
    assert_only(
        content_dir, "bids.toml", 18, "unknown key 'tags'; allowed: id, kind, settings, text"
    )


# --- ids ---


@pytest.mark.parametrize(
    ("bid_id", "message"),
    [
        ("Words_1", "must be lowercase letters and digits"),
        ("words--1", "must be lowercase letters and digits"),
        ("w" * 41, "id is 41 characters; the limit is 40"),
    ],
)
def test_bad_ids(tmp_path: Path, bid_id: str, message: str) -> None:
    content_dir = make_content(tmp_path, bids=bid(bid_id, "Say something kind."))
    assert_only(content_dir, "bids.toml", 2, message)


def test_missing_id(tmp_path: Path) -> None:
    body = '[[opener]]\ntag = "missing-you"\ntext = "I miss you."\n'
    assert_only(make_content(tmp_path, openers=body), "openers.toml", 1, "id is missing")


def test_ids_are_unique_across_the_three_files(tmp_path: Path) -> None:
    content_dir = make_content(
        tmp_path, follow_ups=follow_up("words-001", "Say what you noticed in each other's answers.")
    )
    found = problems_of(content_dir)
    assert len(found) == 1, found
    file, line, message = found[0]
    assert (file, line) == ("weekly-follow-ups.toml", 2)
    assert message.startswith("id 'words-001' is also used at ")
    assert message.endswith("bids.toml:2")


# --- tags ---


def test_unknown_kind(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, bids=bid("x-001", "Do a thing.", kind="chores"))
    assert_only(content_dir, "bids.toml", 3, "kind 'chores' must be one of words, touch, time")


def test_kind_must_be_a_string(tmp_path: Path) -> None:
    body = '[[bid]]\nid = "x-001"\nkind = 3\nsettings = ["apart"]\ntext = "Call them."\n'
    assert_only(make_content(tmp_path, bids=body), "bids.toml", 3, "kind must be a string")


def test_missing_kind(tmp_path: Path) -> None:
    body = '[[bid]]\nid = "x-001"\nsettings = ["apart"]\ntext = "Call them."\n'
    assert_only(make_content(tmp_path, bids=body), "bids.toml", 1, "kind is missing")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('"apart"', "settings must be a list of one or both of together, apart"),
        ("[]", "settings must be a list of one or both of together, apart"),
        ("[1]", "settings must be a list of one or both of together, apart"),
        ('["far"]', "unknown setting 'far'; settings are together, apart"),
        ('["apart", "apart"]', "settings lists the same setting twice"),
    ],
)
def test_bad_settings(tmp_path: Path, settings: str, message: str) -> None:
    content_dir = make_content(tmp_path, bids=bid("x-001", "Call them.", settings=settings))
    assert_only(content_dir, "bids.toml", 4, message)


def test_missing_settings(tmp_path: Path) -> None:
    body = '[[bid]]\nid = "x-001"\nkind = "time"\ntext = "Call them."\n'
    assert_only(make_content(tmp_path, bids=body), "bids.toml", 1, "settings is missing")


def test_unknown_opener_tag(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, openers=opener("o-001", "I miss you.", tag="missing"))
    assert_only(content_dir, "openers.toml", 3, "tag 'missing' must be one of missing-you,")


# --- texts ---


@pytest.mark.parametrize(
    ("file", "limit"),
    [
        ("bids", MAX_BID_LENGTH),
        ("openers", MAX_OPENER_LENGTH),
        ("follow_ups", MAX_WEEKLY_FOLLOW_UP_LENGTH),
    ],
)
def test_text_length_limits(tmp_path: Path, file: str, limit: int) -> None:
    make = {"bids": bid, "openers": opener, "follow_ups": follow_up}[file]
    at_limit = make_content(tmp_path / "ok", **{file: make("x-001", "a" * limit)})
    assert problems_of(at_limit) == []
    over = make_content(tmp_path / "over", **{file: make("x-001", "a" * (limit + 1))})
    [(_, _, message)] = problems_of(over)
    assert message == f"text is {limit + 1} characters; the limit is {limit}"


def test_openers_fit_a_button_label() -> None:
    assert MAX_OPENER_LENGTH == 80  # Discord's button label limit


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "text is empty"),
        ("   ", "text is empty"),
        (" Call them.", "text has leading or trailing whitespace"),
        ("Call\\u0007 them.", "text contains the control character U+0007"),
        ("Tell @everyone you love them.", "text contains @everyone, which would ping the server"),
        ("Tell @HERE you love them.", "text contains @here"),
    ],
)
def test_bad_texts(tmp_path: Path, text: str, message: str) -> None:
    content_dir = make_content(tmp_path, openers=opener("o-001", text))
    assert_only(content_dir, "openers.toml", 4, message)


def test_text_must_be_a_string(tmp_path: Path) -> None:
    body = '[[follow_up]]\nid = "w-001"\ntext = ["Talk."]\n'
    content_dir = make_content(tmp_path, follow_ups=body)
    assert_only(content_dir, "weekly-follow-ups.toml", 3, "text must be a string, not an array")


def test_missing_text(tmp_path: Path) -> None:
    body = '[[follow_up]]\nid = "w-001"\n'
    assert_only(
        make_content(tmp_path, follow_ups=body), "weekly-follow-ups.toml", 1, "text is missing"
    )


# --- duplicates ---


def test_exact_duplicate_bid_names_the_first(tmp_path: Path) -> None:
    body = GOOD_BIDS + bid("gift-001", "Tell them ONE thing you liked about today!", "gift")
    found = problems_of(make_content(tmp_path, bids=body))
    assert len(found) == 1, found
    assert found[0][:2] == ("bids.toml", 17)
    assert found[0][2].startswith("text duplicates the bid at ")
    assert found[0][2].endswith("bids.toml:5")


def test_near_duplicate_opener(tmp_path: Path) -> None:
    body = GOOD_OPENERS + opener(
        "missing-you-002", "I really miss you. Could we have an evening soon?"
    )
    found = problems_of(make_content(tmp_path, openers=body))
    assert len(found) == 1, found
    assert found[0][:2] == ("openers.toml", 9)
    assert found[0][2].startswith("text is nearly the same as the opener at ")


def test_near_duplicate_follow_up(tmp_path: Path) -> None:
    body = GOOD_FOLLOW_UPS + follow_up(
        "weekly-002", "Ask each other what made that moment feel so close."
    )
    found = problems_of(make_content(tmp_path, follow_ups=body))
    assert [(f, line) for f, line, _ in found] == [("weekly-follow-ups.toml", 7)]
    assert "nearly the same as the follow-up" in found[0][2]


def test_the_same_words_in_different_files_are_not_duplicates(tmp_path: Path) -> None:
    text = "Ask what made today good."
    content_dir = make_content(tmp_path, bids=bid("words-001", text), openers=opener("o-001", text))
    assert problems_of(content_dir) == []


def test_different_bids_with_shared_words_pass(tmp_path: Path) -> None:
    body = bid("a-001", "Send them a song that made you think of them.") + bid(
        "a-002", "Send them a photo of where you are right now."
    )
    assert problems_of(make_content(tmp_path, bids=body)) == []


# --- the shipped content ---


@pytest.fixture(scope="module")
def shipped() -> CheckinContent:
    content, problems = read_checkins(default_content_dir())
    assert [str(p) for p in problems] == []
    return content


def test_shipped_content_passes_every_check() -> None:
    assert [str(p) for p in check_content(default_content_dir())] == []


def test_shipped_bids_cover_every_kind_and_enough_apart(shipped: CheckinContent) -> None:
    assert len(shipped.bids) >= 120
    kinds = Counter(b.kind for b in shipped.bids)
    assert set(kinds) == set(BidKind)
    assert min(kinds.values()) >= 15, kinds
    assert sum(BidSetting.APART in b.settings for b in shipped.bids) >= 40
    assert sum(BidSetting.TOGETHER in b.settings for b in shipped.bids) >= 40


def test_shipped_openers_cover_every_tag(shipped: CheckinContent) -> None:
    assert len(shipped.openers) >= 40
    tags = Counter(o.tag for o in shipped.openers)
    assert set(tags) == set(OpenerTag)
    assert min(tags.values()) >= 6, tags


def test_shipped_weekly_follow_ups(shipped: CheckinContent) -> None:
    assert len(shipped.weekly_follow_ups) >= 20
