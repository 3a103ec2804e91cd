"""SIMULATORS of outside systems, served by svc-reporting in demo mode only."""
