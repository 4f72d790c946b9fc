package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"log-archive/components"
)

// Output names, as internal/program publishes them (the contract between the stacks, README).
const (
	outReplicationRoleArn = "replicationRoleArn"
	outReplicatedBuckets  = "replicatedBuckets"
	outBucketRegions      = "bucketRegions"
	outArchiveAccountID   = "archiveAccountId"
	outArchiveRegion      = "archiveRegion"
	outArchiveBucketName  = "archiveBucketName"
	outArchiveKeyArn      = "archiveKeyArn"
	outArchiveObjectLock  = "archiveObjectLockEnabled"
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

// ReadOutputsFile reads the JSON that `pulumi stack output --json` prints, saved to a file.
func ReadOutputsFile(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseOutputs(path, data)
}

// StackOutputs runs `pulumi stack output --json --stack NAME` (in dir, when set) and parses it. The
// Pulumi CLI must be logged in to the backend that holds the stack.
func StackOutputs(ctx context.Context, pulumiCmd, stack, dir string) (map[string]any, error) {
	cmd := exec.CommandContext(ctx, pulumiCmd, "stack", "output", "--json", "--stack", stack)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return nil, fmt.Errorf("reading stack %s needs the Pulumi CLI (%s), which is not on PATH. Fix: install it and log in to the stacks' backend, "+
			"or save the outputs where it is (`pulumi stack output --json --stack %s > %s.json`) and pass the files with --source-outputs/--archive-outputs", stack, pulumiCmd, stack, stack)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no message"
		}
		return nil, fmt.Errorf("`%s stack output --json --stack %s` failed: %v: %s", pulumiCmd, stack, err, msg)
	}
	return parseOutputs("stack "+stack, out)
}

func parseOutputs(from string, data []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: not the JSON of `pulumi stack output --json`: %w", from, err)
	}
	return m, nil
}

// TargetFromOutputs reads the source and archive stacks' outputs and checks that they agree: a source
// stack deployed against an older archive would replicate under a key the archive no longer publishes.
func TargetFromOutputs(source, archive map[string]any) (Target, error) {
	var problems []string
	str := func(m map[string]any, stack, name string) string {
		v, ok := m[name].(string)
		if !ok || v == "" {
			problems = append(problems, fmt.Sprintf("the %s stack's outputs have no %s", stack, name))
		}
		return v
	}
	t := Target{
		RoleArn:        str(source, "source", outReplicationRoleArn),
		ArchiveAccount: str(archive, "archive", outArchiveAccountID),
		ArchiveRegion:  str(archive, "archive", outArchiveRegion),
		ArchiveBucket:  str(archive, "archive", outArchiveBucketName),
		ArchiveKeyArn:  str(archive, "archive", outArchiveKeyArn),
	}
	srcBucket, srcKey := str(source, "source", outArchiveBucketName), str(source, "source", outArchiveKeyArn)
	lock, ok := archive[outArchiveObjectLock].(bool)
	if !ok {
		problems = append(problems, "the archive stack's outputs have no "+outArchiveObjectLock+" (true or false)")
	}
	t.ObjectLock = lock
	list, _ := source[outReplicatedBuckets].([]any)
	for _, b := range list {
		if name, ok := b.(string); ok && name != "" {
			t.Buckets = append(t.Buckets, name)
		}
	}
	if len(t.Buckets) == 0 {
		problems = append(problems, "the source stack's outputs list no "+outReplicatedBuckets)
	}
	t.BucketRegions, problems = bucketRegions(source, problems)
	if len(problems) > 0 {
		return t, errors.New(strings.Join(problems, "; ") + " (are these a source and an archive stack of log-archive, deployed?)")
	}
	// arn:aws:iam::222222222222:role/log-archive/log-archive-replication
	if parts := strings.SplitN(t.RoleArn, ":", 6); len(parts) == 6 {
		t.SourceAccount = parts[4]
	}
	if srcBucket != t.ArchiveBucket || srcKey != t.ArchiveKeyArn {
		return t, fmt.Errorf("the source stack replicates into %s under %s, but the archive now publishes %s and %s: "+
			"run `pulumi up` on the source stack so its rules follow the archive (R4.9)", srcBucket, srcKey, t.ArchiveBucket, t.ArchiveKeyArn)
	}
	return t, nil
}

// bucketRegions reads the source stack's bucketRegions output: nil when the outputs predate it.
func bucketRegions(source map[string]any, problems []string) (map[string]string, []string) {
	v, ok := source[outBucketRegions]
	if !ok || v == nil {
		return nil, problems
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, append(problems, fmt.Sprintf("the source stack's output %s is a %T, not a map of bucket names to Regions", outBucketRegions, v))
	}
	regions := make(map[string]string, len(m))
	for bucket, r := range m {
		region, _ := r.(string)
		if err := components.ValidateRegion(region); err != nil {
			problems = append(problems, fmt.Sprintf("the source stack's output %s[%s]: %v", outBucketRegions, bucket, err))
			continue
		}
		regions[bucket] = region
	}
	return regions, problems
}
