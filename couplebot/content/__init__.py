"""Question decks and ideas: loading and checking the shipped content."""

from couplebot.content.decks import (
    Content,
    ContentError,
    check_content,
    default_content_dir,
    default_mornings,
    describe_default_mornings,
    load_content,
    normalize_question_text,
    similar_questions,
)
from couplebot.content.fields import MAX_ID_LENGTH, ContentProblem
from couplebot.content.ideas import IdeaChecker, similar_ideas
from couplebot.content.similarity import content_words, reworded, reworded_score

__all__ = [
    "MAX_ID_LENGTH",
    "Content",
    "ContentError",
    "ContentProblem",
    "IdeaChecker",
    "check_content",
    "content_words",
    "default_content_dir",
    "default_mornings",
    "describe_default_mornings",
    "load_content",
    "normalize_question_text",
    "reworded",
    "reworded_score",
    "similar_ideas",
    "similar_questions",
]
