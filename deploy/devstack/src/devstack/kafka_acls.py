"""Which service principal may do what on which topic and consumer group, and granting it on a broker.

The same policy is written out for docker-compose's kafka-init (tests/static compares them).
"""

from dataclasses import dataclass
from enum import IntEnum

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest

from meldestelle_shared.topics import Topics

SERVICE_PRINCIPALS = ("intake", "triage", "notify")


class Operation(IntEnum):
    """Kafka's AclOperation codes (the ones this policy uses)."""

    READ = 3
    WRITE = 4


class Resource(IntEnum):
    """Kafka's ResourceType codes."""

    TOPIC = 2
    GROUP = 3


_LITERAL, _PREFIXED, _ALLOW = 3, 4, 3


@dataclass(frozen=True)
class Acl:
    """One ALLOW rule: `principal` may `operation` on the resource `name` (a group name is a prefix)."""

    principal: str
    operation: Operation
    resource: Resource
    name: str

    @property
    def pattern(self) -> int:
        """Topics are named exactly; a service's consumer groups share its prefix."""
        return _PREFIXED if self.resource is Resource.GROUP else _LITERAL


def service_acls(topics: Topics, group_prefix: str = "") -> list[Acl]:
    """The least each service needs: what it produces, what it consumes, and its own consumer groups.

    intake produces only reports and reads only the case and statistics events its projections
    need; every consumer may write the dead letters it parks. Consumer groups are `group_prefix`
    + the service's name (+ any suffix), so no service can join or reset another's group.
    """
    write, read = Operation.WRITE, Operation.READ
    produces = {"intake": [topics.reports], "triage": [topics.cases, topics.statistics], "notify": []}
    consumes = {
        "intake": [topics.cases, topics.statistics],
        "triage": [topics.reports, topics.cases],
        "notify": [topics.reports, topics.cases, topics.statistics],
    }
    acls = []
    for service in SERVICE_PRINCIPALS:
        acls += [Acl(service, write, Resource.TOPIC, topic) for topic in [*produces[service], topics.dead_letters]]
        acls += [Acl(service, read, Resource.TOPIC, topic) for topic in consumes[service]]
        acls.append(Acl(service, read, Resource.GROUP, f"{group_prefix}{service}"))
    return acls


async def create_acls(admin: AIOKafkaAdminClient, acls: list[Acl]) -> None:
    """Grant each rule (granting an existing one again changes nothing); raise on the first refusal."""
    for acl in acls:
        request = CreateAclsRequest(acl.resource, acl.name, acl.pattern, f"User:{acl.principal}", "*", acl.operation, _ALLOW)
        response = await admin._send_request(request)  # aiokafka has the request but no public method for it
        for code, message in response.creation_responses:
            if code != 0:
                raise RuntimeError(f"granting {acl} failed with Kafka error {code}: {message}")
