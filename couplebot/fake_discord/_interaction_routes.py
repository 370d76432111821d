"""REST handlers for interaction endpoints: the callback, followups and @original edits."""

from __future__ import annotations

import copy
from typing import Any

from couplebot.fake_discord._http import Call, HttpError, invalid_form, unknown
from couplebot.fake_discord._models import EPHEMERAL_FLAG, LOADING_FLAG, FakeInteraction
from couplebot.fake_discord._rest import RestApi
from couplebot.fake_discord._state import World


class InteractionRoutes:
    """The routes a bot answers interactions with (no bot token, exempt from the global limit)."""

    def __init__(self, world: World) -> None:
        self._world = world

    def register(self, api: RestApi) -> None:
        r = api.route
        r(
            "POST",
            "/interactions/{interaction}/{token}/callback",
            self._callback,
            "callback",
            interaction=True,
        )
        r("POST", "/webhooks/{app}/{token}", self._followup, "message", interaction=True)
        hook_message = "/webhooks/{app}/{token}/messages/{message}"
        r("GET", hook_message, self._get_hook_message, interaction=True)
        r("PATCH", hook_message, self._patch_hook_message, "message", interaction=True)
        r("DELETE", hook_message, self._delete_hook_message, interaction=True)

    @staticmethod
    def _reply_snapshot(interaction: FakeInteraction, message: dict[str, Any]) -> None:
        interaction.replies.append(copy.deepcopy(message))

    def _source_message(self, interaction: FakeInteraction) -> dict[str, Any] | None:
        source = interaction.payload.get("message")
        if source is None:
            return None
        return self._world.message(int(source["id"]))

    async def _callback(self, call: Call) -> tuple[int, Any]:
        world = self._world
        interaction = world.interactions.get(int(call.params["interaction"]))
        if interaction is None or interaction.token != call.params["token"]:
            raise unknown("interaction", 10062)
        if interaction.callbacks:
            raise HttpError(400, 40060, "Interaction has already been acknowledged.")
        body = call.body or {}
        kind = body.get("type")
        data = body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind in (4, 5):
            flags = (data.get("flags") or 0) | (LOADING_FLAG if kind == 5 else 0)
            message_type = 20 if interaction.type == 2 else 0
            message = world.new_message(
                interaction.channel_id,
                {**data, "flags": flags} if kind == 5 else data,
                call.files,
                message_type=message_type,
                interaction=interaction,
            )
            if kind == 5:
                message["content"], message["embeds"], message["components"] = "", [], []
        elif kind in (6, 7):
            message = self._source_message(interaction)
            if message is None:
                raise invalid_form("type", "INTERACTION_TYPE_INVALID", "no message to update")
            if kind == 7:
                world.edit(message, data, call.files)
        interaction.callbacks.append(body)
        if message is not None:
            interaction.message = message
            if kind != 6:
                self._reply_snapshot(interaction, message)
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL_FLAG),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["interaction"]["response_message_id"] = message["id"]
            if kind in (4, 5, 7):
                response["resource"]["message"] = copy.deepcopy(message)
        return 200, response

    def _hook_interaction(self, call: Call) -> FakeInteraction:
        if int(call.params["app"]) == self._world.application_id:
            for interaction in self._world.interactions.values():
                if interaction.token == call.params["token"]:
                    return interaction
        raise unknown("Webhook", 10015)

    def _hook_message(self, call: Call) -> tuple[FakeInteraction, dict[str, Any]]:
        interaction = self._hook_interaction(call)
        ref = call.params["message"]
        if ref == "@original":
            if interaction.message is None:
                raise unknown("Message", 10008)
            return interaction, interaction.message
        ours = [m for m in interaction.followups if m["id"] == ref]
        message = self._world.message(int(ref)) if ref.isdigit() else None
        if message is None or not (ours or message is interaction.message):
            raise unknown("Message", 10008)
        return interaction, message

    async def _followup(self, call: Call) -> tuple[int, Any]:
        world = self._world
        interaction = self._hook_interaction(call)
        if not interaction.callbacks:
            raise unknown("Webhook", 10015)
        loading = interaction.message
        if loading is not None and loading["flags"] & LOADING_FLAG:
            # As on Discord, the first followup after a deferral replaces the "thinking" message
            # and keeps its visibility.
            body = {k: v for k, v in (call.body or {}).items() if k != "flags"}
            message = world.edit(loading, body, call.files)
            message["edited_timestamp"] = None
        else:
            message = world.new_message(
                interaction.channel_id, call.body or {}, call.files, interaction=interaction
            )
        interaction.followups.append(copy.deepcopy(message))
        self._reply_snapshot(interaction, message)
        if call.query.get("wait") in ("true", "1", "True"):
            return 200, copy.deepcopy(message)
        return 204, None

    async def _get_hook_message(self, call: Call) -> tuple[int, Any]:
        _, message = self._hook_message(call)
        return 200, copy.deepcopy(message)

    async def _patch_hook_message(self, call: Call) -> tuple[int, Any]:
        interaction, message = self._hook_message(call)
        self._world.edit(message, call.body, call.files)
        for index, followup in enumerate(interaction.followups):
            if followup["id"] == message["id"]:
                interaction.followups[index] = copy.deepcopy(message)
        self._reply_snapshot(interaction, message)
        return 200, copy.deepcopy(message)

    async def _delete_hook_message(self, call: Call) -> tuple[int, Any]:
        _, message = self._hook_message(call)
        self._world.remove(message)
        return 204, None
