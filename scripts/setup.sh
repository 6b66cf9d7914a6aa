#!/usr/bin/env bash
# Sets up what Agent Desktop needs on a Debian/Ubuntu machine, then prints the Python to use.
#   bash scripts/setup.sh app    Qt's X11 libraries and a CJK font, a virtual environment, the app
#   bash scripts/setup.sh test   the same plus Xvfb, and the package with its test extra
# Python packages come only from constraints.txt (the lock: exact versions the suite passed with).
# PYTHON=/path/to/python installs into that interpreter (CI passes a fresh venv); otherwise the
# checkout's .venv is created or reused, so system Pythons under PEP 668 are never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-app}
say() { printf '%s\n' "$*" >&2; }

app_packages=(fonts-noto-cjk libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
              libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
              libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
              libenchant-2-2 hunspell-en-us hunspell-en-gb)
# Request Tracker 5 for tests/rt (a real RT on 127.0.0.1, SQLite; rt5-standalone brings Starlet,
# the pre-forking server rt-server runs with several workers).
test_packages=(xvfb xauth request-tracker5 rt5-db-sqlite rt5-standalone desktop-file-utils appstream)
packages=("${app_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  say "Installing system packages: $*"
  # dbconfig-common asks which database RT's own system instance uses: answer SQLite up front so
  # the install never prompts and never pulls in a MySQL or PostgreSQL client (the tests bring
  # their own database and config; see tests/rt/rt_server.py).
  if [[ " $* " == *" request-tracker5 "* ]] && command -v debconf-set-selections >/dev/null 2>&1; then
    printf '%s\n' 'request-tracker5 request-tracker5/database-type select sqlite3' \
      'request-tracker5 request-tracker5/dbconfig-install boolean true' | $sudo_cmd debconf-set-selections
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] && apt_install "${missing[@]}"
fi

if [ -z "${PYTHON:-}" ]; then
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      rm -rf .venv
      # Debian and Ubuntu ship venv separately (python3.X-venv).
      command -v dpkg >/dev/null 2>&1 && apt_install "python3-venv"
      python3 -m venv .venv
    fi
  fi
  PYTHON=$PWD/.venv/bin/python
fi

extra=""
[ "$mode" = test ] && extra="[test]"
# Reinstall only when the lock, the project or the interpreter changed (an editable build takes seconds).
stamp_dir=$("$PYTHON" -c 'import sys; print(sys.prefix)')
stamp="$stamp_dir/.agent-desktop-$mode.stamp"
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)-$PWD
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "Installing agent-desktop$extra from constraints.txt into $stamp_dir"
  "$PYTHON" -m pip install -qq --disable-pip-version-check -c constraints.txt -e ".$extra" >&2
  echo "$want" > "$stamp"
fi
if [ "$mode" = test ]; then
  # Prism validates the vendor adapters against Chatwoot's and Zendesk's OpenAPI documents
  # (tests/vendors/prism.py): Node.js from Debian when missing, Prism from the npm lock file.
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  "$PYTHON" tests/vendors/prism.py >/dev/null
fi
printf '%s\n' "$PYTHON"
