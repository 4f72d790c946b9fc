package verify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func outputs() (src, dst map[string]any) {
	src = map[string]any{
		"replicationRoleArn": roleArn,
		"replicatedBuckets":  []any{"trail-logs", "flow-logs"},
		"archiveBucketName":  archive,
		"archiveKeyArn":      archiveKey,
		"logBuckets":         map[string]any{},
	}
	dst = map[string]any{
		"archiveAccountId": dstAccount, "archiveRegion": "eu-west-1", "archiveBucketName": archive,
		"archiveBucketArn": "arn:aws:s3:::" + archive, "archiveKeyArn": archiveKey, "archiveObjectLockEnabled": true,
		"contractVersion": 1.0, "replicationRoleName": "log-archive-replication", "replicationRolePath": "/log-archive/",
		"sourceAccountIds": []any{srcAccount},
	}
	return src, dst
}

func TestTargetFromOutputs(t *testing.T) {
	src, dst := outputs()
	got, err := TargetFromOutputs(src, dst)
	require.NoError(t, err)
	assert.Equal(t, Target{SourceAccount: srcAccount, RoleArn: roleArn, Buckets: []string{"trail-logs", "flow-logs"},
		ArchiveAccount: dstAccount, ArchiveRegion: "eu-west-1", ArchiveBucket: archive, ArchiveKeyArn: archiveKey, ObjectLock: true}, got)
}

// A source stack deployed before the archive's key changed replicates under a key the archive no
// longer publishes (R4.9): verify says to run `pulumi up` on the source first.
func TestTargetFromOutputsRefusesStacksThatDisagree(t *testing.T) {
	src, dst := outputs()
	dst["archiveKeyArn"] = "arn:aws:kms:eu-west-1:111111111111:key/99999999-2222-3333-4444-555555555555"
	_, err := TargetFromOutputs(src, dst)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run `pulumi up` on the source stack")
}

func TestTargetFromOutputsNamesWhatIsMissing(t *testing.T) {
	src, dst := outputs()
	delete(src, "replicatedBuckets")
	delete(dst, "archiveObjectLockEnabled")
	_, err := TargetFromOutputs(src, dst)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no replicatedBuckets")
	assert.Contains(t, err.Error(), "no archiveObjectLockEnabled")
	// The source and archive swapped: said in the stacks' terms.
	_, err = TargetFromOutputs(dst, src)
	assert.ErrorContains(t, err, "are these a source and an archive stack")
}

// Every failure reason docs/aws-requirements.md R5.4 names, and the rest of AWS's list, is explained, each with a fix.
func TestEveryR5_4ReasonIsExplained(t *testing.T) {
	for _, reason := range []string{"SrcGetObjectNotPermitted", "SrcGetAclNotPermitted", "DstPutObjectNotPermitted",
		"AssumeRoleNotPermitted", "DstBucketUnversioned", "DstKmsKeyNotFound"} {
		text, ok := Explain(reason)
		assert.True(t, ok, reason)
		assert.Contains(t, text, "fix: ")
	}
	for reason, c := range FailureReasons {
		assert.NotEmpty(t, c.Meaning, reason)
		assert.NotEmpty(t, c.Fix, reason)
	}
	text, ok := Explain("DstKmsKeyNotFound")
	assert.True(t, ok)
	assert.Contains(t, text, "R4.9")
	text, ok = Explain("NoSuchReason")
	assert.False(t, ok)
	assert.Contains(t, text, "SrcGetObjectNotPermitted")
}

// bucketRegions (a source stack's buckets may be in several Regions) is read when the outputs have it;
// outputs older than it leave BucketRegions nil, and verify falls back to one Region for all.
func TestTargetFromOutputsReadsBucketRegions(t *testing.T) {
	src, dst := outputs()
	got, err := TargetFromOutputs(src, dst)
	require.NoError(t, err)
	assert.Nil(t, got.BucketRegions)

	src["bucketRegions"] = map[string]any{"trail-logs": "us-east-2", "flow-logs": "eu-central-1"}
	got, err = TargetFromOutputs(src, dst)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"trail-logs": "us-east-2", "flow-logs": "eu-central-1"}, got.BucketRegions)

	src["bucketRegions"] = map[string]any{"trail-logs": "us-east-2", "flow-logs": "Frankfurt"}
	_, err = TargetFromOutputs(src, dst)
	assert.ErrorContains(t, err, "the source stack's output bucketRegions[flow-logs]")
	src["bucketRegions"] = []any{"us-east-2"}
	_, err = TargetFromOutputs(src, dst)
	assert.ErrorContains(t, err, "not a map of bucket names to Regions")
}

func TestExplain_AnyCase(t *testing.T) {
	text, ok := Explain("dstkmskeynotfound")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(text, "DstKmsKeyNotFound: "), text)
}
