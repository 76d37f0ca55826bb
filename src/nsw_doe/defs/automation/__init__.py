"""Automation: refreshing the snapshot from the portal and rebuilding (a sensor and a schedule, both off until turned
on), and alerts on failed runs and failed asset checks."""
