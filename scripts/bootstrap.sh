# Sourced by the other scripts: make a venv with the pinned dependencies (constraints.txt),
# once per change of pyproject.toml or constraints.txt. Needs only Python 3.11+ and pip.
#   PYTHON=python3.12 COUPLEBOT_VENV=.venv-3.12 source scripts/bootstrap.sh
#   COUPLEBOT_EXTRAS=validation   (default: test; "none" for the bot alone)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
venv="${COUPLEBOT_VENV:-.venv}"
extras="${COUPLEBOT_EXTRAS:-test}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "couplebot needs Python 3.11 or newer as '$python' (set PYTHON=...)." >&2
    exit 2
fi
target="."
[ "$extras" = "none" ] || target=".[${extras}]"
stamp="$venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-${extras}"
if [ ! -f "$stamp" ]; then
    echo "Setting up $venv (first run only)..." >&2
    "$python" -m venv "$venv"
    # pip's and setuptools' chatter goes to a log, shown only when the install fails.
    if ! { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \
        && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            -c constraints.txt -e "$target"; } >"$venv/install.log" 2>&1; then
        cat "$venv/install.log" >&2
        echo "Installing into $venv failed (the log above is in $venv/install.log)." >&2
        exit 1
    fi
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
