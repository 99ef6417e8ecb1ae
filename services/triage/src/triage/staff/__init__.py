"""Staff: accounts, two-factor login, sessions and what each role may do."""
