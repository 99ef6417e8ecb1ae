"""Failures that pass by themselves: a consumer backs off and retries instead of dead-lettering."""

import asyncio

from aiokafka.errors import KafkaError
from pymongo.errors import ConnectionFailure, ExecutionTimeout, WTimeoutError

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    KafkaError,
    ConnectionFailure,  # includes AutoReconnect, NetworkTimeout and ServerSelectionTimeoutError
    ExecutionTimeout,
    WTimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
)
