"""The exchange state machine: any order of answers, edits, passes, shares and duplicate
submits from both partners reveals at most once and never shows a passed answer."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.domain.exchange import (
    Action,
    ExchangeRefusal,
    ExchangeState,
    Outcome,
    Response,
    decide,
    revealable,
)

A, B = 1, 2
PARTNERS = (A, B)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


class Model:
    """An exchange as the store keeps it, driven only by decide()."""

    def __init__(self) -> None:
        self.state = ExchangeState.OPEN
        self.responses: dict[int, Response] = {}
        self.reveals: list[dict[int, str]] = []
        self.shared: list[tuple[int, str]] = []

    def act(self, user: int, action: Action, text: str) -> None:
        decision = decide(self.state, self.responses, user, action, PARTNERS)
        if decision.refusal is not None:
            return
        if decision.save:
            passed = action is Action.PASS
            self.responses[user] = Response(
                user_id=user,
                values={} if passed else {"answer": text},
                passed=passed,
                shared=False,
                created_at=NOW,
                updated_at=NOW,
            )
        if decision.rest and self.state is ExchangeState.OPEN:
            self.state = ExchangeState.RESTING
        if decision.reveal and self.state is ExchangeState.OPEN:  # the conditional UPDATE
            self.state = ExchangeState.REVEALED
            assert revealable(self.responses, PARTNERS)
            self.reveals.append({u: r.values["answer"] for u, r in self.responses.items()})
        if decision.share:
            mine = self.responses[user]
            assert not mine.passed
            self.responses[user] = mine.model_copy(update={"shared": True})
            self.shared.append((user, mine.values["answer"]))


steps = st.lists(
    st.tuples(
        st.sampled_from(PARTNERS),
        st.sampled_from(list(Action)),
        st.sampled_from(["yes", "no", "maybe"]),
    ),
    max_size=12,
)


@settings(max_examples=400)
@given(steps)
def test_any_order_reveals_at_most_once_and_never_a_passed_answer(
    sequence: list[tuple[int, Action, str]],
) -> None:
    model = Model()
    passed_by: set[int] = set()
    for user, action, text in sequence:
        model.act(user, action, text)
        if (
            action is Action.PASS
            and model.responses.get(user, None)
            and model.responses[user].passed
        ):
            passed_by.add(user)
    assert len(model.reveals) <= 1
    if model.reveals:
        assert not passed_by, "nothing is revealed once someone passed"
        assert set(model.reveals[0]) == {A, B}
    for user, _ in model.shared:
        assert user not in passed_by
    assert len(model.shared) == len({user for user, _ in model.shared})  # each shares once


def test_both_answers_reveal_and_edits_before_count() -> None:
    model = Model()
    model.act(A, Action.ANSWER, "first")
    model.act(A, Action.ANSWER, "edited")
    model.act(B, Action.ANSWER, "mine")
    assert model.reveals == [{A: "edited", B: "mine"}]
    model.act(A, Action.ANSWER, "too late")
    assert model.reveals == [{A: "edited", B: "mine"}]


def test_a_pass_rests_and_only_the_author_may_share_their_own() -> None:
    model = Model()
    model.act(A, Action.ANSWER, "mine")
    model.act(B, Action.PASS, "")
    assert model.state is ExchangeState.RESTING and model.reveals == []
    assert decide(model.state, model.responses, B, Action.SHARE, PARTNERS).refusal is (
        ExchangeRefusal.NOTHING_TO_SHARE
    )
    model.act(A, Action.SHARE, "")
    assert model.shared == [(A, "mine")]


def test_outcomes_name_what_happened() -> None:
    responses: dict[int, Response] = {}
    first = decide(ExchangeState.OPEN, responses, A, Action.ANSWER, PARTNERS)
    assert first.outcome is Outcome.SAVED and not first.reveal
    responses[A] = Response(
        user_id=A,
        values={"answer": "x"},
        passed=False,
        shared=False,
        created_at=NOW,
        updated_at=NOW,
    )
    assert decide(ExchangeState.OPEN, responses, A, Action.ANSWER, PARTNERS).outcome is (
        Outcome.UPDATED
    )
    last = decide(ExchangeState.OPEN, responses, B, Action.ANSWER, PARTNERS)
    assert last.outcome is Outcome.REVEALED and last.reveal
    assert decide(ExchangeState.REVEALED, responses, B, Action.ANSWER, PARTNERS).refusal is (
        ExchangeRefusal.REVEALED
    )
