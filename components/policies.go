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
