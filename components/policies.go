package components

import (
	"sort"

	"log-archive/internal/awsid"
	"log-archive/internal/policy"
)

// The policy documents of both stacks. Each statement cites the docs/aws-requirements.md IDs it implements; a grant
// that no fact explains does not belong here.

// Statement IDs, shared with tests and the review tooling.
const (
	SidArchiveReplication      = "AllowReplicationFromSourceAccounts"
	SidArchiveReplicationOrg   = "AllowReplicationFromSourceOrganization"
	SidDenyInsecureTransport   = "DenyInsecureTransport"
	SidArchiveAccountAdmin     = "ArchiveAccountAdministersKey"
	SidKeyAdministrators       = "KeyAdministratorsManageKey"
	SidSourceRolesUseKey       = "SourceReplicationRolesEncryptReplicas"
	SidSourceOrgRolesUseKey    = "SourceOrganizationReplicationRolesEncryptReplicas"
	sidTrustS3                 = "S3AssumesReplicationRole"
	SidReadSourceConfiguration = "ReadSourceReplicationConfiguration"
	SidReadSourceVersions      = "ReadSourceObjectVersions"
	SidReadSourceObjectLock    = "ReadSourceObjectLockSettings"
	SidReplicateIntoArchive    = "ReplicateIntoArchive"
	SidDecryptSourceObjects    = "DecryptSourceObjects"
	SidEncryptReplicas         = "EncryptReplicasWithArchiveKey"
	sidTrustBatchOperations    = "S3BatchOperationsAssumesBackfillRole"
	SidInitiateReplication     = "InitiateReplicationOfSourceObjects"
	SidGenerateManifest        = "GenerateBatchReplicationManifest"
)

// KeyAdministratorActions manage the archive key. They cannot disable it, schedule its deletion or delete
// its aliases, any of which makes every archived object unreadable (H3: Object Lock does not protect the
// key); nor create grants (kms:CreateGrant would let them hand kms:Decrypt to anyone, reading the archive);
// nor rewrite the key policy (kms:PutKeyPolicy), which this program owns.
var KeyAdministratorActions = []string{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:Describe*", "kms:EnableKey", "kms:EnableKeyRotation",
	"kms:Get*", "kms:List*", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:TagResource", "kms:UntagResource",
	"kms:UpdateAlias", "kms:UpdateKeyDescription",
}

// How the archive names its sources (R2.4, R2.10-R2.13). Never by role ARN principal: a role that does
// not exist yet is refused, and a re-created role silently loses the grant. By default every grant is to
// Principal "*", narrowed by conditions, always including the role pin (ArnLike aws:PrincipalArn on the
// role's path and name):
//   - listed accounts: aws:PrincipalAccount (bucket) / kms:CallerAccount (key) equal to the fixed list, about
//     15 bytes an account, against 33 for account-root principals; and a listed account that does not exist
//     yet no longer fails the whole update, since condition values are not resolved (R2.11);
//   - an organization: aws:PrincipalOrgID, optionally narrowed to OU paths with aws:PrincipalOrgPaths
//     (R2.12); member accounts join without a policy change.
// A grant to "*" is public under Block Public Access unless its conditions pin fixed values of keys S3
// recognises (R2.10), and with RestrictPublicBuckets a public policy loses all cross-account access,
// replication included. The role pin and the OU paths hold wildcards and never stand alone.
//
// AWS's list of such keys names aws:PrincipalOrgID but not aws:PrincipalAccount, which is taken to be one
// by inference (R2.13). For an archive where IAM Access Analyzer's CheckNoPublicAccess (`plan
// check-public-access`) objects to the "*" grant, SourceAccountsAsPrincipals
// names each listed account as a fixed principal (its root ARN) instead, keeping the role pin: a fixed
// principal is never public (R2.10), at the price of 33 bytes an account and of every listed account having
// to exist (R2.11).

// archiveBucketPolicy grants the sources exactly R2.1 and denies plain HTTP (H1).
func archiveBucketPolicy(args *DestinationArchiveArgs) policy.Document {
	a := awsid.ARNsFor(args.Region)
	pin := a.RoleInAnyAccount(args.ReplicationRolePath, args.ReplicationRoleName)
	grant := func(sid string, who policy.Conditions) policy.Statement {
		who["ArnLike"] = map[string]policy.Strings{"aws:PrincipalArn": {pin}}
		return policy.Statement{
			Sid: sid, Effect: "Allow", Principal: &policy.Principal{Everyone: true},
			Action: policy.ArchiveObjectActions, Resource: policy.Strings{a.Objects(args.BucketName)}, Condition: who,
		}
	}
	var stmts []policy.Statement
	switch {
	case len(args.SourceAccountIDs) == 0:
	case args.SourcePrincipals == SourceAccountsAsPrincipals: // R2.10, R2.11
		s := grant(SidArchiveReplication, policy.Conditions{})
		s.Principal = &policy.Principal{AWS: a.AccountRoots(args.SourceAccountIDs)}
		stmts = append(stmts, s)
	default:
		stmts = append(stmts, grant(SidArchiveReplication, policy.Conditions{"StringEquals": {"aws:PrincipalAccount": sorted(args.SourceAccountIDs)}}))
	}
	if org := args.SourceOrganization; org != nil {
		stmts = append(stmts, grant(SidArchiveReplicationOrg, org.conditions()))
	}
	// H1. The Deny names s3:* for everyone, but only over plain HTTP, so it never denies s3:Replicate* to
	// the sources, who always use TLS (R2.5).
	stmts = append(stmts, denyInsecureTransport(a, args.BucketName))
	return policy.Document{Version: policy.Version, Statement: stmts}
}

// archiveKeyPolicy keeps the archive account in control of the key (R3.6), optionally names key
// administrators, and lets the source roles use the key only through S3 in the archive Region and only for
// the archive bucket (R3.2, R3.4, R1.16), named as in the bucket policy.
func archiveKeyPolicy(args *DestinationArchiveArgs) policy.Document {
	a := awsid.ARNsFor(args.Region)
	stmts := []policy.Statement{{
		Sid:       SidArchiveAccountAdmin,
		Effect:    "Allow",
		Principal: &policy.Principal{AWS: policy.Strings{a.AccountRoot(args.AccountID)}},
		Action:    policy.Strings{"kms:*"},
		Resource:  policy.Strings{"*"},
	}}
	if len(args.KeyAdministratorArns) > 0 {
		stmts = append(stmts, policy.Statement{
			Sid:       SidKeyAdministrators,
			Effect:    "Allow",
			Principal: &policy.Principal{AWS: sorted(args.KeyAdministratorArns)},
			Action:    KeyAdministratorActions,
			Resource:  policy.Strings{"*"},
		})
	}
	pin := a.RoleInAnyAccount(args.ReplicationRolePath, args.ReplicationRoleName)
	grant := func(sid string, who policy.Conditions) policy.Statement {
		who["ArnLike"] = map[string]policy.Strings{"aws:PrincipalArn": {pin}}
		who["StringLike"] = map[string]policy.Strings{"kms:EncryptionContext:aws:s3:arn": bucketContexts(a, args.BucketName)}
		if who["StringEquals"] == nil {
			who["StringEquals"] = map[string]policy.Strings{}
		}
		who["StringEquals"]["kms:ViaService"] = policy.Strings{awsid.S3ServiceEndpoint(args.Region)}
		return policy.Statement{
			Sid: sid, Effect: "Allow", Principal: &policy.Principal{Everyone: true},
			Action: policy.ReplicaKeyActions, Resource: policy.Strings{"*"}, Condition: who,
		}
	}
	switch {
	case len(args.SourceAccountIDs) == 0:
	case args.SourcePrincipals == SourceAccountsAsPrincipals: // R2.10, R2.11, R3.3
		s := grant(SidSourceRolesUseKey, policy.Conditions{})
		s.Principal = &policy.Principal{AWS: a.AccountRoots(args.SourceAccountIDs)}
		stmts = append(stmts, s)
	default: // R3.4: kms:CallerAccount is the account of the role S3 acts for
		stmts = append(stmts, grant(SidSourceRolesUseKey, policy.Conditions{"StringEquals": {"kms:CallerAccount": sorted(args.SourceAccountIDs)}}))
	}
	if org := args.SourceOrganization; org != nil {
		stmts = append(stmts, grant(SidSourceOrgRolesUseKey, org.conditions()))
	}
	return policy.Document{Version: policy.Version, Statement: stmts}
}

// conditions scope a grant to the organization, and to its OU paths when any are listed (R2.12). Each path
// admits its OU and every OU below it.
func (o *SourceOrganization) conditions() policy.Conditions {
	c := policy.Conditions{"StringEquals": {"aws:PrincipalOrgID": {o.ID}}}
	if len(o.Paths) > 0 {
		paths := make(policy.Strings, len(o.Paths))
		for i, p := range sorted(o.Paths) {
			paths[i] = p + "*"
		}
		c["ForAnyValue:StringLike"] = map[string]policy.Strings{"aws:PrincipalOrgPaths": paths}
	}
	return c
}

// bucketContexts lists both encryption-context forms: the bucket ARN (with an S3 Bucket Key on either side)
// and the object ARNs (without). Listing both keeps replication working whichever applies (R1.16).
func bucketContexts(a awsid.ARNs, bucket string) policy.Strings {
	return policy.Strings{a.Bucket(bucket), a.Objects(bucket)}
}

func sorted(in []string) policy.Strings {
	out := append(policy.Strings(nil), in...)
	sort.Strings(out)
	return out
}

func dedupe(in []string) policy.Strings {
	seen := map[string]bool{}
	var out policy.Strings
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
