"""Deck loading and checks: each check names the file and line of the offending entry."""

import re
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couplebot.content import (
    Content,
    ContentError,
    ContentProblem,
    check_content,
    content_words,
    default_content_dir,
    default_mornings,
    describe_default_mornings,
    load_content,
    normalize_question_text,
    reworded,
    reworded_score,
    similar_questions,
)
from couplebot.domain.questions import Depth, Question

GOOD_DECK = """\
# Everyday things.
theme = "everyday"

[[question]]
id = "everyday-001"
idea = "best-moment-yesterday"
depth = "light"
text = "What was the best small moment of your day yesterday?"
tags = ["appreciation"]
follow_up = "Ask each other one thing about what you just read."

[[question]]
id = "everyday-002"
idea = "missed-me-while-together"
depth = "deep"
text = "When have you missed me lately, even when we were in the same room?"
"""

GOOD_FOLLOW_UPS = """\
[[follow_up]]
id = "ask-one-thing"
depth = "any"
text = "Ask each other one thing about what you just read."
"""


def question(
    qid: str, text: str, depth: str = "light", extra: str = "", idea: str | None = None
) -> str:
    """A [[question]] table; its idea (last line) defaults to one of its own."""
    idea = idea or f"idea-{zlib.crc32((qid + text).encode())}"
    head = f'[[question]]\nid = "{qid}"\ndepth = "{depth}"\ntext = "{text}"\n'
    return f'{head}{extra}\nidea = "{idea}"\n'


def make_content(tmp_path: Path, decks: dict[str, str], follow_ups: str | None = None) -> Path:
    prompts = tmp_path / "content" / "prompts"
    prompts.mkdir(parents=True)
    for name, body in decks.items():
        (prompts / name).write_text(body, encoding="utf-8")
    if follow_ups is not None:
        (tmp_path / "content" / "follow-ups.toml").write_text(follow_ups, encoding="utf-8")
    return tmp_path / "content"


def deck(*questions: str, theme: str = "everyday") -> str:
    return f'theme = "{theme}"\n\n' + "".join(questions)


def only_problem(content_dir: Path) -> ContentProblem:
    problems = check_content(content_dir)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def assert_problem(content_dir: Path, file: str, line: int | None, message: str) -> ContentProblem:
    problem = only_problem(content_dir)
    assert (problem.path, problem.line) == (content_dir / file, line), str(problem)
    assert message in problem.message
    return problem


# --- a valid content dir ---


def test_minimal_content_loads(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK}, GOOD_FOLLOW_UPS)

    assert check_content(content_dir) == []
    content = load_content(content_dir)

    assert isinstance(content, Content)
    assert [q.id for q in content.questions] == ["everyday-001", "everyday-002"]
    first = content.by_id("everyday-001")
    assert first is not None
    assert first.depth is Depth.LIGHT
    assert first.theme == "everyday"
    assert first.tags == frozenset({"appreciation"})
    assert first.follow_up == "Ask each other one thing about what you just read."
    assert content.by_id("everyday-002") == content.questions[1]
    assert content.by_id("nope") is None
    assert content.follow_ups == ("Ask each other one thing about what you just read.",)


def test_follow_ups_file_is_optional(tmp_path: Path) -> None:
    content = load_content(make_content(tmp_path, {"everyday.toml": GOOD_DECK}))
    assert content.follow_ups == ()


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    body = deck(question("Bad_Id", "Fine question?"), question("ok-2", " Padded? "))
    content_dir = make_content(tmp_path, {"everyday.toml": body})

    with pytest.raises(ContentError) as caught:
        load_content(content_dir)

    lines = str(caught.value).splitlines()
    assert lines[0] == "2 problems in the content:"
    assert lines[1:] == [str(p) for p in caught.value.problems]
    assert lines[1].endswith("everyday.toml:4: " + caught.value.problems[0].message)


def test_problem_str_names_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    problem = ContentProblem(
        tmp_path / "content/prompts/everyday.toml", 12, "text is 312 characters; the limit is 300"
    )
    assert (
        str(problem) == "content/prompts/everyday.toml:12: text is 312 characters; the limit is 300"
    )
    assert str(ContentProblem(Path("/elsewhere/x.toml"), None, "oops")) == "/elsewhere/x.toml: oops"


def test_problems_are_sorted_by_file_and_line(tmp_path: Path) -> None:
    content_dir = make_content(
        tmp_path,
        {
            "b.toml": deck(question("b-1", "Why?", depth="x"), question("B", "How?")),
            "a.toml": deck(question("a-1", "", depth="y")),
        },
    )
    problems = check_content(content_dir)
    assert [(p.path.name, p.line) for p in problems] == [
        ("a.toml", 5),
        ("a.toml", 6),
        ("b.toml", 5),
        ("b.toml", 10),
    ]


# --- files and directories ---


def test_missing_content_dir(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "nothing")
    assert (problem.path, problem.line) == (tmp_path / "nothing", None)
    assert "content directory not found" in problem.message


def test_missing_prompts_dir(tmp_path: Path) -> None:
    problem = only_problem(tmp_path)
    assert (problem.path, problem.line) == (tmp_path / "prompts", None)
    assert "prompts directory not found" in problem.message


def test_no_decks(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"notes.txt": "not a deck"})
    assert_problem(content_dir, "prompts", None, "no decks")


def test_unreadable_deck(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK})
    (content_dir / "prompts" / "broken.toml").mkdir()  # reading a directory fails
    assert_problem(content_dir, "prompts/broken.toml", None, "cannot read the file")


def test_deck_not_utf8(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {})
    (content_dir / "prompts" / "everyday.toml").write_bytes(b'theme = "everyday"\n# caf\xe9\n')
    assert_problem(content_dir, "prompts/everyday.toml", 2, "not valid UTF-8")


def test_toml_syntax_error(tmp_path: Path) -> None:
    body = deck(question("everyday-001", "Fine?")) + "[[question]]\nid = \n"
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 10, "TOML syntax error: Invalid value")


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": 'theme = "everyday"\n\nx = "open'})
    assert_problem(content_dir, "prompts/everyday.toml", 3, "Unterminated string")


# --- deck structure ---


def test_deck_without_theme(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": question("everyday-001", "Fine?")})
    assert_problem(content_dir, "prompts/everyday.toml", None, "deck has no theme")


def test_unknown_theme(tmp_path: Path) -> None:
    body = '# about money\n\ntheme = "money"\n' + question("money-001", "Fine?")
    content_dir = make_content(tmp_path, {"money.toml": body})
    assert_problem(content_dir, "prompts/money.toml", 3, "unknown theme 'money'")


def test_theme_wrong_type(tmp_path: Path) -> None:
    body = "theme = 3\n" + question("everyday-001", "Fine?")
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(
        content_dir, "prompts/everyday.toml", 1, "theme must be a string, not an integer"
    )


def test_unknown_top_level_key(tmp_path: Path) -> None:
    body = 'theme = "everyday"\nauthor = "me"\n\n' + question("everyday-001", "Fine?")
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 2, "unknown key 'author'")


def test_unknown_top_level_table(tmp_path: Path) -> None:
    body = deck(question("everyday-001", "Fine?")) + '[meta]\nauthor = "me"\n'
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 9, "unknown key 'meta'")


def test_deck_without_questions(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": 'theme = "everyday"\n'})
    assert_problem(content_dir, "prompts/everyday.toml", None, "deck has no [[question]] tables")


def test_question_key_not_tables(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": 'theme = "everyday"\nquestion = 4\n'})
    assert_problem(content_dir, "prompts/everyday.toml", 2, "must be [[question]] tables")


def test_inline_question_tables_point_at_the_key(tmp_path: Path) -> None:
    entry = '{id = "everyday-001", idea = "fine", text = "Fine?"}'
    body = f'theme = "everyday"\nquestion = [\n  {entry},\n]\n'
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 2, "depth is missing")


def test_duplicate_ids_in_inline_tables(tmp_path: Path) -> None:
    body = (
        'theme = "everyday"\nquestion = [\n'
        '  {id = "e-1", idea = "fine", depth = "light", text = "Fine?"},\n'
        '  {id = "e-1", idea = "where", depth = "light", text = "Where to?"},\n]\n'
    )
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 2, "id 'e-1' is also used at")


def test_multiline_tags_keep_line_numbers(tmp_path: Path) -> None:
    body = (
        'theme = "everyday"\n\n[[question]]\nid = "e-1"\ntags = [\n  "memories",\n'
        '  ["nested"],\n]\ndepth = "light"\ntext = "Fine?"\nfollow_up = " Hm?"\nidea = "fine"\n'
    )
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    problems = check_content(content_dir)
    assert [(p.line, p.message.split(" ")[0]) for p in problems] == [(5, "tags"), (11, "follow_up")]


def test_unknown_key_in_question(tmp_path: Path) -> None:
    body = deck(question("everyday-001", "Fine?"), question("everyday-002", "Ok?", extra="tag = 1"))
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 13, "unknown key 'tag'")


@pytest.mark.parametrize("key", ["id", "idea", "depth", "text"])
def test_missing_required_key(tmp_path: Path, key: str) -> None:
    entry = question("everyday-002", "Ok?")
    entry = "\n".join(line for line in entry.splitlines() if not line.startswith(f"{key} ="))
    body = deck(question("everyday-001", "Fine?"), entry)
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 9, f"{key} is missing")


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ('id = 7\ndepth = "light"\ntext = "Fine?"', 4, "id must be a string, not an integer"),
        ('id = "e-1"\ndepth = true\ntext = "Fine?"', 5, "depth must be a string, not a boolean"),
        ('id = "e-1"\ndepth = "light"\ntext = ["Fine?"]', 6, "text must be a string, not an array"),
        ('id = "e-1"\ndepth = "light"\ntext = "Fine?"\ntags = "x"', 7, "tags must be a list"),
        ('id = "e-1"\ndepth = "light"\ntext = "Fine?"\ntags = [1]', 7, "tags must be a list"),
        (
            'id = "e-1"\ndepth = "light"\ntext = "Ok?"\nfollow_up = 2',
            7,
            "follow_up must be a string",
        ),
    ],
)
def test_wrong_types(tmp_path: Path, extra: str, line: int, message: str) -> None:
    body = f'theme = "everyday"\n\n[[question]]\n{extra}\nidea = "fine"\n'
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", line, message)


def test_question_not_a_table(tmp_path: Path) -> None:
    body = 'theme = "everyday"\nquestion = ["What?"]\n'
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(
        content_dir, "prompts/everyday.toml", 2, "question must be a table, not a string"
    )


# --- ids ---


@pytest.mark.parametrize("bad_id", ["Everyday-1", "everyday_1", "everyday--1", "-everyday", "e-1-"])
def test_id_format(tmp_path: Path, bad_id: str) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": deck(question(bad_id, "Fine?"))})
    assert_problem(content_dir, "prompts/everyday.toml", 4, f"id {bad_id!r} must be lowercase")


def test_id_length(tmp_path: Path) -> None:
    long_id = "e" * 41
    content_dir = make_content(tmp_path, {"everyday.toml": deck(question(long_id, "Fine?"))})
    assert_problem(content_dir, "prompts/everyday.toml", 4, "id is 41 characters; the limit is 40")
    assert (
        check_content(make_content(tmp_path / "ok", {"e.toml": deck(question("e" * 40, "Fine?"))}))
        == []
    )


def test_duplicate_id_across_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    content_dir = make_content(
        tmp_path,
        {
            "a.toml": deck(question("shared-001", "What made you laugh this week?")),
            "b.toml": deck(
                question("b-001", "Where would you go tomorrow?"),
                question("shared-001", "What song is stuck in your head?"),
                theme="playful",
            ),
        },
    )
    assert_problem(
        content_dir,
        "prompts/b.toml",
        10,
        "id 'shared-001' is also used at content/prompts/a.toml:4",
    )


# --- depth and tags ---


def test_unknown_depth(tmp_path: Path) -> None:
    body = deck(question("everyday-001", "Fine?", depth="heavy"))
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(
        content_dir,
        "prompts/everyday.toml",
        5,
        "depth 'heavy' must be one of light, medium, deep",
    )


def test_unknown_tag(tmp_path: Path) -> None:
    body = deck(question("everyday-001", "Fine?", extra='tags = ["memories", "money"]'))
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    assert_problem(content_dir, "prompts/everyday.toml", 7, "unknown tag 'money'")


# --- text and follow_up ---


@pytest.mark.parametrize("key", ["text", "follow_up"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "{key} is empty"),
        ("   ", "{key} is empty"),
        ("x" * 312, "{key} is 312 characters; the limit is 300"),
        (" Padded?", "{key} has leading or trailing whitespace"),
        ("Padded? ", "{key} has leading or trailing whitespace"),
        ("Tab\\there?", "{key} contains the control character U+0009"),
        ("Line\\nbreak?", "{key} contains the control character U+000A"),
        ("Hi @everyone?", "{key} contains @everyone"),
        ("Hi @here?", "{key} contains @here"),
    ],
)
def test_text_rules(tmp_path: Path, key: str, value: str, message: str) -> None:
    if key == "text":
        entry = f'[[question]]\nid = "e-1"\ndepth = "light"\ntext = "{value}"\nidea = "fine"\n'
        line = 7
    else:
        entry = question("e-1", "Fine?", extra=f'follow_up = "{value}"')
        line = 8
    content_dir = make_content(tmp_path, {"everyday.toml": f'theme = "everyday"\n\n\n{entry}'})
    assert_problem(content_dir, "prompts/everyday.toml", line, message.format(key=key))


def test_text_at_the_limit_is_fine(tmp_path: Path) -> None:
    body = deck(question("e-1", "x" * 299 + "?", extra=f'follow_up = "{"y" * 300}"'))
    assert check_content(make_content(tmp_path, {"everyday.toml": body})) == []


def test_multiline_string_does_not_confuse_lines(tmp_path: Path) -> None:
    body = (
        'theme = "everyday"\n\n'
        '[[question]]\nid = "e-1"\ndepth = "light"\n'
        'text = """\n[[question]]\nid = "fake"\n"""\nidea = "e-one"\n'
        + question("e-2", "Fine?", depth="huge")
    )
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    problems = check_content(content_dir)
    assert [(p.line, p.message.split(" ")[0]) for p in problems] == [
        (6, "text"),  # trailing newline is whitespace
        (6, "text"),  # and a control character
        (13, "depth"),
    ]


# --- duplicates ---


def test_exact_duplicate_across_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    content_dir = make_content(
        tmp_path,
        {
            "a.toml": deck(question("a-1", "What made you laugh this week?")),
            "b.toml": deck(
                question("b-1", "Where would you go tomorrow?"),
                question("b-2", "what made  you LAUGH this week"),
                theme="playful",
            ),
        },
    )
    assert_problem(
        content_dir,
        "prompts/b.toml",
        12,
        "text duplicates the question at content/prompts/a.toml:6",
    )


def test_near_duplicate_is_reported_once_on_the_later_question(tmp_path: Path) -> None:
    content_dir = make_content(
        tmp_path,
        {
            "everyday.toml": deck(
                question("e-1", "What was the best part of your day?"),
                question("e-2", "Which song reminds you of us?"),
                question("e-3", "What was the best part of your day today?"),
            )
        },
    )
    problem = assert_problem(
        content_dir, "prompts/everyday.toml", 18, "text is nearly the same as the question at"
    )
    assert problem.message.endswith("everyday.toml:6")


def test_similar_topics_are_not_duplicates(tmp_path: Path) -> None:
    content_dir = make_content(
        tmp_path,
        {
            "everyday.toml": deck(
                question("e-1", "What was the best part of your day?"),
                question("e-2", "What was the hardest part of your day?"),
                question("e-3", "When have you felt most chosen by me?"),
                question("e-4", "When have you felt most understood by me?"),
                question("e-5", "What do you need from me?"),
                question("e-6", "What do I need from you?"),
            )
        },
    )
    assert check_content(content_dir) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What was the best part of your day?", "What was the best part of your day today?"),
        ("What is a song that reminds you of us?", "What song reminds you of us?"),
        (
            "When did you feel closest to me this week?",
            "When did you feel closest to me this past week?",
        ),
        (
            "What is one small thing I could do this week to help you feel close to me?",
            "What's one small thing I could do this week that would help you feel close to me?",
        ),
        ("What made you smile?", "what made you smile"),
    ],
)
def test_rewordings_are_similar(a: str, b: str) -> None:
    assert similar_questions(a, b)
    assert similar_questions(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What was the best part of your day?", "What was the hardest part of your day?"),
        ("What made you smile today?", "What made you sad today?"),
        ("What do you love?", "What do you love about me?"),
        ("What makes you laugh at me?", "What makes me laugh at you?"),
        ("What is your favorite memory of us?", "What is your favorite memory from childhood?"),
        (
            "What is a small thing I do that makes you feel loved?",
            "What is a small thing I do that makes you feel heard?",
        ),
        ("?", "!"),
    ],
)
def test_different_questions_are_not_similar(a: str, b: str) -> None:
    assert not similar_questions(a, b)
    assert not similar_questions(b, a)


# --- ideas: one idea per question, and rewordings in other words ---


def test_same_idea_in_two_decks_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    content_dir = make_content(
        tmp_path,
        {
            "a.toml": deck(question("a-1", "What made you laugh this week?", idea="laughed")),
            "b.toml": deck(
                question("b-1", "Where would you go tomorrow?"),
                question("b-2", "Which joke still gets you?", idea="laughed"),
                theme="playful",
            ),
        },
    )
    assert_problem(
        content_dir,
        "prompts/b.toml",
        14,
        "idea 'laughed' is also the idea of the question at content/prompts/a.toml:8",
    )


@pytest.mark.parametrize("bad_idea", ["Feel_Closer", "feel closer", "x" * 41])
def test_idea_is_a_short_slug(tmp_path: Path, bad_idea: str) -> None:
    body = deck(question("e-1", "Fine?", idea=bad_idea))
    content_dir = make_content(tmp_path, {"everyday.toml": body})
    problem = only_problem(content_dir)
    assert (problem.path.name, problem.line) == ("everyday.toml", 8)
    assert problem.message.startswith("idea ")


def test_planted_reworded_duplicate_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other words, other order, same question: listed with both files and lines."""
    monkeypatch.chdir(tmp_path)
    content_dir = make_content(
        tmp_path,
        {
            "memories.toml": deck(
                question("m-1", "Which photo of us do you like most?"),
                question("m-2", "Which memory of us do you return to when you need cheering up?"),
                theme="memories",
            ),
            "needs.toml": deck(
                question("n-1", "What do you need from me when you are excited?"),
                question(
                    "n-2",
                    "When you need cheering up, which of our memories do you go back to?",
                ),
                theme="needs",
            ),
        },
    )
    problem = assert_problem(
        content_dir,
        "prompts/needs.toml",
        12,
        "text may ask the same as the question at content/prompts/memories.toml:12",
    )
    assert "(both about: cheer, need, remember)" in problem.message
    assert problem.message.endswith("reword one, or cut it")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "What's a word or phrase that means something only to the two of us?",
            "Which phrase of ours would mean nothing to anyone else?",
        ),
        ("Is there a dream you've never said out loud?", "Which dream have you never told anyone?"),
        ("When you're low, what comforts you most?", "What comforts you most on a low day?"),
        (
            "What do you need to hear from me after we argue?",
            "After a disagreement, which words from me do you need to hear?",
        ),
        (
            "Which song takes you back to a moment with me?",
            "What song brings back a moment of ours?",
        ),
    ],
)
def test_rewordings_in_other_words(a: str, b: str) -> None:
    assert reworded(content_words(a), content_words(b))
    assert reworded(content_words(b), content_words(a))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Shipped pairs that share a frame but not an idea.
        (
            "What did I do this week that made your day a little better?",
            "What's a small way you try to leave things better than you found them?",
        ),
        (
            "After a disagreement, what helps you feel ready to talk again?",
            "What's your favourite way to make up: talking it through, doing something "
            "together, or a bit of both?",
        ),
        ("What is it about me that helps you feel safe?", "What helps you feel secure when apart?"),
        ("What made you smile today?", "What made you sad today?"),
        ("What's the first thing you remember noticing about me?", "Which first is clearest?"),
    ],
)
def test_shared_frames_are_not_rewordings(a: str, b: str) -> None:
    assert not reworded(content_words(a), content_words(b))


def test_content_words_fold_forms_and_synonyms() -> None:
    assert content_words("What's one little thing that helps you feel closer?") == {"close"}
    assert content_words("Which photos do you keep?") == content_words("Which picture do you keep?")
    assert content_words("When did we argue?") == content_words("When did we have a disagreement?")
    assert content_words("What are you hoping for?") == content_words("What have you hoped for?")


@given(st.text(max_size=80), st.text(max_size=80))
def test_reworded_is_symmetric(a: str, b: str) -> None:
    first, second = content_words(a), content_words(b)
    assert reworded(first, second) == reworded(second, first)
    assert reworded_score(first, second) == reworded_score(second, first)


# --- follow-ups file ---


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('[[follow_up]]\nid = "Ask"\ntext = "Ask more."\ndepth = "any"\n', 2, "id 'Ask' must be"),
        (
            '[[follow_up]]\nid = "ask"\ntext = "Ask more. "\ndepth = "any"\n',
            3,
            "leading or trailing",
        ),
        ('[[follow_up]]\nid = "ask"\ndepth = "any"\n', 1, "text is missing"),
        ('[[follow_up]]\nid = "ask"\ntext = "Ok."\n', 1, "depth is missing"),
        ('[[follow_up]]\nid = "ask"\ntext = "Ok."\ndepth = "medium"\n', 4, "depth 'medium' must"),
        (
            '[[follow_up]]\nid = "ask"\ntext = "Ok."\ndepth = "any"\nwhen = 1\n',
            5,
            "unknown key 'when'",
        ),
        ('title = "x"\n[[follow_up]]\nid = "ask"\ntext = "Ok."\ndepth = "any"\n', 1, "key 'title'"),
        ("follow_up = 3\n", 1, "follow_up must be [[follow_up]] tables"),
        ('[[follow_up]]\nid = "ask"\ntext = "Ok."\n[[follow_up', 4, "TOML syntax error"),
    ],
)
def test_follow_ups_file_rules(tmp_path: Path, body: str, line: int, message: str) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK}, body)
    assert_problem(content_dir, "follow-ups.toml", line, message)


def test_follow_up_ids_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    body = GOOD_FOLLOW_UPS + (
        '\n[[follow_up]]\nid = "ask-one-thing"\ntext = "Say thank you."\ndepth = "any"\n'
    )
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK}, body)
    assert_problem(
        content_dir,
        "follow-ups.toml",
        7,
        "id 'ask-one-thing' is also used at content/follow-ups.toml:2",
    )


def test_follow_up_texts_unique(tmp_path: Path) -> None:
    again = "Ask each other one thing about what you just read!"
    body = GOOD_FOLLOW_UPS + f'\n[[follow_up]]\nid = "again"\ntext = "{again}"\ndepth = "any"\n'
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK}, body)
    assert_problem(content_dir, "follow-ups.toml", 8, "text duplicates the follow-up at")


def test_follow_ups_for_matches_the_question_depth(tmp_path: Path) -> None:
    body = "".join(
        f'[[follow_up]]\nid = "f-{depth}"\ndepth = "{depth}"\ntext = "For {depth}."\n\n'
        for depth in ("light", "any", "deep")
    )
    content = load_content(make_content(tmp_path, {"everyday.toml": GOOD_DECK}, body))
    assert content.follow_ups == ("For light.", "For any.", "For deep.")
    assert content.follow_ups_for(Depth.LIGHT) == ("For light.", "For any.")
    assert content.follow_ups_for(Depth.MEDIUM) == ("For any.",)
    assert content.follow_ups_for(Depth.DEEP) == ("For any.", "For deep.")
    assert [f.depth.value for f in content.general_follow_ups] == ["light", "any", "deep"]


# --- the first week ---


WELCOMES = ("Tea", "Rain", "Socks", "Maps", "Bread", "Kites", "Owls", "Jazz", "Pears")


def first_week_question(n: int, theme: str = "everyday", depth: str = "light") -> str:
    return (
        f'[[question]]\nid = "first-week-{n}"\nidea = "welcome-{n}"\ntheme = "{theme}"\n'
        f'depth = "{depth}"\ntext = "{WELCOMES[n]}?"\n\n'
    )


def write_first_week(content_dir: Path, body: str) -> None:
    (content_dir / "first-week.toml").write_text(body, encoding="utf-8")


def test_first_week_loads_in_order(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK})
    write_first_week(
        content_dir, "".join(first_week_question(n, theme="memories") for n in range(1, 8))
    )
    content = load_content(content_dir)
    assert [q.id for q in content.first_week] == [f"first-week-{n}" for n in range(1, 8)]
    assert {q.theme for q in content.first_week} == {"memories"}
    assert {q.depth for q in content.first_week} == {Depth.LIGHT}
    assert content.by_id("first-week-3") == content.first_week[2]
    assert [q.id for q in content.questions] == ["everyday-001", "everyday-002"]  # not rotated


def test_first_week_is_optional(tmp_path: Path) -> None:
    content = load_content(make_content(tmp_path, {"everyday.toml": GOOD_DECK}))
    assert content.first_week == ()


@pytest.mark.parametrize(
    ("questions", "line", "message"),
    [
        (range(1, 7), None, "the first week has 6 questions; it needs 7"),
        (range(1, 9), None, "the first week has 8 questions; it needs 7"),
    ],
)
def test_first_week_has_seven_questions(
    tmp_path: Path, questions: range, line: int | None, message: str
) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK})
    write_first_week(content_dir, "".join(first_week_question(n) for n in questions))
    assert_problem(content_dir, "first-week.toml", line, message)


@pytest.mark.parametrize(
    ("first", "line", "message"),
    [
        (first_week_question(1, depth="deep"), 5, "first-week questions are light"),
        (first_week_question(1, theme="money"), 4, "unknown theme 'money'"),
        (first_week_question(1).replace('theme = "everyday"\n', ""), 1, "theme is missing"),
    ],
)
def test_first_week_rules(tmp_path: Path, first: str, line: int, message: str) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK})
    write_first_week(content_dir, first + "".join(first_week_question(n) for n in range(2, 8)))
    assert_problem(content_dir, "first-week.toml", line, message)


def test_first_week_cannot_repeat_the_deck(tmp_path: Path) -> None:
    content_dir = make_content(tmp_path, {"everyday.toml": GOOD_DECK})
    repeat = first_week_question(1).replace(
        "Rain?", "What was the best small moment of your day yesterday?"
    )
    write_first_week(content_dir, repeat + "".join(first_week_question(n) for n in range(2, 8)))
    problem = assert_problem(
        content_dir, "prompts/everyday.toml", 8, "text duplicates the question at"
    )
    assert problem.message.endswith("first-week.toml:6")


# --- how long the decks last ---


def test_default_mornings_count_default_themes_only() -> None:
    def many(theme: str, depth: Depth, count: int) -> list[Question]:
        return [
            Question(id=f"{theme}-{depth}-{i}", text="?", depth=depth, theme=theme)
            for i in range(count)
        ]

    content = Content(
        questions=(
            *many("everyday", Depth.LIGHT, 7),
            *many("memories", Depth.MEDIUM, 3),
            *many("closeness", Depth.DEEP, 4),
            *many("long-distance", Depth.LIGHT, 50),  # off by default
        )
    )
    assert content.depth_counts() == {Depth.LIGHT: 7, Depth.MEDIUM: 3, Depth.DEEP: 4}
    # Deep on Wednesdays and Saturdays; 3.5 light and 1.5 medium mornings a week.
    assert default_mornings(content) == {
        Depth.LIGHT: pytest.approx(14),
        Depth.MEDIUM: pytest.approx(14),
        Depth.DEEP: pytest.approx(14),
    }
    assert describe_default_mornings(content) == (
        "Mornings each depth lasts with default settings (deep days Wed, Sat): "
        "light 14, medium 14, deep 14."
    )


# --- the shipped content ---


def test_default_content_dir_ignores_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_content_dir() == Path(__file__).resolve().parents[1] / "content"


def test_shipped_content_is_valid() -> None:
    problems = check_content(default_content_dir())
    assert problems == [], "\n".join(map(str, problems))
    content = load_content(default_content_dir())
    assert len(content.questions) >= 600
    assert len(content.first_week) == 7
    assert {q.depth for q in content.first_week} == {Depth.LIGHT}


def test_shipped_decks_last_400_mornings_at_every_depth() -> None:
    """Default themes, default deep days, the picker's mix: no depth repeats within 400."""
    lasts = default_mornings(load_content(default_content_dir()))
    assert all(mornings >= 400 for mornings in lasts.values()), lasts


def test_shipped_follow_ups_suit_every_depth_and_never_mention_length() -> None:
    content = load_content(default_content_dir())
    for depth in Depth:
        assert len(content.follow_ups_for(depth)) >= 10, depth
    texts = [*content.follow_ups, *(q.follow_up for q in content.questions if q.follow_up)]
    length = re.compile(
        r"\b((short|long|brief) answers?|answers? (was|were|are) (short|long|brief)"
        r"|length|more time to write|word count)\b",
        re.I,
    )
    assert [t for t in texts if length.search(t)] == []


# Words the deck does not use: therapy-speak, and the American spellings of British ones.
AVOIDED = re.compile(
    r"\b(let the thanks land|just receive it|tend to gently|hold (it |them )?with|hold space"
    r"|gentleness|toward|favorite|color|neighbor|behavior|honor)\b",
    re.I,
)


def test_shipped_words_avoid_therapy_speak_and_american_spellings() -> None:
    content = load_content(default_content_dir())
    questions = (*content.questions, *content.first_week)
    texts = [q.text for q in questions] + [q.follow_up for q in questions if q.follow_up]
    assert [t for t in [*texts, *content.follow_ups] if AVOIDED.search(t)] == []


# --- properties ---


@given(st.text())
def test_normalize_question_text_is_idempotent(text: str) -> None:
    once = normalize_question_text(text)
    assert normalize_question_text(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text(max_size=80), st.text(max_size=80))
def test_similar_questions_is_symmetric(a: str, b: str) -> None:
    assert similar_questions(a, b) == similar_questions(b, a)
