"""People: users, groups, departments, API tokens, passwords and signing in."""
