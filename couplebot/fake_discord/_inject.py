"""Interaction injection: what a user does in Discord, sent to the bot as INTERACTION_CREATE."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from couplebot.fake_discord._gateway import Gateway
from couplebot.fake_discord._models import FakeGuild, FakeInteraction, FakeUser
from couplebot.fake_discord._state import MEMBER_PERMISSIONS, World


class Injector:
    """Builds interaction payloads the way Discord would, checked against what the bot
    registered and rendered, and dispatches them over the gateway."""

    def __init__(self, world: World, gateway: Gateway) -> None:
        self._world = world
        self._gateway = gateway

    async def slash(
        self,
        user: FakeUser,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: FakeGuild | None,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        data = self._command_data(command, options or {}, guild, focused=None)
        return await self._inject(user, guild, channel_id, 2, data)

    async def autocomplete(
        self,
        user: FakeUser,
        command: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        guild: FakeGuild | None,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        data = self._command_data(command, options, guild, focused=focused)
        interaction = await self._inject(user, guild, None, 4, data)
        response = await interaction.wait_response(timeout)
        if response.get("type") != 8:
            raise AssertionError(f"bot answered autocomplete with {response!r}")
        choices: list[dict[str, Any]] = response.get("data", {}).get("choices", [])
        return choices

    async def click(
        self,
        user: FakeUser,
        message: Mapping[str, Any],
        custom_id: str,
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        current, component = self._find_component(message, custom_id)
        if component["type"] != 2:
            raise ValueError(f"{custom_id!r} is a type {component['type']} component, not a button")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._inject_component(user, guild, current, data)

    async def select(
        self,
        user: FakeUser,
        message: Mapping[str, Any],
        custom_id: str,
        values: Sequence[str],
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        current, component = self._find_component(message, custom_id)
        if component["type"] != 3:
            raise ValueError(f"{custom_id!r} is not a string select")
        allowed = {o["value"] for o in component.get("options", [])}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"{unknown} are not options of {custom_id!r}: {sorted(allowed)}")
        data = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
        return await self._inject_component(user, guild, current, data)

    async def submit_modal(
        self,
        user: FakeUser,
        modal_from: FakeInteraction,
        values: Mapping[str, str],
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        modal = modal_from.modal
        if modal is None:
            raise ValueError(f"interaction {modal_from.id} was not answered with a modal")
        used: set[str] = set()
        components = [
            submitted
            for top in modal.get("components", [])
            if (submitted := self._submitted_component(top, values, used)) is not None
        ]
        unknown = set(values) - used
        if unknown:
            raise ValueError(f"modal {modal['custom_id']!r} has no inputs {sorted(unknown)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        source = modal_from.payload.get("message")
        current = self._world.message(int(source["id"])) if source else None
        return await self._inject(
            user, guild, modal_from.channel_id, 5, data, message=copy.deepcopy(current)
        )

    def _submitted_component(
        self, component: dict[str, Any], values: Mapping[str, str], used: set[str]
    ) -> dict[str, Any] | None:
        kind = component.get("type")
        result: dict[str, Any] = {"type": kind}
        if "id" in component:
            result["id"] = component["id"]
        if kind == 1:
            result["components"] = [
                s
                for c in component.get("components", [])
                if (s := self._submitted_component(c, values, used)) is not None
            ]
            return result
        if kind == 18:
            inner = self._submitted_component(component["component"], values, used)
            if inner is None:
                return None
            result["component"] = inner
            return result
        custom_id = component.get("custom_id")
        if kind == 4 and custom_id is not None:
            value = values.get(custom_id, component.get("value") or "")
            used.add(custom_id)
            if component.get("required", True) and not value:
                raise ValueError(f"text input {custom_id!r} is required")
            if value and not (
                component.get("min_length", 0) <= len(value) <= component.get("max_length", 4000)
            ):
                raise ValueError(f"text input {custom_id!r}: length {len(value)} out of bounds")
            result.update(custom_id=custom_id, value=value)
            return result
        if kind == 3 and custom_id is not None:
            chosen = [values[custom_id]] if custom_id in values else []
            used.add(custom_id)
            result.update(custom_id=custom_id, values=chosen)
            return result
        if kind == 10 and "id" in component:
            return result
        return None

    def _find_component(
        self, message: Mapping[str, Any], custom_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        current = self._world.message(int(message["id"]))
        if current is None:
            raise ValueError(f"message {message['id']} is not known to the fake")

        def walk(components: list[dict[str, Any]]) -> dict[str, Any] | None:
            for component in components:
                if component.get("custom_id") == custom_id:
                    return component
                for key in ("components",):
                    found = walk(component.get(key) or [])
                    if found is not None:
                        return found
                accessory = component.get("accessory")
                if accessory is not None and accessory.get("custom_id") == custom_id:
                    return dict(accessory)
            return None

        component = walk(current.get("components") or [])
        if component is None:
            raise ValueError(f"message {message['id']} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        return current, component

    async def forge(
        self,
        user: FakeUser,
        kind: int,
        data: dict[str, Any],
        *,
        guild: FakeGuild | None,
        message: Mapping[str, Any] | None = None,
    ) -> FakeInteraction:
        """Inject an interaction with `data` exactly as given, unchecked: for tests of
        forged, stale or malformed payloads (3 = component, 5 = modal submit)."""
        channel_id = int(message["channel_id"]) if message else None
        copied = copy.deepcopy(dict(message)) if message else None
        return await self._inject(user, guild, channel_id, kind, data, message=copied)

    async def _inject_component(
        self,
        user: FakeUser,
        guild: FakeGuild | None,
        message: dict[str, Any],
        data: dict[str, Any],
    ) -> FakeInteraction:
        channel_id = int(message["channel_id"])
        return await self._inject(user, guild, channel_id, 3, data, message=copy.deepcopy(message))

    def _find_command(self, name: str, guild: FakeGuild | None) -> dict[str, Any]:
        candidates = list(self._world.guild_commands.get(guild.id, [])) if guild else []
        candidates += self._world.global_commands
        for registered in candidates:
            if registered["name"] == name and registered.get("type", 1) == 1:
                return registered
        known = sorted(c["name"] for c in candidates)
        raise ValueError(f"no registered slash command {name!r}; registered: {known}")

    def _command_data(
        self,
        command: str,
        options: Mapping[str, Any],
        guild: FakeGuild | None,
        focused: str | None,
    ) -> dict[str, Any]:
        root, *path = command.split()
        registered = self._find_command(root, guild)
        data: dict[str, Any] = {"id": registered["id"], "name": root, "type": 1}
        if registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        container = data
        definitions: list[dict[str, Any]] = registered.get("options") or []
        for part in path:
            sub = next((o for o in definitions if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise ValueError(f"/{command}: no subcommand {part!r}")
            node: dict[str, Any] = {"name": part, "type": sub["type"], "options": []}
            container["options"] = [node]
            container = node
            definitions = sub.get("options") or []
        resolved: dict[str, dict[str, Any]] = {}
        built = []
        for name, value in options.items():
            definition = next((o for o in definitions if o["name"] == name), None)
            if definition is None:
                names = [o["name"] for o in definitions]
                raise ValueError(f"/{command} has no option {name!r}; options: {names}")
            built.append(self._option(definition, value, resolved, guild, name == focused))
        if focused is None:
            missing = [
                o["name"] for o in definitions if o.get("required") and o["name"] not in options
            ]
            if missing:
                raise ValueError(f"/{command}: missing required options {missing}")
        container["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(
        self,
        definition: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild: FakeGuild | None,
        focused: bool,
    ) -> dict[str, Any]:
        kind = definition["type"]
        option: dict[str, Any] = {"name": definition["name"], "type": kind}
        if focused:
            option.update(value=str(value), focused=True)
            return option
        if kind == 6:
            user = value if isinstance(value, FakeUser) else self._world.users[int(value)]
            resolved.setdefault("users", {})[str(user.id)] = user.to_dict()
            if guild is not None and any(m.id == user.id for m in guild.members):
                member = self._world.member(guild, user, with_user=False)
                member["permissions"] = str(MEMBER_PERMISSIONS)
                resolved.setdefault("members", {})[str(user.id)] = member
            option["value"] = str(user.id)
        elif kind == 7:
            channel = self._world.channels[int(value)]
            resolved.setdefault("channels", {})[channel["id"]] = {
                "id": channel["id"],
                "name": channel.get("name"),
                "type": channel["type"],
                "permissions": str(MEMBER_PERMISSIONS),
            }
            option["value"] = channel["id"]
        elif kind in (8, 9):
            option["value"] = str(value)
        else:
            choices = definition.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise ValueError(f"option {definition['name']!r}: {value!r} is not a choice")
            option["value"] = value
        return option

    async def _inject(
        self,
        user: FakeUser,
        guild: FakeGuild | None,
        channel_id: int | None,
        kind: int,
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        interaction_id = self._world.ids.next()
        token = f"fake-interaction-{secrets.token_hex(24)}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self._world.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "app_permissions": str(self._world.app_permissions),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            if not any(m.id == user.id for m in guild.members):
                raise ValueError(f"{user.name} is not a member of {guild.name}")
            channel = self._world.channels[channel_id or guild.channel_id]
            member = self._world.member(guild, user)
            member["permissions"] = str(MEMBER_PERMISSIONS)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member,
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            channel = (
                self._world.channels[channel_id] if channel_id else self._world.dm_channel(user.id)
            )
            payload.update(
                user=user.to_dict(),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        payload["channel_id"] = channel["id"]
        payload["channel"] = copy.deepcopy(channel)
        if message is not None:
            payload["message"] = message
        interaction = FakeInteraction(
            id=interaction_id,
            token=token,
            user=user,
            type=kind,
            channel_id=int(channel["id"]),
            guild_id=guild.id if guild else None,
            payload=payload,
        )
        self._world.interactions[interaction_id] = interaction
        await self._gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction
