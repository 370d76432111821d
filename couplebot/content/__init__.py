"""Question decks and ideas: loading and checking the shipped content."""

from couplebot.content.decks import (
    MAX_ID_LENGTH,
    Content,
    ContentError,
    ContentProblem,
    check_content,
    default_content_dir,
    load_content,
    normalize_question_text,
    similar_questions,
)
from couplebot.content.ideas import IdeaChecker, similar_ideas

__all__ = [
    "MAX_ID_LENGTH",
    "Content",
    "ContentError",
    "ContentProblem",
    "IdeaChecker",
    "check_content",
    "default_content_dir",
    "load_content",
    "normalize_question_text",
    "similar_ideas",
    "similar_questions",
]
