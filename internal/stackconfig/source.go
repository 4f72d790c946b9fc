package stackconfig

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
)

// sourceBucketConfig is the shape of one log-archive:sourceBuckets item.
type sourceBucketConfig struct {
	Name       string   `json:"name"`
	KMSKeyArns []string `json:"kmsKeyArns"`
	Prefix     string   `json:"prefix"`
	ObjectLock bool     `json:"objectLock"`
}

// SourceSettings is a source stack's configuration: where the archive's contract lives, and the
// replicator's arguments except the contract, which the program reads from that stack.
type SourceSettings struct {
	DestinationStack string
	Args             *components.SourceReplicatorArgs
	File             string
}

// A stack reference is "stack", "project/stack" or "organization/project/stack".
var stackRefPattern = regexp.MustCompile(`^([A-Za-z0-9_.-]+/){0,2}[A-Za-z0-9_.-]+$`)

// DestinationStackName is the stack part of a reference, which names the stack file Pulumi.<name>.yaml.
func DestinationStackName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// LoadSource reads a source stack's configuration.
func LoadSource(ctx *pulumi.Context) (*SourceSettings, error) {
	r := newReader(ctx)
	r.rejectOtherKindKeys(KindSource, DestinationKeys)
	args := &components.SourceReplicatorArgs{Region: r.region()}
	s := &SourceSettings{Args: args, File: r.file}

	s.DestinationStack = r.str(KeyDestinationStack, true,
		"set log-archive:destinationStack to the archive stack, e.g. organization/log-archive/destination")
	if s.DestinationStack != "" && !stackRefPattern.MatchString(s.DestinationStack) {
		r.fail(KeyDestinationStack, quote(s.DestinationStack), "is not a stack reference",
			"write organization/project/stack, e.g. organization/log-archive/destination")
	}

	args.AccountID = r.str(KeySourceAccountID, true, `set log-archive:sourceAccountId to the 12-digit ID of this source account, in quotes`)
	if args.AccountID != "" && r.check(KeySourceAccountID, args.AccountID, components.ValidateAccountID(args.AccountID),
		`write this account's 12-digit ID in quotes, e.g. "222222222222"`) {
		r.allowedAccounts(args.AccountID)
	}

	var buckets []sourceBucketConfig
	bucketShape := "a list of {name: bucket, kmsKeyArns: [arn:aws:kms:...:key/...], prefix: optional, objectLock: false}"
	if r.raw(KeySourceBuckets) == "" {
		r.fail(KeySourceBuckets, "", "this key is required", "list the buckets to replicate, as "+bucketShape)
	} else if r.object(KeySourceBuckets, &buckets, bucketShape) && len(buckets) == 0 {
		r.fail(KeySourceBuckets, "[]", "is empty", "list at least one bucket to replicate, as "+bucketShape)
	}
	seen := map[string]int{}
	for i, b := range buckets {
		key := fmt.Sprintf("%s[%d]", KeySourceBuckets, i)
		if b.Name == "" {
			r.fail(key+".name", "", "this field is required", "name the existing bucket to replicate")
		} else if r.check(key+".name", b.Name, components.ValidateBucketName(b.Name), "use the exact name of an existing bucket in this account") {
			if j, dup := seen[b.Name]; dup {
				r.fail(key+".name", quote(b.Name), fmt.Sprintf("is listed twice (also at [%d])", j),
					"merge the two entries: a bucket has exactly one replication configuration")
			}
			seen[b.Name] = i
		}
		if len(b.KMSKeyArns) == 0 {
			r.fail(key+".kmsKeyArns", "", "no KMS key is given",
				"list the ARN of every KMS key that encrypts the bucket's objects; the role can decrypt only those (R1.13)")
		}
		for j, k := range b.KMSKeyArns {
			if args.AccountID == "" || args.Region == "" {
				break
			}
			r.check(fmt.Sprintf("%s.kmsKeyArns[%d]", key, j), k, components.ValidateKMSKeyArn(k, args.AccountID, args.Region),
				"give the full ARN of a key in this account and Region, arn:aws:kms:"+args.Region+":"+args.AccountID+":key/<key-id>. "+
					"A key in another account cannot be granted from here: that account's key policy must name the replication role itself (R1.18)")
		}
		if len(b.Prefix) > components.MaxPrefixLength {
			r.fail(key+".prefix", fmt.Sprintf("(%d characters)", len(b.Prefix)), "is longer than the 1,024 characters S3 allows",
				"shorten the prefix, or remove it to replicate the whole bucket")
		}
		args.Buckets = append(args.Buckets, components.SourceBucket{
			Name: b.Name, KMSKeyArns: b.KMSKeyArns, Prefix: b.Prefix, ObjectLock: b.ObjectLock,
		})
	}

	if v := r.raw(KeyReplicaStorageClass); v != "" {
		args.StorageClass = v
		r.check(KeyReplicaStorageClass, v, components.ValidateReplicaStorageClass(v),
			"use one of "+strings.Join(components.ReplicaStorageClasses, ", ")+", or remove the key to keep each object's class (R4.13)")
	}
	args.ReplicationTimeControl = r.boolean(KeyReplicationTimeControl, false)
	args.ReplicateDeleteMarkers = r.boolean(KeyReplicateDeleteMarkers, false)
	args.DisableMetrics = !r.boolean(KeyReplicationMetrics, true)
	if args.ReplicationTimeControl && args.DisableMetrics {
		r.fail(KeyReplicationMetrics, "false", "replication time control needs replication metrics (R4.7)",
			"remove log-archive:replicationMetrics, or set log-archive:replicationTimeControl to false")
	}
	args.Tags = r.tags()

	if err := r.err(); err != nil {
		return nil, err
	}
	return s, nil
}
