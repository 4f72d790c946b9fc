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

// The role policy's size is checked as AWS counts it, with a distinct key per log bucket: every stack whose
// whole role policy fits sends it inline, within IAM's 10,240 characters, and the first one past that sends
// managed policies instead (each within 6,144), exactly when one more bucket's grants would have passed
// the inline limit.
func TestSource_RolePolicySizeCheckCountsEveryLogBucketsKey(t *testing.T) {
	archive := archiveOutputs(t, destinationConfig())
	cfg := func(n int) map[string]string {
		var entries []string
		for i := range n {
			entries = append(entries, fmt.Sprintf(`{"name": "acme-workload-logs-%02d", "services": ["vpc-flow-logs"]}`, i))
		}
		return with(sourceConfig(), "log-archive:logBuckets", "["+strings.Join(entries, ",")+"]")
	}
	inline := map[int]int{} // log buckets -> bytes of the whole inline policy sent
	firstManaged := 0
	for n := 30; n <= 60 && firstManaged == 0; n++ {
		p, err := runStack(t, "workload-a", cfg(n), archive)
		require.NoError(t, err, "n=%d", n)
		for _, pol := range p.Policies() {
			require.LessOrEqual(t, pol.Bytes(), pol.Limit, "n=%d: %s is %d bytes", n, pol.Resource, pol.Bytes())
		}
		if len(p.OfType("aws:iam/policy:Policy")) > 0 {
			firstManaged = n
			continue
		}
		inline[n] = len(mustStep(t, p, tRolePolicy, "source-role-policy").NewState.Inputs["policy"].(string))
	}
	last := firstManaged - 1
	require.Contains(t, inline, last, "some log buckets fit inline")
	require.Contains(t, inline, last-1)
	perBucket := inline[last] - inline[last-1]
	assert.Greater(t, inline[last]+perBucket, 10240, "one more log bucket would have passed the inline limit, so managed policies start exactly there")
}

// lockedArchive is the archive with Object Lock, as a source stack reads it.
func lockedArchive(t *testing.T) map[string]map[string]any {
	return archiveOutputs(t, with(destinationConfig(), "log-archive:objectLock", `{"mode":"COMPLIANCE","days":365}`))
}

// R1.7, H3: when the archive has Object Lock the role reads retention and legal hold on every source
// object, existing buckets and log buckets alike, so a source's lock can travel with its replicas; without
// it, and with no locked source, the statement is absent.
func TestSource_RoleReadsObjectLockSettingsWheneverTheArchiveHasObjectLock_R1_7(t *testing.T) {
	cfg := with(logSourceConfig())
	p, err := runStack(t, "workload-a", cfg, lockedArchive(t))
	require.NoError(t, err)
	s := statementOf(t, policyInput(t, mustStep(t, p, tRolePolicy, "source-role-policy"), "policy"), components.SidReadSourceObjectLock)
	assert.Equal(t, components.Strings{"s3:GetObjectRetention", "s3:GetObjectLegalHold"}, s.Action)
	assert.Equal(t, components.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::" + logBucket + "/*"}, s.Resource)

	unlocked := runSource(t, cfg)
	_, present := policyInput(t, mustStep(t, unlocked, tRolePolicy, "source-role-policy"), "policy").StatementBySid(components.SidReadSourceObjectLock)
	assert.False(t, present, "no Object Lock anywhere: no lock reads")
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

// H6: S3 Batch Replication (objects older than the rule, R4.12, and FAILED ones, R5.9) runs as a role of
// its own, trusted by batchoperations.s3.amazonaws.com only, that may initiate replication of the
// replicated buckets' objects and generate their manifest, and nothing else. The live replication role's
// trust stays s3.amazonaws.com alone (R1.1).
func TestSource_BackfillRole_H6(t *testing.T) {
	p := runSource(t, logSourceConfig())
	role := mustStep(t, p, tRole, "source-backfill-role")
	assert.NotContains(t, role.NewState.Inputs, "name", "autonamed: the archive does not pin it, and two stacks never collide")
	assert.Equal(t, "/log-archive/", role.NewState.Inputs["path"])
	trust := policyInput(t, role, "assumeRolePolicy")
	require.Len(t, trust.Statement, 1)
	assert.Equal(t, components.Strings{"batchoperations.s3.amazonaws.com"}, trust.Statement[0].Principal.Service)
	assert.Equal(t, components.Strings{"sts:AssumeRole"}, trust.Statement[0].Action)
	assert.Empty(t, trust.Statement[0].Condition)

	policy := mustStep(t, p, tRolePolicy, "source-backfill-role-policy")
	assert.Contains(t, policy.NewState.Dependencies, role.URN)
	doc := policyInput(t, policy, "policy")
	require.Len(t, doc.Statement, 2)
	initiate := statementOf(t, doc, components.SidInitiateReplication)
	assert.Equal(t, components.Strings{"s3:InitiateReplication"}, initiate.Action)
	assert.Equal(t, components.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::" + logBucket + "/*"}, initiate.Resource)
	manifest := statementOf(t, doc, components.SidGenerateManifest)
	assert.Equal(t, components.Strings{"s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"}, manifest.Action)
	assert.Equal(t, components.Strings{"arn:aws:s3:::trail-logs", "arn:aws:s3:::" + logBucket}, manifest.Resource)

	live := policyInput(t, mustStep(t, p, tRole, "source-role"), "assumeRolePolicy")
	assert.Equal(t, components.Strings{"s3.amazonaws.com"}, live.Statement[0].Principal.Service, "R1.1: the live role is S3's alone")
	arn, _ := p.Outputs["backfillRoleArn"].(string)
	assert.Regexp(t, `^arn:aws:iam::222222222222:role/log-archive/source-backfill-role-[0-9a-f]{7}$`, arn)
}
