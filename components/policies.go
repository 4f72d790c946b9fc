package components

import "sort"

// The policy documents of both stacks. Each statement cites the aws-facts.md IDs it implements; a grant
// that no fact explains does not belong here.

// Statement IDs, shared with tests and the review tooling.
const (
	SidArchiveReplication      = "AllowReplicationFromSourceAccounts"
	SidDenyInsecureTransport   = "DenyInsecureTransport"
	SidArchiveAccountAdmin     = "ArchiveAccountAdministersKey"
	SidKeyAdministrators       = "KeyAdministratorsManageKey"
	SidSourceRolesUseKey       = "SourceReplicationRolesEncryptReplicas"
	SidTrustS3                 = "S3AssumesReplicationRole"
	SidReadSourceConfiguration = "ReadSourceReplicationConfiguration"
	SidReadSourceVersions      = "ReadSourceObjectVersions"
	SidReadSourceObjectLock    = "ReadSourceObjectLockSettings"
	SidReplicateIntoArchive    = "ReplicateIntoArchive"
	SidDecryptSourceObjects    = "DecryptSourceObjects"
	SidEncryptReplicas         = "EncryptReplicasWithArchiveKey"
	SidTrustBatchOperations    = "S3BatchOperationsAssumesBackfillRole"
	SidInitiateReplication     = "InitiateReplicationOfSourceObjects"
	SidGenerateManifest        = "GenerateBatchReplicationManifest"
)

// ArchiveObjectActions is what the archive grants the source roles on bucket/* (R2.1). Owner override is
// included because every rule this program writes sets AccessControlTranslation (R2.7). No bucket-level
// action is granted, PutBucketVersioning above all (R2.2).
var ArchiveObjectActions = []string{
	"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner",
}

// ReplicaKeyActions is what a replication role needs on the archive key (R1.15, R3.2).
var ReplicaKeyActions = []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}

// KeyAdministratorActions manage the archive key. They cannot disable it, schedule its deletion or delete
// its aliases, any of which makes every archived object unreadable (H3: Object Lock does not protect the
// key); nor create grants (kms:CreateGrant would let them hand kms:Decrypt to anyone, reading the archive);
// nor rewrite the key policy (kms:PutKeyPolicy), which this program owns.
var KeyAdministratorActions = []string{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:Describe*", "kms:EnableKey", "kms:EnableKeyRotation",
	"kms:Get*", "kms:List*", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:TagResource", "kms:UntagResource",
	"kms:UpdateAlias", "kms:UpdateKeyDescription",
}

// ArchiveBucketPolicy grants the source accounts' replication role exactly R2.1 and denies plain HTTP (H1).
// Sources are named as account principals with the role pinned by aws:PrincipalArn, so the policy is valid
// before the roles exist, survives their re-creation and grows ~32 bytes per account (R2.4, R2.10).
func ArchiveBucketPolicy(args *DestinationArchiveArgs) PolicyDocument {
	a := arnsFor(args.Region)
	var stmts []Statement
	if len(args.SourceAccountIDs) > 0 {
		stmts = append(stmts, Statement{
			Sid:       SidArchiveReplication,
			Effect:    "Allow",
			Principal: &Principal{AWS: accountRoots(a, args.SourceAccountIDs)},
			Action:    ArchiveObjectActions,
			Resource:  Strings{a.objects(args.BucketName)},
			Condition: Conditions{"ArnLike": {
				"aws:PrincipalArn": {a.roleInAnyAccount(args.ReplicationRolePath, args.ReplicationRoleName)},
			}},
		})
	}
	// H1. The Deny names s3:* for everyone, but only over plain HTTP, so it never denies s3:Replicate* to
	// the sources, who always use TLS (R2.5).
	stmts = append(stmts, denyInsecureTransport(a, args.BucketName))
	return PolicyDocument{Version: policyVersion, Statement: stmts}
}

// ArchiveKeyPolicy keeps the archive account in control of the key (R3.6), optionally names key
// administrators, and lets the source roles use the key only through S3 in the archive Region and only for
// the archive bucket (R3.2, R3.4, R1.16).
func ArchiveKeyPolicy(args *DestinationArchiveArgs) PolicyDocument {
	a := arnsFor(args.Region)
	stmts := []Statement{{
		Sid:       SidArchiveAccountAdmin,
		Effect:    "Allow",
		Principal: &Principal{AWS: Strings{a.accountRoot(args.AccountID)}},
		Action:    Strings{"kms:*"},
		Resource:  Strings{"*"},
	}}
	if len(args.KeyAdministratorArns) > 0 {
		stmts = append(stmts, Statement{
			Sid:       SidKeyAdministrators,
			Effect:    "Allow",
			Principal: &Principal{AWS: sorted(args.KeyAdministratorArns)},
			Action:    KeyAdministratorActions,
			Resource:  Strings{"*"},
		})
	}
	if len(args.SourceAccountIDs) > 0 {
		stmts = append(stmts, Statement{
			Sid:       SidSourceRolesUseKey,
			Effect:    "Allow",
			Principal: &Principal{AWS: accountRoots(a, args.SourceAccountIDs)},
			Action:    ReplicaKeyActions,
			Resource:  Strings{"*"},
			Condition: Conditions{
				"StringEquals": {"kms:ViaService": {s3ServiceEndpoint(args.Region)}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": bucketContexts(a, args.BucketName)},
				"ArnLike": {
					"aws:PrincipalArn": {a.roleInAnyAccount(args.ReplicationRolePath, args.ReplicationRoleName)},
				},
			},
		})
	}
	return PolicyDocument{Version: policyVersion, Statement: stmts}
}

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

// bucketContexts lists both encryption-context forms: the bucket ARN (with an S3 Bucket Key on either side)
// and the object ARNs (without). Listing both keeps replication working whichever applies (R1.16).
func bucketContexts(a arns, bucket string) Strings {
	return Strings{a.bucket(bucket), a.objects(bucket)}
}

func accountRoots(a arns, accounts []string) Strings {
	out := make(Strings, 0, len(accounts))
	for _, acct := range sorted(accounts) {
		out = append(out, a.accountRoot(acct))
	}
	return out
}

func sorted(in []string) Strings {
	out := append(Strings(nil), in...)
	sort.Strings(out)
	return out
}

func dedupe(in []string) Strings {
	seen := map[string]bool{}
	var out Strings
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
