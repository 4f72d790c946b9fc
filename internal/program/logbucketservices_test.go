package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/policy"
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
			for _, s := range []policy.Statement{statementOf(t, key, components.SidGuardDutyEncrypts),
				statementOf(t, bucket, components.SidGuardDutyBucketLocation), statementOf(t, bucket, components.SidGuardDutyWrites)} {
				assert.Equal(t, policy.Strings{tc.principal}, s.Principal.Service, s.Sid)
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

// H8: S3 refuses an upload into a bucket with Object Lock retention unless it carries a Content-MD5 or
// checksum header, and no AWS page shows GuardDuty, CloudTrail or VPC Flow Logs sending one. A log
// bucket for any of them is refused Object Lock, with the reason and the way forward, before anything is
// registered, whatever the archive and whatever the retention.
func TestLogBucket_ObjectLockRefusedForServicesNotShownToSendAChecksum_H8(t *testing.T) {
	for _, tc := range []struct {
		service, extra string
	}{
		{"guardduty", `"guardDutyDetectorId": "6ac1f2e3d4b5a69788796a5b4c3d2e1f", `},
		{"cloudtrail", `"trailNames": ["management-events"], `},
		{"vpc-flow-logs", ""},
	} {
		for _, lock := range []string{`{"mode": "GOVERNANCE", "days": 90}`, `{"mode": "LEGAL_HOLD", "days": 0}`} {
			t.Run(tc.service+"/"+lock, func(t *testing.T) {
				lb := `[{"name": "` + logBucket + `", "services": ["` + tc.service + `"], ` + tc.extra + `"objectLock": ` + lock + `}]`
				cfg := with(sourceConfig(), "log-archive:sourceBuckets", "", "log-archive:logBuckets", lb)
				p, err := runStack(t, "workload-a", cfg, lockedArchive(t))
				require.Error(t, err)
				msg := err.Error()
				assert.Contains(t, msg, "1 problem;", "the retention itself is moot")
				assert.Contains(t, msg, "Pulumi.workload-a.yaml: log-archive:logBuckets[0].objectLock = {mode: ")
				assert.Contains(t, msg, "Content-MD5 or checksum header")
				assert.Contains(t, msg, "no AWS page shows that "+tc.service+" send one")
				assert.Contains(t, msg, "(H8)")
				assert.Contains(t, msg, "Fix: remove objectLock from this log bucket. Lock at the archive instead (log-archive:objectLock")
				assert.Empty(t, p.Creates(), "nothing registered")
			})
		}
	}
}
