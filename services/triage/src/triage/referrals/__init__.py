"""The directory of counselling services cases are referred to, and the suggestions drawn from it."""
