"""Validate request bodies against Discord's OpenAPI spec, plus limits the spec misses."""

from __future__ import annotations

import copy
import functools
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

try:  # the optional `validation` extra; without it the fake checks only Discord's limits
    import jsonschema
    import jsonschema.validators
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError:
    VALIDATION_AVAILABLE = False
else:
    VALIDATION_AVAILABLE = True

log = logging.getLogger(__name__)

SPEC_URI = "urn:discord-api-spec"
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Keys discord.py 2.7 always sends where the spec does not list them, and Discord accepts:
# command `nsfw`, `tts` on message edits and interaction updates, embed `flags`.
SPEC_OMITTED_KEYS = frozenset({"nsfw", "tts", "flags"})

# An error location: keys and list indexes from the body root.
ErrorPath = tuple[str | int, ...]


@dataclass(frozen=True)
class BodyError:
    path: ErrorPath
    message: str

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.path) or "<body>"
        return f"{where}: {self.message}"


def _strict_properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    """`properties` that also rejects keys the schema does not list."""
    yield from jsonschema._keywords.properties(validator, properties, instance, schema)
    if not validator.is_type(instance, "object"):
        return
    if "additionalProperties" in schema or "patternProperties" in schema:
        return
    for key in instance:
        if key not in properties and key not in SPEC_OMITTED_KEYS:
            yield jsonschema.ValidationError(
                f"unknown key {key!r}", path=[key], validator="properties", instance=instance
            )


_StrictValidator: Any = (
    jsonschema.validators.extend(
        jsonschema.Draft202012Validator, {"properties": _strict_properties}
    )
    if VALIDATION_AVAILABLE
    else None
)


def _accept_integer_snowflakes(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    original = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [original, {"type": "integer", "minimum": 0}]}


@dataclass(frozen=True)
class _Operation:
    template: str
    pattern: re.Pattern[str]
    literal_chars: int
    body_pointers: dict[str, str]  # method -> JSON pointer of the JSON body schema


class SpecValidator:
    """Maps (method, path) to a spec operation and validates JSON bodies against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        document = copy.deepcopy(document)
        _accept_integer_snowflakes(document)
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._operations: list[_Operation] = []
        self._validators: dict[str, Any] = {}
        for template, item in document["paths"].items():
            pointers: dict[str, str] = {}
            for method in _HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                content = (operation.get("requestBody") or {}).get("content", {})
                if "application/json" in content:
                    pointer = "/".join(
                        _escape(part)
                        for part in (
                            "paths",
                            template,
                            method,
                            "requestBody",
                            "content",
                            "application/json",
                            "schema",
                        )
                    )
                    pointers[method.upper()] = "/" + pointer
                else:
                    pointers[method.upper()] = ""
            regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            self._operations.append(
                _Operation(
                    template=template,
                    pattern=re.compile(f"^{regex}$"),
                    literal_chars=len(re.sub(r"\{[^/]+?\}", "", template)),
                    body_pointers=pointers,
                )
            )

    def find_operation(self, method: str, path: str) -> tuple[str, str | None] | None:
        """(template, body schema pointer or None) for the best matching operation."""
        matches = [
            op
            for op in self._operations
            if method.upper() in op.body_pointers and op.pattern.match(path)
        ]
        if not matches:
            return None
        best = max(matches, key=lambda op: op.literal_chars)
        return best.template, best.body_pointers[method.upper()] or None

    def validate(self, pointer: str, body: Any) -> list[BodyError]:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = _StrictValidator(
                {"$ref": f"{SPEC_URI}#{quote(pointer, safe='/~')}"}, registry=self._registry
            )
            self._validators[pointer] = validator
        errors = list(validator.iter_errors(body))
        if not errors:
            return []
        best = _most_specific(max(errors, key=jsonschema.exceptions.relevance))
        return [BodyError(tuple(best.absolute_path), best.message)]


def _branch_mismatched(errors: list[Any]) -> bool:
    """A oneOf/anyOf branch that is plainly for another shape (null, other `type` tag)."""
    for error in errors:
        path = list(error.relative_path)
        if path == ["type"] or (not path and error.validator in ("type", "const", "enum")):
            return True
    return False


def _most_specific(error: Any) -> Any:
    """Descend into the union branch that was meant, so the message names the real problem."""
    if not error.context:
        return error
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    meant = [errs for errs in branches.values() if not _branch_mismatched(errs)]
    if not meant:
        return error
    chosen = min(meant, key=len)
    return _most_specific(max(chosen, key=jsonschema.exceptions.relevance))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@functools.cache
def load_spec_validator(path: Path) -> SpecValidator:
    """One validator per spec file, shared by every FakeDiscord in the process."""
    with path.open(encoding="utf-8") as handle:
        return SpecValidator(json.load(handle))


SPEC_ENV_VAR = "COUPLEBOT_DISCORD_SPEC"
# Where the spec is: a path, None for no validation, or "default" for default_spec_path().
SpecPath = Path | None | Literal["default"]
_warned_spec_paths: set[str] = set()


def default_spec_path() -> Path:
    """The spec in ../shared beside the checkout (COUPLEBOT_DISCORD_SPEC overrides it via
    Settings.discord_spec, which callers pass in as spec_path)."""
    return Path(__file__).resolve().parents[3] / "shared/discord-api-spec/openapi.json"


def resolve_spec(spec_path: SpecPath) -> SpecValidator | None:
    """The validator for spec_path, or None (warned once per path) when the file is missing."""
    if spec_path is None:
        return None
    if not VALIDATION_AVAILABLE:
        if "jsonschema" not in _warned_spec_paths:
            _warned_spec_paths.add("jsonschema")
            log.warning(
                "jsonschema is not installed (pip install 'couplebot[validation]'): "
                "fake Discord runs without validation"
            )
        return None
    path = default_spec_path() if spec_path == "default" else Path(spec_path)
    if not path.is_file():
        if str(path) not in _warned_spec_paths:
            _warned_spec_paths.add(str(path))
            log.warning(
                "Discord API spec not found at %s: fake Discord runs without validation", path
            )
        return None
    return load_spec_validator(path.resolve())


# Discord limits the spec does not express.

MESSAGE_CONTENT_MAX = 2000
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
CUSTOM_ID_MAX = 100


def _is_valid_command_name(name: str) -> bool:
    if not 1 <= len(name) <= 32 or name != name.lower():
        return False
    return all(ch in "-_" or unicodedata.category(ch)[0] in ("L", "N") for ch in name)


def _walk_components(
    components: Any, path: ErrorPath
) -> Iterator[tuple[dict[str, Any], ErrorPath]]:
    if not isinstance(components, list):
        return
    for index, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        here = (*path, index)
        yield component, here
        yield from _walk_components(component.get("components"), (*here, "components"))
        inner = component.get("component")
        if isinstance(inner, dict):
            yield inner, (*here, "component")
            yield from _walk_components(inner.get("components"), (*here, "component", "components"))
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield accessory, (*here, "accessory")


def _embed_length(embed: dict[str, Any]) -> int:
    total = 0
    for key in ("title", "description"):
        total += len(embed.get(key) or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        if isinstance(field, dict):
            total += len(field.get("name") or "") + len(field.get("value") or "")
    return total


def message_limit_errors(body: Any, path: ErrorPath = ()) -> list[BodyError]:
    """Limits on a message-shaped body (create, edit, interaction reply, followup)."""
    if not isinstance(body, dict):
        return []
    errors: list[BodyError] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > MESSAGE_CONTENT_MAX:
        errors.append(
            BodyError(
                (*path, "content"),
                f"Must be {MESSAGE_CONTENT_MAX} or fewer in length (got {len(content)}).",
            )
        )
    embeds = body.get("embeds")
    if isinstance(embeds, list):
        total = sum(_embed_length(e) for e in embeds if isinstance(e, dict))
        if total > EMBED_TOTAL_MAX:
            errors.append(
                BodyError(
                    (*path, "embeds"),
                    f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total}).",
                )
            )
    errors.extend(_component_limit_errors(body.get("components"), (*path, "components")))
    return errors


def modal_limit_errors(body: Any, path: ErrorPath = ()) -> list[BodyError]:
    if not isinstance(body, dict):
        return []
    errors = _component_limit_errors(body.get("components"), (*path, "components"))
    custom_id = body.get("custom_id")
    if isinstance(custom_id, str) and len(custom_id) > CUSTOM_ID_MAX:
        errors.append(BodyError((*path, "custom_id"), "custom_id longer than 100."))
    return errors


def _component_limit_errors(components: Any, path: ErrorPath) -> list[BodyError]:
    errors: list[BodyError] = []
    if isinstance(components, list):
        rows = [c for c in components if isinstance(c, dict) and c.get("type") == 1]
        if len(rows) > ACTION_ROWS_MAX:
            errors.append(
                BodyError(
                    path, f"Must be {ACTION_ROWS_MAX} or fewer action rows (got {len(rows)})."
                )
            )
    for component, where in _walk_components(components, path):
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str) and len(custom_id) > CUSTOM_ID_MAX:
            errors.append(
                BodyError((*where, "custom_id"), f"Must be {CUSTOM_ID_MAX} or fewer in length.")
            )
    return errors


def command_limit_errors(command: Any, path: ErrorPath = ()) -> list[BodyError]:
    """Names and descriptions of a chat-input command and its options."""
    if not isinstance(command, dict) or command.get("type", 1) != 1:
        return []
    return _named_item_errors(command, path)


def _named_item_errors(item: dict[str, Any], path: ErrorPath) -> list[BodyError]:
    errors: list[BodyError] = []
    name = item.get("name")
    if not isinstance(name, str) or not _is_valid_command_name(name):
        errors.append(
            BodyError(
                (*path, "name"),
                f"Invalid name {name!r}: want ^[-_\\p{{L}}\\p{{N}}]{{1,32}}$, lowercase.",
            )
        )
    description = item.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 100:
        errors.append(BodyError((*path, "description"), "Description must be 1 to 100 characters."))
    for index, option in enumerate(item.get("options") or []):
        if isinstance(option, dict):
            errors.extend(_named_item_errors(option, (*path, "options", index)))
    return errors
