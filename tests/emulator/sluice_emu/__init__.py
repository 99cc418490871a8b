"""sluice test emulator: a strict local AWS endpoint (S3, IAM, STS, Firehose, Kinesis).

See tests/emulator/DESIGN.md for the contract between the modules.
"""

__all__ = ["core", "server", "shapes"]
