"""The sign-off contract: the message format, signers and roles, the chain of trust, the waiver
rule, the pure gate, the ledger of fair clearances, the workspace that reads them from git, and
the acts built on them (sign, review, declassify)."""
