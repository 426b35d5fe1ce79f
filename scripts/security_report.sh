#!/usr/bin/env bash
# Turns the results the attack, fault and fuzz suites record (one TSV file per suite in
# DCT_RESULTS_DIR: area, case, what dct did, PASS/FAIL) into SECURITY.md's tables.
#   scripts/security_report.sh RESULTS_DIR             print the tables (markdown)
#   scripts/security_report.sh RESULTS_DIR SECURITY.md replace the part between the
#                                                      security-results markers in SECURITY.md
set -euo pipefail
dir=${1:?usage: security_report.sh RESULTS_DIR [SECURITY.md]}
readme=${2:-}

tables() {
  local suite title file total failed
  for suite in attacks faults fuzz; do
    file=$dir/$suite.tsv
    [[ -s $file ]] || continue
    case $suite in
      attacks) title="Attacks (forged, stale and malformed trust data served to dct, and servers after credentials)" ;;
      faults) title="Faults (network, credentials, disk, concurrent and killed processes)" ;;
      fuzz) title="Inputs (fuzzing and memory checking)" ;;
    esac
    total=$(wc -l <"$file")
    failed=$(awk -F'\t' '$4 != "PASS"' "$file" | wc -l)
    echo "**$title**: $total cases, $((total - failed)) as expected."
    echo
    echo "| area | case | what dct did | result |"
    echo "|---|---|---|---|"
    # Markdown cells: pipes escaped, one line each.
    awk -F'\t' '{ for (i = 1; i <= 4; i++) gsub(/\|/, "\\|", $i);
                  printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$file"
    echo
  done
  local commit
  commit=$(git -C "$(dirname "${BASH_SOURCE[0]}")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
  echo "Recorded by \`scripts/test.sh\` on $(date -u +%Y-%m-%d) at commit $commit."
}

if [[ -z $readme ]]; then
  tables
  exit 0
fi
begin='<!-- security-results:begin -->'
end='<!-- security-results:end -->'
grep -qF "$begin" "$readme" && grep -qF "$end" "$readme" ||
  { echo "security_report.sh: $readme has no $begin ... $end section" >&2; exit 1; }
generated=$(mktemp)
tables >"$generated"
tmp=$(mktemp)
awk -v b="$begin" -v e="$end" -v f="$generated" '
  $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
  $0 == e { skip = 0 }
  !skip { print }' "$readme" >"$tmp"
cat "$tmp" >"$readme"
rm -f "$tmp" "$generated"
