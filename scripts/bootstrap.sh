# Sourced by the other scripts: make .venv with the pinned dependencies, once per change
# of pyproject.toml. Needs only Python 3.11+ and pip.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "couplebot needs Python 3.11 or newer as '$python' (set PYTHON=...)." >&2
    exit 2
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${COUPLEBOT_EXTRAS:-test}"
if [ ! -f "$stamp" ]; then
    echo "Setting up .venv (first run only)..." >&2
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[${COUPLEBOT_EXTRAS:-test}]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
