"""The pure domain: leads, deals, users, their states and rules. No framework imports."""
