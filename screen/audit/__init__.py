"""Audits over the whole history: every version screened (`history`), the self-inspection
report (`inspection`) and one page's review trail (`trail`), with their records in `records`."""
