"""nbgrader settings every user of the shared environment gets (students included).

Installed as <venv>/etc/jupyter/nbgrader_config.py by make-venv.sh. Students have no course
folder of their own, so this is where their Assignments tab learns the course id and the
exchange. The hub puts DFML_EXCHANGE_ROOT in every server's environment (jupyterhub_config.py).
"""

import os

c = get_config()  # noqa: F821 -- provided by Jupyter when it loads this file

c.CourseDirectory.course_id = "derivatives-for-ml"
c.Exchange.root = os.environ.get("DFML_EXCHANGE_ROOT") or "/srv/nbgrader/exchange"
