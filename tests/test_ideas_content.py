"""Idea files: the shipped ideas pass, and each kind of bad input is caught at its file and line."""

from collections import Counter
from pathlib import Path

import pytest

from couplebot.content import (
    ContentError,
    ContentProblem,
    check_content,
    default_content_dir,
    load_content,
    similar_ideas,
)
from couplebot.domain.ideas import Budget, Connection, IdeaKind, Need, Setting

GOOD_DECK = 'theme = "everyday"\n\n[[question]]\nid = "everyday-001"\nidea = "best-moment"\n'
GOOD_DECK += 'depth = "light"\n'
GOOD_DECK += 'text = "What was the best small moment of your day yesterday?"\n'

DATE_FIELDS = {
    "id": '"date-home-001"',
    "title": '"A picnic on the living-room floor"',
    "description": '"Spread a blanket on the floor and eat there. '
    'A change of place feels like an outing."',
    "setting": '"home"',
    "budget": '"free"',
    "minutes": "60",
    "energy": '"calm"',
    "connection": '"talk"',
    "prompt": '"Afterwards, ask each other: what picnic do you remember?"',
}
ACTIVITY_FIELDS = {
    "id": '"activity-home-001"',
    "title": '"A thirty-second hug"',
    "description": '"Hug for thirty seconds without talking. A long hug tells the body a lot."',
    "setting": '"home"',
    "budget": '"free"',
    "minutes": "5",
    "energy": '"calm"',
    "connection": '"touch"',
}


def idea(base: dict[str, str] | None = None, drop: tuple[str, ...] = (), **values: str) -> str:
    """One [[idea]] table: `base` fields (a date by default), with overrides and fields dropped."""
    fields = {**(base or DATE_FIELDS), **values}
    lines = [f"{key} = {value}" for key, value in fields.items() if key not in drop]
    return "[[idea]]\n" + "\n".join(lines) + "\n\n"


def ideas_file(*ideas: str, kind: str = "date") -> str:
    return f'kind = "{kind}"\n\n' + "".join(ideas)


def make_content(tmp_path: Path, files: dict[str, str]) -> Path:
    content = tmp_path / "content"
    (content / "prompts").mkdir(parents=True)
    (content / "prompts" / "everyday.toml").write_text(GOOD_DECK, encoding="utf-8")
    (content / "ideas").mkdir()
    for name, body in files.items():
        (content / "ideas" / name).write_text(body, encoding="utf-8")
    return content


def only_problem(content_dir: Path) -> ContentProblem:
    problems = check_content(content_dir)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def assert_problem(content_dir: Path, file: str, line: int | None, message: str) -> None:
    problem = only_problem(content_dir)
    assert (problem.path, problem.line) == (content_dir / "ideas" / file, line), str(problem)
    assert message in problem.message, str(problem)


# --- the shipped ideas ---


@pytest.fixture(scope="module")
def shipped() -> tuple:
    return load_content(default_content_dir()).ideas


def test_shipped_ideas_have_no_problems() -> None:
    problems = [p for p in check_content(default_content_dir()) if "ideas" in p.path.parts]
    assert problems == []


def test_shipped_ideas_meet_the_counts(shipped: tuple) -> None:
    by_kind = Counter(i.kind for i in shipped)
    assert by_kind[IdeaKind.DATE] >= 150
    assert by_kind[IdeaKind.ACTIVITY] >= 100
    apart = Counter(i.kind for i in shipped if i.setting == Setting.APART)
    assert apart[IdeaKind.DATE] >= 40
    assert apart[IdeaKind.ACTIVITY] >= 30


@pytest.mark.parametrize("kind", list(IdeaKind))
def test_every_setting_has_free_ideas_of_each_kind(shipped: tuple, kind: IdeaKind) -> None:
    free = {i.setting for i in shipped if i.kind == kind and i.budget == Budget.FREE}
    assert free == set(Setting)


@pytest.mark.parametrize("kind", list(IdeaKind))
def test_every_connection_kind_is_offered(shipped: tuple, kind: IdeaKind) -> None:
    assert {i.connection for i in shipped if i.kind == kind} == set(Connection)


def test_shipped_dates_carry_a_prompt_and_activities_fit_an_hour(shipped: tuple) -> None:
    for item in shipped:
        if item.kind == IdeaKind.DATE:
            assert item.prompt and item.prompt.endswith("?"), item.id
        else:
            assert item.prompt is None and 5 <= item.minutes <= 60, item.id


def test_every_active_idea_says_what_body_it_needs(shipped: tuple) -> None:
    for item in shipped:
        if item.energy == "active":
            assert item.needs & {Need.WALKING, Need.MOVING}, item.id


# --- good files load ---


def test_a_good_date_and_activity_load(tmp_path: Path) -> None:
    content = make_content(
        tmp_path,
        {
            "dates.toml": ideas_file(idea(needs='["kitchen"]')),
            "activities.toml": ideas_file(idea(ACTIVITY_FIELDS), kind="activity"),
        },
    )
    loaded = load_content(content).ideas
    assert [i.id for i in loaded] == ["activity-home-001", "date-home-001"]
    date = loaded[1]
    assert date.kind == IdeaKind.DATE and date.minutes == 60
    assert date.needs == frozenset({Need.KITCHEN})
    assert date.prompt == "Afterwards, ask each other: what picnic do you remember?"


def test_no_ideas_directory_means_no_ideas(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    (content / "ideas").rmdir()
    assert check_content(content) == []
    assert load_content(content).ideas == ()


def test_an_empty_ideas_directory_is_a_problem(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    problem = only_problem(content)
    assert problem.path == content / "ideas" and "no idea files" in problem.message


def test_load_content_refuses_bad_ideas(tmp_path: Path) -> None:
    content = make_content(tmp_path, {"dates.toml": ideas_file(idea(budget='"pricey"'))})
    with pytest.raises(ContentError, match=r"dates.toml:8: budget 'pricey' must be one of"):
        load_content(content)


# --- each kind of problem, at its line ---
# In a file built by ideas_file(idea(...)), line 3 is [[idea]] and fields follow in order:
# id 4, title 5, description 6, setting 7, budget 8, minutes 9, energy 10, connection 11,
# prompt 12, then any added key; a second idea starts at line 14.


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (ideas_file(idea(id='"Date_1"')), 4, "must be lowercase letters and digits"),
        (ideas_file(idea(id='"d' + "x" * 40 + '"')), 4, "the limit is 40"),
        (ideas_file(idea(id="7")), 4, "id must be a string, not an integer"),
        (ideas_file(idea(drop=("id",))), 3, "id is missing"),
        (ideas_file(idea(title='"' + "A long title" * 6 + '"')), 5, "the limit is 60"),
        (ideas_file(idea(title='"A picnic indoors."')), 5, "title ends with punctuation"),
        (ideas_file(idea(title='"   "')), 5, "title is empty"),
        (ideas_file(idea(title='" Padded"')), 5, "leading or trailing whitespace"),
        (ideas_file(idea(drop=("title",))), 3, "title is missing"),
        (ideas_file(idea(description='"One. Two. Three. Four."')), 6, "has 4 sentences"),
        (ideas_file(idea(description='"No full stop at the end"')), 6, "must end with a full stop"),
        (ideas_file(idea(description='"' + "Word " * 90 + 'end."')), 6, "the limit is 400"),
        (ideas_file(idea(description='"Go out with @everyone."')), 6, "would ping the server"),
        (ideas_file(idea(description='"Tab\\there."')), 6, "control character U+0009"),
        (ideas_file(idea(description='"What fun this is!"')), 6, "exclamation mark"),
        (ideas_file(idea(description='"Ask your wife along."')), 6, "says 'wife'"),
        (ideas_file(idea(description='"Take the kids too."')), 6, "says 'kids'"),
        (ideas_file(idea(description='"Drive to the coast."')), 6, "says 'Drive'"),
        (ideas_file(idea(description='"Let him choose."')), 6, "says 'him'"),
        (ideas_file(idea(setting='"moon"')), 7, "setting 'moon' must be one of home, out"),
        (ideas_file(idea(budget='"pricey"')), 8, "budget 'pricey' must be one of free, low"),
        (ideas_file(idea(energy='"wild"')), 10, "energy 'wild' must be one of calm, active"),
        (ideas_file(idea(connection='"chat"')), 11, "must be one of talk, play, touch"),
        (ideas_file(idea(drop=("setting",))), 3, "setting is missing"),
        (ideas_file(idea(minutes='"sixty"')), 9, "minutes must be an integer, not a string"),
        (ideas_file(idea(minutes="true")), 9, "minutes must be an integer, not a boolean"),
        (ideas_file(idea(minutes="10")), 9, "a date takes 20 to 720 minutes"),
        (ideas_file(idea(drop=("minutes",))), 3, "minutes is missing"),
        (ideas_file(idea(needs='["jetpack"]')), 13, "unknown need 'jetpack'"),
        (ideas_file(idea(needs='"kitchen"')), 13, "needs must be a list of strings"),
        (ideas_file(idea(needs='["post", "post"]')), 13, "the same thing twice"),
        (ideas_file(idea(energy='"active"')), 10, 'needs "walking" or "moving"'),
        (ideas_file(idea(drop=("prompt",))), 3, "prompt is missing"),
        (ideas_file(idea(prompt='"Talk about it."')), 12, "prompt must end with the question"),
        (ideas_file(idea(colour='"blue"')), 13, "unknown key 'colour'"),
    ],
)
def test_a_bad_date_is_reported_at_its_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    assert_problem(make_content(tmp_path, {"dates.toml": body}), "dates.toml", line, message)


def test_an_active_idea_with_walking_passes(tmp_path: Path) -> None:
    body = ideas_file(idea(energy='"active"', needs='["walking"]'))
    assert check_content(make_content(tmp_path, {"dates.toml": body})) == []


def test_activity_rules(tmp_path: Path) -> None:
    long_activity = ideas_file(idea(ACTIVITY_FIELDS, minutes="90"), kind="activity")
    assert_problem(
        make_content(tmp_path / "a", {"act.toml": long_activity}),
        "act.toml",
        9,
        "an activity takes 5 to 60 minutes",
    )
    with_prompt = ideas_file(idea(ACTIVITY_FIELDS, prompt='"Why?"'), kind="activity")
    assert_problem(
        make_content(tmp_path / "b", {"act.toml": with_prompt}),
        "act.toml",
        12,
        "prompt is for dates",
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (idea(), None, "file has no kind"),
        ('kind = "outing"\n\n' + idea(), 1, 'kind must be "date" or "activity"'),
        ('kind = "date"\ntheme = "x"\n\n' + idea(), 2, "unknown key 'theme'"),
        ('kind = "date"\n', None, "file has no [[idea]] tables"),
        ('kind = "date"\nidea = "x"\n', 2, "idea must be [[idea]] tables, not a string"),
        ('kind = "date"\nidea = [1]\n', 2, "idea must be a table, not an integer"),
        ('kind = "date"\n\n[[idea]]\nid = "a\n', 4, "TOML syntax error"),
    ],
)
def test_a_bad_file_is_reported(tmp_path: Path, body: str, line: int | None, message: str) -> None:
    assert_problem(make_content(tmp_path, {"dates.toml": body}), "dates.toml", line, message)


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    content = make_content(tmp_path, {})
    (content / "ideas" / "dates.toml").write_bytes(b'kind = "date"\n# caf\xe9\n')
    problem = only_problem(content)
    assert problem.line == 2 and "not valid UTF-8" in problem.message


# --- duplicates across files ---


def test_a_repeated_id_names_the_first_use(tmp_path: Path) -> None:
    first = ideas_file(idea())
    second = ideas_file(idea(title='"Cook something new"', description='"Cook a new dish."'))
    content = make_content(tmp_path, {"a.toml": first, "b.toml": second})
    problem = only_problem(content)
    assert (problem.path.name, problem.line) == ("b.toml", 4)
    assert "also used at" in problem.message and "a.toml:4" in problem.message


def test_a_repeated_title_is_a_duplicate(tmp_path: Path) -> None:
    second = idea(id='"date-home-002"', description='"Something else to do. It works."')
    content = make_content(tmp_path, {"dates.toml": ideas_file(idea(), second)})
    problem = only_problem(content)
    assert problem.line == 16 and "title duplicates the idea at" in problem.message
    assert "dates.toml:5" in problem.message


def test_a_reworded_title_is_a_near_duplicate(tmp_path: Path) -> None:
    second = idea(
        id='"date-home-002"',
        title='"Picnic on the living room floor"',
        description='"Something else to do. It works."',
    )
    content = make_content(tmp_path, {"dates.toml": ideas_file(idea(), second)})
    problem = only_problem(content)
    assert problem.line == 16 and "title is nearly the same as the idea at" in problem.message


def test_a_repeated_or_reworded_description_is_caught(tmp_path: Path) -> None:
    copy = idea(id='"date-home-002"', title='"Another title"')
    reworded = idea(
        id='"date-home-003"',
        title='"A third title"',
        description='"Spread out a blanket on your floor and eat there. '
        'A change of place feels like an outing."',
    )
    content = make_content(tmp_path, {"dates.toml": ideas_file(idea(), copy, reworded)})
    problems = check_content(content)
    assert [(p.line, p.message.split(" the idea")[0]) for p in problems] == [
        (17, "description duplicates"),
        (28, "description is nearly the same as"),
    ]


def test_similar_ideas_tells_rewordings_from_different_ideas() -> None:
    assert similar_ideas("Fly a kite on a windy day", "Fly a kite on a windy day.", title=True)
    assert similar_ideas("A walk in the rain", "A walk in the  Rain", title=True)
    assert not similar_ideas("An escape room for two", "An online escape room for two", title=True)
    assert not similar_ideas("A walk in the rain", "A walk in the snow", title=True)
    assert not similar_ideas(
        "Read a poem into a voice memo and send it.",
        "Record a voice letter about a memory and send it.",
        title=False,
    )
