#!/usr/bin/env bash
# Install the course's JupyterHub on a fresh Debian 12 machine. Run as root from a checkout:
#
#   sudo deploy/jupyterhub/install.sh
#
# Idempotent: run it again after `git pull` to update the course package and the configs
# (the course folder's gradebook and submissions are kept). What it does, in order:
#   1. Debian packages: python3-venv (the shared venv), nodejs + npm (the hub's proxy; kept if
#      node and npm are already installed), bubblewrap (the grader's sandbox), sudo.
#   2. New homes are private (HOME_MODE 0700 in /etc/login.defs) and existing ones are made so.
#   3. Unix groups $DFML_STUDENT_GROUP and $DFML_GRADER_GROUP (who may log in; graders get the
#      formgrader) and the grader account $DFML_GRADER_USER that runs the formgrader and owns
#      the course folder, the gradebook and every release.
#   4. The shared venv in $DFML_PREFIX/venv (make-venv.sh: Debian's Python, the course
#      non-editable, JupyterHub, the students' and graders' Jupyter configs).
#   5. configurable-http-proxy from npm in $DFML_PREFIX/node.
#   6. The exchange $DFML_EXCHANGE_ROOT: root-owned, mode 1777 (world-writable, sticky bit).
#   7. The course folder $DFML_COURSE_DIR (nbgrader_config.py, source/, release/) owned by the
#      grader account; source/ 0700 and gradebook.db 0600; the gradebook made with every
#      assignment by `nbgrader generate_assignment`.
#   8. The hub: its config in $DFML_PREFIX, its state in $DFML_HUB_STATE (0700), the settings in
#      /etc/dfml/hub.env, a systemd unit (started if systemd runs), and /usr/local/bin/dfml-course
#      (runs a course command in the course folder as the grader account, or as root).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (it creates accounts, /opt and /srv folders and a service)" >&2
  exit 1
fi
HERE=$(cd "$(dirname "$0")" && pwd)
CHECKOUT=$(cd "$HERE/../.." && pwd)
COURSE_ID=derivatives-for-ml
: "${DFML_PREFIX:=/opt/dfml}"
: "${DFML_EXCHANGE_ROOT:=/srv/nbgrader/exchange}"
: "${DFML_HUB_STATE:=/srv/jupyterhub}"
: "${DFML_GRADER_USER:=grader-dfml}"
: "${DFML_COURSE_DIR:=/home/$DFML_GRADER_USER/$COURSE_ID}"
: "${DFML_STUDENT_GROUP:=dfml-students}"
: "${DFML_GRADER_GROUP:=dfml-graders}"
: "${DFML_HUB_URL:=http://:8000}"
# Where install.sh writes outside $DFML_PREFIX (change them only for a trial run):
: "${DFML_ETC:=/etc/dfml}"                        # hub.env, the settings
: "${DFML_BIN_DIR:=/usr/local/bin}"               # dfml-course
: "${DFML_SYSTEMD_DIR:=/etc/systemd/system}"      # jupyterhub.service
: "${DFML_PRIVATE_HOMES:=1}"                      # 0: leave /etc/login.defs and /home alone
VENV=$DFML_PREFIX/venv

echo "== 1. Debian packages"
export DEBIAN_FRONTEND=noninteractive
packages="python3-venv bubblewrap sudo"
# node and npm from Debian, unless already there (NodeSource's nodejs ships npm itself)
command -v node >/dev/null 2>&1 || packages="$packages nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $packages >/dev/null

echo "== 2. Private homes"
if [ "$DFML_PRIVATE_HOMES" = 1 ]; then
if grep -q '^HOME_MODE' /etc/login.defs; then
  sed -i 's/^HOME_MODE.*/HOME_MODE\t0700/' /etc/login.defs
else
  printf 'HOME_MODE\t0700\n' >>/etc/login.defs
fi
for home in /home/*/; do
  if [ -d "$home" ]; then chmod 0700 "$home"; fi
done
fi

echo "== 3. Groups and the grader account"
getent group "$DFML_STUDENT_GROUP" >/dev/null || groupadd "$DFML_STUDENT_GROUP"
getent group "$DFML_GRADER_GROUP" >/dev/null || groupadd "$DFML_GRADER_GROUP"
id "$DFML_GRADER_USER" >/dev/null 2>&1 ||
  useradd -m -K HOME_MODE=0700 -s /bin/bash "$DFML_GRADER_USER"
chmod 0700 "$(getent passwd "$DFML_GRADER_USER" | cut -d: -f6)"

echo "== 4. The shared venv ($VENV)"
mkdir -p "$DFML_PREFIX"
"$HERE/make-venv.sh" "$VENV" "$CHECKOUT"

echo "== 5. configurable-http-proxy"
mkdir -p "$DFML_PREFIX/node"
(cd "$DFML_PREFIX/node" && npm install --no-audit --no-fund --silent configurable-http-proxy@5)
chmod -R a+rX "$DFML_PREFIX/node"

echo "== 6. The exchange ($DFML_EXCHANGE_ROOT)"
mkdir -p "$DFML_EXCHANGE_ROOT"
chown root:root "$DFML_EXCHANGE_ROOT"
chmod 1777 "$DFML_EXCHANGE_ROOT"

echo "== 7. The course folder ($DFML_COURSE_DIR)"
as_grader() {
  (cd "$DFML_COURSE_DIR" && runuser -u "$DFML_GRADER_USER" -- env HOME="$(getent passwd \
    "$DFML_GRADER_USER" | cut -d: -f6)" DFML_EXCHANGE_ROOT="$DFML_EXCHANGE_ROOT" \
    PATH="$VENV/bin:/usr/bin:/bin" "$@")
}
install -d -o "$DFML_GRADER_USER" -g "$DFML_GRADER_USER" -m 0700 "$DFML_COURSE_DIR"
install -o "$DFML_GRADER_USER" -g "$DFML_GRADER_USER" -m 0644 \
  "$CHECKOUT/nbgrader_config.py" "$DFML_COURSE_DIR/"
for folder in source release; do
  mkdir -p "$DFML_COURSE_DIR/$folder"
  cp -r "$CHECKOUT/$folder/." "$DFML_COURSE_DIR/$folder/"
done
chown -R "$DFML_GRADER_USER:$DFML_GRADER_USER" "$DFML_COURSE_DIR"
chmod 0700 "$DFML_COURSE_DIR/source"
as_grader nbgrader generate_assignment "*" --force --log-level=WARN
chmod 0600 "$DFML_COURSE_DIR/gradebook.db"

echo "== 8. The hub"
install -m 0644 "$HERE/jupyterhub_config.py" "$DFML_PREFIX/jupyterhub_config.py"
install -m 0755 "$HERE/dfml-course" "$DFML_BIN_DIR/dfml-course"
install -d -m 0700 "$DFML_HUB_STATE"
install -d -m 0755 "$DFML_ETC"
cat >"$DFML_ETC/hub.env" <<EOF
DFML_PREFIX=$DFML_PREFIX
DFML_EXCHANGE_ROOT=$DFML_EXCHANGE_ROOT
DFML_HUB_STATE=$DFML_HUB_STATE
DFML_GRADER_USER=$DFML_GRADER_USER
DFML_COURSE_DIR=$DFML_COURSE_DIR
DFML_STUDENT_GROUP=$DFML_STUDENT_GROUP
DFML_GRADER_GROUP=$DFML_GRADER_GROUP
DFML_HUB_URL=$DFML_HUB_URL
EOF
cat >"$DFML_SYSTEMD_DIR/jupyterhub.service" <<EOF
[Unit]
Description=JupyterHub for $COURSE_ID
After=network.target

[Service]
User=root
EnvironmentFile=$DFML_ETC/hub.env
Environment=PATH=$VENV/bin:/usr/local/bin:/usr/bin:/bin
WorkingDirectory=$DFML_HUB_STATE
ExecStart=$VENV/bin/jupyterhub -f $DFML_PREFIX/jupyterhub_config.py
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF
if [ -d /run/systemd/system ] && [ "$DFML_SYSTEMD_DIR" = /etc/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable jupyterhub >/dev/null
  systemctl restart jupyterhub
  echo "JupyterHub started (systemctl status jupyterhub)."
else
  echo "No systemd here: start the hub with"
  echo "  set -a; . $DFML_ETC/hub.env; set +a; cd $DFML_HUB_STATE && $VENV/bin/jupyterhub -f $DFML_PREFIX/jupyterhub_config.py"
fi
cat <<EOF

Done. Next:
  * students:   useradd -m -G $DFML_STUDENT_GROUP NAME && passwd NAME
  * graders:    useradd -m -G $DFML_GRADER_GROUP NAME && passwd NAME, then restart the hub
  * formgrader: log in as a grader, open /services/$COURSE_ID/
  * the whole workflow: the README, "Running a class"
EOF
