"""Following up with the receipt: the reporter's read model, messages, replies and erasure."""
