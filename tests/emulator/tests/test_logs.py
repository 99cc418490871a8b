"""CloudWatch Logs through botocore clients: log groups and streams per region, retention, tags, errors."""

import botocore.exceptions

from emu_harness import ServerTest, error_code


class LogsTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.logs = self.client("logs")

    def err(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return error_code(cm.exception), cm.exception.response["Error"]["Message"]

    def test_group_stream_retention_tags(self):
        self.logs.create_log_group(logGroupName="/aws/kinesisfirehose/a", tags={"team": "data"})
        self.assertEqual(self.err(self.logs.create_log_group, logGroupName="/aws/kinesisfirehose/a"),
                         ("ResourceAlreadyExistsException", "The specified log group already exists"))
        self.logs.put_retention_policy(logGroupName="/aws/kinesisfirehose/a", retentionInDays=14)
        self.assertEqual(self.err(self.logs.put_retention_policy, logGroupName="/aws/kinesisfirehose/a",
                                  retentionInDays=13)[0], "InvalidParameterException")
        g = self.logs.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]
        self.assertEqual([(x["logGroupName"], x["retentionInDays"]) for x in g], [("/aws/kinesisfirehose/a", 14)])
        self.logs.create_log_stream(logGroupName="/aws/kinesisfirehose/a", logStreamName="DestinationDelivery")
        self.assertEqual(self.err(self.logs.create_log_stream, logGroupName="/aws/kinesisfirehose/a",
                                  logStreamName="x:y")[0], "InvalidParameterException")
        arn = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/kinesisfirehose/a"
        self.logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"team": "data", "env": "dev"})
        self.assertEqual(self.err(self.logs.tag_resource, resourceArn=arn, tags={"aws:x": "1"})[0],
                         "InvalidParameterException")
        other = self.client("logs", region="us-west-2")
        self.assertEqual(other.describe_log_groups()["logGroups"], [])
        self.assertEqual(self.err(other.delete_log_group, logGroupName="/aws/kinesisfirehose/a")[0],
                         "ResourceNotFoundException")
        self.logs.delete_log_group(logGroupName="/aws/kinesisfirehose/a")
        self.assertEqual(self.err(self.logs.list_tags_for_resource, resourceArn=arn)[0], "ResourceNotFoundException")
