#!/usr/bin/env bash
# Build (or update) the shared Python environment the hub, every user's server and the
# grader run from:  make-venv.sh VENV COURSE_CHECKOUT [--course-only]
#
# * built from Debian's /usr/bin/python3, so any user can run it (a Python under /root is not);
# * the course (calc_helpers, autograder) installed NON-editable: students' kernels and the
#   hidden tests import it from the venv's own site-packages, never from a checkout;
# * JupyterHub (for jupyterhub-singleuser), nbgrader's lab extension enabled for everyone;
# * the students' Jupyter config in <venv>/etc/jupyter (Assignment List only, the course id and
#   the exchange); the formgrader service gets grader/ through JUPYTER_CONFIG_PATH (the hub sets it).
# --course-only reinstalls just the course package (after `git pull` in the checkout).
# Everything ends world-readable. Idempotent: run it again to update.
set -euo pipefail

VENV=${1:?usage: make-venv.sh VENV COURSE_CHECKOUT [--course-only]}
SRC=$(cd "${2:?usage: make-venv.sh VENV COURSE_CHECKOUT [--course-only]}" && pwd)
MODE=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${DFML_BASE_PYTHON:-/usr/bin/python3}
JUPYTERHUB_SPEC=${DFML_JUPYTERHUB_SPEC:-jupyterhub>=5.2,<6}

umask 022
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi

# Build from a clean copy of the package files: a non-editable build in the checkout would
# leave build/ and *.egg-info/ behind in it.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r "$SRC/pyproject.toml" "$SRC/README.md" "$SRC/calc_helpers" "$SRC/autograder" "$stage/"
find "$stage" -name __pycache__ -prune -exec rm -rf {} +

if [ "$MODE" = "--course-only" ]; then
  "$VENV/bin/python" -m pip install --quiet --no-deps --force-reinstall "$stage"
else
  "$VENV/bin/python" -m pip install --quiet "$stage" "$JUPYTERHUB_SPEC"
  "$VENV/bin/python" -m pip install --quiet --no-deps --force-reinstall "$stage"
fi
"$VENV/bin/jupyter" labextension enable --level=sys_prefix @jupyter/nbgrader >/dev/null

# What every user gets (students): see student/
mkdir -p "$VENV/etc/jupyter/labconfig"
install -m 0644 "$HERE/student/jupyter_server_config.json" "$VENV/etc/jupyter/"
install -m 0644 "$HERE/student/nbgrader_config.py" "$VENV/etc/jupyter/"
install -m 0644 "$HERE/student/labconfig/page_config.json" "$VENV/etc/jupyter/labconfig/"
# What the formgrader service gets: see grader/ (JUPYTER_CONFIG_PATH of the service)
mkdir -p "$VENV/etc/dfml-grader/labconfig"
install -m 0644 "$HERE/grader/jupyter_server_config.json" "$VENV/etc/dfml-grader/"
install -m 0644 "$HERE/grader/labconfig/page_config.json" "$VENV/etc/dfml-grader/labconfig/"

"$VENV/bin/python" -m compileall -q "$VENV/lib" >/dev/null 2>&1 || true
chmod -R a+rX "$VENV"
echo "$VENV ready: $("$VENV/bin/python" -I -c 'import autograder, sys; print(sys.version.split()[0], autograder.__file__)')"
