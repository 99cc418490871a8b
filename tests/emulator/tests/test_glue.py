"""Glue Data Catalog through botocore clients: databases, tables, versions, partitions, errors, regions."""

import json

import botocore.exceptions

from emu_harness import ServerTest, error_code

COLUMNS = [{"Name": "ts", "Type": "string"}, {"Name": "req", "Type": "struct<method:string,path:string>"},
           {"Name": "status", "Type": "int"}]
SD = {"Columns": COLUMNS, "Location": "s3://logs-bucket/logs/",
      "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
      "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "Compressed": True,
      "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                    "Parameters": {"ignore.malformed.json": "true"}}}
PARAMS = {"EXTERNAL": "TRUE", "classification": "json", "compressionType": "gzip", "projection.enabled": "true",
          "projection.datehour.type": "date", "projection.datehour.format": "yyyy/MM/dd/HH",
          "projection.datehour.range": "2026/12/07/00,NOW", "projection.datehour.interval": "1",
          "projection.datehour.interval.unit": "HOURS",
          "storage.location.template": "s3://logs-bucket/logs/${datehour}/"}


def table_input(name="Access", **over):
    ti = {"Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": dict(PARAMS),
          "PartitionKeys": [{"Name": "datehour", "Type": "string"}], "StorageDescriptor": json.loads(json.dumps(SD))}
    ti.update(over)
    return ti


class GlueTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.glue = self.client("glue")

    def err(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        e = cm.exception.response
        return error_code(cm.exception), e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]

    def call(self, op, body, region="us-east-1", service="glue"):
        status, headers, data = self.signed("POST", "/", service, json.dumps(body).encode(), region=region,
                                            headers={"X-Amz-Target": "AWSGlue." + op,
                                                     "Content-Type": "application/x-amz-json-1.1"})
        return status, json.loads(data)

    # ------------------------------------------------------------------ databases
    def test_database_lifecycle(self):
        self.glue.create_database(DatabaseInput={"Name": "Sluice_Logs", "Description": "d",
                                                 "Parameters": {"k": "v"}})
        db = self.glue.get_database(Name="SLUICE_logs")["Database"]
        self.assertEqual(db["Name"], "sluice_logs")
        self.assertEqual((db["Description"], db["Parameters"], db["CatalogId"]), ("d", {"k": "v"}, "000000000000"))
        self.assertEqual(db["CreateTableDefaultPermissions"],
                         [{"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                           "Permissions": ["ALL"]}])
        self.assertIn("CreateTime", db)
        self.assertEqual(self.err(self.glue.create_database, DatabaseInput={"Name": "sluice_LOGS"}),
                         ("AlreadyExistsException", "Database already exists.", 400))
        self.assertEqual(self.err(self.glue.get_database, Name="nope"),
                         ("EntityNotFoundException", "Database nope not found.", 400))
        self.glue.create_database(DatabaseInput={"Name": "a_db"})
        self.assertEqual([d["Name"] for d in self.glue.get_databases()["DatabaseList"]], ["a_db", "sluice_logs"])
        page = self.glue.get_databases(MaxResults=1)
        self.assertEqual(([d["Name"] for d in page["DatabaseList"]], page["NextToken"]), (["a_db"], "1"))
        self.glue.delete_database(Name="a_db")
        self.assertEqual(self.err(self.glue.delete_database, Name="a_db"),
                         ("EntityNotFoundException", "Database a_db not found.", 400))

    def test_database_validation(self):
        status, body = self.call("CreateDatabase", {"DatabaseInput": {"Name": ""}})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        self.assertIn("Member must have length greater than or equal to 1", body["message"])
        status, body = self.call("CreateDatabase", {"DatabaseInput": {"Name": "x" * 256}})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        self.assertIn("Member must have length less than or equal to 255", body["message"])
        status, body = self.call("CreateDatabase", {"DatabaseInput": {}})
        self.assertEqual(body["message"], "1 validation error detected: Value null at 'databaseInput.name' failed "
                         "to satisfy constraint: Member must not be null")
        status, body = self.call("CreateDatabase", {"DatabaseInput": {"Name": 5}})
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))
        self.assertEqual(self.err(self.glue.create_database, DatabaseInput={"Name": "   "})[:2],
                         ("InvalidInputException", "Database name cannot be empty."))

    def test_catalog_id(self):
        self.glue.create_database(CatalogId="000000000000", DatabaseInput={"Name": "db"})
        self.assertEqual(self.glue.get_database(CatalogId="000000000000", Name="db")["Database"]["Name"], "db")
        code, msg, status = self.err(self.glue.get_database, CatalogId="111111111111", Name="db")
        self.assertEqual((code, status), ("AccessDeniedException", 400))
        self.assertEqual(msg, "User: arn:aws:iam::000000000000:root is not authorized to perform: glue:GetDatabase "
                         "on resource: arn:aws:glue:us-east-1:111111111111:catalog because no resource-based "
                         "policy allows the glue:GetDatabase action")
        self.assertEqual(self.err(self.glue.create_table, CatalogId="111111111111", DatabaseName="db",
                                  TableInput=table_input())[0], "AccessDeniedException")

    # ------------------------------------------------------------------ tables
    def test_table_lifecycle(self):
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        self.glue.create_table(DatabaseName="SLUICE", TableInput=table_input())
        t = self.glue.get_table(DatabaseName="sluice", Name="ACCESS")["Table"]
        self.assertEqual((t["Name"], t["DatabaseName"], t["TableType"], t["Retention"], t["VersionId"]),
                         ("access", "sluice", "EXTERNAL_TABLE", 0, "0"))
        self.assertEqual(t["StorageDescriptor"], SD)
        self.assertEqual(t["PartitionKeys"], [{"Name": "datehour", "Type": "string"}])
        self.assertEqual(t["Parameters"], PARAMS)
        self.assertEqual((t["CreatedBy"], t["IsRegisteredWithLakeFormation"], t["CatalogId"]),
                         ("arn:aws:iam::000000000000:root", False, "000000000000"))
        self.assertEqual(t["CreateTime"], t["UpdateTime"])
        self.assertEqual(self.err(self.glue.create_table, DatabaseName="sluice", TableInput=table_input("access")),
                         ("AlreadyExistsException", "Table already exists.", 400))
        self.assertEqual(self.err(self.glue.create_table, DatabaseName="nodb", TableInput=table_input()),
                         ("EntityNotFoundException", "Database nodb not found.", 400))
        self.assertEqual(self.err(self.glue.get_table, DatabaseName="sluice", Name="nope"),
                         ("EntityNotFoundException", "Table nope not found.", 400))
        self.assertEqual(self.err(self.glue.get_table, DatabaseName="nodb", Name="access"),
                         ("EntityNotFoundException", "Database nodb not found.", 400))
        self.glue.create_table(DatabaseName="sluice", TableInput=table_input("other", PartitionKeys=[]))
        self.assertEqual([x["Name"] for x in self.glue.get_tables(DatabaseName="sluice")["TableList"]],
                         ["access", "other"])
        self.assertEqual([x["Name"] for x in self.glue.get_tables(DatabaseName="sluice",
                                                                   Expression="acc*")["TableList"]], ["access"])
        self.glue.delete_table(DatabaseName="sluice", Name="Other")
        self.assertEqual(self.err(self.glue.delete_table, DatabaseName="sluice", Name="other"),
                         ("EntityNotFoundException", "Table other not found.", 400))

    def test_update_table_replaces_and_versions(self):
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        self.glue.create_table(DatabaseName="sluice", TableInput=table_input())
        before = self.glue.get_table(DatabaseName="sluice", Name="access")["Table"]
        ti = table_input(Parameters={"EXTERNAL": "TRUE"}, Description="new")
        del ti["PartitionKeys"]
        self.glue.update_table(DatabaseName="sluice", TableInput=ti)
        t = self.glue.get_table(DatabaseName="sluice", Name="access")["Table"]
        self.assertEqual((t["VersionId"], t["Parameters"], t["Description"], t["PartitionKeys"]),
                         ("1", {"EXTERNAL": "TRUE"}, "new", []))
        self.assertEqual(t["CreateTime"], before["CreateTime"])
        self.glue.update_table(DatabaseName="sluice", TableInput=table_input(), VersionId="1")
        self.assertEqual(self.glue.get_table(DatabaseName="sluice", Name="access")["Table"]["VersionId"], "2")
        self.assertEqual(self.err(self.glue.update_table, DatabaseName="sluice", TableInput=table_input(),
                                  VersionId="1"),
                         ("ConcurrentModificationException", "Update table failed due to concurrent "
                          "modifications.", 400))
        self.assertEqual(self.err(self.glue.update_table, DatabaseName="sluice", TableInput=table_input("nope")),
                         ("EntityNotFoundException", "Table nope not found.", 400))

    def test_get_partitions_of_projected_table(self):
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        self.glue.create_table(DatabaseName="sluice", TableInput=table_input())
        out = self.glue.get_partitions(DatabaseName="sluice", TableName="access",
                                       Expression="datehour = '2026/12/07/10'", MaxResults=10)
        self.assertEqual(out["Partitions"], [])
        self.assertNotIn("NextToken", out)
        self.assertEqual(self.err(self.glue.get_partitions, DatabaseName="sluice", TableName="nope"),
                         ("EntityNotFoundException", "Table nope not found.", 400))
        status, body = self.call("GetPartitions", {"DatabaseName": "sluice", "TableName": "access", "MaxResults": 0})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))

    def test_delete_database_deletes_its_tables(self):
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        self.glue.create_table(DatabaseName="sluice", TableInput=table_input())
        self.glue.delete_database(Name="sluice")
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        self.assertEqual(self.err(self.glue.get_table, DatabaseName="sluice", Name="access")[0],
                         "EntityNotFoundException")

    def test_regional_and_ledger(self):
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        west = self.client("glue", region="us-west-2")
        self.assertEqual(self.err(west.get_database, Name="sluice")[0], "EntityNotFoundException")
        west.create_database(DatabaseInput={"Name": "sluice"})      # its own catalog
        self.assertEqual(west.get_databases()["DatabaseList"][0]["Name"], "sluice")
        calls = [(c["service"], c["operation"], c["mutating"], c["error_code"]) for c in self.ledger()["calls"]]
        self.assertEqual(calls, [("glue", "CreateDatabase", True, None),
                                 ("glue", "GetDatabase", False, "EntityNotFoundException"),
                                 ("glue", "CreateDatabase", True, None), ("glue", "GetDatabases", False, None)])

    def test_signing_scope_and_unknown_operation(self):
        status, body = self.call("GetDatabases", {}, service="athena")
        self.assertEqual((status, body["__type"]), (400, "InvalidSignatureException"))
        self.assertEqual(body["message"], "Credential should be scoped to correct service: 'glue'.")
        status, body = self.call("CreatePartitionIndexX", {})
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
