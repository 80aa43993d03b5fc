"""What every feature shares: the errors of the ports, the transaction, the clock."""
