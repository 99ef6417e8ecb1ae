"""Every test tier shares the real-infrastructure fixtures of devstack."""

pytest_plugins = ["devstack.pytest_plugin"]
