// The services' database users: each may read and write its own database and nothing else.
// The mongo image runs this once, at the first start of an empty data volume
// (docker-entrypoint-initdb.d), as the root user; passwords come from the keygen's volume.
const fs = require("fs");
const admin = db.getSiblingDB("admin");
for (const service of ["intake", "triage", "notify"]) {
  admin.createUser({
    user: service,
    pwd: fs.readFileSync(`/secrets/${service}_password`, "utf8"),
    roles: [{ role: "readWrite", db: service }],
    mechanisms: ["SCRAM-SHA-256"],
  });
}
