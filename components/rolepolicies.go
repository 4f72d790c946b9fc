package components

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"log-archive/internal/awsid"
	"log-archive/internal/policy"
)

// The source account's IAM policy documents: the replication role's trust and permissions, and the
// backfill role's. Each statement cites the IDs of docs/aws-requirements.md it implements.

// replicationTrustPolicy lets only S3 assume the role (R1.1). It carries no aws:SourceAccount or
// aws:SourceArn condition: S3 is not documented to send them, and replication would fail (R1.2).
func replicationTrustPolicy() policy.Document {
	return policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid:       sidTrustS3,
		Effect:    "Allow",
		Principal: &policy.Principal{Service: policy.Strings{"s3.amazonaws.com"}},
		Action:    policy.Strings{"sts:AssumeRole"},
	}}}
}

// backfillTrustPolicy lets only S3 Batch Operations assume the backfill role (H6). Live replication keeps
// its own role, trusted by s3.amazonaws.com alone (R1.1): a batch job only initiates replication, which
// S3 then performs with the rule's replication role, so the archive never needs to know this role.
func backfillTrustPolicy() policy.Document {
	return policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid:       sidTrustBatchOperations,
		Effect:    "Allow",
		Principal: &policy.Principal{Service: policy.Strings{"batchoperations.s3.amazonaws.com"}},
		Action:    policy.Strings{"sts:AssumeRole"},
	}}}
}

// IAM's quotas on a role's permission policies (IAM and AWS STS quotas,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html; AWS Knowledge Center
// "iam-increase-policy-size"): a customer managed policy holds at most 6,144 characters and a role has at
// most 10 managed policies attached by default (adjustable to 20); all inline policies of a role together
// hold 10,240 characters (policy.RoleInlinePolicyLimit, section 6). IAM does not count whitespace; the documents
// here are minified, so their length is what IAM counts.
const MaxAttachedPolicies = 10

// managedShard is one customer managed policy attached to a role: its shard number (which never changes
// for a bucket, see shardOf) and its document.
type managedShard struct {
	Shard    int
	Document policy.Document
}

// rolePermissions is how a role's permissions are laid out in IAM. While everything fits the role's
// 10,240-character inline budget it is one inline policy, as it always was, so an existing stack's role
// does not change. Past that, each bucket's grants move into one of at most MaxAttachedPolicies customer
// managed policies, chosen by the bucket's name alone: adding or removing a bucket changes only the
// policy that holds it, and no bucket's grants ever move from one policy to another, which would leave it
// without them between the two updates (S3 never retries a FAILED object, R5.9).
type rolePermissions struct {
	Inline  *policy.Document // nil: the role has no inline policy
	Managed []managedShard   // by shard number; empty while the inline policy holds everything
}

// Documents lists every document with what it is, for size checks and reviews.
func (p rolePermissions) Documents() []namedDocument {
	var out []namedDocument
	if p.Inline != nil {
		out = append(out, namedDocument{"inline policy", *p.Inline, policy.RoleInlinePolicyLimit})
	}
	for _, m := range p.Managed {
		out = append(out, namedDocument{fmt.Sprintf("managed policy %d", m.Shard), m.Document, policy.ManagedPolicyLimit})
	}
	return out
}

// namedDocument is a policy document with a name for messages and the IAM limit it must fit.
type namedDocument struct {
	Name     string
	Document policy.Document
	Limit    int
}

// Fits says whether every document is within its limit.
func (p rolePermissions) Fits() bool {
	for _, d := range p.Documents() {
		if d.Document.Size() > d.Limit {
			return false
		}
	}
	return true
}

// shardOf is the managed policy a bucket's grants live in: a hash of its name (FNV-1a), so the choice
// depends on nothing else in the stack and never changes while the bucket is replicated.
func shardOf(bucket string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(bucket))
	return int(h.Sum32() % MaxAttachedPolicies)
}

// shardBuckets groups buckets by shardOf, keeping their order within each shard.
func shardBuckets(buckets []SourceBucket) map[int][]SourceBucket {
	out := map[int][]SourceBucket{}
	for _, b := range buckets {
		out[shardOf(b.Name)] = append(out[shardOf(b.Name)], b)
	}
	return out
}

// layOut puts a role's documents into IAM: whole, when the document with every bucket fits the inline
// budget; otherwise the shared statements (if any) stay inline and each bucket's go into its shard. The
// choice is made on sized, the buckets with stand-in keys, so that it is the same before and after AWS
// assigns the keys of buckets (the documents hold those of buckets, which may name fewer distinct keys).
func layOut(sized, buckets []SourceBucket, document func(buckets []SourceBucket, shared bool) policy.Document) rolePermissions {
	if document(sized, true).Size() <= policy.RoleInlinePolicyLimit {
		whole := document(buckets, true)
		return rolePermissions{Inline: &whole}
	}
	var p rolePermissions
	if shared := document(nil, true); len(shared.Statement) > 0 {
		p.Inline = &shared
	}
	groups := shardBuckets(buckets)
	for shard := range MaxAttachedPolicies {
		if bs := groups[shard]; len(bs) > 0 {
			p.Managed = append(p.Managed, managedShard{Shard: shard, Document: document(bs, false)})
		}
	}
	return p
}

// replicationRolePermissions lays out replicationRolePolicy in IAM. In managed policies the archive's
// statements (ReplicateIntoArchive, EncryptReplicasWithArchiveKey) stay in the inline policy and each
// managed policy grants its buckets' reads and key use. logKeyArns as for replicationRolePolicy.
func replicationRolePermissions(args *SourceReplicatorArgs, logKeyArns []string) rolePermissions {
	return layOut(args.replicatedBuckets(nil), args.replicatedBuckets(logKeyArns), func(buckets []SourceBucket, shared bool) policy.Document {
		return replicationPolicy(args, buckets, shared)
	})
}

// backfillRolePermissions lays out the backfill role's policy (backfillPolicy) in IAM; it has no shared
// statements, so in managed policies the role has no inline policy at all.
func backfillRolePermissions(args *SourceReplicatorArgs) rolePermissions {
	buckets := args.replicatedBuckets(nil)
	return layOut(buckets, buckets, func(buckets []SourceBucket, _ bool) policy.Document {
		return backfillPolicy(args, buckets)
	})
}

// backfillPolicy is what an S3 Batch Replication job with an S3-generated manifest needs on buckets
// (H6; AmazonS3/latest/userguide/s3-batch-replication-policies.html): initiate replication of their
// objects, and read the replication configuration and write the inventory configuration that generate
// the manifest. Jobs run without a stored manifest or a completion report, so no manifest or report
// bucket is granted. backfillRolePermissions lays it out in IAM.
func backfillPolicy(args *SourceReplicatorArgs, buckets []SourceBucket) policy.Document {
	a := awsid.ARNsFor(args.Region)
	var bucketArns, objectArns policy.Strings
	for _, b := range buckets {
		bucketArns = append(bucketArns, a.Bucket(b.Name))
		objectArns = append(objectArns, a.Objects(b.Name))
	}
	if len(buckets) == 0 {
		return policy.Document{Version: policy.Version}
	}
	return policy.Document{Version: policy.Version, Statement: []policy.Statement{
		{Sid: SidInitiateReplication, Effect: "Allow", Action: policy.Strings{"s3:InitiateReplication"}, Resource: objectArns},
		{Sid: SidGenerateManifest, Effect: "Allow", Action: policy.Strings{"s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"}, Resource: bucketArns},
	}}
}

// replicationRolePolicy is everything S3 needs to read the source buckets and write SSE-KMS replicas into
// the archive, and nothing more, as one document. logKeyArns[i] is the key of args.LogBuckets[i] once AWS
// has assigned it; nil renders same-length stand-ins, for size checks. replicationRolePermissions says how
// IAM holds it.
func replicationRolePolicy(args *SourceReplicatorArgs, logKeyArns []string) policy.Document {
	return replicationPolicy(args, args.replicatedBuckets(logKeyArns), true)
}

// replicationPolicy grants the reads and key use of buckets and, with archive, the writes into the archive.
func replicationPolicy(args *SourceReplicatorArgs, buckets []SourceBucket, archive bool) policy.Document {
	a := awsid.ARNsFor(args.Region)
	var bucketArns, objectArns, lockedObjectArns []string
	for _, b := range buckets {
		bucketArns = append(bucketArns, a.Bucket(b.Name))
		objectArns = append(objectArns, a.Objects(b.Name))
		if b.ObjectLock || args.Archive.ObjectLockEnabled {
			lockedObjectArns = append(lockedObjectArns, a.Objects(b.Name))
		}
	}
	var stmts []policy.Statement
	readVersions := policy.Strings{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"}
	lockReads := policy.Strings{"s3:GetObjectRetention", "s3:GetObjectLegalHold"}
	// In a managed policy, where every character counts against 6,144, buckets that all need the lock
	// reads get them in the versions statement rather than in one that lists their objects again. The
	// inline policy keeps the statement of its own, as it always had.
	if !archive && len(buckets) > 0 && len(lockedObjectArns) == len(buckets) {
		readVersions, lockedObjectArns = append(readVersions, lockReads...), nil
	}
	if len(buckets) > 0 {
		stmts = append(stmts,
			policy.Statement{ // R1.4
				Sid: SidReadSourceConfiguration, Effect: "Allow",
				Action:   policy.Strings{"s3:GetReplicationConfiguration", "s3:ListBucket"},
				Resource: bucketArns,
			},
			policy.Statement{ // R1.5, R1.6: GetObjectVersionForReplication, not GetObjectVersion, or SSE-KMS objects stay behind.
				Sid: SidReadSourceVersions, Effect: "Allow",
				Action:   readVersions,
				Resource: objectArns,
			})
	}
	// R1.7: whenever the archive or the source bucket has Object Lock. Read-only, and what lets a source's
	// retention travel with its replicas (H3).
	if len(lockedObjectArns) > 0 {
		stmts = append(stmts, policy.Statement{
			Sid: SidReadSourceObjectLock, Effect: "Allow",
			Action:   lockReads,
			Resource: lockedObjectArns,
		})
	}
	archiveContract := args.Archive
	if archive {
		stmts = append(stmts, policy.Statement{ // R1.8, R1.10
			Sid: SidReplicateIntoArchive, Effect: "Allow",
			Action:   policy.ArchiveObjectActions,
			Resource: policy.Strings{a.Objects(archiveContract.BucketName)},
		})
	}
	stmts = append(stmts, decryptStatements(args, buckets)...)
	if archive {
		stmts = append(stmts, policy.Statement{ // R1.14, R1.15, R1.16: the archive's own Region, wherever the sources are
			Sid: SidEncryptReplicas, Effect: "Allow",
			Action:   policy.ReplicaKeyActions,
			Resource: policy.Strings{archiveContract.KeyArn},
			Condition: policy.Conditions{
				"StringEquals": {"kms:ViaService": {awsid.S3ServiceEndpoint(archiveContract.Region)}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": bucketContexts(a, archiveContract.BucketName)},
			},
		})
	}
	return policy.Document{Version: policy.Version, Statement: stmts}
}

// decryptStatements grant kms:Decrypt on the source keys, one statement per Region: S3 in a bucket's
// Region calls KMS there, so each key is usable only through S3 in its own Region, and only for its
// buckets' encryption contexts (R1.13, R1.16). The stack's Region comes first and keeps the Sid it always
// had; another Region's statement carries the Region in its Sid.
func decryptStatements(args *SourceReplicatorArgs, buckets []SourceBucket) []policy.Statement {
	a := awsid.ARNsFor(args.Region)
	keys := map[string][]string{}
	contexts := map[string]policy.Strings{}
	for _, b := range buckets {
		r := args.regionOf(b.Region)
		keys[r] = append(keys[r], b.KMSKeyArns...)
		contexts[r] = append(contexts[r], bucketContexts(a, b.Name)...)
	}
	var out []policy.Statement
	for _, r := range args.Regions() {
		if len(keys[r]) == 0 {
			continue
		}
		out = append(out, policy.Statement{
			Sid: decryptSid(args.Region, r), Effect: "Allow",
			Action:   policy.Strings{"kms:Decrypt"},
			Resource: dedupe(keys[r]),
			Condition: policy.Conditions{
				"StringEquals": {"kms:ViaService": {awsid.S3ServiceEndpoint(r)}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": contexts[r]},
			},
		})
	}
	return out
}

// decryptSid is the Sid of the Decrypt statement for a Region's source keys: DecryptSourceObjects for the
// stack's Region, DecryptSourceObjectsEuCentral1 for eu-central-1 in a stack elsewhere (Sids take letters
// and digits only).
func decryptSid(stackRegion, region string) string {
	if region == stackRegion {
		return SidDecryptSourceObjects
	}
	var b strings.Builder
	b.WriteString(SidDecryptSourceObjects)
	for _, part := range strings.Split(region, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// regionOf is a bucket's Region: its own, or the stack's when it names none.
func (args *SourceReplicatorArgs) regionOf(region string) string {
	if region == "" {
		return args.Region
	}
	return region
}

// Regions are the Regions the stack's buckets are in: the stack's own first (it always has the role),
// then the others in alphabetical order.
func (args *SourceReplicatorArgs) Regions() []string {
	var others []string
	for _, b := range args.Buckets {
		others = append(others, args.regionOf(b.Region))
	}
	for _, b := range args.LogBuckets {
		others = append(others, args.regionOf(b.Region))
	}
	others = slices.DeleteFunc(others, func(r string) bool { return r == args.Region })
	slices.Sort(others)
	return append([]string{args.Region}, slices.Compact(others)...)
}
