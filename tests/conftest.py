"""Shared pytest configuration."""

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "course",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# In CI a failure is reported as found: shrinking SymPy-heavy examples can take many minutes.
settings.register_profile(
    "ci",
    parent=settings.get_profile("course"),
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    print_blob=True,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "course")
)
