"""AWS Glue Data Catalog (JSON 1.1, AWSGlue): databases and tables per region, as Athena sees them.

Names are lowercased as Glue stores them. CatalogId must be the caller's account (another account's catalog
answers AccessDeniedException, as Glue does without a cross-account resource policy). Partitions are not stored:
GetPartitions answers none (a projected table keeps none in the catalog)."""

import copy
import threading

from .core import AwsError
from .json11 import JsonService, _request

DEFAULT_PERMISSIONS = [{"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                        "Permissions": ["ALL"]}]
TABLE_INPUT_KEYS = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention",
                    "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText", "TableType",
                    "Parameters", "TargetTable")


class GlueService(JsonService):
    name = "glue"
    target_prefix = "AWSGlue"
    operations = {
        "CreateDatabase": "create_database",
        "GetDatabase": "get_database",
        "GetDatabases": "get_databases",
        "DeleteDatabase": "delete_database",
        "CreateTable": "create_table",
        "GetTable": "get_table",
        "GetTables": "get_tables",
        "UpdateTable": "update_table",
        "DeleteTable": "delete_table",
        "GetPartitions": "get_partitions",
    }

    def __init__(self, emu):
        super().__init__(emu)
        self._lock = threading.RLock()
        self.databases = {}     # (region, name) -> {"db": dict, "tables": {name: dict}}

    def reset(self):
        with self._lock:
            self.databases = {}

    # ------------------------------------------------------------------ internal API (athena)
    def internal_tables(self, region):
        """{(database, table): table dict (deep copy)} of one region."""
        with self._lock:
            return {(db, t): copy.deepcopy(tab) for (r, db), d in self.databases.items() if r == region
                    for t, tab in d["tables"].items()}

    def internal_database_exists(self, region, name):
        with self._lock:
            return (region, (name or "").lower()) in self.databases

    # ------------------------------------------------------------------ helpers
    def _region(self):
        return getattr(_request, "region", None) or self.region()

    def _catalog(self, req, p):
        cid = p.get("CatalogId")
        if cid is not None and cid != self.emu.account_id:
            op = req.operation
            raise AwsError("AccessDeniedException",
                           "User: %s is not authorized to perform: glue:%s on resource: arn:aws:glue:%s:%s:catalog "
                           "because no resource-based policy allows the glue:%s action"
                           % (req.principal_arn or "arn:aws:iam::%s:root" % self.emu.account_id, op,
                              self._region(), cid, op))
        return self.emu.account_id

    def _db(self, name):
        d = self.databases.get((self._region(), name.lower()))
        if d is None:
            raise AwsError("EntityNotFoundException", "Database %s not found." % name.lower())
        return d

    def _table(self, dbname, name):
        d = self._db(dbname)
        t = d["tables"].get(name.lower())
        if t is None:
            raise AwsError("EntityNotFoundException", "Table %s not found." % name.lower())
        return d, t

    @staticmethod
    def _check_name(name, what):
        if not name or not name.strip():
            raise AwsError("InvalidInputException", "%s name cannot be empty." % what)
        if any(c in name for c in "\n\r") or name != name.strip():
            raise AwsError("InvalidInputException", "%s name is not valid." % what)

    def _page(self, items, p, key, max_default):
        start = 0
        if p.get("NextToken"):
            try:
                start = int(p["NextToken"])
            except ValueError:
                raise AwsError("InvalidInputException", "Invalid NextToken.") from None
        n = p.get("MaxResults") or max_default
        out = {key: items[start:start + n]}
        if start + n < len(items):
            out["NextToken"] = str(start + n)
        return out

    # ------------------------------------------------------------------ databases
    def create_database(self, req, p):
        cid = self._catalog(req, p)
        di = p["DatabaseInput"]
        self._check_name(di["Name"], "Database")
        name = di["Name"].lower()
        with self._lock:
            if (self._region(), name) in self.databases:
                raise AwsError("AlreadyExistsException", "Database already exists.")
            db = {"Name": name, "CreateTime": self.emu.now(), "CatalogId": cid,
                  "Parameters": dict(di.get("Parameters") or {}),
                  "CreateTableDefaultPermissions": copy.deepcopy(di.get("CreateTableDefaultPermissions")
                                                                 or DEFAULT_PERMISSIONS)}
            for k in ("Description", "LocationUri", "TargetDatabase", "FederatedDatabase"):
                if di.get(k) is not None:
                    db[k] = copy.deepcopy(di[k])
            self.databases[(self._region(), name)] = {"db": db, "tables": {}, "tags": dict(p.get("Tags") or {})}
        return {}

    def get_database(self, req, p):
        self._catalog(req, p)
        with self._lock:
            return {"Database": copy.deepcopy(self._db(p["Name"])["db"])}

    def get_databases(self, req, p):
        self._catalog(req, p)
        with self._lock:
            dbs = [copy.deepcopy(d["db"]) for (r, n), d in sorted(self.databases.items()) if r == self._region()]
        return self._page(dbs, p, "DatabaseList", 100)

    def delete_database(self, req, p):
        self._catalog(req, p)
        with self._lock:
            d = self._db(p["Name"])
            del self.databases[(self._region(), d["db"]["Name"])]    # its tables go with it, as in Glue
        return {}

    # ------------------------------------------------------------------ tables
    def _table_from_input(self, req, dbname, ti, cid, old=None):
        self._check_name(ti["Name"], "Table")
        now = self.emu.now()
        t = {k: copy.deepcopy(ti[k]) for k in TABLE_INPUT_KEYS if ti.get(k) is not None}
        t["Name"] = ti["Name"].lower()
        t["DatabaseName"] = dbname
        t.setdefault("Retention", 0)
        t.setdefault("PartitionKeys", [])
        t.setdefault("Parameters", {})
        t["CreateTime"] = old["CreateTime"] if old else now
        t["UpdateTime"] = now
        t["CreatedBy"] = old["CreatedBy"] if old else (req.principal_arn or "arn:aws:iam::%s:root" % cid)
        t["IsRegisteredWithLakeFormation"] = False
        t["CatalogId"] = cid
        t["VersionId"] = str(int(old["VersionId"]) + 1) if old else "0"
        t["IsMultiDialectView"] = False
        for c in (t.get("StorageDescriptor") or {}).get("Columns") or []:
            c["Name"] = c["Name"].lower()
        for c in t["PartitionKeys"]:
            c["Name"] = c["Name"].lower()
        return t

    def create_table(self, req, p):
        cid = self._catalog(req, p)
        with self._lock:
            d = self._db(p["DatabaseName"])
            ti = p["TableInput"]
            if ti["Name"].lower() in d["tables"]:
                raise AwsError("AlreadyExistsException", "Table already exists.")
            t = self._table_from_input(req, d["db"]["Name"], ti, cid)
            d["tables"][t["Name"]] = t
        return {}

    def get_table(self, req, p):
        self._catalog(req, p)
        with self._lock:
            _, t = self._table(p["DatabaseName"], p["Name"])
            return {"Table": copy.deepcopy(t)}

    def get_tables(self, req, p):
        self._catalog(req, p)
        expr = p.get("Expression")
        with self._lock:
            d = self._db(p["DatabaseName"])
            tables = [copy.deepcopy(t) for n, t in sorted(d["tables"].items())]
        if expr:
            import fnmatch
            pats = [x.strip() for x in expr.lower().split("|") if x.strip()]
            tables = [t for t in tables if any(fnmatch.fnmatchcase(t["Name"], x.replace(".*", "*")) for x in pats)]
        return self._page(tables, p, "TableList", 100)

    def update_table(self, req, p):
        cid = self._catalog(req, p)
        ti = p["TableInput"]
        with self._lock:
            d, old = self._table(p["DatabaseName"], p.get("Name") or ti["Name"])
            if ti["Name"].lower() != old["Name"]:
                raise AwsError("InvalidInputException", "Table name in TableInput does not match the table "
                               "being updated.")
            if p.get("VersionId") is not None and p["VersionId"] != old["VersionId"]:
                raise AwsError("ConcurrentModificationException", "Update table failed due to concurrent "
                               "modifications.")
            # UpdateTable replaces the whole definition with TableInput (members not given are dropped)
            d["tables"][old["Name"]] = self._table_from_input(req, d["db"]["Name"], ti, cid, old=old)
        return {}

    def delete_table(self, req, p):
        self._catalog(req, p)
        with self._lock:
            d, t = self._table(p["DatabaseName"], p["Name"])
            del d["tables"][t["Name"]]
        return {}

    def get_partitions(self, req, p):
        self._catalog(req, p)
        with self._lock:
            self._table(p["DatabaseName"], p["TableName"])
        # The emulator stores no partitions (projected tables keep none in the catalog).
        return {"Partitions": []}
