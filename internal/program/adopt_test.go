package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adoptKeyArn re-onboards a log bucket that an earlier stack created and left behind (retainOnDelete):
// every resource of the log bucket is imported by the ID AWS knows it by, nothing is created.
func TestLogBucket_AdoptImportsEveryResource(t *testing.T) {
	keyArn := "arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	p := runSource(t, with(sourceConfig(), "log-archive:sourceBuckets", "",
		"log-archive:logBuckets", `[{"name": "`+logBucket+`", "services": ["vpc-flow-logs"], "adoptKeyArn": "`+keyArn+`"}]`))
	prefix := "source-" + logBucket
	for suffix, tc := range map[string]struct{ typ, id string }{
		"-key":                 {tKey, "1234abcd-12ab-34cd-56ef-1234567890ab"},
		"-key-alias":           {tAlias, "alias/log-archive/" + logBucket},
		"-bucket":              {tBucket, logBucket},
		"-ownership":           {tOwnership, logBucket},
		"-public-access-block": {tPublicAccess, logBucket},
		"-versioning":          {tVersioning, logBucket + ",222222222222"},
		"-encryption":          {tEncryption, logBucket + ",222222222222"},
		"-policy":              {tBucketPolicy, logBucket},
	} {
		s := mustStep(t, p, tc.typ, prefix+suffix)
		assert.Equal(t, tc.id, s.NewState.ImportID, "%s", s.Name())
		assert.True(t, s.NewState.RetainOnDelete, "%s", s.Name())
	}
	key := mustStep(t, p, tKey, prefix+"-key")
	assert.Equal(t, []string{"deletionWindowInDays"}, key.NewState.IgnoreChanges, "KMS does not report the deletion window")

	// Without adoptKeyArn nothing is imported.
	fresh := runSource(t, logSourceConfig())
	for _, s := range fresh.Creates() {
		assert.Empty(t, s.NewState.ImportID, "%s", s.Name())
		if s.NewState.Type == tKey {
			assert.Empty(t, s.NewState.IgnoreChanges)
		}
	}
}

func TestLogBucket_AdoptKeyArnIsChecked(t *testing.T) {
	for _, tc := range []struct{ name, arn, want string }{
		{"alias", "alias/log-archive/" + logBucket, `log-archive:logBuckets[0].adoptKeyArn = "alias/log-archive/acme-a-logs"`},
		{"another account", "arn:aws:kms:us-east-2:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab", "log-archive:logBuckets[0].adoptKeyArn"},
		{"another Region", "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", "log-archive:logBuckets[0].adoptKeyArn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", with(sourceConfig(), "log-archive:sourceBuckets", "",
				"log-archive:logBuckets", `[{"name": "`+logBucket+`", "services": ["vpc-flow-logs"], "adoptKeyArn": "`+tc.arn+`"}]`),
				archiveOutputs(t, destinationConfig()))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml: "+tc.want)
			assert.Contains(t, err.Error(), "pulumi stack output logBuckets", "the fix says where the ARN comes from")
			assert.Empty(t, p.Creates(), "nothing registered")
		})
	}
}
