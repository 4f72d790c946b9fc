package backfill

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"log-archive/internal/contract"
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
	s, err := contract.ParseSource(outputs)
	if err != nil {
		var bad *contract.Error
		if errors.As(err, &bad) && len(bad.Missing) > 0 {
			return StackDefaults{}, fmt.Errorf("%w (are they a source stack's of log-archive, deployed?)", err)
		}
		return StackDefaults{}, err
	}
	d := StackDefaults{Buckets: s.ReplicatedBuckets, RoleArn: s.BackfillRoleArn, Region: s.BucketRegions[bucket],
		Account: contract.AccountOf(s.ReplicationRoleArn)}
	if !slices.Contains(d.Buckets, bucket) {
		return d, fmt.Errorf("--bucket %s: the source stack replicates only %s", bucket, strings.Join(d.Buckets, ", "))
	}
	return d, nil
}
