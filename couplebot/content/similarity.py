"""When two questions are the same question: exact copies, light rewordings, and rewordings
that keep the content words (after stop words, word forms and a few synonyms are folded).

Two checks, from strict to broad:
- `Fingerprint.matches`: the same words, nearly in the same order ("…your day?" /
  "…your day today?"). Used for the couple's own questions too.
- `reworded`: the same content words in other words or another order ("one little thing
  I could do today so you feel closer" / "a small thing I could do this week so you feel
  more connected"). Scored with rapidfuzz's token_set_ratio on the folded words.
Neither can see two questions with the same idea and no words in common; that is what
the decks' `idea` keys are for.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from rapidfuzz import fuzz

# --- light rewordings: the word sequences are alike, and the content words (minus stop
# words) overlap by Jaccard >= 0.8 with one set holding the other, or by >= 0.9. An added
# or dropped word rarely changes a question; a swapped one usually does ("felt most
# chosen by me" / "felt most understood by me").
_NEAR_TOKEN_JACCARD = Fraction(4, 5)
_NEAR_SWAP_JACCARD = Fraction(9, 10)
_NEAR_WORD_RATIO = 0.8
_CONTRACTION = re.compile(r"(?<=[^\W_])(n't|'re|'ve|'ll|'d|'m|'s)\b")
_EXPANSIONS = {
    "n't": " not",
    "'re": " are",
    "'ve": " have",
    "'ll": " will",
    "'d": " would",
    "'m": " am",
    "'s": "",  # is, has or possessive: all dropped
}
_STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "from", "and", "or"}
    | {"is", "are", "was", "were", "be", "been", "do", "does", "did", "that", "it"}
)

# --- rewordings in other words: at least two content words in common, making up at
# least 2/5 of the two questions' content words together, and a token_set_ratio of at
# least 80. Tuned on the shipped decks and on planted rewordings (tests/test_content.py):
# looser, and distinct questions on one theme start to match ("a little better", "after
# a disagreement"); stricter, and "one little thing … closer" / "a small thing … more
# connected" slips through.
REWORDED_MIN_SHARED = 2
REWORDED_MIN_JACCARD = Fraction(2, 5)
REWORDED_MIN_SCORE = 80.0

# Words that frame a question rather than say what it is about.
_FRAME_TEXT = """
    i me my mine myself you your yours yourself we us our ours ourselves they them their
    someone anyone anything something everything nothing one ones other each both
    what when which who whom whose how where why whether if than then so as such
    this these those there here it its that
    a an the of to in on at for with from by about into out up over off through
    and or but not no nor also too very really just even still ever only quite
    is are was were be been being am do does did doing done have has had having
    would could should will can may might must shall let lets
    get gets got make makes made feel feels felt find found know think thought
    want wants wish hope like likes thing things way ways kind sort bit lot
    help helps helped helping feeling feelings week two
    small little tiny good better easy easier easiest after before around everyday ordinary
    more most much many some any all every few less least own
    today tonight now lately recently often usually sometimes always yet again
    maybe perhaps else whatever whenever s
"""
_FRAME_WORDS = frozenset(_FRAME_TEXT.split())

# Words folded into one concept before comparing. Kept to plain, unambiguous families.
_CONCEPTS: dict[str, tuple[str, ...]] = {
    "close": ("closer", "closest", "closeness", "connected", "connection", "connect", "near"),
    "laugh": ("laughing", "laughed", "laughs", "funny", "funniest", "joke", "jokes"),
    "disagree": ("disagreement", "disagreements", "argue", "argued", "argument", "fight"),
    "hard": ("hardest", "harder", "difficult", "tough"),
    "safe": ("safer", "safely", "secure", "safety"),
    "photo": ("photos", "photograph", "picture", "pictures"),
    "word": ("words", "phrase", "phrases"),
    "remember": ("remembered", "memory", "memories", "recall"),
    "apart": ("far", "distant", "distance", "away"),
    "care": ("cared", "caring", "cares"),
    "happy": ("glad", "happier", "happiest"),
    "favourite": ("favorite",),
}
_CONCEPT_OF = {word: concept for concept, words in _CONCEPTS.items() for word in words}


@dataclass(frozen=True)
class Fingerprint:
    key: str  # lowercase words, contractions expanded: equal keys are exact duplicates
    words: tuple[str, ...]
    tokens: frozenset[str]  # words minus stop words
    content: frozenset[str]  # content words, folded: what `reworded` compares

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        words = _words(text)
        return cls(
            " ".join(words),
            words,
            frozenset(words) - _STOP_WORDS,
            frozenset(
                folded
                for folded in (_fold(word) for word in words if word not in _FRAME_WORDS)
                if folded not in _FRAME_WORDS
            ),
        )

    def matches(self, other: Fingerprint) -> str | None:
        """'exact', 'near' (a light rewording) or None."""
        if self.key and self.key == other.key:
            return "exact"
        union = len(self.tokens | other.tokens)
        shared = len(self.tokens & other.tokens)
        if not union or not _reaches(shared, union, _NEAR_TOKEN_JACCARD):
            return None
        nested = shared in (len(self.tokens), len(other.tokens))
        if not nested and not _reaches(shared, union, _NEAR_SWAP_JACCARD):
            return None
        # difflib's ratio can depend on argument order: fix the order to stay symmetric.
        first, second = sorted((self.words, other.words))
        matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
        if (
            matcher.real_quick_ratio() >= _NEAR_WORD_RATIO
            and matcher.quick_ratio() >= _NEAR_WORD_RATIO
            and matcher.ratio() >= _NEAR_WORD_RATIO
        ):
            return "near"
        return None


def content_words(text: str) -> frozenset[str]:
    """The words that say what a question is about, folded: "What's one little thing that
    helps you feel closer?" -> {"small", "close"}."""
    return Fingerprint.of(text).content


def reworded_score(a: frozenset[str], b: frozenset[str]) -> float:
    """0-100: how much of two sets of content words is the same (rapidfuzz token_set_ratio).

    Word sets are compared as sorted, space-joined strings, so a word in both counts in
    full and a near form of a word ("holiday" / "holidays") still counts in part.
    """
    return float(fuzz.token_set_ratio(" ".join(sorted(a)), " ".join(sorted(b))))


def reworded(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when two questions' content words say the same thing in other words."""
    shared = len(a & b)
    if shared < REWORDED_MIN_SHARED or not _reaches(shared, len(a | b), REWORDED_MIN_JACCARD):
        return False
    return reworded_score(a, b) >= REWORDED_MIN_SCORE


def reworded_pairs(word_sets: Sequence[frozenset[str]]) -> list[tuple[int, int]]:
    """Every (i, j), i < j, where the two sets are `reworded`, in order.

    Only pairs with enough words in common are scored: an index from each word to the
    sets holding it finds them without comparing every pair.
    """
    holders: dict[str, list[int]] = {}
    for index, words in enumerate(word_sets):
        for word in words:
            holders.setdefault(word, []).append(index)
    pairs: list[tuple[int, int]] = []
    for index, words in enumerate(word_sets):
        shared = Counter(other for word in words for other in holders[word] if other > index)
        pairs.extend(
            (index, other)
            for other, count in sorted(shared.items())
            if count >= REWORDED_MIN_SHARED and reworded(words, word_sets[other])
        )
    return pairs


def near_duplicates(fingerprints: Sequence[Fingerprint]) -> dict[int, int]:
    """Index of each text that lightly rewords an earlier one -> the earliest such one.

    Prefix filtering: if two token sets reach the Jaccard threshold, each shares at least
    one token with the other's few rarest tokens, so only those are probed.
    """
    holders: dict[str, list[int]] = {}
    for index, fingerprint in enumerate(fingerprints):
        for token in fingerprint.tokens:
            holders.setdefault(token, []).append(index)
    found: dict[int, int] = {}
    threshold = _NEAR_TOKEN_JACCARD
    for index, fingerprint in enumerate(fingerprints):
        tokens = sorted(fingerprint.tokens, key=lambda t: (len(holders[t]), t))
        fewest_shared = -(-len(tokens) * threshold.numerator // threshold.denominator)  # ceil
        prefix = len(tokens) - fewest_shared + 1
        candidates = {other for token in tokens[:prefix] for other in holders[token]}
        for other in sorted(candidates):
            if other >= index:
                break
            if fingerprint.matches(fingerprints[other]) == "near":
                found[index] = other
                break
    return found


def _words(text: str) -> tuple[str, ...]:
    text = text.casefold().replace("’", "'").replace("can't", "can not")
    text = text.replace("won't", "will not").replace("cannot", "can not")
    text = _CONTRACTION.sub(lambda match: _EXPANSIONS[match[1]], text)
    return tuple(re.findall(r"[^\W_]+", text.replace("'", "")))


def _fold(word: str) -> str:
    """One form per word family: a concept, or a light English stem ("hoped" -> "hop")."""
    if word in _CONCEPTS or word in _CONCEPT_OF:
        return _CONCEPT_OF.get(word, word)
    stem = word
    if stem.endswith("ies") and len(stem) > 4:
        stem = stem[:-3] + "y"
    elif stem.endswith("es") and len(stem) > 4 and stem[-3] in "sxzh":
        stem = stem[:-2]
    elif stem.endswith("s") and not stem.endswith("ss") and len(stem) > 3:
        stem = stem[:-1]
    for suffix in ("ing", "ed"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            stem = stem[: -len(suffix)]
            if stem[-1] == stem[-2] and stem[-1] not in "aeiouy" + "lsfz":
                stem = stem[:-1]  # planned -> plan
            break
    if stem.endswith("e") and len(stem) > 3:
        stem = stem[:-1]
    return _CONCEPT_OF.get(stem, stem)


def _reaches(part: int, whole: int, threshold: Fraction) -> bool:
    return part * threshold.denominator >= threshold.numerator * whole
