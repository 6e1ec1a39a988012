"""Actions (action), their auth functions (auth) and the validators of the
scheming schemas (validators)."""
