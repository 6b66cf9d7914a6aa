#!/usr/bin/env bash
# Refreshes the translation sources from the UI code and compiles the Chinese catalogue.
#   1. pyside6-lupdate scans agent_desktop/ui/**/*.py and agent_desktop/app.py and merges new or
#      changed strings into agent_desktop/resources/i18n/agent_desktop_{zh_CN,en}.ts (strings no longer in the
#      code are dropped: -no-obsolete).
#   2. pyside6-lrelease compiles agent_desktop_zh_CN.ts into agent_desktop_zh_CN.qm, which the app
#      loads at start-up. English shows the source strings, so the en .ts is only a template.
# After adding UI strings: run this, translate the new entries in the zh_CN .ts, run it again.
set -euo pipefail
cd "$(dirname "$0")/.."

I18N=agent_desktop/resources/i18n
ZH_TS="$I18N/agent_desktop_zh_CN.ts"
EN_TS="$I18N/agent_desktop_en.ts"
ZH_QM="$I18N/agent_desktop_zh_CN.qm"

for tool in pyside6-lupdate pyside6-lrelease; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found: pip install PySide6" >&2; exit 1; }
done

mkdir -p "$I18N"
sources=()
while IFS= read -r -d '' file; do
  sources+=("$file")
done < <(find agent_desktop/ui -name '*.py' -print0 | LC_ALL=C sort -z)
sources+=(agent_desktop/app.py)

pyside6-lupdate -no-obsolete -locations relative -source-language en -target-language zh_CN \
  "${sources[@]}" -ts "$ZH_TS"
pyside6-lupdate -no-obsolete -locations relative -source-language en -target-language en \
  "${sources[@]}" -ts "$EN_TS"

pyside6-lrelease "$ZH_TS" -qm "$ZH_QM"
