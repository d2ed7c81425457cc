"""Every write that carries a business rule goes through a function here."""
