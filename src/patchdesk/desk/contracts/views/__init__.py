"""Pages of the contracts app: the portal's (customers) and the console's (operators)."""
