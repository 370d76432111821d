"""Running as a service: the systemd unit and the container image.

The image test needs a Docker daemon (and Docker Hub for the base image); without one it
is skipped, saying why. The unit is checked with systemd-analyze where systemd is present.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from couplebot.fake_discord import FakeDiscord

from .conftest import Couple

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "couplebot.service"


def test_the_systemd_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    couplebot = Path(sys.executable).with_name("couplebot")
    unit = tmp_path / "couplebot.service"
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/opt/couplebot/bin/couplebot run" in text
    unit.write_text(text.replace("/opt/couplebot/bin/couplebot", str(couplebot)), encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "couplebot.service" in line  # other units on this machine are not ours to judge
    ]
    assert problems == [], problems
    for setting in ("Restart=on-failure", "StateDirectory=couplebot", "User=couplebot"):
        assert setting in text


def _docker_unavailable() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "the docker command is not installed"
    try:
        info = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "the Docker daemon did not answer within 30 s"
    if info.returncode != 0 or not info.stdout.strip():
        return f"no Docker daemon to talk to ({info.stderr.strip().splitlines()[-1:]})"
    return None


def docker(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def image() -> str:
    reason = _docker_unavailable()
    if reason is not None:
        pytest.skip(f"Docker image not tested: {reason}")
    tag = f"couplebot-test:{uuid.uuid4().hex[:8]}"
    built = docker("build", "-t", tag, str(ROOT))
    if built.returncode != 0 and "pull" in built.stderr.lower():
        pytest.skip(f"the base image could not be pulled: {built.stderr.strip()[-300:]}")
    assert built.returncode == 0, built.stderr
    yield tag
    docker("image", "rm", "-f", tag, timeout=120)


@pytest.mark.slow
def test_the_image_runs_the_cli_as_a_non_root_user(image: str) -> None:
    version = docker("run", "--rm", image, "--version")
    assert version.returncode == 0 and version.stdout.startswith("couplebot "), version.stderr
    assert docker("run", "--rm", "--entrypoint", "id", image, "-u").stdout.strip() == "10001"
    demo = docker("run", "--rm", image, "demo", timeout=300)
    assert demo.returncode == 0 and "You've both answered" in demo.stdout, demo.stderr
    inspected = docker("inspect", "--format", "{{json .Config.Healthcheck.Test}}", image)
    assert '"couplebot","status"' in inspected.stdout.replace(" ", "")


@pytest.mark.slow
async def test_the_container_serves_reports_healthy_and_stops_on_sigterm(
    image: str, fake: FakeDiscord, couple: Couple
) -> None:
    name = f"couplebot-test-{uuid.uuid4().hex[:8]}"
    volume = f"{name}-data"
    started = await asyncio.to_thread(
        docker,
        "run", "-d", "--name", name, "--network", "host", "-v", f"{volume}:/data",
        "-e", f"DISCORD_TOKEN={fake.token}",
        "-e", f"COUPLEBOT_DISCORD_API_BASE={fake.api_base}",
        "-e", f"COUPLEBOT_DISCORD_GATEWAY_URL={fake.gateway_url}",
        image,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    try:
        await fake.wait_until(lambda: fake.identify_count >= 1, timeout=60)
        status = await asyncio.to_thread(docker, "exec", name, "couplebot", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "health        ok" in status.stdout
        stopped = await asyncio.to_thread(docker, "stop", "--time", "20", name)
        assert stopped.returncode == 0, stopped.stderr
        code = await asyncio.to_thread(docker, "inspect", "--format", "{{.State.ExitCode}}", name)
        assert code.stdout.strip() == "0", (await asyncio.to_thread(docker, "logs", name)).stderr
    finally:
        await asyncio.to_thread(docker, "rm", "-f", name)
        await asyncio.to_thread(docker, "volume", "rm", "-f", volume)
