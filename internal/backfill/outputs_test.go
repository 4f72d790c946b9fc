package backfill

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultsFromOutputs(t *testing.T) {
	outputs := map[string]any{
		"replicationRoleArn": "arn:aws:iam::222222222222:role/log-archive/log-archive-replication",
		"backfillRoleArn":    batch,
		"replicatedBuckets":  []any{"trail-logs", "eu-app-logs"},
		"bucketRegions":      map[string]any{"trail-logs": "us-east-2", "eu-app-logs": "eu-central-1"},
		"archiveBucketName":  "acme-log-archive",
		"archiveKeyArn":      "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555",
	}
	d, err := DefaultsFromOutputs(outputs, "eu-app-logs")
	require.NoError(t, err)
	assert.Equal(t, StackDefaults{Buckets: []string{"trail-logs", "eu-app-logs"}, RoleArn: batch, Region: "eu-central-1", Account: account}, d)

	_, err = DefaultsFromOutputs(outputs, "other-logs")
	assert.ErrorContains(t, err, "--bucket other-logs: the source stack replicates only trail-logs, eu-app-logs")

	// Outputs of a stack deployed before backfillRoleArn and bucketRegions: no role, no Region; the
	// account still comes from the replication role.
	delete(outputs, "backfillRoleArn")
	delete(outputs, "bucketRegions")
	d, err = DefaultsFromOutputs(outputs, "trail-logs")
	require.NoError(t, err)
	assert.Equal(t, StackDefaults{Buckets: []string{"trail-logs", "eu-app-logs"}, Account: account}, d)

	outputs["bucketRegions"] = map[string]any{"trail-logs": "nowhere-1"}
	_, err = DefaultsFromOutputs(outputs, "trail-logs")
	assert.ErrorContains(t, err, "bucketRegions[trail-logs]")
	outputs["bucketRegions"] = map[string]any{}
	outputs["backfillRoleArn"] = "log-archive-batch"
	_, err = DefaultsFromOutputs(outputs, "trail-logs")
	assert.ErrorContains(t, err, "not an IAM role ARN")

	_, err = DefaultsFromOutputs(map[string]any{"archiveRegion": "eu-west-1"}, "trail-logs")
	assert.ErrorContains(t, err, "list no replicatedBuckets")
}
