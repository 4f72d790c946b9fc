package backfill

import (
	"fmt"
	"slices"
	"strings"

	"log-archive/components"
)

// Output names, as internal/program publishes them for a source stack.
const (
	outBackfillRoleArn    = "backfillRoleArn"
	outBucketRegions      = "bucketRegions"
	outReplicatedBuckets  = "replicatedBuckets"
	outReplicationRoleArn = "replicationRoleArn"
)

// StackDefaults is what a source stack's outputs (`pulumi stack output --json`) say about backfilling
// one of its buckets. A field is "" when the outputs predate it.
type StackDefaults struct {
	Buckets []string // replicatedBuckets
	// RoleArn is backfillRoleArn, the role the source stack creates for Batch Replication (H6).
	RoleArn string
	// Region is bucketRegions[bucket]: a Batch Replication job runs in its source bucket's Region.
	Region string
	// Account is the source stack's account, that of its roles' ARNs.
	Account string
}

// DefaultsFromOutputs reads a source stack's outputs for bucket, which must be one of its
// replicatedBuckets.
func DefaultsFromOutputs(outputs map[string]any, bucket string) (StackDefaults, error) {
	var d StackDefaults
	list, _ := outputs[outReplicatedBuckets].([]any)
	for _, b := range list {
		if name, ok := b.(string); ok && name != "" {
			d.Buckets = append(d.Buckets, name)
		}
	}
	if len(d.Buckets) == 0 {
		return d, fmt.Errorf("the source stack's outputs list no %s (are they a source stack's of log-archive, deployed?)", outReplicatedBuckets)
	}
	if !slices.Contains(d.Buckets, bucket) {
		return d, fmt.Errorf("--bucket %s: the source stack replicates only %s", bucket, strings.Join(d.Buckets, ", "))
	}
	if v, ok := outputs[outBackfillRoleArn]; ok && v != nil {
		s, ok := v.(string)
		if !ok || !isRoleArn(s) {
			return d, fmt.Errorf("the source stack's output %s is %v, not an IAM role ARN", outBackfillRoleArn, v)
		}
		d.RoleArn = s
	}
	if v, ok := outputs[outBucketRegions]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return d, fmt.Errorf("the source stack's output %s is a %T, not a map of bucket names to Regions", outBucketRegions, v)
		}
		if r, ok := m[bucket]; ok {
			region, _ := r.(string)
			if err := components.ValidateRegion(region); err != nil {
				return d, fmt.Errorf("the source stack's output %s[%s]: %v", outBucketRegions, bucket, err)
			}
			d.Region = region
		}
	}
	for _, name := range []string{outBackfillRoleArn, outReplicationRoleArn} {
		if s, ok := outputs[name].(string); ok && isRoleArn(s) {
			d.Account = AccountOf(s)
			break
		}
	}
	return d, nil
}

func isRoleArn(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":role/") && AccountOf(s) != ""
}

// AccountOf is the account of an IAM ARN (arn:aws:iam::222222222222:role/name), or "".
func AccountOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		return parts[4]
	}
	return ""
}
