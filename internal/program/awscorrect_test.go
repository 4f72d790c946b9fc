package program_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
)

// G1: GuardDuty exports from a Region that must be enabled manually as guardduty.<region>.amazonaws.com,
// in the key policy and in the bucket policy alike; from a Region enabled by default as the global one.
func TestLogBucket_GuardDutyPrincipalFollowsTheDetectorsRegion_G1(t *testing.T) {
	archive := archiveOutputs(t, destinationConfig())
	for _, tc := range []struct {
		name, region, serviceRegion, principal string
	}{
		{"default-enabled Region", "eu-west-1", "", "guardduty.amazonaws.com"},
		{"opt-in Region", "af-south-1", "", "guardduty.af-south-1.amazonaws.com"},
		{"opt-in Region, newer", "mx-central-1", "", "guardduty.mx-central-1.amazonaws.com"},
		{"opt-in detector, default-enabled bucket", "eu-central-1", "eu-south-1", "guardduty.eu-south-1.amazonaws.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", with(sourceConfig(), "aws:region", tc.region, "log-archive:sourceBuckets", "",
				"log-archive:logBuckets", `[{"name": "a-logs", "services": ["guardduty"], "guardDutyDetectorId": "`+detector+`", "serviceRegion": "`+tc.serviceRegion+`"}]`), archive)
			require.NoError(t, err)
			key := policyInput(t, mustStep(t, p, tKey, "source-a-logs-key"), "policy")
			bucket := policyInput(t, mustStep(t, p, tBucketPolicy, "source-a-logs-policy"), "policy")
			for _, s := range []components.Statement{statementOf(t, key, components.SidGuardDutyEncrypts),
				statementOf(t, bucket, components.SidGuardDutyBucketLocation), statementOf(t, bucket, components.SidGuardDutyWrites)} {
				assert.Equal(t, components.Strings{tc.principal}, s.Principal.Service, s.Sid)
			}
		})
	}
}

// G1: findings from a default-enabled Region cannot be exported to a bucket in an opt-in Region.
func TestLogBucket_DefaultRegionDetectorIntoOptInBucketIsRefused_G1(t *testing.T) {
	p, err := runStack(t, "workload-a", with(sourceConfig(), "aws:region", "af-south-1", "log-archive:sourceBuckets", "",
		"log-archive:logBuckets", `[{"name": "a-logs", "services": ["guardduty"], "guardDutyDetectorId": "`+detector+`", "serviceRegion": "eu-west-1"}]`),
		archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Pulumi.workload-a.yaml: log-archive:logBuckets[0].serviceRegion = "eu-west-1": is enabled by default, and GuardDuty cannot export findings from such a Region to a bucket in af-south-1`)
	assert.Empty(t, p.Creates())
}

// The role policy's size is checked as AWS counts it, with a distinct key per log bucket: every stack the
// check lets through sends a role policy within IAM's 10,240 bytes, and the first one it stops would
// have sent one over the limit.
func TestSource_RolePolicySizeCheckCountsEveryLogBucketsKey(t *testing.T) {
	archive := archiveOutputs(t, destinationConfig())
	cfg := func(n int) map[string]string {
		var entries []string
		for i := range n {
			entries = append(entries, fmt.Sprintf(`{"name": "acme-workload-logs-%02d", "services": ["vpc-flow-logs"]}`, i))
		}
		return with(sourceConfig(), "log-archive:logBuckets", "["+strings.Join(entries, ",")+"]")
	}
	var lastFit int
	for n := 30; n <= 60; n++ {
		p, err := runStack(t, "workload-a", cfg(n), archive)
		if err != nil {
			require.Contains(t, err.Error(), "over the AWS limit of 10240 bytes", "n=%d", n)
			break
		}
		sent := len(mustStep(t, p, tRolePolicy, "source-role-policy").NewState.Inputs["policy"].(string))
		require.LessOrEqual(t, sent, 10240, "n=%d log buckets planned but send a role policy of %d bytes", n, sent)
		lastFit = n
	}
	require.Positive(t, lastFit, "some log buckets fit")
	require.Less(t, lastFit, 60, "the check stops a stack before its role policy passes the limit")
}
