// The services' database users: each may read and write its own databases and nothing else.
// The mongo image runs this once, at the first start of an empty data volume
// (docker-entrypoint-initdb.d), as the root user; passwords come from the keygen's volume.
// triage keeps each read model in a database of its own (statistics, duplicate groups, queue), and the sealed safe copies of evidence:
// these are the names triage derives from TRIAGE_DATABASE when TRIAGE_*_DATABASE are not set.
const fs = require("fs");
const admin = db.getSiblingDB("admin");
const databases = {
  intake: ["intake"],
  triage: ["triage", "triage_statistics", "triage_duplicates", "triage_queue", "triage_evidence"],
  notify: ["notify"],
};
// Residents' sealed files (docs/evidence.md) live in a database of their own: intake may add and delete
// them (a report not acknowledged, an erased report) but never change one; triage's role is below.
const evidence = "intake_evidence";
admin.createRole({
  role: "evidenceWriter",
  privileges: [{ resource: { db: evidence, collection: "" }, actions: ["find", "insert", "remove"] }],
  roles: [],
});
const extraRoles = { intake: [{ role: "evidenceWriter", db: "admin" }], triage: [], notify: [] };
for (const [service, names] of Object.entries(databases)) {
  admin.createUser({
    user: service,
    pwd: fs.readFileSync(`/secrets/${service}_password`, "utf8"),
    roles: names.map((name) => ({ role: "readWrite", db: name })).concat(extraRoles[service]),
    mechanisms: ["SCRAM-SHA-256"],
  });
}
// The evidence store (GridFS bucket `evidence` in intake_evidence): triage reads the sealed originals and deletes
// them when their case is erased; it can never add or change one (docs/evidence.md).
admin.createRole({
  role: "evidenceReadAndErase",
  privileges: [{ resource: { db: "intake_evidence", collection: "" }, actions: ["find", "remove"] }],
  roles: [],
});
admin.grantRolesToUser("triage", [{ role: "evidenceReadAndErase", db: "admin" }]);
