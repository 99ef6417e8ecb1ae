"""intake: the public reporting site and API; the only service facing the internet."""
