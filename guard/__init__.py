"""The only road to Gmail data: purpose-bound, policy-decided, audited before data moves."""
