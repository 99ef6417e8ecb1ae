"""Bench only, never shipped: put on a process's PYTHONPATH, Python imports this at start-up and it swaps
Argon2id for BLAKE2b, so `bench.intake` can show intake's throughput without the deliberate receipt cost."""

import hashlib

import argon2.low_level


def _blake2b(secret: bytes, salt: bytes, time_cost: int, memory_cost: int, parallelism: int, hash_len: int, type, version: int = 19) -> bytes:  # noqa: A002, ARG001 - Argon2's signature
    return hashlib.blake2b(secret, salt=salt[:16], digest_size=hash_len).digest()


argon2.low_level.hash_secret_raw = _blake2b
