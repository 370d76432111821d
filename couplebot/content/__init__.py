"""Question decks: loading and checking the shipped content."""

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

__all__ = [
    "MAX_ID_LENGTH",
    "Content",
    "ContentError",
    "ContentProblem",
    "check_content",
    "default_content_dir",
    "load_content",
    "normalize_question_text",
    "similar_questions",
]
