package components

// The source account's IAM policy documents: the replication role's trust and permissions, and the
// backfill role's. Each statement cites the IDs of docs/aws-requirements.md it implements.

// ReplicationTrustPolicy lets only S3 assume the role (R1.1). It carries no aws:SourceAccount or
// aws:SourceArn condition: S3 is not documented to send them, and replication would fail (R1.2).
func ReplicationTrustPolicy() PolicyDocument {
	return PolicyDocument{Version: policyVersion, Statement: []Statement{{
		Sid:       SidTrustS3,
		Effect:    "Allow",
		Principal: &Principal{Service: Strings{"s3.amazonaws.com"}},
		Action:    Strings{"sts:AssumeRole"},
	}}}
}

// BackfillTrustPolicy lets only S3 Batch Operations assume the backfill role (H6). Live replication keeps
// its own role, trusted by s3.amazonaws.com alone (R1.1): a batch job only initiates replication, which
// S3 then performs with the rule's replication role, so the archive never needs to know this role.
func BackfillTrustPolicy() PolicyDocument {
	return PolicyDocument{Version: policyVersion, Statement: []Statement{{
		Sid:       SidTrustBatchOperations,
		Effect:    "Allow",
		Principal: &Principal{Service: Strings{"batchoperations.s3.amazonaws.com"}},
		Action:    Strings{"sts:AssumeRole"},
	}}}
}

// BackfillRolePolicy is what an S3 Batch Replication job with an S3-generated manifest needs on the
// replicated buckets (H6; AmazonS3/latest/userguide/s3-batch-replication-policies.html): initiate
// replication of their objects, and read the replication configuration and write the inventory
// configuration that generate the manifest. Jobs run without a stored manifest or a completion report,
// so no manifest or report bucket is granted. It names a subset of what the replication role policy names,
// so it fits IAM's limit whenever that one does.
func BackfillRolePolicy(args *SourceReplicatorArgs) PolicyDocument {
	a := arnsFor(args.Region)
	var bucketArns, objectArns Strings
	for _, b := range args.replicatedBuckets(nil) {
		bucketArns = append(bucketArns, a.bucket(b.Name))
		objectArns = append(objectArns, a.objects(b.Name))
	}
	return PolicyDocument{Version: policyVersion, Statement: []Statement{
		{Sid: SidInitiateReplication, Effect: "Allow", Action: Strings{"s3:InitiateReplication"}, Resource: objectArns},
		{Sid: SidGenerateManifest, Effect: "Allow", Action: Strings{"s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"}, Resource: bucketArns},
	}}
}

// ReplicationRolePolicy is everything S3 needs to read the source buckets and write SSE-KMS replicas into
// the archive, and nothing more. logKeyArns[i] is the key of args.LogBuckets[i] once AWS has assigned it;
// nil renders same-length stand-ins, for size checks.
func ReplicationRolePolicy(args *SourceReplicatorArgs, logKeyArns []string) PolicyDocument {
	a := arnsFor(args.Region)
	var bucketArns, objectArns, lockedObjectArns, sourceKeys []string
	var sourceContexts Strings
	for _, b := range args.replicatedBuckets(logKeyArns) {
		bucketArns = append(bucketArns, a.bucket(b.Name))
		objectArns = append(objectArns, a.objects(b.Name))
		if b.ObjectLock || args.Archive.ObjectLockEnabled {
			lockedObjectArns = append(lockedObjectArns, a.objects(b.Name))
		}
		sourceKeys = append(sourceKeys, b.KMSKeyArns...)
		sourceContexts = append(sourceContexts, bucketContexts(a, b.Name)...)
	}
	archive := args.Archive
	stmts := []Statement{
		{ // R1.4
			Sid: SidReadSourceConfiguration, Effect: "Allow",
			Action:   Strings{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			Resource: bucketArns,
		},
		{ // R1.5, R1.6: GetObjectVersionForReplication, not GetObjectVersion, or SSE-KMS objects stay behind.
			Sid: SidReadSourceVersions, Effect: "Allow",
			Action:   Strings{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			Resource: objectArns,
		},
	}
	// R1.7: whenever the archive or the source bucket has Object Lock. Read-only, and what lets a source's
	// retention travel with its replicas (H3).
	if len(lockedObjectArns) > 0 {
		stmts = append(stmts, Statement{
			Sid: SidReadSourceObjectLock, Effect: "Allow",
			Action:   Strings{"s3:GetObjectRetention", "s3:GetObjectLegalHold"},
			Resource: lockedObjectArns,
		})
	}
	stmts = append(stmts,
		Statement{ // R1.8, R1.10
			Sid: SidReplicateIntoArchive, Effect: "Allow",
			Action:   ArchiveObjectActions,
			Resource: Strings{a.objects(archive.BucketName)},
		},
		Statement{ // R1.13, R1.16
			Sid: SidDecryptSourceObjects, Effect: "Allow",
			Action:   Strings{"kms:Decrypt"},
			Resource: dedupe(sourceKeys),
			Condition: Conditions{
				"StringEquals": {"kms:ViaService": {s3ServiceEndpoint(args.Region)}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": sourceContexts},
			},
		},
		Statement{ // R1.14, R1.15, R1.16
			Sid: SidEncryptReplicas, Effect: "Allow",
			Action:   ReplicaKeyActions,
			Resource: Strings{archive.KeyArn},
			Condition: Conditions{
				"StringEquals": {"kms:ViaService": {s3ServiceEndpoint(archive.Region)}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": bucketContexts(a, archive.BucketName)},
			},
		},
	)
	return PolicyDocument{Version: policyVersion, Statement: stmts}
}
