package verify

import (
	"errors"
	"fmt"
	"strings"

	"log-archive/internal/contract"
)

// Target is what verify checks: a source stack's buckets and the archive they replicate into.
type Target struct {
	SourceAccount string   `json:"sourceAccount"`
	RoleArn       string   `json:"replicationRoleArn"`
	Buckets       []string `json:"buckets"`
	// BucketRegions is each bucket's Region, from the source stack's bucketRegions output (a stack's
	// buckets may be in several). nil for outputs older than it: every bucket is then called in the
	// fallback Region (Options.SourceRegion).
	BucketRegions map[string]string `json:"bucketRegions,omitempty"`

	ArchiveAccount string `json:"archiveAccount"`
	ArchiveRegion  string `json:"archiveRegion"`
	ArchiveBucket  string `json:"archiveBucket"`
	ArchiveKeyArn  string `json:"archiveKeyArn"`
	ObjectLock     bool   `json:"archiveObjectLock"`
}

// bucketRegionsOutput names the source stack's output that verify calls each bucket's Region from.
var bucketRegionsOutput = func() string {
	var s contract.SourceOutputs
	return contract.NameOf(&s, &s.BucketRegions)
}()

// TargetFromOutputs reads the source and archive stacks' outputs and checks that they agree: a source
// stack deployed against an older archive would replicate under a key the archive no longer publishes.
func TargetFromOutputs(source, archive map[string]any) (Target, error) {
	src, srcErr := contract.ParseSource(source)
	dst, dstErr := contract.ParseArchive(archive)
	var problems []string
	for _, err := range []error{srcErr, dstErr} {
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return Target{}, errors.New(strings.Join(problems, "; ") + " (are these a source and an archive stack of log-archive, deployed?)")
	}
	t := Target{
		SourceAccount:  contract.AccountOf(src.ReplicationRoleArn),
		RoleArn:        src.ReplicationRoleArn,
		Buckets:        src.ReplicatedBuckets,
		BucketRegions:  src.BucketRegions,
		ArchiveAccount: dst.AccountID,
		ArchiveRegion:  dst.Region,
		ArchiveBucket:  dst.BucketName,
		ArchiveKeyArn:  dst.KeyArn,
		ObjectLock:     dst.ObjectLockEnabled,
	}
	if src.ArchiveBucketName != t.ArchiveBucket || src.ArchiveKeyArn != t.ArchiveKeyArn {
		return t, fmt.Errorf("the source stack replicates into %s under %s, but the archive now publishes %s and %s: "+
			"run `pulumi up` on the source stack so its rules follow the archive (R4.9)", src.ArchiveBucketName, src.ArchiveKeyArn, t.ArchiveBucket, t.ArchiveKeyArn)
	}
	return t, nil
}
