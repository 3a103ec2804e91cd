"""The security audit log: sign-ins, failures, lockouts, role, client and certificate changes."""
